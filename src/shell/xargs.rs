//! `xargs`: turns its input into command lines (`kubectl get pods -o name | xargs kubectl
//! delete`). This module only plans them — splitting input as GNU findutils and busybox
//! do (blanks, quotes, backslashes; `-0`, `-d`), grouping with `-n`/`-L`/`-I` — and the
//! interpreter runs them one after another (their stdin is empty, as with `/dev/null`).

use super::getopt::{self, Spec};

/// The command lines to run, and whether `-t` traces them.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub cmds: Vec<Vec<String>>,
    pub trace: bool,
}

/// Splits input into arguments (default mode); each argument with the input line it
/// ended on.
fn split_args(input: &str, bb: bool) -> Result<Vec<(String, usize)>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut line = 0;
    let mut it = input.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\'' | '"' => {
                started = true;
                loop {
                    match it.next() {
                        Some(q) if q == c => break,
                        Some('\n') | None => {
                            let which = if c == '\'' { "single" } else { "double" };
                            return Err(if bb {
                                format!("xargs: unmatched {which} quote\n")
                            } else {
                                format!("xargs: unmatched {which} quote; by default quotes are special to xargs unless you use the -0 option\n")
                            });
                        }
                        Some(x) => cur.push(x),
                    }
                }
            }
            '\\' => {
                started = true;
                if let Some(n) = it.next() {
                    cur.push(n);
                }
            }
            ' ' | '\t' | '\n' => {
                if started {
                    out.push((std::mem::take(&mut cur), line));
                    started = false;
                }
                if c == '\n' {
                    line += 1;
                }
            }
            c => {
                started = true;
                cur.push(c);
            }
        }
    }
    if started {
        out.push((cur, line));
    }
    Ok(out)
}

/// Plans the command lines for `xargs ARGS` reading `stdin`. Err is (message, status).
pub(crate) fn plan(args: &[String], stdin: &[u8], bb: bool) -> Result<Plan, (String, i32)> {
    let spec = Spec {
        flags: "0rtxpi",
        with_arg: "dIeEnLsPal",
        long: &[
            ("null", '0', Some(false)),
            ("delimiter", 'd', Some(true)),
            ("replace", 'I', None),
            ("max-lines", 'L', None),
            ("max-args", 'n', Some(true)),
            ("max-procs", 'P', Some(true)),
            ("no-run-if-empty", 'r', Some(false)),
            ("verbose", 't', Some(false)),
            ("max-chars", 's', Some(true)),
            ("exit", 'x', Some(false)),
            ("arg-file", 'a', Some(true)),
            ("interactive", 'p', Some(false)),
            ("eof", 'E', None),
        ],
        stop_at_operand: true,
    };
    let usage = |e: String| -> (String, i32) {
        if bb {
            (format!("xargs: {e}\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: xargs [OPTIONS] [PROG ARGS]\n"), 1)
        } else {
            (format!("xargs: {e}\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.\n"), 1)
        }
    };
    let (opts, mut cmd) = getopt::parse(args, &spec).map_err(|e| usage(e.to_string()))?;
    let mut null = false;
    let mut delim: Option<char> = None;
    let mut replace: Option<String> = None;
    let mut max_lines: Option<usize> = None;
    let mut max_args: Option<usize> = None;
    let mut no_empty = false;
    let mut trace = false;
    let num = |v: &Option<String>, opt: char| -> Result<usize, (String, i32)> {
        let v = v.clone().unwrap_or_default();
        match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err((
                if bb {
                    format!("xargs: invalid number '{v}'\n")
                } else {
                    format!("xargs: value {v} for -{opt} option should be >= 1\n")
                },
                1,
            )),
        }
    };
    for o in &opts {
        match o.name {
            '0' => null = true,
            'd' => {
                let v = o.value.clone().unwrap_or_default();
                delim = Some(match v.as_str() {
                    "\\n" => '\n',
                    "\\t" => '\t',
                    "\\0" => '\0',
                    _ => v.chars().next().unwrap_or('\n'),
                });
            }
            'I' => replace = Some(o.value.clone().unwrap_or_else(|| "{}".into())),
            'i' => replace = Some("{}".into()),
            'L' | 'l' => max_lines = Some(if o.value.is_some() { num(&o.value, 'L')? } else { 1 }),
            'n' => max_args = Some(num(&o.value, 'n')?),
            'r' => no_empty = true,
            't' => trace = true,
            'a' | 'p' => {
                return Err((format!("xargs: kubedojo's xargs does not support -{}\n", o.name), 1));
            }
            _ => {}
        }
    }
    if cmd.is_empty() {
        cmd.push("echo".into());
    }
    let input = String::from_utf8_lossy(stdin).into_owned();
    let mut cmds = Vec::new();
    if let Some(r) = replace {
        // One command per non-empty input line; leading blanks dropped.
        for line in input.split('\n') {
            let arg = line.trim_start_matches([' ', '\t']);
            if arg.is_empty() {
                continue;
            }
            cmds.push(cmd.iter().map(|a| a.replace(&r, arg)).collect());
        }
        return Ok(Plan { cmds, trace });
    }
    let items: Vec<(String, usize)> = if null || delim.is_some() {
        let d = if null { '\0' } else { delim.unwrap_or('\n') };
        let mut v: Vec<(String, usize)> = input.split(d).enumerate().map(|(i, s)| (s.to_string(), i)).collect();
        if v.last().is_some_and(|(s, _)| s.is_empty()) {
            v.pop();
        }
        v
    } else {
        split_args(&input, bb).map_err(|m| (m, 1))?
    };
    if items.is_empty() {
        if !no_empty {
            cmds.push(cmd.clone());
        }
        return Ok(Plan { cmds, trace });
    }
    let mut group: Vec<String> = Vec::new();
    let mut lines_in_group = 0;
    let mut last_line: Option<usize> = None;
    for (arg, line) in items {
        if let Some(l) = max_lines {
            if last_line.is_some_and(|ll| ll != line) {
                lines_in_group += 1;
                if lines_in_group >= l {
                    let mut c = cmd.clone();
                    c.append(&mut group);
                    cmds.push(c);
                    lines_in_group = 0;
                }
            }
        }
        last_line = Some(line);
        group.push(arg);
        if max_args.is_some_and(|n| group.len() >= n) {
            let mut c = cmd.clone();
            c.append(&mut group);
            cmds.push(c);
            lines_in_group = 0;
        }
    }
    if !group.is_empty() {
        let mut c = cmd;
        c.append(&mut group);
        cmds.push(c);
    }
    Ok(Plan { cmds, trace })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn plans_like_gnu_xargs() {
        let p = plan(&v(&["kubectl", "delete"]), b"pod/a\npod/b\n", false).expect("plan");
        assert_eq!(p.cmds, vec![v(&["kubectl", "delete", "pod/a", "pod/b"])]);
        let p = plan(&v(&["-n", "1", "echo"]), b"a b\nc", false).expect("plan");
        assert_eq!(p.cmds, vec![v(&["echo", "a"]), v(&["echo", "b"]), v(&["echo", "c"])]);
        let p = plan(&v(&["-I", "{}", "kubectl", "label", "{}", "x=y"]), b"pod/a\n\n  pod/b\n", false).expect("plan");
        assert_eq!(p.cmds, vec![v(&["kubectl", "label", "pod/a", "x=y"]), v(&["kubectl", "label", "pod/b", "x=y"])]);
        let p = plan(&v(&[]), b"", false).expect("plan");
        assert_eq!(p.cmds, vec![v(&["echo"])]);
        let p = plan(&v(&["-r", "echo"]), b"  \n", false).expect("plan");
        assert!(p.cmds.is_empty());
        let p = plan(&v(&["-L", "1"]), b"a b\nc\n", false).expect("plan");
        assert_eq!(p.cmds, vec![v(&["echo", "a", "b"]), v(&["echo", "c"])]);
        let p = plan(&v(&[]), b"'a b' \"c d\" e\\ f", false).expect("plan");
        assert_eq!(p.cmds, vec![v(&["echo", "a b", "c d", "e f"])]);
        let e = plan(&v(&[]), b"it's", false).unwrap_err();
        assert!(e.0.starts_with("xargs: unmatched single quote"));
    }
}
