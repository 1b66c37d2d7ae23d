//! The statefulset controller (not built yet).

use crate::sim::World;

pub fn reconcile(_w: &mut World) {}

#[derive(Clone, Debug, Default)]
pub struct State {}
