//! kubectl's output encoders: `-o yaml` and `-o json`, byte-identical to kubectl v1.32.
pub mod json;
pub mod yaml;
