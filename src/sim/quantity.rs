//! Kubernetes resource quantities (`100m`, `0.5`, `1Gi`, `1e3`...): parsing into integers and
//! printing back in apimachinery's canonical form, as used by the scheduler, `describe` and `top`.
//!
//! Ported from k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go, amount.go):
//! the same grammar, the same error texts, `MilliValue()`/`Value()` rounding up, and the same
//! canonical printing (`CanonicalizeBytes`). Values are kept exact as a decimal mantissa with
//! a power of ten and a power of two, so no floating point is involved anywhere.

/// The API server's message for a string that is not a quantity (`ErrFormatWrong`).
pub const ERR_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// apimachinery's `ErrNumeric`.
pub const ERR_NUMERIC: &str = "unable to parse numeric part of quantity";
/// apimachinery's `ErrSuffix`.
pub const ERR_SUFFIX: &str = "unable to parse quantity's suffix";

/// The three quantity formats of apimachinery; the suffix a quantity was written with decides
/// how it is printed back (`128Mi` stays binary, `128M` stays decimal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `e3`, `E6`...
    DecimalExponent,
    /// `Ki`, `Mi`, `Gi`...
    BinarySI,
    /// `m`, `k`, `M`, `G`... and no suffix.
    DecimalSI,
}

/// A parsed quantity: `negative`, `digits * 10^exp10 * 2^exp2` exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exact {
    negative: bool,
    digits: u128,
    exp10: i32,
    exp2: u32,
    format: Format,
}

/// Splits a quantity string the way apimachinery's `parseQuantityString` does.
/// Returns (positive, numerator digits, denominator digits, suffix).
fn split(s: &str) -> Result<(bool, &str, &str, &str), String> {
    let b = s.as_bytes();
    let end = b.len();
    let mut pos = 0;
    let mut positive = true;
    if let Some(&c) = b.first() {
        if c == b'-' {
            positive = false;
            pos += 1;
        } else if c == b'+' {
            pos += 1;
        }
    }
    // Leading zeros carry no value.
    while pos < end && b[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok((positive, "0", "", ""));
    }
    let num_start = pos;
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    let num = if pos == num_start { "0" } else { &s[num_start..pos] };
    let mut denom = "";
    if pos < end && b[pos] == b'.' {
        pos += 1;
        let d_start = pos;
        while pos < end && b[pos].is_ascii_digit() {
            pos += 1;
        }
        denom = &s[d_start..pos];
    }
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < end && (b[pos] == b'-' || b[pos] == b'+') {
        pos += 1;
    }
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return Err(ERR_FORMAT_WRONG.to_string());
    }
    Ok((positive, num, denom, &s[suffix_start..]))
}

/// Interprets a suffix like apimachinery's `suffixHandler.interpret`: (base 10 or 2, exponent, format).
fn interpret_suffix(suffix: &str) -> Option<(u32, i32, Format)> {
    let decimal = |e| Some((10, e, Format::DecimalSI));
    let binary = |e| Some((2, e, Format::BinarySI));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let rest = suffix.strip_prefix('e').or_else(|| suffix.strip_prefix('E'))?;
            let e: i32 = rest.parse().ok()?;
            Some((10, e, Format::DecimalExponent))
        }
    }
}

fn parse_exact(s: &str) -> Result<Exact, String> {
    if s.is_empty() {
        return Err(ERR_FORMAT_WRONG.to_string());
    }
    let (positive, num, denom, suffix) = split(s)?;
    let (base, exp, format) = interpret_suffix(suffix).ok_or_else(|| ERR_SUFFIX.to_string())?;
    // Trailing zeros of the fraction add nothing and would only waste precision.
    let denom = denom.trim_end_matches('0');
    let mut digits: u128 = 0;
    let mut overflow_digits: i32 = 0;
    for c in num.bytes().chain(denom.bytes()) {
        let d = u128::from(c - b'0');
        match digits.checked_mul(10).and_then(|v| v.checked_add(d)) {
            Some(v) if overflow_digits == 0 => digits = v,
            // Too many significant digits: keep the leading ones; the rest only matter for
            // rounding of absurdly precise inputs, which the API treats the same way (it
            // rounds up to nano precision anyway).
            _ => overflow_digits += 1,
        }
    }
    let denom_len = i32::try_from(denom.len()).map_err(|_| ERR_NUMERIC.to_string())?;
    let mut exp10 = overflow_digits - denom_len;
    let mut exp2 = 0;
    if base == 10 {
        exp10 = exp10.checked_add(exp).ok_or_else(|| ERR_NUMERIC.to_string())?;
    } else {
        exp2 = exp.unsigned_abs();
    }
    Ok(Exact { negative: !positive && digits != 0, digits, exp10, exp2, format })
}

/// `ceil(|x| * 10^scale)` saturated to i64, sign applied afterwards (apimachinery rounds away
/// from zero, which is "up" for the non-negative values that matter).
fn scaled(q: &Exact, scale: i32) -> i64 {
    if q.digits == 0 {
        return 0;
    }
    let e = q.exp10 + scale;
    let mut v: u128 = q.digits;
    // Binary part first: an exact multiplication.
    for _ in 0..q.exp2 {
        v = match v.checked_mul(2) {
            Some(x) => x,
            None => return sat(q.negative),
        };
    }
    if e >= 0 {
        for _ in 0..e {
            v = match v.checked_mul(10) {
                Some(x) => x,
                None => return sat(q.negative),
            };
        }
    } else {
        let mut div: u128 = 1;
        for _ in 0..(-e) {
            div = match div.checked_mul(10) {
                Some(x) => x,
                // The divisor exceeds any mantissa: 0 < |x| < 1, which rounds up to 1.
                None => {
                    return if q.negative { -1 } else { 1 };
                }
            };
        }
        v = v.div_ceil(div);
    }
    let out = i64::try_from(v).unwrap_or(i64::MAX);
    if q.negative {
        -out
    } else {
        out
    }
}

fn sat(negative: bool) -> i64 {
    if negative {
        i64::MIN
    } else {
        i64::MAX
    }
}

/// Parses a quantity into thousandths (`MilliValue()`): `100m` → 100, `0.5` → 500, `2` → 2000.
/// Rounds up like apimachinery; saturates at the i64 range.
pub fn parse_milli(s: &str) -> Result<i64, String> {
    parse_exact(s).map(|q| scaled(&q, 3))
}

/// Parses a quantity into whole units (`Value()`, e.g. bytes): `1Gi` → 1073741824, `1k` → 1000.
/// A fraction rounds up (`0.5` → 1), like apimachinery.
pub fn parse_value(s: &str) -> Result<i64, String> {
    parse_exact(s).map(|q| scaled(&q, 0))
}

/// The format a quantity string will be printed back in (decided by its suffix).
pub fn parse_format(s: &str) -> Result<Format, String> {
    parse_exact(s).map(|q| q.format)
}

/// Removes factors of `base` like apimachinery's `removeInt64Factors`.
fn remove_factors(mut v: i64, base: i64) -> (i64, i32) {
    let negative = v < 0;
    let mut times = 0;
    // i64::MIN cannot be negated; it has many factors of 2 but no factor of 10 or 1024 matters
    // for its printing, so leave it as is.
    if negative && v != i64::MIN {
        v = -v;
    }
    while v >= base && v % base == 0 {
        times += 1;
        v /= base;
    }
    (if negative && v > 0 { -v } else { v }, times)
}

fn decimal_suffix(exp: i32, format: Format) -> String {
    if format == Format::DecimalExponent {
        return if exp == 0 { String::new() } else { format!("e{exp}") };
    }
    match exp {
        -9 => "n".into(),
        -6 => "u".into(),
        -3 => "m".into(),
        0 => String::new(),
        3 => "k".into(),
        6 => "M".into(),
        9 => "G".into(),
        12 => "T".into(),
        15 => "P".into(),
        18 => "E".into(),
        e => format!("e{e}"),
    }
}

/// Canonical decimal printing of `value * 10^exp10` (apimachinery `AsCanonicalBytes`):
/// the exponent is a multiple of three and the mantissa an integer.
fn format_decimal_scaled(value: i64, exp10: i32, format: Format) -> String {
    if value == 0 {
        return "0".to_string();
    }
    let (mut amount, times) = remove_factors(value, 10);
    let mut exp = exp10 + times;
    let adjust = exp.rem_euclid(3);
    for _ in 0..adjust {
        match amount.checked_mul(10) {
            Some(a) => amount = a,
            // Cannot happen for values from i64 (we only put back factors just removed),
            // but never panic: print the exponent form instead.
            None => return format!("{amount}e{exp}"),
        }
        exp -= 1;
    }
    format!("{amount}{}", decimal_suffix(exp, format))
}

/// Prints `value * 10^exp10` canonically in DecimalSI (`resource.NewScaledQuantity(value,
/// exp10).String()`): (102783, -9) → `102783n`, (2000000, -9) → `2m`.
pub fn format_scaled(value: i64, exp10: i32) -> String {
    format_decimal_scaled(value, exp10, Format::DecimalSI)
}

/// Prints thousandths of a unit canonically (DecimalSI), like a CPU quantity in `describe`:
/// 250 → `250m`, 1000 → `1`, 1500 → `1500m`, 0 → `0`.
pub fn format_cpu_milli(milli: i64) -> String {
    format_decimal_scaled(milli, -3, Format::DecimalSI)
}

/// Prints a whole number canonically in DecimalSI: 1000 → `1k`, 1500 → `1500`, 2000000 → `2M`.
pub fn format_decimal(value: i64) -> String {
    format_decimal_scaled(value, 0, Format::DecimalSI)
}

/// Prints a byte count canonically in BinarySI, like memory in `describe`/`top`:
/// 134217728 → `128Mi`. As in apimachinery, values under 1024 or not a multiple of 1024 fall
/// back to decimal (1000 → `1k`, 1500 → `1500`).
pub fn format_bytes(bytes: i64) -> String {
    if bytes > -1024 && bytes < 1024 {
        return format_decimal(bytes);
    }
    let (amount, times) = remove_factors(bytes, 1024);
    let suffix = match times {
        0 => "",
        1 => "Ki",
        2 => "Mi",
        3 => "Gi",
        4 => "Ti",
        5 => "Pi",
        _ => "Ei",
    };
    if times == 0 && bytes % 1024 != 0 {
        // Not a whole number of KiB: apimachinery shows it as DecimalSI.
        return format_decimal(bytes);
    }
    format!("{amount}{suffix}")
}

/// Prints a quantity given in thousandths in the given format, as `Quantity.String()` does for
/// a value that was parsed with that format.
pub fn format_milli(milli: i64, format: Format) -> String {
    match format {
        Format::BinarySI if milli % 1000 == 0 => format_bytes(milli / 1000),
        Format::BinarySI => format_decimal_scaled(milli, -3, Format::DecimalSI),
        f => format_decimal_scaled(milli, -3, f),
    }
}

/// `Quantity.String()` of a quantity as written (`1000m` → `1`, `1.5Gi` → `1536Mi`, `0.5` →
/// `500m`); an unparsable string is returned as it is.
pub fn canonical(s: &str) -> String {
    match (parse_milli(s), parse_format(s)) {
        (Ok(m), Ok(f)) => format_milli(m, f),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_milli() {
        let cases: &[(&str, i64)] = &[
            ("100m", 100),
            ("0.5", 500),
            ("2", 2000),
            ("1.5", 1500),
            (".5", 500),
            ("1k", 1_000_000),
            ("1e3", 1_000_000),
            ("1E-3", 1),
            ("0.1m", 1), // rounds up
            ("1n", 1),
            ("0", 0),
            ("000", 0),
            ("+3", 3000),
            ("-250m", -250),
            ("1.", 1000),
        ];
        for (s, want) in cases {
            assert_eq!(parse_milli(s), Ok(*want), "{s}");
        }
    }

    #[test]
    fn parses_value() {
        let cases: &[(&str, i64)] = &[
            ("1Gi", 1 << 30),
            ("512Mi", 512 << 20),
            ("1G", 1_000_000_000),
            ("1e3", 1000),
            ("1k", 1000),
            ("0.5", 1),
            ("100m", 1),
            ("1.5Gi", 1_610_612_736),
            ("110", 110),
            ("10Ei", i64::MAX),
            ("1e30", i64::MAX),
            ("1e-30", 1),
        ];
        for (s, want) in cases {
            assert_eq!(parse_value(s), Ok(*want), "{s}");
        }
    }

    #[test]
    fn rejects_bad_quantities() {
        for s in ["", "abc", "1.5.5", "1Gb", "1 Gi", "--1", "1e"] {
            let err = parse_milli(s).unwrap_err();
            assert!(err == ERR_FORMAT_WRONG || err == ERR_SUFFIX, "{s}: {err}");
        }
        assert_eq!(parse_value("abc").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_value("1Gb").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_value("1iK").unwrap_err(), ERR_SUFFIX);
        assert_eq!(parse_value("1e").unwrap_err(), ERR_SUFFIX);
    }

    #[test]
    fn formats_canonically() {
        assert_eq!(format_cpu_milli(250), "250m");
        assert_eq!(format_cpu_milli(1000), "1");
        assert_eq!(format_cpu_milli(1500), "1500m");
        assert_eq!(format_cpu_milli(0), "0");
        assert_eq!(format_cpu_milli(2_000_000), "2k");
        assert_eq!(format_cpu_milli(100), "100m");
        assert_eq!(format_cpu_milli(10), "10m");
        assert_eq!(format_bytes(128 << 20), "128Mi");
        assert_eq!(format_bytes(1 << 30), "1Gi");
        assert_eq!(format_bytes(1536 << 20), "1536Mi");
        assert_eq!(format_bytes(1000), "1k");
        assert_eq!(format_bytes(1500), "1500");
        assert_eq!(format_bytes(0), "0");
        assert_eq!(format_bytes(209_715_200), "200Mi");
        assert_eq!(format_decimal(64_000_000_000), "64G");
        assert_eq!(format_milli(500, Format::DecimalSI), "500m");
        assert_eq!(format_milli(1000 << 20, Format::BinarySI), "1Mi");
        assert_eq!(format_milli(3_000_000, Format::DecimalExponent), "3e3");
        assert_eq!(canonical("1000m"), "1");
        assert_eq!(canonical("1.5Gi"), "1536Mi");
        assert_eq!(canonical("0.5"), "500m");
        assert_eq!(canonical("128Mi"), "128Mi");
    }

    #[test]
    fn round_trips_format() {
        assert_eq!(parse_format("128Mi"), Ok(Format::BinarySI));
        assert_eq!(parse_format("128M"), Ok(Format::DecimalSI));
        assert_eq!(parse_format("1e3"), Ok(Format::DecimalExponent));
    }
}
