// STUB (replaced by the apiserver helper's file)
use serde_json::Value;
use super::errors::ApiError;
use crate::sim::object::{Kind, Object};
pub fn parse_manifest(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for d in serde_yaml::Deserializer::from_str(text) {
        let v: Value = serde::Deserialize::deserialize(d).map_err(|e| e.to_string())?;
        if !v.is_null() { out.push(v); }
    }
    Ok(out)
}
pub fn decode_object(v: &Value) -> Result<Object, ApiError> {
    let av = v.get("apiVersion").and_then(|x| x.as_str()).unwrap_or("");
    let k = v.get("kind").and_then(|x| x.as_str()).unwrap_or("");
    let kind = Kind::from_api_version_kind(av, k).ok_or_else(|| ApiError::bad_request("no kind"))?;
    Object::from_value(kind, v.clone()).map_err(ApiError::bad_request)
}
