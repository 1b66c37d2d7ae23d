//! Ages and durations as kubectl prints them: apimachinery's `duration.HumanDuration`
//! (the AGE column, `RESTARTS (5s ago)`, describe's Events "Age") and the
//! `translateTimestampSince` wrapper around it. The functions live in `sim::api::table`
//! (the server-side printers need them and `sim` cannot depend on `kubectl`); kubectl's own
//! printers use them from here.

pub use crate::sim::api::table::{human_duration, since};
