//! Diagnostics: every problem the generator reports names where in the spec it is.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a spec, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// JSON pointer (RFC 6901) of the offending node, `""` for the whole document.
    pub pointer: String,
    /// 1-based line of the node, where the source could be mapped back.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A problem at a JSON pointer; the line is filled in later by [`Errors::in_file`].
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: PathBuf::new(), pointer: pointer.into(), line: None, column: None, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if !self.pointer.is_empty() {
            write!(f, " at #{}", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found in one run. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<Diagnostic>);

impl Errors {
    /// Sets the file on every diagnostic and maps pointers to lines with `locate`.
    pub fn in_file(mut self, file: &Path, locate: impl Fn(&str) -> Option<(usize, usize)>) -> Self {
        for d in &mut self.0 {
            if d.file.as_os_str().is_empty() {
                d.file = file.to_path_buf();
            }
            if d.line.is_none() {
                if let Some((line, column)) = locate(&d.pointer) {
                    d.line = Some(line);
                    d.column = Some(column);
                }
            }
        }
        self
    }
}

impl From<Diagnostic> for Errors {
    fn from(d: Diagnostic) -> Self {
        Errors(vec![d])
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// Appends one reference token to a JSON pointer, escaping `~` and `/`.
pub fn join(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Splits a JSON pointer into its unescaped reference tokens.
pub fn split(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}
