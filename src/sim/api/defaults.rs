// STUB (replaced by the apiserver helper's file)
use crate::sim::object::Object;
pub fn default_object(_o: &mut Object, _suffix: &str) {}
