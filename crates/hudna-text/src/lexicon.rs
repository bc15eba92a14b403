//! Word lists (actors, event triggers, casualty words, numbers, time words,
//! geographic cues) loaded from TSV text, so analysts extend them without
//! touching code. The shipped lists live in `data/lexicons/*.tsv` and are
//! embedded with `include_str!`: the engine does no IO.
//!
//! Every line is `category<TAB>surface<TAB>value[<TAB>weight]`; `#` starts a
//! comment line. Surfaces are normalized and tokenized exactly like report
//! text, so a multi-word surface matches the same token sequence.

use crate::fxhash::FxMap;
use crate::normalize::normalize_str;
use crate::tokenize::{tokenize, TokenKind};
use crate::TextError;

/// What a lexicon entry is about (the first TSV column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Actor,
    ActorAdj,
    MilitaryNoun,
    TargetMarker,
    NeutralMarker,
    NeutralAfter,
    Trigger,
    StatementCue,
    Kill,
    KillStrict,
    Injure,
    KillNoun,
    InjureNoun,
    Person,
    Civilian,
    Subset,
    Toll,
    Vague,
    Number,
    Tens,
    Teen,
    Scale,
    Month,
    Weekday,
    RelDay,
    DayPart,
    DayWord,
    Past,
    Future,
    MonthPart,
    SameDay,
    YearWord,
    MonthWord,
    Cue,
    GovCue,
    Countryside,
    Direction,
    PlaceStop,
    Movement,
    CommonWord,
    ClauseStop,
    Ordinal,
    Approx,
    Ago,
    Days,
    AgentMarker,
    Backref,
}

impl Category {
    fn parse(s: &str) -> Option<Category> {
        use Category::*;
        Some(match s {
            "actor" => Actor,
            "actor_adj" => ActorAdj,
            "military_noun" => MilitaryNoun,
            "target_marker" => TargetMarker,
            "neutral_marker" => NeutralMarker,
            "neutral_after" => NeutralAfter,
            "trigger" => Trigger,
            "statement_cue" => StatementCue,
            "kill" => Kill,
            "kill_strict" => KillStrict,
            "injure" => Injure,
            "kill_noun" => KillNoun,
            "injure_noun" => InjureNoun,
            "person" => Person,
            "civilian" => Civilian,
            "subset" => Subset,
            "toll" => Toll,
            "vague" => Vague,
            "number" => Number,
            "tens" => Tens,
            "teen" => Teen,
            "scale" => Scale,
            "month" => Month,
            "weekday" => Weekday,
            "relday" => RelDay,
            "daypart" => DayPart,
            "day_word" => DayWord,
            "past" => Past,
            "future" => Future,
            "month_part" => MonthPart,
            "same_day" => SameDay,
            "year_word" => YearWord,
            "month_word" => MonthWord,
            "cue" => Cue,
            "gov_cue" => GovCue,
            "countryside" => Countryside,
            "direction" => Direction,
            "place_stop" => PlaceStop,
            "movement" => Movement,
            "common_word" => CommonWord,
            "clause_stop" => ClauseStop,
            "ordinal" => Ordinal,
            "approx" => Approx,
            "ago" => Ago,
            "days" => Days,
            "agent_marker" => AgentMarker,
            "backref" => Backref,
            _ => return None,
        })
    }
}

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub category: Category,
    /// Normalized token texts after the first.
    pub rest: Vec<String>,
    pub value: String,
    pub weight: i32,
    /// Number of tokens of the surface.
    pub len: usize,
}

impl Entry {
    /// The value as an integer (0 when it is not one).
    pub fn int(&self) -> i64 {
        self.value.parse().unwrap_or(0)
    }
}

/// The lexicons, indexed by the normalized first token of each surface.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    entries: Vec<Entry>,
    by_first: FxMap<String, Vec<u32>>,
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "actors.tsv",
        include_str!("../../../data/lexicons/actors.tsv"),
    ),
    (
        "events.tsv",
        include_str!("../../../data/lexicons/events.tsv"),
    ),
    (
        "casualties.tsv",
        include_str!("../../../data/lexicons/casualties.tsv"),
    ),
    (
        "numbers.tsv",
        include_str!("../../../data/lexicons/numbers.tsv"),
    ),
    ("time.tsv", include_str!("../../../data/lexicons/time.tsv")),
    (
        "geo_cues.tsv",
        include_str!("../../../data/lexicons/geo_cues.tsv"),
    ),
];

impl Lexicons {
    /// The lexicons shipped in `data/lexicons/`.
    pub fn builtin() -> Lexicons {
        let mut l = Lexicons::default();
        for (name, text) in BUILTIN {
            l.extend_named(name, text)
                .expect("the shipped lexicons parse");
        }
        l
    }

    /// Parses lexicon text (any mix of categories).
    pub fn from_tsv(text: &str) -> Result<Lexicons, TextError> {
        let mut l = Lexicons::default();
        l.extend(text)?;
        Ok(l)
    }

    /// Adds the entries of `text` to these lexicons.
    pub fn extend(&mut self, text: &str) -> Result<(), TextError> {
        self.extend_named("lexicon", text)
    }

    fn extend_named(&mut self, file: &str, text: &str) -> Result<(), TextError> {
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let err = |message: String| TextError::Lexicon {
                file: file.to_string(),
                line: line_no,
                message,
            };
            if f.len() < 3 {
                return Err(err(format!(
                    "expected at least 3 columns, found {}",
                    f.len()
                )));
            }
            let category = Category::parse(f[0].trim())
                .ok_or_else(|| err(format!("unknown category {:?}", f[0])))?;
            let weight = match f.get(3) {
                Some(w) => w
                    .trim()
                    .parse()
                    .map_err(|_| err(format!("bad weight {w:?}")))?,
                None => 1,
            };
            let norm = normalize_str(f[1].trim());
            let toks = tokenize(&norm);
            let words: Vec<&str> = toks
                .iter()
                .filter(|t| t.kind != TokenKind::Punct || toks.len() == 1)
                .map(|t| t.text(&norm))
                .collect();
            if words.is_empty() {
                return Err(err(format!("empty surface {:?}", f[1])));
            }
            if words.len() > 16 {
                return Err(err(format!("surface longer than 16 words: {:?}", f[1])));
            }
            let idx = self.entries.len() as u32;
            self.entries.push(Entry {
                category,
                rest: words[1..].iter().map(|s| s.to_string()).collect(),
                value: f[2].trim().to_string(),
                weight,
                len: words.len(),
            });
            let v = self.by_first.entry(words[0].to_string()).or_default();
            v.push(idx);
            // Longest surfaces first, so the first full match is the longest.
            let entries = &self.entries;
            v.sort_by_key(|&e| std::cmp::Reverse(entries[e as usize].len));
        }
        Ok(())
    }

    pub(crate) fn first_words(&self) -> impl Iterator<Item = (&str, &[u32])> {
        self.by_first
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    #[cfg(test)]
    pub(crate) fn first(&self, word: &str) -> Option<&[u32]> {
        self.by_first.get(word).map(Vec::as_slice)
    }

    pub(crate) fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_extends() {
        let mut l = Lexicons::builtin();
        assert!(l.len() > 500);
        let n = l.len();
        l.extend("actor\tلواء السلطان مراد\topposition_factions\n")
            .unwrap();
        assert_eq!(l.len(), n + 1);
        let e = l.first("لواء").unwrap();
        assert!(e
            .iter()
            .any(|&i| l.entry(i).rest == vec!["السلطان", "مراد"]));
    }

    #[test]
    fn bad_lines_name_their_place() {
        let e = Lexicons::from_tsv("# c\nactor\tx\ty\nnonsense\ta\tb\n").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
