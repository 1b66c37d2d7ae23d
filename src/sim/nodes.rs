//! Node lifecycle (not built yet): heartbeats, Ready/NotReady/Unknown, the not-ready and
//! unreachable taints, eviction after tolerationSeconds.

use super::World;

pub fn reconcile(_w: &mut World) {}
