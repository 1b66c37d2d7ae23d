//! kubedojo: an offline Kubernetes training simulator for the terminal. See ARCHITECTURE.md
//! for the map of the modules and the invariants they keep.

pub mod cli;
pub mod kubectl;
pub mod lesson;
pub mod shell;
pub mod sim;
pub mod tui;
