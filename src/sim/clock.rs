//! Simulated time. One tick is one simulated second; the cluster's wall clock starts at a
//! fixed instant so that every timestamp a learner sees is reproducible. Tick 0 is when the
//! cluster was installed; the learner arrives [`ARRIVAL`] later, at 2025-01-01T00:00:00Z,
//! when the cluster has been running for twelve days.

use chrono::{DateTime, TimeZone, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// A point in simulated time, counted in ticks (seconds) since [`START_UNIX_S`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tick(pub u64);

/// 2024-12-19T23:50:00Z: the simulated cluster's wall clock at tick 0, when it was installed.
pub const START_UNIX_S: i64 = 1_734_652_200;

/// When the learner arrives: twelve days and ten minutes after the install (so the add-ons,
/// up within minutes of it, are as "12d" old as the nodes), 2025-01-01T00:00:00Z. Every world
/// starts here; only the install (`cluster`) runs earlier ticks. A multiple of every
/// controller's period, so periodic work falls on the same seconds as from tick 0.
pub const ARRIVAL: Tick = Tick(12 * 24 * 3600 + 600);

impl Tick {
    /// Simulated unix seconds at this tick.
    pub fn unix_s(self) -> i64 {
        START_UNIX_S + self.0 as i64
    }

    /// The wall-clock instant of this tick.
    pub fn datetime(self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.unix_s(), 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The API `Time` of this tick (what metadata.creationTimestamp and friends hold).
    pub fn time(self) -> Time {
        Time(self.datetime())
    }

    /// Ticks elapsed from `earlier` to `self` (0 if `earlier` is later).
    pub fn since(self, earlier: Tick) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    pub fn plus_s(self, s: u64) -> Tick {
        Tick(self.0.saturating_add(s))
    }
}

/// The tick of an API `Time` (times before the start map to tick 0).
pub fn tick_of(t: &Time) -> Tick {
    Tick(t.0.timestamp().saturating_sub(START_UNIX_S).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learner_arrives_at_new_year_2025() {
        assert_eq!(Tick(0).datetime().to_rfc3339(), "2024-12-19T23:50:00+00:00");
        assert_eq!(ARRIVAL.datetime().to_rfc3339(), "2025-01-01T00:00:00+00:00");
        assert_eq!(tick_of(&Tick(75).time()), Tick(75));
    }
}
