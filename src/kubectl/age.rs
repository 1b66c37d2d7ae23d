//! Ages and durations as kubectl prints them: apimachinery's `duration.HumanDuration`
//! (the AGE column, `RESTARTS (5s ago)`, describe's Events "Age") and the
//! `translateTimestampSince` wrapper around it.

use chrono::{DateTime, Utc};

/// apimachinery's `HumanDuration` for a duration of `s` whole seconds: exact seconds up to
/// two minutes, then coarser units the older it gets (`2m5s`, `15m`, `3h20m`, `2d5h`,
/// `400d`, `3y12d`).
pub fn human_duration(s: i64) -> String {
    // Up to 2 s in the future counts as "now" (clock skew tolerance in Go).
    if s < -1 {
        return "<invalid>".into();
    }
    if s < 0 {
        return "0s".into();
    }
    if s < 120 {
        return format!("{s}s");
    }
    let minutes = s / 60;
    if minutes < 10 {
        let sec = s % 60;
        return if sec == 0 { format!("{minutes}m") } else { format!("{minutes}m{sec}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = s / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{dy}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

/// kubectl's `translateTimestampSince`: `<unknown>` for a missing timestamp, else the
/// human duration from `t` to `now`.
pub fn since(t: Option<&DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        None => "<unknown>".into(),
        Some(t) => human_duration((now - *t).num_seconds()),
    }
}

#[cfg(test)]
mod tests {
    use super::human_duration as h;

    #[test]
    fn matches_apimachinery() {
        let cases: &[(i64, &str)] = &[
            (-5, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (125, "2m5s"),
            (599, "9m59s"),
            (600, "10m"),
            (3 * 3600 - 1, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 20 * 60, "3h20m"),
            (8 * 3600, "8h"),
            (47 * 3600 + 59, "47h"),
            (48 * 3600, "2d"),
            (53 * 3600, "2d5h"),
            (8 * 24 * 3600, "8d"),
            (400 * 24 * 3600, "400d"),
            (2 * 365 * 24 * 3600, "2y"),
            (((3 * 365) + 12) * 24 * 3600, "3y12d"),
            (9 * 365 * 24 * 3600, "9y"),
        ];
        for (s, want) in cases {
            assert_eq!(h(*s), *want, "{s} seconds");
        }
    }
}
