//! C `printf` conversions (`%d %5.2f %-10s %x %e %g %c`...) for awk's `printf`/`sprintf`
//! and its number-to-string rules, which follow C's `printf("%.6g")`.

/// One parsed conversion specification.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpecFmt {
    pub left: bool,
    pub plus: bool,
    pub space: bool,
    pub alt: bool,
    pub zero: bool,
    pub width: usize,
    pub prec: Option<usize>,
}

fn pad(body: String, s: &SpecFmt, numeric: bool) -> String {
    let len = body.chars().count();
    if len >= s.width {
        return body;
    }
    let fill = s.width - len;
    if s.left {
        return format!("{body}{}", " ".repeat(fill));
    }
    if s.zero && numeric && !body.contains("inf") && !body.contains("nan") {
        // Zeros go after the sign (and after 0x).
        let (sign, rest) = match body.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => (c.to_string(), body[1..].to_string()),
            _ => (String::new(), body.clone()),
        };
        let (pre, digits) = if rest.starts_with("0x") || rest.starts_with("0X") {
            (rest[..2].to_string(), rest[2..].to_string())
        } else {
            (String::new(), rest)
        };
        return format!("{sign}{pre}{}{digits}", "0".repeat(fill));
    }
    format!("{}{body}", " ".repeat(fill))
}

fn sign_of(neg: bool, s: &SpecFmt) -> &'static str {
    if neg {
        "-"
    } else if s.plus {
        "+"
    } else if s.space {
        " "
    } else {
        ""
    }
}

fn special(x: f64, s: &SpecFmt, upper: bool) -> Option<String> {
    if x.is_nan() {
        let b = format!("{}{}", if x.is_sign_negative() { "-" } else { sign_of(false, s) }, "nan");
        return Some(if upper { b.to_uppercase() } else { b });
    }
    if x.is_infinite() {
        let b = format!("{}inf", sign_of(x < 0.0, s));
        return Some(if upper { b.to_uppercase() } else { b });
    }
    None
}

/// `%e` body without sign: mantissa with `prec` decimals and a two-digit exponent.
fn exp_body(x: f64, prec: usize, alt: bool, upper: bool) -> String {
    let r = format!("{:.*e}", prec, x.abs());
    let (m, e) = r.split_once('e').unwrap_or((&r, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let mut m = m.to_string();
    if alt && prec == 0 {
        m.push('.');
    }
    let es = format!("{}{}{:02}", if upper { 'E' } else { 'e' }, if e < 0 { '-' } else { '+' }, e.abs());
    format!("{m}{es}")
}

/// `%g` body without sign.
fn g_body(x: f64, prec: usize, alt: bool, upper: bool) -> String {
    let p = if prec == 0 { 1 } else { prec };
    if x == 0.0 {
        return if alt { format!("0.{}", "0".repeat(p - 1)) } else { "0".into() };
    }
    let r = format!("{:.*e}", p - 1, x.abs());
    let e: i32 = r.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let mut body = if e < -4 || e >= p as i32 {
        exp_body(x, p - 1, alt, upper)
    } else {
        format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, x.abs())
    };
    if !alt {
        // Strip trailing zeros of the fraction (before any exponent).
        let (num, exp) = match body.find(['e', 'E']) {
            Some(i) => (body[..i].to_string(), body[i..].to_string()),
            None => (body.clone(), String::new()),
        };
        let num = if num.contains('.') { num.trim_end_matches('0').trim_end_matches('.').to_string() } else { num };
        body = format!("{num}{exp}");
    }
    body
}

/// Formats a float conversion (`e E f F g G`).
pub(crate) fn fmt_float(x: f64, conv: char, s: &SpecFmt) -> String {
    let upper = conv.is_ascii_uppercase();
    if let Some(b) = special(x, s, upper) {
        return pad(b, &SpecFmt { zero: false, ..s.clone() }, true);
    }
    let prec = s.prec.unwrap_or(6);
    let neg = x.is_sign_negative() && x != 0.0 || (x == 0.0 && x.is_sign_negative());
    let body = match conv {
        'e' | 'E' => exp_body(x, prec, s.alt, upper),
        'g' | 'G' => g_body(x, prec, s.alt, upper),
        _ => {
            let mut b = format!("{:.*}", prec, x.abs());
            if s.alt && prec == 0 {
                b.push('.');
            }
            b
        }
    };
    pad(format!("{}{body}", sign_of(neg, s)), s, true)
}

/// Formats an integer conversion (`d i o x X u`).
pub(crate) fn fmt_int(v: f64, conv: char, s: &SpecFmt) -> String {
    if v.is_nan() || v.is_infinite() {
        return fmt_float(v, 'f', &SpecFmt { prec: Some(0), ..s.clone() });
    }
    let t = v.trunc();
    let neg = t < 0.0;
    let mag = t.abs().min(u64::MAX as f64) as u64;
    let digits = match conv {
        'o' => format!("{mag:o}"),
        'x' => format!("{mag:x}"),
        'X' => format!("{mag:X}"),
        _ => mag.to_string(),
    };
    let mut digits = match s.prec {
        Some(0) if mag == 0 => String::new(),
        Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
        _ => digits,
    };
    if s.alt && mag != 0 {
        match conv {
            'o' if !digits.starts_with('0') => digits.insert(0, '0'),
            'x' => digits.insert_str(0, "0x"),
            'X' => digits.insert_str(0, "0X"),
            _ => {}
        }
    }
    let sign = if matches!(conv, 'd' | 'i') { sign_of(neg, s) } else { "" };
    // A precision turns off zero padding, as in C.
    let spec = if s.prec.is_some() { SpecFmt { zero: false, ..s.clone() } } else { s.clone() };
    pad(format!("{sign}{digits}"), &spec, true)
}

/// Formats `%s` (with precision as maximum length) and `%c`.
pub(crate) fn fmt_str(v: &str, s: &SpecFmt) -> String {
    let body: String = match s.prec {
        Some(p) => v.chars().take(p).collect(),
        None => v.to_string(),
    };
    pad(body, &SpecFmt { zero: false, ..s.clone() }, false)
}

/// Parses the flags, width and precision after `%` starting at `chars[i]`; `*` takes
/// its value from `star`. Returns the spec, the conversion character and the next index.
pub(crate) fn parse_spec(
    chars: &[char],
    mut i: usize,
    star: &mut dyn FnMut() -> Option<f64>,
) -> Option<(SpecFmt, char, usize)> {
    let mut s = SpecFmt::default();
    while let Some(&c) = chars.get(i) {
        match c {
            '-' => s.left = true,
            '+' => s.plus = true,
            ' ' => s.space = true,
            '#' => s.alt = true,
            '0' => s.zero = true,
            _ => break,
        }
        i += 1;
    }
    if chars.get(i) == Some(&'*') {
        i += 1;
        let w = star().unwrap_or(0.0) as i64;
        if w < 0 {
            s.left = true;
        }
        s.width = w.unsigned_abs() as usize;
    } else {
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            s.width = s.width.saturating_mul(10).saturating_add(d as usize);
            i += 1;
        }
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        if chars.get(i) == Some(&'*') {
            i += 1;
            let p = star().unwrap_or(0.0) as i64;
            s.prec = (p >= 0).then_some(p as usize);
        } else {
            let mut p = 0usize;
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                p = p.saturating_mul(10).saturating_add(d as usize);
                i += 1;
            }
            s.prec = Some(p);
        }
    }
    // Length modifiers are accepted and ignored.
    while matches!(chars.get(i), Some('l') | Some('h') | Some('L') | Some('q') | Some('j') | Some('z')) {
        i += 1;
    }
    let conv = *chars.get(i)?;
    Some((s, conv, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(conv: char, x: f64, spec: &str) -> String {
        let chars: Vec<char> = format!("{spec}{conv}").chars().collect();
        let (s, c, _) = parse_spec(&chars, 0, &mut || None).expect("spec");
        match c {
            'd' | 'i' | 'x' | 'X' | 'o' | 'u' => fmt_int(x, c, &s),
            _ => fmt_float(x, c, &s),
        }
    }

    #[test]
    fn like_c_printf() {
        assert_eq!(f('g', 12345.678, ""), "12345.7");
        assert_eq!(f('g', 0.0001, ""), "0.0001");
        assert_eq!(f('g', 1e6, ""), "1e+06");
        assert_eq!(f('g', 0.1 + 0.2, ""), "0.3");
        assert_eq!(f('g', 9007199254740992.0, ""), "9.0072e+15");
        assert_eq!(f('g', 100.0, ""), "100");
        assert_eq!(f('e', 12345.678, ""), "1.234568e+04");
        assert_eq!(f('f', 3.25159, "5.2"), " 3.25");
        assert_eq!(f('d', -42.9, "05"), "-0042");
        assert_eq!(f('x', 255.0, "#"), "0xff");
        assert_eq!(f('d', 7.0, "-4"), "7   ");
        assert_eq!(f('d', 5.0, ".3"), "005");
        assert_eq!(f('f', f64::INFINITY, ""), "inf");
    }
}
