//! hudna-text: the Arabic-first report extraction engine of Hudna.
//!
//! A report (Arabic or English news text) goes through one pipeline:
//!
//! 1. [`normalize()`]: orthographic normalization (alef/hamza forms, ة→ه,
//!    ى→ي, diacritics, tatweel, presentation forms, Arabic-Indic and Persian
//!    digits, bidi marks, Latin case and accents) that keeps, for every
//!    output byte, the byte offset it came from — so every extracted item
//!    points back into the *original* text as evidence.
//! 2. [`tokenize()`]: script runs and punctuation; Arabic proclitics
//!    (و ف ب ل ك ال لل) are not cut off but offered as alternative readings,
//!    longest first, so names that begin with those letters still match.
//! 3. One pass of dictionary lookups per token (a single hash probe per
//!    reading) against the [`Lexicons`] and the [`Gazetteer`]; everything
//!    else works on those hits. No regular expressions, no model: the
//!    behaviour is the data in `data/lexicons/*.tsv` and
//!    `data/gazetteer/*.tsv` plus the general rules in [`extract`], which
//!    keeps it fast (tens of MB/s per core) and reviewable by analysts.
//! 4. Mentions (places, dates, actors, numbers), casualty phrases and
//!    event triggers are combined sentence by sentence into events: a new
//!    event needs an indefinite or verbal trigger; a trigger with the
//!    article (القصف، the strike) or a sentence without its own place refers
//!    back to the event already told.
//!
//! Everything is linear in the text: lookups are per token, and the later
//! stages work on per-sentence slices. Buffers that grow with the text are
//! kept per thread between calls; an [`Extractor`] is immutable and shared.
//!
//! The crate does no IO: lexicons and gazetteer are embedded with
//! `include_str!`, and constructors take text so deployments can load their
//! own (e.g. a full GeoNames dump via [`parse_geonames_dump`]). Any `&str`
//! input is safe; [`decode`] turns bytes into text with an error that names
//! the offending byte offset.

pub mod eval;
pub mod extract;
mod fxhash;
pub mod gazetteer;
pub mod lexicon;
pub mod model;
pub mod normalize;
pub mod tokenize;

pub use extract::{Extractor, Published};
pub use gazetteer::{parse_geonames_dump, Gazetteer, Governorate, Place, Region};
pub use lexicon::Lexicons;
pub use model::*;
pub use normalize::{normalize, normalize_str, Normalized};
pub use tokenize::{tokenize, Token, TokenKind};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// The input is not UTF-8.
    #[error("invalid UTF-8 at byte offset {offset}")]
    InvalidUtf8 { offset: usize },
    /// A gazetteer TSV line could not be read.
    #[error("{file} line {line}: {message}")]
    Tsv {
        file: &'static str,
        line: usize,
        message: String,
    },
    /// A lexicon line could not be read.
    #[error("lexicon {file} line {line}: {message}")]
    Lexicon {
        file: String,
        line: usize,
        message: String,
    },
    /// An evaluation input is missing or malformed.
    #[error("eval: {0}")]
    Eval(String),
}

/// Checks that `bytes` are UTF-8; the error names the first bad byte offset.
pub fn decode(bytes: &[u8]) -> Result<&str, TextError> {
    std::str::from_utf8(bytes).map_err(|e| TextError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_names_offset() {
        assert_eq!(decode("حلب".as_bytes()).unwrap(), "حلب");
        let mut b = "ab".as_bytes().to_vec();
        b.push(0xff);
        match decode(&b) {
            Err(TextError::InvalidUtf8 { offset }) => assert_eq!(offset, 2),
            other => panic!("{other:?}"),
        }
    }
}
