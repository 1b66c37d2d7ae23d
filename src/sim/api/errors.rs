//! API errors as the Kubernetes API server builds them (apimachinery `pkg/api/errors` and
//! `pkg/util/validation/field`) and as kubectl prints them (`cmdutil.CheckErr`).
//!
//! Texts are returned without a trailing newline; the caller prints the line break.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The `reason` of a `metav1.Status`, which kubectl shows in `Error from server (Reason)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    NotFound,
    AlreadyExists,
    Invalid,
    BadRequest,
    Forbidden,
    Conflict,
    MethodNotAllowed,
    TooManyRequests,
    InternalError,
    /// `StatusReasonUnknown` (""): what the server answers for an error its storage raised
    /// without a status (`resourceVersion should not be set on objects to be created`).
    Unknown,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Invalid => "Invalid",
            Reason::BadRequest => "BadRequest",
            Reason::Forbidden => "Forbidden",
            Reason::Conflict => "Conflict",
            Reason::MethodNotAllowed => "MethodNotAllowed",
            Reason::TooManyRequests => "TooManyRequests",
            Reason::InternalError => "InternalError",
            Reason::Unknown => "",
        }
    }

    /// The HTTP status code the API server answers with for this reason.
    pub fn code(self) -> u16 {
        match self {
            Reason::NotFound => 404,
            Reason::AlreadyExists | Reason::Conflict => 409,
            Reason::Invalid => 422,
            Reason::BadRequest => 400,
            Reason::Forbidden => 403,
            Reason::MethodNotAllowed => 405,
            Reason::TooManyRequests => 429,
            Reason::InternalError | Reason::Unknown => 500,
        }
    }
}

/// `metav1.StatusDetails` of an Invalid error: kubectl prints these, not the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidDetails {
    /// API group ("" for core, "apps", "batch"...).
    pub group: String,
    pub kind: String,
    pub name: String,
    /// (field, message-without-field) pairs, i.e. `StatusCause{Field, Message}`.
    pub causes: Vec<(String, String)>,
}

/// An error answered by the API server (a `metav1.Status` with status Failure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    pub reason: Reason,
    pub message: String,
    /// Only for `Reason::Invalid`.
    pub details: Option<Box<InvalidDetails>>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    fn plain(reason: Reason, message: String) -> ApiError {
        ApiError { code: reason.code(), reason, message, details: None }
    }

    /// `NewNotFound`: `pods "web" not found`. `resource` is the qualified resource
    /// (`pods`, `deployments.apps`).
    pub fn not_found(resource: &str, name: &str) -> ApiError {
        Self::plain(Reason::NotFound, format!("{resource} {} not found", go_quote(name)))
    }

    /// `NewAlreadyExists`: `pods "web" already exists`.
    pub fn already_exists(resource: &str, name: &str) -> ApiError {
        Self::plain(Reason::AlreadyExists, format!("{resource} {} already exists", go_quote(name)))
    }

    /// `NewBadRequest`: the message is the reason text itself.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        Self::plain(Reason::BadRequest, message.into())
    }

    /// `NewForbidden`: `pods "web" is forbidden: <why>` (no name: `pods is forbidden: <why>`).
    pub fn forbidden(resource: &str, name: &str, why: &str) -> ApiError {
        let message = if name.is_empty() {
            format!("{resource} is forbidden: {why}")
        } else {
            format!("{resource} {} is forbidden: {why}", go_quote(name))
        };
        Self::plain(Reason::Forbidden, message)
    }

    /// `NewConflict`: `Operation cannot be fulfilled on pods "web": <why>`.
    pub fn conflict(resource: &str, name: &str, why: &str) -> ApiError {
        Self::plain(Reason::Conflict, format!("Operation cannot be fulfilled on {resource} {}: {why}", go_quote(name)))
    }

    /// `NewTooManyRequests`-style errors carry their own message (the eviction API's
    /// "Cannot evict pod as it would violate the pod's disruption budget.").
    pub fn too_many_requests(message: impl Into<String>) -> ApiError {
        Self::plain(Reason::TooManyRequests, message.into())
    }

    /// `NewInternalError`: `Internal error occurred: <message>`.
    pub fn internal(message: &str) -> ApiError {
        Self::plain(Reason::InternalError, format!("Internal error occurred: {message}"))
    }

    /// A storage error the server did not turn into a status (`ErrorToAPIStatus`'s default:
    /// code 500, no reason), printed by kubectl as `Error from server: <message>`.
    pub fn unknown(message: &str) -> ApiError {
        Self::plain(Reason::Unknown, message.to_string())
    }

    /// `NewMethodNotSupported`: `<action> is not supported on resources of kind "pods"`.
    pub fn method_not_supported(resource: &str, action: &str) -> ApiError {
        Self::plain(
            Reason::MethodNotAllowed,
            format!("{action} is not supported on resources of kind {}", go_quote(resource)),
        )
    }

    /// `NewInvalid(GroupKind, name, errs)`:
    /// `Pod "web" is invalid: spec.containers[0].image: Required value` (several errors are
    /// joined by ", " inside brackets; duplicates are dropped, as `ErrorList.ToAggregate` does).
    pub fn invalid(group: &str, kind: &str, name: &str, errs: &[FieldError]) -> ApiError {
        let qualified = if group.is_empty() { kind.to_string() } else { format!("{kind}.{group}") };
        let causes: Vec<(String, String)> = errs.iter().map(|e| (e.field.clone(), e.body())).collect();
        let agg = aggregate(errs.iter().map(|e| e.to_string()));
        let message = if agg.is_empty() {
            format!("{qualified} {} is invalid", go_quote(name))
        } else {
            format!("{qualified} {} is invalid: {agg}", go_quote(name))
        };
        ApiError {
            code: 422,
            reason: Reason::Invalid,
            message,
            details: Some(Box::new(InvalidDetails {
                group: group.to_string(),
                kind: kind.to_string(),
                name: name.to_string(),
                causes,
            })),
        }
    }

    /// `cmdutil.AddSourceToErr`: the message gains `error when <verb> "<source>": `; the
    /// details (used by kubectl for Invalid errors) are unchanged.
    pub fn with_source(mut self, verb: &str, source: &str) -> ApiError {
        if !source.is_empty() {
            self.message = format!("error when {verb} {}: {}", go_quote(source), self.message);
        }
        self
    }

    /// What `kubectl` prints for this error when it is the command's only error
    /// (`cmdutil.CheckErr`): Invalid errors as `The Pod "web" is invalid: ...` (one cause on
    /// the same line, several as a `* field: msg` list), others as
    /// `Error from server (Reason): message`.
    pub fn kubectl_text(&self) -> String {
        if self.reason == Reason::Invalid {
            let Some(d) = &self.details else {
                return "The request is invalid".to_string();
            };
            let mut s = "The request is invalid".to_string();
            if !d.kind.is_empty() || !d.name.is_empty() {
                s = format!("The {} {} is invalid", d.kind, go_quote(&d.name));
            }
            // statusCausesToAggrError drops duplicate "field: message" lines.
            let mut lines: Vec<String> = Vec::new();
            for (field, msg) in &d.causes {
                let line = format!("{field}: {msg}");
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            return match lines.len() {
                0 => s,
                1 => format!("{s}: {}", lines[0]),
                _ => {
                    let mut out = format!("{s}: ");
                    for l in &lines {
                        out.push_str("\n* ");
                        out.push_str(l);
                    }
                    out
                }
            };
        }
        self.kubectl_line()
    }

    /// The line kubectl prints for this error inside a list of several errors
    /// (`MultipleErrors` → `StandardErrorMessage`): always `Error from server (Reason): message`.
    pub fn kubectl_line(&self) -> String {
        if self.reason == Reason::Unknown {
            return format!("Error from server: {}", self.message);
        }
        format!("Error from server ({}): {}", self.reason.as_str(), self.message)
    }
}

/// What kubectl prints for the errors of one command: one error alone is printed by itself
/// (callers pass `error: ...` texts already prefixed, or `ApiError::kubectl_text`), several
/// are printed one a line (`MultipleErrors`, with no `error: ` prefix).
pub fn kubectl_errors(single_or_lines: &[String]) -> String {
    single_or_lines.join("\n")
}

/// `utilerrors.NewAggregate(...).Error()`: one message alone, several as `[a, b]`, dropping
/// repeated messages.
pub fn aggregate(msgs: impl IntoIterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for m in msgs {
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen.remove(0),
        _ => format!("[{}]", seen.join(", ")),
    }
}

/// `field.ErrorType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldErrorType {
    NotFound,
    Required,
    Duplicate,
    Invalid,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
}

impl FieldErrorType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldErrorType::NotFound => "Not found",
            FieldErrorType::Required => "Required value",
            FieldErrorType::Duplicate => "Duplicate value",
            FieldErrorType::Invalid => "Invalid value",
            FieldErrorType::NotSupported => "Unsupported value",
            FieldErrorType::Forbidden => "Forbidden",
            FieldErrorType::TooLong => "Too long",
            FieldErrorType::TooMany => "Too many",
            FieldErrorType::Internal => "Internal error",
        }
    }
}

/// A field error's bad value, printed as Go's `field.Error.ErrorBody` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadValue {
    /// Not printed (Required, Forbidden, TooLong, or omitted).
    Omit,
    /// `nil`: printed `null`.
    Null,
    /// Printed with Go's `%q`.
    Str(String),
    /// Printed with `%v`.
    Int(i64),
    Bool(bool),
    /// A `map[string]string`, printed with `%#v`: `map[string]string{"a":"b", "c":"d"}`.
    StrMap(BTreeMap<String, String>),
    /// Already formatted (e.g. a Quantity's `String()` or a Go `%#v` of a struct).
    Raw(String),
}

/// `field.Error`: a field path, a type, the bad value and a detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub kind: FieldErrorType,
    /// The field path, e.g. `spec.containers[0].image`.
    pub field: String,
    pub value: BadValue,
    pub detail: String,
}

impl FieldError {
    /// `field.Required`.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> FieldError {
        Self::new(FieldErrorType::Required, field, BadValue::Omit, detail)
    }
    /// `field.Invalid`.
    pub fn invalid(field: impl Into<String>, value: BadValue, detail: impl Into<String>) -> FieldError {
        Self::new(FieldErrorType::Invalid, field, value, detail)
    }
    /// `field.NotSupported`: the detail lists the supported values, each quoted.
    pub fn not_supported(field: impl Into<String>, value: BadValue, valid: &[&str]) -> FieldError {
        let detail = if valid.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = valid.iter().map(|v| go_quote(v)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(FieldErrorType::NotSupported, field, value, detail)
    }
    /// `field.Duplicate`.
    pub fn duplicate(field: impl Into<String>, value: BadValue) -> FieldError {
        Self::new(FieldErrorType::Duplicate, field, value, "")
    }
    /// `field.NotFound`.
    pub fn not_found(field: impl Into<String>, value: BadValue) -> FieldError {
        Self::new(FieldErrorType::NotFound, field, value, "")
    }
    /// `field.Forbidden`.
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> FieldError {
        Self::new(FieldErrorType::Forbidden, field, BadValue::Omit, detail)
    }
    /// `field.TooLong`: `Too long: must have at most N bytes`.
    pub fn too_long(field: impl Into<String>, max: usize) -> FieldError {
        Self::new(FieldErrorType::TooLong, field, BadValue::Omit, format!("must have at most {max} bytes"))
    }
    /// `field.TooLongMaxLength`: `Too long: may not be longer than N`.
    pub fn too_long_max_length(field: impl Into<String>, max: usize) -> FieldError {
        Self::new(FieldErrorType::TooLong, field, BadValue::Omit, format!("may not be longer than {max}"))
    }

    pub fn new(
        kind: FieldErrorType,
        field: impl Into<String>,
        value: BadValue,
        detail: impl Into<String>,
    ) -> FieldError {
        FieldError { kind, field: field.into(), value, detail: detail.into() }
    }

    /// `ErrorBody()`: the message without the field name.
    pub fn body(&self) -> String {
        let t = self.kind.as_str();
        let mut s = match self.kind {
            FieldErrorType::Required
            | FieldErrorType::Forbidden
            | FieldErrorType::TooLong
            | FieldErrorType::Internal => t.to_string(),
            _ => match &self.value {
                BadValue::Omit => t.to_string(),
                BadValue::Null => format!("{t}: null"),
                BadValue::Str(v) => format!("{t}: {}", go_quote(v)),
                BadValue::Int(v) => format!("{t}: {v}"),
                BadValue::Bool(v) => format!("{t}: {v}"),
                BadValue::StrMap(m) => format!("{t}: {}", go_map_literal(m)),
                BadValue::Raw(v) => format!("{t}: {v}"),
            },
        };
        if !self.detail.is_empty() {
            let _ = write!(s, ": {}", self.detail);
        }
        s
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Go's `%#v` of a `map[string]string` (keys sorted, as fmt does).
pub fn go_map_literal(m: &BTreeMap<String, String>) -> String {
    let items: Vec<String> = m.iter().map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v))).collect();
    format!("map[string]string{{{}}}", items.join(", "))
}

/// A made-up Go heap address for a pointer Go would print raw (`%v` of a `*bool`, `%#v` of a
/// struct holding one). The real one is arbitrary; this one is derived from `seed` (FNV-1a,
/// folded to the shape of a Go heap address: `0xc` and nine hex digits, 8-aligned) so that
/// output stays deterministic.
pub fn go_heap_address(seed: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for byte in seed.bytes() {
        h = (h ^ u64::from(byte)).wrapping_mul(0x100000001b3);
    }
    0xc0_0000_0000 | (h & 0x0fff_fff8) | 0x0400_0000
}

/// Go's `strconv.Quote` / `%q`: double quotes, Go escapes, printable Unicode kept.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_and_already_exists() {
        assert_eq!(
            ApiError::not_found("pods", "web").kubectl_text(),
            r#"Error from server (NotFound): pods "web" not found"#
        );
        assert_eq!(
            ApiError::not_found("deployments.apps", "web").kubectl_text(),
            r#"Error from server (NotFound): deployments.apps "web" not found"#
        );
        assert_eq!(
            ApiError::already_exists("pods", "web").with_source("creating", "pod.yaml").kubectl_text(),
            r#"Error from server (AlreadyExists): error when creating "pod.yaml": pods "web" already exists"#
        );
        assert_eq!(ApiError::already_exists("pods", "web").code, 409);
    }

    #[test]
    fn invalid_single_and_several() {
        let one = [FieldError::required("spec.containers[0].image", "")];
        let e = ApiError::invalid("", "Pod", "web", &one);
        assert_eq!(e.message, r#"Pod "web" is invalid: spec.containers[0].image: Required value"#);
        assert_eq!(
            e.clone().with_source("creating", "pod.yaml").kubectl_text(),
            r#"The Pod "web" is invalid: spec.containers[0].image: Required value"#
        );
        let two = [
            FieldError::required("spec.containers[0].image", ""),
            FieldError::not_supported(
                "spec.restartPolicy",
                BadValue::Str("Sometimes".into()),
                &["Always", "OnFailure", "Never"],
            ),
            FieldError::required("spec.containers[0].image", ""),
        ];
        let e = ApiError::invalid("apps", "Deployment", "web", &two);
        assert_eq!(
            e.message,
            r#"Deployment.apps "web" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]"#
        );
        assert_eq!(
            e.kubectl_text(),
            "The Deployment \"web\" is invalid: \n* spec.containers[0].image: Required value\n* spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        );
        assert_eq!(
            e.kubectl_line(),
            r#"Error from server (Invalid): Deployment.apps "web" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]"#
        );
    }

    #[test]
    fn field_error_bodies() {
        let mut m = BTreeMap::new();
        m.insert("app".to_string(), "x".to_string());
        m.insert("tier".to_string(), "web".to_string());
        let e = FieldError::invalid(
            "spec.template.metadata.labels",
            BadValue::StrMap(m),
            "`selector` does not match template `labels`",
        );
        assert_eq!(
            e.to_string(),
            r#"spec.template.metadata.labels: Invalid value: map[string]string{"app":"x", "tier":"web"}: `selector` does not match template `labels`"#
        );
        assert_eq!(
            FieldError::invalid("spec.replicas", BadValue::Int(-1), "must be greater than or equal to 0").to_string(),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            FieldError::too_long_max_length("metadata.labels", 63).to_string(),
            "metadata.labels: Too long: may not be longer than 63"
        );
        assert_eq!(
            FieldError::not_found("spec.containers[0].volumeMounts[0].name", BadValue::Str("data".into())).to_string(),
            r#"spec.containers[0].volumeMounts[0].name: Not found: "data""#
        );
        assert_eq!(go_quote("a\"b\\\n\u{1}é"), r#""a\"b\\\n\x01é""#);
    }

    #[test]
    fn other_reasons() {
        assert_eq!(
            ApiError::conflict(
                "pods",
                "web",
                "the object has been modified; please apply your changes to the latest version and try again"
            )
            .kubectl_text(),
            r#"Error from server (Conflict): Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again"#
        );
        assert_eq!(ApiError::forbidden("pods", "", "User \"x\" cannot list resource \"pods\"").code, 403);
        assert_eq!(aggregate(vec!["a".into(), "b".into(), "a".into()]), "[a, b]");
    }
}
