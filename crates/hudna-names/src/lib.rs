//! hudna-names: find the same person across detainee and missing-person lists.
//!
//! Design choices:
//! - **One comparison space for both scripts.** [`normalize`] folds Arabic
//!   orthography (alef/hamza forms, ة/ه, ى/ي, diacritics, tatweel, ال,
//!   عبد/أبو compounds, ابن/بن, … الدين) and reads French and English
//!   transliterations into the same consonant skeleton (Mohamad/Muhammad/محمد
//!   → `mhmd`, Chaaban/Shaaban/شعبان → `cbn`). The skeleton merges the letters
//!   typists confuse (ح/ه, ت/ط, س/ص, ذ/ز/ظ, ق/ك). Within one script a stronger
//!   level compares the exact text and the text with only those letters
//!   merged (so محمد ≠ محمود); across scripts, vowel slots catch محمود vs
//!   "Mohamed", and ambiguous digraphs (th, dh, g) get an alternative reading.
//! - **Name-part aware.** A full name is split into first / father /
//!   grandfather / family after joining compounds; a two-part name's tail may
//!   be father or family, a three-part name's tail family or grandfather: the
//!   comparison re-reads it against the other record.
//!   A kunya (أبو فلان) before the name or after a lineage is dropped (on a
//!   double name, أبو محمد علي, whole after a lineage; before the name the
//!   next part is read both as the kunya's tail and as the given name); a
//!   full name opening with محمد/أحمد is also read with a double given name
//!   (محمد علي), or else one whose father is محمد/أحمد with the father read
//!   as a double name (محمد خير; always so after «محمد محمد»), and
//!   comparison and blocking use the readings that agree (either record's
//!   or both). A compound family after first and father names
//!   (الشيخ موسى، الحاج علي) is one family, as in a family column. A differing
//!   last name of a three-part name, against a record with no grandfather,
//!   has its own level (it may be a grandfather with the family dropped), and
//!   so has a differing father that is the other record's grandfather, on a
//!   record without one (the father left out of the lineage).
//!   Arabic tokens carry a second, Levantine skeleton (ذ/ظ as d, ث as s) for
//!   romanizations such as Diab or Osman.
//! - **Blocking** on six skeleton keys plus, in a batch, a deletion
//!   neighbourhood for one typo in the given or father's name (see [`block`]); oversized blocks of
//!   common names use two sorted-neighbourhood passes plus sub-blocks on one
//!   more attribute (family, mother, year, grandfather, father, event month,
//!   each place token) instead of all pairs. During a batch fit the records are renumbered by (first,
//!   family, father) so that comparing pairs stays in cache.
//! - **Fellegi–Sunter** over ten fields (names, mother's name, birth year,
//!   event date, place, sex, source list) with m/u per pair class (Arabic–Arabic,
//!   Arabic–Latin, Latin–Latin): u from random pairs, m by EM in Splink-style
//!   sessions (each session's blocking fields, and fields they drive, left
//!   out, on a sample of candidates), λ by a fixed point over the
//!   candidates; no labels. m is floored (no level is impossible in real
//!   lists) and being on the same list costs a few bits at most. Term-frequency
//!   adjustment on agreements, per name field (fathers are men of another
//!   generation), so two «محمد» weigh less than two «نعسان».
//!   Fields that depend on another among different people get a conditional
//!   u, estimated the same unlabelled way: a shared place once the family
//!   agrees (families live in regions), the same sex once the given name
//!   agrees (given names are gendered); without it namesakes of one family
//!   scored too high.
//!   Place tokens seen together in one record ("الباب، حلب") count as
//!   related, so town-vs-governorate precision differences are not conflicts.
//! - **Clustering without chaining** (see [`cluster`]): merges need every
//!   cross pair above a floor and a minimum mean probability. A batch fit
//!   then compares whole clusters: two clusters joined by a candidate pair
//!   (from 0.01 up) merge when their profiles (the fullest record, gaps
//!   filled from the others) score over the threshold and no cross pair is
//!   below the floor, so a year on one record and a mother's name on
//!   another count together.
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
