//! The admission plugins of a v1.32 API server that kubedojo simulates beyond the ones folded
//! into defaulting (ServiceAccount, DefaultTolerationSeconds): Priority, LimitRanger,
//! DefaultStorageClass, StorageObjectInUseProtection and ResourceQuota.
//!
//! The API server runs the mutating plugins before validation and the validating ones after
//! it; ResourceQuota is the last validating plugin and charges the quota when the request is
//! admitted.

pub mod limitranger;
pub mod priority;
pub mod quota;
pub mod storageclass;

use super::errors::ApiError;
use crate::sim::{Object, World};

/// The mutating plugins, in the API server's order.
pub fn mutate(w: &mut World, obj: &mut Object) -> Result<(), ApiError> {
    priority::mutate(w, obj)?;
    limitranger::mutate(w, obj);
    storageclass::mutate(w, obj);
    Ok(())
}

/// The validating plugins that run before ResourceQuota.
pub fn validate(w: &World, obj: &Object) -> Result<(), ApiError> {
    limitranger::validate(w, obj)
}
