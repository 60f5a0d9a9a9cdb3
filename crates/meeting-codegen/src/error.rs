//! Why the spec could not be turned into code.

use std::fmt;
use std::path::PathBuf;

/// Why the spec could not be turned into code.
#[derive(Debug)]
pub enum CodegenError {
    /// The spec file could not be read.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The spec is not valid YAML or not an OpenAPI 3.0 document.
    Parse { path: PathBuf, message: String },
    /// The generator does not support something in the spec.
    Unsupported { location: String, message: String },
    /// The generated tokens are not valid Rust (a generator bug).
    Format(String),
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::Parse { path, message } => {
                write!(
                    f,
                    "{} is not a valid OpenAPI 3.0 document: {message}",
                    path.display()
                )
            }
            Self::Unsupported { location, message } => {
                write!(f, "progenitor cannot generate {location}: {message}")
            }
            Self::Format(message) => write!(f, "generated code does not parse: {message}"),
        }
    }
}

impl std::error::Error for CodegenError {}
