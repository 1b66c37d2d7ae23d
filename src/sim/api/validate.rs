// STUB (replaced by the apiserver helper's file)
use super::errors::{ApiError, FieldError};
use crate::sim::object::Object;
pub fn validate_object(_o: &Object) -> Vec<FieldError> { vec![] }
pub fn validate_update(_n: &Object, _o: &Object) -> Vec<FieldError> { vec![] }
pub fn invalid(kind: &str, name: &str, errs: &[FieldError]) -> ApiError { ApiError::invalid("", kind, name, errs) }
