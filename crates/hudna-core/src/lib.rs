//! Hudna's domain: the agreement held as data, with no IO.
//!
//! Everything here is a plain value. Identifiers are newtypes built by
//! `parse`, so an id with the wrong shape cannot travel into the store or the
//! engines. Time is counted in calendar days ([`chrono::NaiveDate`]); every
//! validity is a half-open [`Interval`] `[from, to)`, so a version that ends on
//! a day and its successor that starts that day never overlap.
//!
//! What lives where:
//! - [`agreement`]: parties, designations, zones and their versions, security
//!   zones, monitoring posts, rules, rounds and commitments.
//! - [`mandate`]: the term, the extension rule and the consents, and the
//!   question "is the mandate in force on day D, and under which extension?".
//! - [`vocab`]: the vocabularies Hudna adopts rather than invents: ACLED
//!   sub-event types and their grouping, ACLED precision codes, actor ids,
//!   Airwars verification grades.
//! - [`assess`]: the violation reading of one event against the agreement's
//!   rules (pure; the geo engine supplies where the event fell).

pub mod agreement;
pub mod assess;
pub mod date;
pub mod ids;
pub mod mandate;
pub mod vocab;

pub use agreement::*;
pub use date::{parse_day, Interval};
pub use ids::*;
pub use mandate::*;

/// Errors of the domain layer: values that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error("invalid {kind} {value:?}: {why}")]
    InvalidId {
        kind: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("invalid date {value:?}: {why}")]
    InvalidDate { value: String, why: String },
    #[error("unknown {kind} {value:?}; expected one of: {expected}")]
    UnknownValue {
        kind: &'static str,
        value: String,
        expected: String,
    },
}
