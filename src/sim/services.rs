//! Services' data plane bookkeeping: the endpoints controller (Endpoints and EndpointSlices
//! from ready pods). Not built yet.

use super::World;

pub fn reconcile(_w: &mut World) {}

/// Allocates a new Service's ClusterIP and NodePorts; Err when a requested one is taken or
/// out of range.
pub fn allocate(_w: &mut World, _svc: &mut super::Object) -> Result<(), super::api::errors::ApiError> {
    Ok(())
}
