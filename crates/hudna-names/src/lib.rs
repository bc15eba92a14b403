//! hudna-names: find the same person across detainee and missing-person lists.
//!
//! Design choices:
//! - **One comparison space for both scripts.** [`normalize`] folds Arabic
//!   orthography (alef/hamza forms, ة/ه, ى/ي, diacritics, tatweel, ال,
//!   عبد/أبو compounds, ابن/بن) and reads French and English transliterations
//!   into the same consonant skeleton (Mohamad/Muhammad/محمد → `mhmd`,
//!   Chaaban/Shaaban/شعبان → `cbn`). Same-script pairs can also agree on the
//!   exact canonical text, a stronger level.
//! - **Name-part aware.** A full name is split into first / father /
//!   grandfather / family (after joining compounds); a dropped family name
//!   is caught by a "swapped" level (family vs grandfather).
//! - **Blocking** on six skeleton keys (see [`block`]); oversized blocks of
//!   common names use a sorted-neighbourhood window instead of all pairs.
//! - **Fellegi–Sunter** with m/u/λ per pair class (Arabic–Arabic,
//!   Arabic–Latin, Latin–Latin) trained by EM on the histogram of comparison
//!   vectors (no labels), u seeded from random pairs, term-frequency
//!   adjustment on exact agreements so two «محمد» weigh less than two «نعسان».
//! - **Clustering without chaining** (see [`cluster`]): merges need every
//!   cross pair above a floor and a high mean probability.
//! - **Incremental**: [`Linker::link_incremental`] scores only pairs that
//!   involve the new records, with the trained model and existing clusters.
//! - No IO and no async: readers and writers live in the CLI and examples.
//!   [`generate`] produces synthetic lists with truth for tests and benches.

pub mod block;
pub mod cluster;
pub mod eval;
pub mod generate;
pub mod linker;
pub mod model;
pub mod normalize;
pub mod record;
pub mod rng;

pub use block::{BlockConfig, BlockStats};
pub use cluster::ClusterConfig;
pub use linker::{LinkConfig, LinkOutput, Linker, ScoredPair};
pub use model::{Explanation, Field, FieldWeight};
pub use normalize::{comparison_key, name_parts, NamePart, Script};
pub use record::RawRecord;

/// Errors of the linkage engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("record #{index}: empty record_id")]
    MissingId { index: usize },
    #[error("record #{index} ({record_id}): no name (full_name or first is required)")]
    MissingName { index: usize, record_id: String },
    #[error("the model is not trained: call Linker::fit on a registry first")]
    NotTrained,
}

impl NameError {
    /// Index (0-based, in the input slice) of the rejected record, if any.
    pub fn index(&self) -> Option<usize> {
        match self {
            NameError::MissingId { index } | NameError::MissingName { index, .. } => Some(*index),
            NameError::NotTrained => None,
        }
    }
}
