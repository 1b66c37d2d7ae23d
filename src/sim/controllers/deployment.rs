//! The deployment controller (not built yet).

use crate::sim::World;

pub fn reconcile(_w: &mut World) {}
