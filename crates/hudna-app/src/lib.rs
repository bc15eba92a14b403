//! Hudna's use cases: the one API that the CLI and the web desk both call.
//!
//! `hudna-app` owns the IO that the engines and the domain never do: reading
//! agreement directories, opening the store, turning stored documents back
//! into domain values. Each use case takes plain arguments and returns plain
//! values; presentation (tables, JSON, HTML) belongs to the callers.

pub mod accounts;
mod agreements;
pub mod definition;
pub mod exports;
mod gazetteer;
mod incidents;
pub mod persons;
pub mod reports;
pub mod rounds;
pub mod sources;
mod tally;
#[cfg(test)]
mod test_rng;

pub use agreements::*;
pub use incidents::*;

use hudna_store::StoreError;

/// Errors of the use cases. Each says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<definition::Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("bad input: {0}")]
    BadInput(String),
    /// A tool this needs is missing or failed (e.g. Chromium for PDF).
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl AppError {
    /// A process exit code that means something (documented in `hudna --help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::BadInput(_) => 2,
            AppError::Invalid(_) => 3,
            AppError::NotFound(_) => 4,
            AppError::Store(StoreError::Missing(_)) => 4,
            AppError::Store(StoreError::Locked(_)) => 5,
            AppError::Refused(_) => 6,
            AppError::Unavailable(_) => 8,
            AppError::Store(_) => 1,
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

/// Store errors that are the caller's doing become not-found / refused.
pub(crate) fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound(s) => AppError::NotFound(s),
        StoreError::Conflict(s) => AppError::Refused(s),
        other => AppError::Store(other),
    }
}
