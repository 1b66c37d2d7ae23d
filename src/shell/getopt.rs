//! Command-line option parsing in the style of glibc's `getopt_long`, which GNU tools and
//! busybox applets share: clustered short options (`-inr`), attached or separate values
//! (`-A2`, `-e pat`), long options with unambiguous prefixes (`--ignore-c`) and `=value`,
//! `--` ending options, and operands interleaved with options (`grep foo file -i`).

/// What an applet accepts.
pub(crate) struct Spec<'a> {
    /// Short options without a value.
    pub flags: &'a str,
    /// Short options that take a value.
    pub with_arg: &'a str,
    /// Long options: name, the short option it stands for (or a private code point for
    /// long-only options), and whether it takes a value (`None`: optional `=value`).
    pub long: &'a [(&'a str, char, Option<bool>)],
    /// Stop at the first operand (POSIX order; `xargs`, `find` need it).
    pub stop_at_operand: bool,
}

/// One parsed option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Opt {
    pub name: char,
    pub value: Option<String>,
}

/// A usage error, displayed as glibc's getopt words it (without the program prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OptError {
    Invalid(char),
    MissingArg(char),
    UnknownLong(String),
    Ambiguous(String),
    LongMissingArg(String),
    LongTakesNoArg(String),
}

impl std::fmt::Display for OptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OptError::Invalid(c) => write!(f, "invalid option -- '{c}'"),
            OptError::MissingArg(c) => write!(f, "option requires an argument -- '{c}'"),
            OptError::UnknownLong(s) => write!(f, "unrecognized option '--{s}'"),
            OptError::Ambiguous(s) => write!(f, "option '--{s}' is ambiguous"),
            OptError::LongMissingArg(s) => write!(f, "option '--{s}' requires an argument"),
            OptError::LongTakesNoArg(s) => write!(f, "option '--{s}' doesn't allow an argument"),
        }
    }
}

/// Parses `args` (without the program name) into options and operands.
pub(crate) fn parse(args: &[String], spec: &Spec) -> Result<(Vec<Opt>, Vec<String>), OptError> {
    let mut opts = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            operands.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let exact = spec.long.iter().find(|(n, _, _)| *n == name);
            let cands: Vec<_> = spec.long.iter().filter(|(n, _, _)| n.starts_with(name)).collect();
            let hit = match (exact, cands.as_slice()) {
                (Some(e), _) => e,
                (None, [one]) => *one,
                (None, []) => return Err(OptError::UnknownLong(name.to_string())),
                (None, many) => {
                    // Prefixes of several spellings of one option are not ambiguous.
                    if many.iter().all(|c| c.1 == many[0].1 && c.2 == many[0].2) {
                        many[0]
                    } else {
                        return Err(OptError::Ambiguous(name.to_string()));
                    }
                }
            };
            let (full, code, takes) = *hit;
            let value = match takes {
                Some(true) => match value {
                    Some(v) => Some(v),
                    None => match args.get(i) {
                        Some(v) => {
                            i += 1;
                            Some(v.clone())
                        }
                        None => return Err(OptError::LongMissingArg(full.to_string())),
                    },
                },
                Some(false) => {
                    if value.is_some() {
                        return Err(OptError::LongTakesNoArg(full.to_string()));
                    }
                    None
                }
                None => value,
            };
            opts.push(Opt { name: code, value });
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                if spec.with_arg.contains(c) {
                    let value = if k < chars.len() {
                        let v: String = chars[k..].iter().collect();
                        k = chars.len();
                        v
                    } else {
                        match args.get(i) {
                            Some(v) => {
                                i += 1;
                                v.clone()
                            }
                            None => return Err(OptError::MissingArg(c)),
                        }
                    };
                    opts.push(Opt { name: c, value: Some(value) });
                } else if spec.flags.contains(c) {
                    opts.push(Opt { name: c, value: None });
                } else {
                    return Err(OptError::Invalid(c));
                }
            }
            continue;
        }
        operands.push(a.clone());
        if spec.stop_at_operand {
            operands.extend(args[i..].iter().cloned());
            break;
        }
    }
    Ok((opts, operands))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    const SPEC: Spec = Spec {
        flags: "inv",
        with_arg: "eA",
        long: &[("ignore-case", 'i', Some(false)), ("regexp", 'e', Some(true)), ("color", '\u{1}', None)],
        stop_at_operand: false,
    };

    #[test]
    fn clusters_values_and_permutation() {
        let (o, rest) =
            parse(&v(&["-in", "-A2", "pat", "f", "-e", "x", "--ignore", "--color=auto", "--", "-v"]), &SPEC)
                .expect("parses");
        let names: String = o.iter().map(|o| o.name).collect();
        assert_eq!(names, "inAei\u{1}");
        assert_eq!(o[2].value.as_deref(), Some("2"));
        assert_eq!(o[3].value.as_deref(), Some("x"));
        assert_eq!(rest, v(&["pat", "f", "-v"]));
    }

    #[test]
    fn errors() {
        assert_eq!(parse(&v(&["-k"]), &SPEC).unwrap_err().to_string(), "invalid option -- 'k'");
        assert_eq!(parse(&v(&["-e"]), &SPEC).unwrap_err().to_string(), "option requires an argument -- 'e'");
        assert_eq!(parse(&v(&["--nope"]), &SPEC).unwrap_err().to_string(), "unrecognized option '--nope'");
        assert_eq!(parse(&v(&["--regexp"]), &SPEC).unwrap_err().to_string(), "option '--regexp' requires an argument");
    }
}
