//! Where content errors are and how they are printed: `file:line:column: message`, the form
//! editors and CI annotate (lines and columns 1-based, columns in characters).

use std::fmt;

/// A place in a content file.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// The file as the author named it (relative to the content root for embedded content).
    pub file: String,
    pub line: u64,
    pub column: u64,
}

impl Loc {
    pub fn new(file: &str, line: u64, column: u64) -> Loc {
        Loc { file: file.to_string(), line: line.max(1), column: column.max(1) }
    }

    /// The location serde-saphyr recorded for a value in `file`.
    pub fn at(file: &str, l: &serde_saphyr::Location) -> Loc {
        Loc::new(file, l.line(), l.column())
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One error in the content, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub loc: Loc,
    pub message: String,
}

impl Diagnostic {
    pub fn new(loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic { loc, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// Diagnostics as the author reads them: one a line, sorted by place.
pub fn render(diags: &[Diagnostic]) -> String {
    let mut sorted = diags.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.iter().map(|d| format!("{d}\n")).collect()
}
