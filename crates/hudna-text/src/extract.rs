//! The extraction pipeline: from text to [`Extraction`].
//!
//! Rules, in the order they run (general constructions of news Arabic and
//! English; the words they use are in the lexicons, not here):
//!
//! * **Sentences** end at `. ! ? ؟ ؛ ;`, a line break, or a comma before a
//!   clause connector (`، فيما / بينما / في حين`, `, while`). The first line is
//!   a headline when more lines follow; headline events are used only when
//!   the body yields none.
//! * **Dates**: `<day> <month>[/ <month>] [<year>] [الماضي|المقبل]`,
//!   `في الخامس (عشر) من <month>`, `<Month> <day>[, <year>]`, `d/m/yyyy`,
//!   `yyyy-mm-dd`; weekdays (`مساء الثلاثاء`, `on Thursday`) resolve to the
//!   latest such day on or before publication; `اليوم/أمس/today/yesterday`;
//!   `قبل يومين / two days ago`; `نهاية/مطلع/منتصف <month>` at month precision;
//!   `في اليوم ذاته` takes the previous event's date. Without a year a date
//!   goes in the latest year not after publication (the next after `المقبل`).
//!   An event is dated only by a single day; a month-level expression leaves
//!   its date null with `date_precision` 3.
//! * **Places**: gazetteer names (joined or split, with proclitics); the word
//!   before decides the reading of a governorate name (`محافظة إدلب` →
//!   governorate; `ريف إدلب`, `جنوبي إدلب`, `southern Idlib` → region of the
//!   governorate; otherwise the city). A settlement noun (بلدة، قرية، طريق، the
//!   village of) before a name the gazetteer lacks makes an `unlisted` place;
//!   its governorate comes from the region phrase after it (`بريف إدلب
//!   الجنوبي`), else the nearest governorate named in the report. Homonyms
//!   are resolved by governorates named in the sentence, then the report, then
//!   population. One-word names that are everyday words (الثورة، التل) need a
//!   settlement noun; a one-word Latin name must match a known spelling
//!   exactly (multi-word ones match by skeleton). A place after a movement or
//!   origin word (نحو، المتمركزة في، positioned in) does not locate an event.
//! * **Casualties**: a kill/injure trigger takes the first count after it
//!   (digits, number words, duals, a singular person noun right after it, or
//!   in English a count just before a participle: "five others wounded"),
//!   plus counts coordinated to it (`13 عنصراً ... وأربعة من`); a count before a
//!   casualty noun (`11 قتيلا`) is read too, and `قتيل/قتيلين` alone count 1/2;
//!   `بينهم` subsets are skipped; a `حصيلة` total replaces earlier counts;
//!   vague (`عشرات`) and approximate (`أكثر من`, `about`) counts give null;
//!   `على الأقل` keeps the number. Several phrases for one event: the largest.
//! * **Actors**: lexicon phrases; nationality adjectives only near a military
//!   noun (`غارات روسية`, `Russian jets`). Role by construction: after an
//!   agent marker (شنته، مصدره، اتهمت، by, blamed) → doer; after a target
//!   marker (مواقع، حاجز، ضد، positions of) or among a casualty phrase's victims
//!   → target; after an attribution word (لسيطرة، بين, rebel-held) → neutral;
//!   English objects of an attack verb → target; coordinated (`وقوات`) and
//!   parenthesised (`(HTS)`) mentions share the role of the one before.
//!   The perpetrator is the first possible doer of the event's sentences
//!   (else, for clashes, the other side named by مع/بين), `unknown` if none.
//! * **Events**: each sentence scores trigger weights per ACLED type; an
//!   indefinite or verbal trigger with a place opens an event; a sentence
//!   whose triggers all carry the article, that names no place, or that
//!   repeats the same kind at region level adds to the previous event, as does
//!   a sentence that only names the doer. A first event needs a fresh trigger
//!   or a casualty count, and every event needs a place (else a diagnostic).
//!   `territory` resolves by the perpetrator's side.
//! * **Kind**: `incident` with events; otherwise `statement` when statement
//!   cues weigh 2 or more, else `other`. Communique vocabulary such as
//!   "مكافحة الإرهاب" is not a trigger, so it yields no event.

use crate::fxhash::FxMap;
use crate::gazetteer::{latin_word_skeleton, Entry as GEntry, Gazetteer, MAX_NAME_WORDS};
use crate::lexicon::{Category, Lexicons};
use crate::model::*;
use crate::normalize::{normalize_into, Normalized};
use crate::tokenize::{tokenize_into, variants, Token, TokenKind, Variant};
use chrono::{Datelike, Duration, NaiveDate};
use std::cell::RefCell;

/// The publication date given to the extractor (relative dates resolve
/// against it). Converts from `NaiveDate`, `Option<NaiveDate>` and `(y, m, d)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published(pub Option<NaiveDate>);

impl From<NaiveDate> for Published {
    fn from(d: NaiveDate) -> Self {
        Published(Some(d))
    }
}

impl From<Option<NaiveDate>> for Published {
    fn from(d: Option<NaiveDate>) -> Self {
        Published(d)
    }
}

impl From<(i32, u32, u32)> for Published {
    fn from((y, m, d): (i32, u32, u32)) -> Self {
        Published(NaiveDate::from_ymd_opt(y, m, d))
    }
}

/// The extraction engine: a gazetteer and lexicons, immutable and shareable
/// across threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    gaz: Gazetteer,
    lex: Lexicons,
    /// One probe per word reading answers both "which lexicon entries start
    /// here" and "may a place name start here".
    index: FxMap<String, IndexEntry>,
}

#[derive(Debug, Clone, Default)]
struct IndexEntry {
    lex: Vec<u32>,
    /// Entries read with the article: the key is ال + their first word.
    lex_def: Vec<u32>,
    gaz: bool,
}

impl Extractor {
    pub fn new(gazetteer: Gazetteer, lexicons: Lexicons) -> Extractor {
        let mut index: FxMap<String, IndexEntry> = FxMap::default();
        for (w, ids) in lexicons.first_words() {
            index.entry(w.to_string()).or_default().lex = ids.to_vec();
            // Index the article form too, so a word is looked up once whether
            // or not it carries ال (الغارات → غارات, read as definite).
            let arabic = w
                .chars()
                .next()
                .is_some_and(crate::tokenize::is_arabic_letter);
            if arabic && !w.starts_with("ال") && w.chars().count() >= 2 {
                index.entry(format!("ال{w}")).or_default().lex_def = ids.to_vec();
            }
        }
        for k in gazetteer.ar_keys() {
            index.entry(k.to_string()).or_default().gaz = true;
        }
        Extractor {
            gaz: gazetteer,
            lex: lexicons,
            index,
        }
    }

    /// The engine with the shipped gazetteer and lexicons.
    pub fn builtin() -> Extractor {
        Extractor::new(Gazetteer::builtin(), Lexicons::builtin())
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gaz
    }

    pub fn lexicons(&self) -> &Lexicons {
        &self.lex
    }

    /// Extracts events and mentions from one report.
    pub fn extract(&self, text: &str, published: impl Into<Published>) -> Extraction {
        let published = published.into().0;
        // Per-token buffers are reused across calls on the same thread.
        let scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
        let mut doc = Doc::new(self, text, published, scratch);
        doc.run();
        let (extraction, scratch) = doc.finish();
        // Keep buffers of ordinary reports; let a huge one's go.
        if scratch.norm.as_str().len() < 4 << 20 {
            SCRATCH.with(|s| *s.borrow_mut() = scratch);
        }
        extraction
    }
}

/// Buffers that grow with the text, kept per thread between extractions.
#[derive(Default)]
struct Scratch {
    norm: Normalized,
    toks: Vec<Token>,
    hits: Vec<Hit>,
    info: Vec<TokInfo>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    entry: u32,
    cat: Category,
    len: u8,
    prefix: u8,
    definite: bool,
    conj: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PlaceRef {
    Place(u32),
    Gov(u16),
    Region(u16),
    GovRegion(u16),
    Unlisted,
}

#[derive(Debug, Clone)]
struct PM<'a> {
    tok: usize,
    end: usize,
    prefix: u8,
    cands: &'a [GEntry],
    r: PlaceRef,
    admin1: Option<String>,
    /// 0 none, 1 near (محيط), 2 settlement noun.
    cue: u8,
    movement: bool,
    sent: usize,
}

#[derive(Debug, Clone)]
struct DM {
    tok: usize,
    end: usize,
    date: Option<NaiveDate>,
    precision: u8,
    same_day: bool,
    future: bool,
    sent: usize,
}

#[derive(Debug, Clone)]
struct AM {
    tok: usize,
    end: usize,
    prefix: u8,
    actor: Actor,
    role: u8, // 0 perpetrator, 1 target, 2 neutral
    /// Named inside a casualty phrase (the victims).
    victim: bool,
    /// Named as the doer by an agent marker (شنته، blamed).
    agent: bool,
    sent: usize,
}

#[derive(Debug, Clone)]
struct Cas {
    sent: usize,
    kill: bool,
    value: Option<u32>,
    toll: bool,
    tok: usize,
    /// First token of the count; actors after it are the victims.
    count_tok: usize,
    end: usize,
    civilian: bool,
}

#[derive(Debug, Clone)]
struct Ev {
    kind: EventType,
    territory: bool,
    sents: Vec<usize>,
    place: Option<usize>,
    date: Option<NaiveDate>,
    date_precision: Option<u8>,
    perpetrator: Option<Actor>,
    target: Option<Actor>,
    killed: Option<u32>,
    injured: Option<u32>,
    kill_toll: bool,
    injure_toll: bool,
    /// First trigger token of the sentence that opened the event.
    trig_tok: usize,
    /// Its token range (end exclusive).
    trig_end: usize,
    /// Further evidence, as byte ranges of the original text.
    evidence: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, Default)]
struct TokInfo {
    /// A bit per [`Category`] with a hit.
    mask: u64,
    hit_start: u32,
    hit_end: u32,
    sent: u32,
    /// Part of a date (numbers there are not counts).
    consumed: bool,
    /// Some reading is a gazetteer key or starts a name.
    place_cand: bool,
}

const P_PERP: u8 = 0;
const P_TARGET: u8 = 1;
const P_NEUTRAL: u8 = 2;

struct Doc<'a> {
    x: &'a Extractor,
    text: &'a str,
    published: Option<NaiveDate>,
    norm: Normalized,
    toks: Vec<Token>,
    hits: Vec<Hit>,
    /// Per token facts, in one allocation.
    info: Vec<TokInfo>,
    sents: Vec<(usize, usize)>,
    headline: Option<usize>,
    places: Vec<PM<'a>>,
    dates: Vec<DM>,
    actors: Vec<AM>,
    numbers: Vec<(usize, usize, Option<u64>)>,
    cas: Vec<Cas>,
    events: Vec<Ev>,
    kind: DocKind,
    lang: Language,
    diags: Vec<Diagnostic>,
}

/// The items of sentence `s` in a list sorted by sentence.
fn in_sent<T>(v: &[T], s: usize, sent: impl Fn(&T) -> usize) -> &[T] {
    let a = v.partition_point(|x| sent(x) < s);
    let b = v.partition_point(|x| sent(x) <= s);
    &v[a..b]
}

fn is_latin_article(w: &str) -> bool {
    matches!(
        w,
        "al" | "el" | "ash" | "ad" | "as" | "ar" | "an" | "at" | "az" | "ez" | "es" | "ed"
    )
}

fn is_sentence_end(c: &str) -> bool {
    matches!(c, "." | "!" | "?" | "؟" | "؛" | ";")
}

fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).map(|d| d - Duration::days(1))
}

impl<'a> Doc<'a> {
    fn new(
        x: &'a Extractor,
        text: &'a str,
        published: Option<NaiveDate>,
        scratch: Scratch,
    ) -> Doc<'a> {
        let Scratch {
            mut norm,
            mut toks,
            mut hits,
            mut info,
        } = scratch;
        normalize_into(text, &mut norm);
        tokenize_into(norm.as_str(), &mut toks);
        let n = toks.len();
        hits.clear();
        info.clear();
        info.resize(n, TokInfo::default());
        Doc {
            x,
            text,
            published,
            norm,
            toks,
            hits,
            info,
            sents: Vec::new(),
            headline: None,
            places: Vec::new(),
            dates: Vec::new(),
            actors: Vec::new(),
            numbers: Vec::new(),
            cas: Vec::new(),
            events: Vec::new(),
            kind: DocKind::Other,
            lang: Language::Ar,
            diags: Vec::new(),
        }
    }

    fn run(&mut self) {
        self.sentences();
        self.lexical_hits();
        self.find_dates();
        self.find_numbers();
        self.find_places();
        self.find_casualties();
        self.find_actors();
        self.find_events();
    }

    // ---------------------------------------------------------------- basics

    fn n(&self) -> usize {
        self.toks.len()
    }

    fn t(&self, i: usize) -> &str {
        self.toks[i].text(self.norm.as_str())
    }

    fn kind(&self, i: usize) -> TokenKind {
        self.toks[i].kind
    }

    #[inline]
    fn hits(&self, i: usize) -> &[Hit] {
        if i >= self.toks.len() {
            return &[];
        }
        let t = &self.info[i];
        &self.hits[t.hit_start as usize..t.hit_end as usize]
    }

    #[inline]
    fn hit(&self, i: usize, cat: Category) -> Option<Hit> {
        if !self.has(i, cat) {
            return None;
        }
        self.hits(i).iter().find(|h| h.cat == cat).copied()
    }

    #[inline]
    fn has(&self, i: usize, cat: Category) -> bool {
        i < self.info.len() && self.info[i].mask & (1u64 << cat as u32) != 0
    }

    fn same_sent(&self, a: usize, b: usize) -> bool {
        b < self.n() && self.info[a].sent == self.info[b].sent
    }

    /// Original byte range of tokens `a..b`, skipping `prefix` bytes of `a`.
    fn span(&self, a: usize, b: usize, prefix: u8) -> (usize, usize) {
        let s = self.toks[a].start as usize + prefix as usize;
        let e = self.toks[b.max(a + 1) - 1].end as usize;
        self.norm.original_range(s, e)
    }

    fn orig(&self, a: usize, b: usize, prefix: u8) -> String {
        let (s, e) = self.span(a, b, prefix);
        self.text[s..e].to_string()
    }

    fn is_capitalized(&self, i: usize) -> bool {
        let o = self.norm.original_offset(self.toks[i].start as usize);
        self.text[o..]
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase())
    }

    /// Token `i` is joined by a hyphen to a following word of `cat`
    /// (rebel-held, Russian-backed).
    fn hyphen_after(&self, i: usize, cat: Category) -> bool {
        i + 1 < self.n()
            && self.norm.as_str().as_bytes().get(self.toks[i].end as usize) == Some(&b'-')
            && self.has(i + 1, cat)
    }

    fn is_punct(&self, i: usize, p: &str) -> bool {
        i < self.n() && self.kind(i) == TokenKind::Punct && self.t(i) == p
    }

    // ------------------------------------------------------------- sentences

    fn sentences(&mut self) {
        let norm = self.norm.as_str();
        let n = self.toks.len();
        let mut start = 0;
        let mut first_by_newline = false;
        for i in 0..n {
            let tok = self.toks[i];
            let end_here = if tok.kind == TokenKind::Punct && is_sentence_end(tok.text(norm)) {
                true
            } else if tok.kind == TokenKind::Punct
                && matches!(tok.text(norm), "،" | ",")
                && i + 1 < n
            {
                // A comma before a clause connector (، فيما / بينما / في حين / وفي) starts a new clause.
                let next = self.toks[i + 1].text(norm);
                matches!(
                    next,
                    "فيما" | "بينما" | "وبينما" | "وفيما" | "while" | "meanwhile" | "whereas"
                ) || (next == "في" && i + 2 < n && self.toks[i + 2].text(norm) == "حين")
            } else if i + 1 < n {
                let gap = &norm.as_bytes()[tok.end as usize..self.toks[i + 1].start as usize];
                let nl = gap.contains(&b'\n');
                if nl && self.sents.is_empty() {
                    first_by_newline = true;
                }
                nl
            } else {
                false
            };
            self.info[i].sent = self.sents.len() as u32;
            if end_here || i + 1 == n {
                self.sents.push((start, i + 1));
                start = i + 1;
            }
        }
        if first_by_newline && self.sents.len() > 1 {
            self.headline = Some(0);
        }
        let (mut ar, mut la) = (0usize, 0usize);
        for t in &self.toks {
            match t.kind {
                TokenKind::Arabic => ar += 1,
                TokenKind::Latin => la += 1,
                _ => {}
            }
        }
        self.lang = if la > ar { Language::En } else { Language::Ar };
    }

    // ---------------------------------------------------------- lexicon hits

    fn lexical_hits(&mut self) {
        let norm = self.norm.as_str();
        let lex = &self.x.lex;
        let index = &self.x.index;
        let mut vars: Vec<Variant> = Vec::with_capacity(8);
        let mut buf = String::new();
        let n = self.toks.len();
        for i in 0..n {
            let start = self.hits.len() as u32;
            self.info[i].hit_start = start;
            self.info[i].hit_end = start;
            let tok = self.toks[i];
            let w = tok.text(norm);
            match tok.kind {
                TokenKind::Arabic => variants(w, false, &mut vars),
                TokenKind::Latin => {
                    vars.clear();
                    vars.push(Variant {
                        prefix: 0,
                        stem: w,
                        lil: false,
                        definite: false,
                        conj: false,
                    });
                    if let Some(s) = w.strip_suffix("'s") {
                        vars.push(Variant {
                            prefix: 0,
                            stem: s,
                            lil: false,
                            definite: false,
                            conj: false,
                        });
                    }
                }
                TokenKind::Punct => {
                    vars.clear();
                    vars.push(Variant {
                        prefix: 0,
                        stem: w,
                        lil: false,
                        definite: false,
                        conj: false,
                    });
                }
                _ => continue,
            }
            let first_hit = self.hits.len();
            if tok.kind == TokenKind::Latin {
                self.info[i].place_cand = true;
            }
            for v in &vars {
                let key = if v.lil { v.key(&mut buf) } else { v.stem };
                let Some(ie) = index.get(key) else { continue };
                if ie.gaz && !v.definite {
                    self.info[i].place_cand = true;
                }
                let plain = ie.lex.iter().map(|&id| (id, false));
                let with_article = ie.lex_def.iter().map(|&id| (id, true));
                for (id, definite) in plain.chain(with_article) {
                    let e = lex.entry(id);
                    if first_hit < self.hits.len()
                        && self.hits[first_hit..].iter().any(|h| h.cat == e.category)
                    {
                        continue;
                    }
                    if e.len > 1 {
                        if i + e.len > n {
                            continue;
                        }
                        let ok = e
                            .rest
                            .iter()
                            .enumerate()
                            .all(|(k, word)| self.toks[i + 1 + k].text(norm) == word);
                        if !ok {
                            continue;
                        }
                    }
                    self.hits.push(Hit {
                        entry: id,
                        cat: e.category,
                        len: e.len as u8,
                        prefix: v.prefix,
                        definite: v.definite || definite,
                        conj: v.conj,
                    });
                }
            }
            let info = &mut self.info[i];
            info.hit_end = self.hits.len() as u32;
            info.mask = self.hits[first_hit..]
                .iter()
                .fold(0u64, |m, h| m | 1u64 << h.cat as u32);
        }
    }

    // ------------------------------------------------------------------ dates

    fn month_at(&self, i: usize) -> Option<(u32, usize)> {
        let h = self.hit(i, Category::Month)?;
        if h.conj {
            return None;
        }
        if self.kind(i) == TokenKind::Latin && !self.is_capitalized(i) {
            return None;
        }
        Some((self.x.lex.entry(h.entry).int() as u32, h.len as usize))
    }

    fn small_int(&self, i: usize) -> Option<u32> {
        if i < self.n() && self.kind(i) == TokenKind::Number {
            let t = self.t(i);
            if t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()) {
                return t.parse().ok();
            }
        }
        None
    }

    fn infer_year(&self, month: u32, day: u32, future: bool) -> Option<NaiveDate> {
        let p = self.published?;
        let d = NaiveDate::from_ymd_opt(p.year(), month, day).or_else(|| {
            if day > 28 {
                last_day_of_month(p.year(), month)
            } else {
                None
            }
        })?;
        if future {
            if d < p {
                return NaiveDate::from_ymd_opt(p.year() + 1, month, day);
            }
        } else if d > p {
            return NaiveDate::from_ymd_opt(p.year() - 1, month, day);
        }
        Some(d)
    }

    fn marker_at(&self, j: usize) -> (bool, bool) {
        (self.has(j, Category::Past), self.has(j, Category::Future))
    }

    /// Extends a date mention backwards over يوم / weekday / daypart words.
    fn extend_back(&self, mut start: usize) -> usize {
        for _ in 0..3 {
            if start == 0 || self.info[start - 1].consumed || !self.same_sent(start - 1, start) {
                break;
            }
            let p = start - 1;
            if self.has(p, Category::Weekday)
                || self.has(p, Category::DayWord)
                || self.has(p, Category::DayPart)
            {
                start = p;
            } else {
                break;
            }
        }
        start
    }

    fn push_date(
        &mut self,
        tok: usize,
        end: usize,
        date: Option<NaiveDate>,
        precision: u8,
        same_day: bool,
    ) {
        for t in &mut self.info[tok..end] {
            t.consumed = true;
        }
        let future = matches!((date, self.published), (Some(d), Some(p)) if d > p);
        self.dates.push(DM {
            tok,
            end,
            date,
            precision,
            same_day,
            future,
            sent: self.info[tok].sent as usize,
        });
    }

    fn find_dates(&mut self) {
        let n = self.n();
        let mut unresolved = false;
        let mut i = 0;
        while i < n {
            if self.info[i].consumed {
                i += 1;
                continue;
            }
            // <day> <month>[/ <month>] [<year>] [marker]
            if let (Some(day), Some((month, mlen))) = (self.small_int(i), self.month_at(i + 1)) {
                if (1..=31).contains(&day) && self.same_sent(i, i + 1) {
                    let mut j = i + 1 + mlen;
                    if self.is_punct(j, "/") {
                        if let Some((_, l2)) = self.month_at(j + 1) {
                            j += 1 + l2;
                        }
                    }
                    let mut year = None;
                    if let Some(y) = self.small_int(j).filter(|y| (1900..=2100).contains(y)) {
                        year = Some(y as i32);
                        j += 1;
                    } else if self.is_punct(j, ",") {
                        if let Some(y) = self.small_int(j + 1).filter(|y| (1900..=2100).contains(y))
                        {
                            year = Some(y as i32);
                            j += 2;
                        }
                    }
                    let (past, future) = self.marker_at(j);
                    if past || future {
                        j += 1;
                    }
                    let date = match year {
                        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
                        None => {
                            unresolved |= self.published.is_none();
                            self.infer_year(month, day, future)
                        }
                    };
                    let start = self.extend_back(i);
                    self.push_date(start, j, date, 1, false);
                    i = j;
                    continue;
                }
            }
            // قبل/منذ يومين، قبل 3 أيام، two days ago
            if self.kind(i) == TokenKind::Arabic && self.has(i, Category::Ago) {
                let mut back = None;
                if let Some(h) = self.hit(i + 1, Category::Days) {
                    let v = self.x.lex.entry(h.entry).int();
                    if v > 0 {
                        back = Some((v, 2));
                    }
                } else if let Some((Some(v), len)) = self.count_at(i + 1, false) {
                    if self.has(i + 1 + len, Category::Days) && v <= 31 {
                        back = Some((v as i64, len + 2));
                    }
                }
                if let Some((days, len)) = back {
                    unresolved |= self.published.is_none();
                    let date = self.published.map(|p| p - Duration::days(days));
                    self.push_date(i, i + len, date, 1, false);
                    i += len;
                    continue;
                }
            }
            if self.kind(i) != TokenKind::Arabic {
                if let Some((Some(v), len)) = self.count_at(i, false) {
                    if v <= 31
                        && self.has(i + len, Category::Days)
                        && self.has(i + len + 1, Category::Ago)
                    {
                        unresolved |= self.published.is_none();
                        let date = self.published.map(|p| p - Duration::days(v as i64));
                        self.push_date(i, i + len + 2, date, 1, false);
                        i += len + 2;
                        continue;
                    }
                }
            }
            // 12 من الشهر الجاري / الماضي
            if let Some(day) = self.small_int(i).filter(|d| (1..=31).contains(d)) {
                if i + 3 < n && self.t(i + 1) == "من" && self.has(i + 2, Category::MonthWord) {
                    let current = matches!(self.t(i + 3), "الجاري" | "الحالي");
                    let past = self.has(i + 3, Category::Past);
                    if current || past {
                        unresolved |= self.published.is_none();
                        let date = self.published.and_then(|p| {
                            let (y, m) = if past {
                                if p.month() == 1 {
                                    (p.year() - 1, 12)
                                } else {
                                    (p.year(), p.month() - 1)
                                }
                            } else {
                                (p.year(), p.month())
                            };
                            NaiveDate::from_ymd_opt(y, m, day)
                        });
                        self.push_date(i, i + 4, date, 1, false);
                        i += 4;
                        continue;
                    }
                }
            }
            // في الخامس (عشر) من <month> [<year>]
            if let Some((day, len)) = self.ordinal_day(i) {
                let j = i + len;
                if j < n && self.t(j) == "من" {
                    if let Some((month, mlen)) = self.month_at(j + 1) {
                        let mut k = j + 1 + mlen;
                        if self.is_punct(k, "/") {
                            if let Some((_, l2)) = self.month_at(k + 1) {
                                k += 1 + l2;
                            }
                        }
                        let mut year = None;
                        if let Some(y) = self.small_int(k).filter(|y| (1900..=2100).contains(y)) {
                            year = Some(y as i32);
                            k += 1;
                        }
                        let (past, future) = self.marker_at(k);
                        if past || future {
                            k += 1;
                        }
                        let date = match year {
                            Some(y) => NaiveDate::from_ymd_opt(y, month, day),
                            None => {
                                unresolved |= self.published.is_none();
                                self.infer_year(month, day, future)
                            }
                        };
                        let start = self.extend_back(i);
                        self.push_date(start, k, date, 1, false);
                        i = k;
                        continue;
                    }
                }
            }
            // [month_part] <Month> [<day>][, <year>] / [/ <month>] [marker]
            if let Some((month, mlen)) = self.month_at(i) {
                let mut j = i + mlen;
                if self.is_punct(j, "/") {
                    if let Some((_, l2)) = self.month_at(j + 1) {
                        j += 1 + l2;
                    }
                }
                let mut start = i;
                let mut part: Option<u32> = None;
                let mut back = i;
                if back > 0 && self.has(back - 1, Category::MonthWord) {
                    back -= 1;
                    start = back;
                }
                if back > 0 {
                    if let Some(h) = self.hit(back - 1, Category::MonthPart) {
                        part = Some(self.x.lex.entry(h.entry).int() as u32);
                        start = back - 1;
                    } else if back > 1 && self.t(back - 1) == "of" {
                        if let Some(h) = self.hit(back - 2, Category::MonthPart) {
                            part = Some(self.x.lex.entry(h.entry).int() as u32);
                            start = back - 2;
                        }
                    }
                }
                let english_day = if part.is_none() && self.kind(i) == TokenKind::Latin {
                    self.small_int(j)
                        .filter(|d| (1..=31).contains(d) && self.month_at(j + 1).is_none())
                } else {
                    None
                };
                if let Some(day) = english_day {
                    j += 1;
                    let mut year = None;
                    if self.is_punct(j, ",") {
                        if let Some(y) = self.small_int(j + 1).filter(|y| (1900..=2100).contains(y))
                        {
                            year = Some(y as i32);
                            j += 2;
                        }
                    } else if let Some(y) = self.small_int(j).filter(|y| (1900..=2100).contains(y))
                    {
                        year = Some(y as i32);
                        j += 1;
                    }
                    let date = match year {
                        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
                        None => {
                            unresolved |= self.published.is_none();
                            self.infer_year(month, day, false)
                        }
                    };
                    let start = self.extend_back(start);
                    self.push_date(start, j, date, 1, false);
                    i = j;
                    continue;
                }
                let mut year = None;
                if let Some(y) = self.small_int(j).filter(|y| (1900..=2100).contains(y)) {
                    year = Some(y as i32);
                    j += 1;
                }
                let (past, future) = self.marker_at(j);
                if past || future {
                    j += 1;
                }
                if part.is_some() || year.is_some() || past || future || start < i {
                    let day = part.unwrap_or(1);
                    let first = match year {
                        Some(y) => NaiveDate::from_ymd_opt(y, month, 1),
                        None => {
                            unresolved |= self.published.is_none();
                            self.infer_year(month, 1, future)
                        }
                    };
                    let date = first.and_then(|f| {
                        if day >= 28 {
                            last_day_of_month(f.year(), f.month())
                        } else {
                            NaiveDate::from_ymd_opt(f.year(), f.month(), day)
                        }
                    });
                    self.push_date(start, j, date, 3, false);
                    i = j;
                    continue;
                }
                i += 1;
                continue;
            }
            // Numeric dates.
            if self.kind(i) == TokenKind::Number {
                if let Some((date, len)) = self.numeric_date(i) {
                    self.push_date(i, i + len, Some(date), 1, false);
                    i += len;
                    continue;
                }
            }
            // اليوم / أمس / today / yesterday [weekday] ; اليوم ذاته
            if let Some(h) = self.hit(i, Category::RelDay) {
                if h.conj && self.kind(i) == TokenKind::Arabic && h.prefix > 2 {
                    i += 1;
                    continue;
                }
                let mut j = i + h.len as usize;
                if self.has(j, Category::SameDay) {
                    let start = self.extend_back(i);
                    self.push_date(start, j + 1, None, 1, true);
                    i = j + 1;
                    continue;
                }
                if j < n && (self.t(j) == "التالي" || self.t(j) == "التاليه") {
                    i = j + 1;
                    continue;
                }
                if self.has(j, Category::Weekday) && self.same_sent(i, j) {
                    j += 1;
                }
                let off = self.x.lex.entry(h.entry).int();
                unresolved |= self.published.is_none();
                let date = self.published.map(|p| p + Duration::days(off));
                let start = self.extend_back(i);
                self.push_date(start, j, date, 1, false);
                i = j;
                continue;
            }
            if let Some(h) = self.hit(i, Category::Weekday) {
                // An explicit date right after takes over (يوم الخميس 15 فبراير).
                let explicit = (1..=2)
                    .any(|k| self.small_int(i + k).is_some() && self.month_at(i + k + 1).is_some());
                if explicit || (self.kind(i) == TokenKind::Latin && !self.is_capitalized(i)) {
                    i += 1;
                    continue;
                }
                let wd = self.x.lex.entry(h.entry).int();
                unresolved |= self.published.is_none();
                let date = self.published.map(|p| {
                    let cur = p.weekday().num_days_from_monday() as i64;
                    p - Duration::days((cur - wd).rem_euclid(7))
                });
                let start = self.extend_back(i);
                // "الجمعة الماضي": the marker belongs to the date.
                let end = if self.has(i + 1, Category::Past) && self.same_sent(i, i + 1) {
                    i + 2
                } else {
                    i + 1
                };
                self.push_date(start, end, date, 1, false);
                i = end;
                continue;
            }
            i += 1;
        }
        if unresolved {
            self.diags.push(Diagnostic {
                code: "relative_date_unresolved".into(),
                message:
                    "the text has dates relative to publication but no publication date was given"
                        .into(),
                line: None,
                start: None,
                end: None,
            });
        }
    }

    /// An ordinal day of month at `i` (الخامس، الحادي عشر، الحادي والعشرين).
    fn ordinal_day(&self, i: usize) -> Option<(u32, usize)> {
        let h = self.hit(i, Category::Ordinal).filter(|h| !h.conj)?;
        let mut v = self.x.lex.entry(h.entry).int() as u32;
        let mut len = 1;
        if v < 10 && i + 1 < self.n() && matches!(self.t(i + 1), "عشر" | "عشره") {
            v += 10;
            len += 1;
        } else if v < 10 {
            if let Some(t) = self.hit(i + 1, Category::Ordinal).filter(|t| t.conj) {
                let tens = self.x.lex.entry(t.entry).int() as u32;
                if tens >= 20 {
                    v += tens;
                    len += 1;
                }
            }
        }
        (1..=31).contains(&v).then_some((v, len))
    }

    fn numeric_date(&self, i: usize) -> Option<(NaiveDate, usize)> {
        let t = self.t(i);
        let parse3 = |a: &str, b: &str, c: &str| -> Option<NaiveDate> {
            let (a, b, c): (u32, u32, u32) = (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
            if a >= 1900 {
                NaiveDate::from_ymd_opt(a as i32, b, c)
            } else if c >= 1900 {
                NaiveDate::from_ymd_opt(c as i32, b, a)
            } else {
                None
            }
        };
        // 15.09.2017 is one number token.
        let parts: Vec<&str> = t.split('.').collect();
        if parts.len() == 3 {
            return parse3(parts[0], parts[1], parts[2]).map(|d| (d, 1));
        }
        for sep in ["/", "-"] {
            if self.is_punct(i + 1, sep)
                && i + 4 < self.n() + 1
                && self.kind(i + 2) == TokenKind::Number
                && self.is_punct(i + 3, sep)
                && i + 4 < self.n()
                && self.kind(i + 4) == TokenKind::Number
            {
                let d = parse3(t, self.t(i + 2), self.t(i + 4))?;
                return Some((d, 5));
            }
        }
        None
    }

    // ---------------------------------------------------------------- numbers

    /// A count at token `i`: (value or None if vague, tokens used).
    fn count_at(&self, i: usize, allow_conj: bool) -> Option<(Option<u64>, usize)> {
        if i >= self.n() || self.info[i].consumed {
            return None;
        }
        let scale = |j: usize| -> Option<u64> {
            self.hit(j, Category::Scale)
                .filter(|h| !h.conj)
                .map(|h| self.x.lex.entry(h.entry).int() as u64)
        };
        if self.kind(i) == TokenKind::Number {
            let t = self.t(i).replace(',', "");
            let v: u64 = t.split('.').next()?.parse().ok()?;
            if let Some(s) = scale(i + 1) {
                return Some((Some(v.saturating_mul(s)), 2));
            }
            return Some((Some(v), 1));
        }
        let ok = |h: &Hit| (allow_conj || !h.conj) && !h.definite;
        if let Some(h) = self.hit(i, Category::Number).filter(ok) {
            let mut v = self.x.lex.entry(h.entry).int() as u64;
            let mut len = h.len as usize;
            let j = i + len;
            if v < 10 && self.hit(j, Category::Teen).is_some_and(|t| !t.conj) {
                v += 10;
                len += 1;
            } else if let Some(t) = self
                .hit(j, Category::Tens)
                .filter(|t| t.conj || self.kind(j) == TokenKind::Latin)
            {
                if v < 10 && self.kind(j) == TokenKind::Arabic {
                    v += self.x.lex.entry(t.entry).int() as u64;
                    len += 1;
                }
            }
            if let Some(s) = scale(i + len) {
                v = v.saturating_mul(s);
                len += 1;
            }
            return Some((Some(v), len));
        }
        if let Some(h) = self.hit(i, Category::Tens).filter(ok) {
            let mut v = self.x.lex.entry(h.entry).int() as u64;
            let mut len = 1;
            if self.kind(i) == TokenKind::Latin {
                if let Some(u) = self.hit(i + 1, Category::Number) {
                    let uv = self.x.lex.entry(u.entry).int() as u64;
                    if uv < 10 {
                        v += uv;
                        len += 1;
                    }
                }
            }
            return Some((Some(v), len));
        }
        if self.hit(i, Category::Vague).filter(ok).is_some() {
            return Some((None, 1));
        }
        None
    }

    fn find_numbers(&mut self) {
        let mut i = 0;
        while i < self.n() {
            if let Some((v, len)) = self.count_at(i, true) {
                self.numbers.push((i, i + len, v));
                i += len;
            } else {
                i += 1;
            }
        }
    }

    // ----------------------------------------------------------------- places

    fn place_match_at<'s>(
        &'s self,
        i: usize,
        vars: &mut Vec<Variant<'s>>,
        buf: &mut String,
        cat: &mut String,
    ) -> Option<(usize, u8, &'a [GEntry])> {
        let gaz: &'a Gazetteer = &self.x.gaz;
        let n = self.n();
        match self.kind(i) {
            TokenKind::Arabic => {
                let w: &'s str = self.t(i);
                variants(w, false, vars);
                for v in vars.iter() {
                    let key = v.key(buf);
                    if gaz.starts_ar_name(key) {
                        cat.clear();
                        cat.push_str(key);
                        let mut best = None;
                        let mut k = i + 1;
                        let mut words = 1;
                        while k < n
                            && words < MAX_NAME_WORDS
                            && self.kind(k) == TokenKind::Arabic
                            && self.same_sent(i, k)
                        {
                            cat.push_str(self.t(k));
                            words += 1;
                            if let Some(e) = gaz.lookup_ar(cat) {
                                best = Some((k + 1, v.prefix, e));
                            }
                            k += 1;
                        }
                        if best.is_some() {
                            return best;
                        }
                    }
                    if let Some(e) = gaz.lookup_ar(key) {
                        return Some((i + 1, v.prefix, e));
                    }
                }
                None
            }
            TokenKind::Latin => {
                if !self.is_capitalized(i) {
                    return None;
                }
                let w = self.t(i);
                let w = w.strip_suffix("'s").unwrap_or(w);
                let mut sk = String::new();
                if !latin_word_skeleton(w, &mut sk) {
                    return None;
                }
                let mut best = None;
                if gaz.starts_latin_name(&sk) {
                    let mut cat = sk.clone();
                    let mut k = i + 1;
                    let mut words = 1;
                    while k < n
                        && words < MAX_NAME_WORDS
                        && self.kind(k) == TokenKind::Latin
                        && self.same_sent(i, k)
                    {
                        let wk = self.t(k);
                        let wk = wk.strip_suffix("'s").unwrap_or(wk);
                        if latin_word_skeleton(wk, &mut cat) {
                            words += 1;
                            if let Some(e) = gaz.lookup_latin(&cat) {
                                best = Some((k + 1, 0, e));
                            }
                        }
                        k += 1;
                    }
                }
                if best.is_none() && sk.len() >= 4 {
                    let exact = w.replace('\'', "");
                    if gaz.is_exact_latin(&exact) || self.cue_before(i) > 0 {
                        if let Some(e) = gaz.lookup_latin(&sk) {
                            best = Some((i + 1, 0, e));
                        }
                    }
                }
                best
            }
            _ => None,
        }
    }

    fn cue_before(&self, i: usize) -> u8 {
        if i == 0 || !self.same_sent(i - 1, i) {
            return 0;
        }
        let mut p = i - 1;
        if self.kind(p) == TokenKind::Latin && self.t(p) == "of" && p > 0 {
            p -= 1;
        }
        match self.hit(p, Category::Cue) {
            Some(h) if !h.definite || self.kind(p) == TokenKind::Latin => {
                if self.x.lex.entry(h.entry).value == "near" {
                    1
                } else {
                    2
                }
            }
            _ => 0,
        }
    }

    fn movement_before(&self, i: usize) -> bool {
        let mut p = i;
        for _ in 0..4 {
            if p == 0 || !self.same_sent(p - 1, i) {
                return false;
            }
            p -= 1;
            if self.has(p, Category::Movement) {
                return true;
            }
            let filler = matches!(self.t(p), "of" | "the" | "in" | "at" | "في");
            if !self.has(p, Category::Cue) && !filler {
                return false;
            }
        }
        false
    }

    fn find_places(&mut self) {
        let n = self.n();
        let found: Vec<(usize, usize, u8, &'a [GEntry])> = {
            let this: &Doc<'a> = self;
            let mut vars: Vec<Variant> = Vec::with_capacity(8);
            let mut buf = String::new();
            let mut cat = String::new();
            let mut found = Vec::new();
            let mut i = 0;
            while i < n {
                if this.info[i].consumed || !this.info[i].place_cand {
                    i += 1;
                    continue;
                }
                if let Some((end, prefix, cands)) =
                    this.place_match_at(i, &mut vars, &mut buf, &mut cat)
                {
                    // A one-word name that is also a lexicon word needs a cue.
                    let lexical = end == i + 1
                        && !this.hits(i).is_empty()
                        && this.hits(i).iter().all(|h| h.prefix <= prefix);
                    if lexical && this.cue_before(i) == 0 {
                        i += 1;
                        continue;
                    }
                    found.push((i, end, prefix, cands));
                    i = end;
                } else {
                    i += 1;
                }
            }
            found
        };
        for (mut tok, end, prefix, cands) in found {
            // "al-Sukhnah": the article belongs to the name as written.
            if tok > 0
                && self.kind(tok) == TokenKind::Latin
                && self.same_sent(tok - 1, tok)
                && is_latin_article(self.t(tok - 1))
            {
                tok -= 1;
            }
            let pm = self.classify_place(tok, end, prefix, cands);
            self.places.push(pm);
        }
        self.find_unlisted();
        self.places.sort_by_key(|p| p.tok);
        self.resolve_places();
    }

    fn classify_place(
        &self,
        tok: usize,
        mut end: usize,
        prefix: u8,
        cands: &'a [GEntry],
    ) -> PM<'a> {
        let gov = cands.iter().find_map(|e| match e {
            GEntry::Governorate(g) => Some(*g),
            _ => None,
        });
        let region = cands.iter().find_map(|e| match e {
            GEntry::Region(r) => Some(*r),
            _ => None,
        });
        let has_place = cands.iter().any(|e| matches!(e, GEntry::Place(_)));
        let prev =
            |cat: Category| tok > 0 && self.same_sent(tok - 1, tok) && self.has(tok - 1, cat);
        // The word before may carry the clitic (بريف، لمحافظة).
        let next_is = |cat: Category, end: usize| {
            end < self.n() && self.same_sent(tok, end) && self.has(end, cat)
        };
        let mut r = if let Some(rg) = region {
            PlaceRef::Region(rg)
        } else if let Some(g) = gov {
            let city = has_place;
            if prev(Category::GovCue) || next_is(Category::GovCue, end) {
                PlaceRef::Gov(g)
            } else if prev(Category::Countryside)
                || prev(Category::Direction)
                || next_is(Category::Countryside, end)
            {
                PlaceRef::GovRegion(g)
            } else if city {
                PlaceRef::Place(0)
            } else {
                PlaceRef::Gov(g)
            }
        } else {
            PlaceRef::Place(0)
        };
        if let PlaceRef::GovRegion(_) = r {
            while end < self.n() && self.same_sent(tok, end) && self.has(end, Category::Direction) {
                end += 1;
            }
            if next_is(Category::Countryside, end) {
                end += 1;
            }
        }
        if r == PlaceRef::Place(0) && !has_place {
            r = PlaceRef::Unlisted;
        }
        // "ريف X" where X was matched with the article-less region word.
        let mut start = tok;
        if matches!(r, PlaceRef::GovRegion(_))
            && (prev(Category::Countryside)
                || (prev(Category::Direction) && self.kind(tok) == TokenKind::Latin))
        {
            start = tok - 1;
        }
        let start_prefix = if start == tok {
            prefix
        } else {
            self.hit(start, Category::Countryside)
                .or_else(|| self.hit(start, Category::Direction))
                .map(|h| h.prefix)
                .unwrap_or(0)
        };
        PM {
            tok: start,
            end,
            prefix: start_prefix,
            cands,
            r,
            admin1: None,
            cue: self.cue_before(start),
            movement: self.movement_before(start),
            sent: self.info[tok].sent as usize,
        }
    }

    fn find_unlisted(&mut self) {
        let n = self.n();
        let mut is_start = vec![false; n + 1];
        for p in &self.places {
            is_start[p.tok] = true;
        }
        let starts = |k: usize| is_start[k.min(n)];
        let mut add = Vec::new();
        for i in 0..n.saturating_sub(1) {
            let Some(h) = self.hit(i, Category::Cue) else {
                continue;
            };
            if self.x.lex.entry(h.entry).value != "settlement"
                || (h.definite && self.kind(i) == TokenKind::Arabic)
            {
                continue;
            }
            let mut k = i + 1;
            if self.kind(i) == TokenKind::Latin {
                if self.t(k) != "of" {
                    continue;
                }
                k += 1;
            }
            if k >= n || starts(k) || !self.same_sent(i, k) || self.info[k].consumed {
                continue;
            }
            let first = k;
            let mut words = 0;
            while k < n && words < 3 && self.same_sent(i, k) && !self.info[k].consumed && !starts(k)
            {
                let ok = match self.kind(k) {
                    TokenKind::Arabic => {
                        let t = self.t(k);
                        let adjective = words > 0 && t.starts_with("ال") && t.ends_with("يه");
                        self.hits(k).is_empty() && t.chars().count() >= 2 && !adjective
                    }
                    TokenKind::Latin => {
                        let t = self.t(k);
                        self.is_capitalized(k) && self.hits(k).is_empty()
                            || (is_latin_article(t)
                                && k + 1 < n
                                && self.kind(k + 1) == TokenKind::Latin
                                && self.is_capitalized(k + 1))
                    }
                    _ => false,
                };
                if !ok {
                    break;
                }
                words += 1;
                k += 1;
            }
            // Do not end on an article.
            while k > first
                && self.kind(k - 1) == TokenKind::Latin
                && is_latin_article(self.t(k - 1))
            {
                k -= 1;
            }
            if k > first {
                add.push(PM {
                    tok: first,
                    end: k,
                    prefix: 0,
                    cands: &[],
                    r: PlaceRef::Unlisted,
                    admin1: None,
                    cue: 2,
                    movement: self.movement_before(first),
                    sent: self.info[first].sent as usize,
                });
            }
        }
        self.places.extend(add);
    }

    fn pm_admin1(&self, p: &PM) -> Option<String> {
        let gaz = &self.x.gaz;
        match p.r {
            PlaceRef::Place(i) => gaz.place_at(i).admin1.clone(),
            PlaceRef::Gov(g) | PlaceRef::GovRegion(g) => Some(gaz.governorate_at(g).iso.clone()),
            PlaceRef::Region(r) => Some(gaz.region_at(r).admin1.clone()),
            PlaceRef::Unlisted => p.admin1.clone(),
        }
    }

    fn resolve_places(&mut self) {
        let gaz = &self.x.gaz;
        // Governorate hints: region-level mentions and unambiguous places.
        let mut hints: Vec<(usize, usize, String)> = Vec::new(); // (sent, tok, iso)
        for p in &self.places {
            let iso = match p.r {
                PlaceRef::Gov(g) | PlaceRef::GovRegion(g) => {
                    Some(gaz.governorate_at(g).iso.clone())
                }
                PlaceRef::Region(r) => Some(gaz.region_at(r).admin1.clone()),
                PlaceRef::Place(_) => {
                    let ps: Vec<u32> = p
                        .cands
                        .iter()
                        .filter_map(|e| {
                            if let GEntry::Place(i) = e {
                                Some(*i)
                            } else {
                                None
                            }
                        })
                        .collect();
                    if ps.len() == 1 {
                        gaz.place_at(ps[0]).admin1.clone()
                    } else {
                        None
                    }
                }
                PlaceRef::Unlisted => None,
            };
            if let Some(iso) = iso {
                hints.push((p.sent, p.tok, iso));
            }
        }
        let mut doc_isos: Vec<&String> = hints.iter().map(|h| &h.2).collect();
        doc_isos.sort();
        doc_isos.dedup();
        for idx in 0..self.places.len() {
            let (sent, tok, end) = (
                self.places[idx].sent,
                self.places[idx].tok,
                self.places[idx].end,
            );
            let same = in_sent(&hints, sent, |h| h.0);
            // The region phrase right after the name (بريف إدلب) binds closest.
            let after = same
                .iter()
                .filter(|h| h.1 >= end && h.1 <= end + 6)
                .min_by_key(|h| h.1)
                .map(|h| h.2.clone());
            let before = same
                .iter()
                .filter(|h| h.1 < tok)
                .max_by_key(|h| h.1)
                .map(|h| h.2.clone());
            let p = &mut self.places[idx];
            match p.r {
                PlaceRef::Place(_) => {
                    let ps: Vec<u32> = p
                        .cands
                        .iter()
                        .filter_map(|e| {
                            if let GEntry::Place(i) = e {
                                Some(*i)
                            } else {
                                None
                            }
                        })
                        .collect();
                    let pick = |iso: &Option<String>| -> Option<u32> {
                        let iso = iso.as_ref()?;
                        ps.iter()
                            .copied()
                            .filter(|&i| gaz.place_at(i).admin1.as_ref() == Some(iso))
                            .max_by_key(|&i| gaz.place_at(i).population)
                    };
                    let doc_iso: Option<String> = ps
                        .iter()
                        .filter_map(|&i| gaz.place_at(i).admin1.as_ref())
                        .find(|a| doc_isos.binary_search(a).is_ok())
                        .cloned();
                    let chosen = pick(&after)
                        .or_else(|| pick(&before))
                        .or_else(|| pick(&doc_iso))
                        .or_else(|| {
                            ps.iter()
                                .copied()
                                .max_by_key(|&i| gaz.place_at(i).population)
                        });
                    if let Some(c) = chosen {
                        p.r = PlaceRef::Place(c);
                    }
                }
                PlaceRef::Unlisted => {
                    // Failing a region phrase in the sentence, the nearest
                    // governorate named anywhere in the report.
                    let nearest = || {
                        // Hints are in text order: look on both sides of `tok`.
                        let k = hints.partition_point(|h| h.1 < tok);
                        [k.checked_sub(1), Some(k)]
                            .into_iter()
                            .flatten()
                            .filter_map(|k| hints.get(k))
                            .min_by_key(|h| h.1.abs_diff(tok))
                            .map(|h| h.2.clone())
                    };
                    p.admin1 = after.or(before).or_else(nearest);
                }
                _ => {}
            }
        }
    }

    // ------------------------------------------------------------- casualties

    fn person_count(&self, i: usize) -> Option<u32> {
        if let Some(c) = self.person_count_exact(i) {
            return Some(c);
        }
        // A person noun with a possessive suffix: سائقها، مرافقهم.
        if self.kind(i) == TokenKind::Arabic && !self.info[i].consumed {
            let t = self.t(i);
            for suf in ["هما", "هم", "ها", "ه"] {
                if let Some(stem) = t.strip_suffix(suf) {
                    if let Some(ids) = self.x.index.get(stem) {
                        for &id in &ids.lex {
                            let e = self.x.lex.entry(id);
                            if e.category == Category::Person && e.len == 1 && e.int() == 1 {
                                return Some(1);
                            }
                        }
                    }
                }
            }
        }
        None
    }

    fn person_count_exact(&self, i: usize) -> Option<u32> {
        self.hit(i, Category::Person)
            .filter(|h| !h.conj && h.prefix == 0)
            .map(|h| self.x.lex.entry(h.entry).int() as u32)
    }

    fn is_trigger_of_casualty(&self, i: usize) -> bool {
        self.has(i, Category::Kill)
            || self.has(i, Category::Injure)
            || self.has(i, Category::KillStrict)
    }

    fn find_casualties(&mut self) {
        let n = self.n();
        for i in 0..n {
            if self.info[i].consumed {
                continue;
            }
            let kill = self.hit(i, Category::Kill);
            let injure = self.hit(i, Category::Injure);
            let strict = self.hit(i, Category::KillStrict);
            let knoun = self.hit(i, Category::KillNoun);
            let inoun = self.hit(i, Category::InjureNoun);
            // Count before a casualty noun: "11 قتيلا", "six dead", "15 wounded".
            if knoun.is_some() || inoun.is_some() {
                if let Some((cstart, v)) = self.count_ending_at(i) {
                    let v = if self.approx_before(cstart) { None } else { v };
                    let toll = (cstart.saturating_sub(5)..cstart)
                        .any(|k| self.same_sent(k, i) && self.has(k, Category::Toll));
                    self.cas.push(Cas {
                        sent: self.info[i].sent as usize,
                        kill: knoun.is_some(),
                        value: v,
                        toll,
                        tok: cstart,
                        count_tok: cstart,
                        end: i + 1,
                        civilian: false,
                    });
                    continue;
                }
            }
            if let Some(h) = knoun.or(inoun) {
                // قتيل، قتيلين: the noun alone gives the count.
                let v = self.x.lex.entry(h.entry).int();
                if v > 0 && !h.conj && h.prefix == 0 && kill.is_none() && injure.is_none() {
                    self.cas.push(Cas {
                        sent: self.info[i].sent as usize,
                        kill: knoun.is_some(),
                        value: Some(v as u32),
                        toll: false,
                        tok: i,
                        count_tok: i,
                        end: i + 1,
                        civilian: false,
                    });
                    continue;
                }
            }
            let Some(h) = kill.or(injure).or(strict) else {
                continue;
            };
            let is_kill = kill.is_some() || strict.is_some();
            // English passive: "four civilians were killed".
            if self.kind(i) == TokenKind::Latin
                && i > 0
                && matches!(self.t(i - 1), "were" | "was" | "been" | "are")
            {
                let mut found = None;
                for k in (i.saturating_sub(6)..i - 1).rev() {
                    if !self.same_sent(k, i) {
                        break;
                    }
                    if let Some((v, _)) = self.count_at(k, false) {
                        found = Some((k, v));
                        break;
                    }
                }
                if let Some((k, v)) = found {
                    self.cas.push(Cas {
                        sent: self.info[i].sent as usize,
                        kill: is_kill,
                        value: v.map(|v| v.min(u32::MAX as u64) as u32),
                        toll: false,
                        tok: k,
                        count_tok: k,
                        end: i + 1,
                        civilian: false,
                    });
                }
                continue;
            }
            let mut j = i + h.len as usize;
            let mut window = 0;
            let mut first = true;
            let mut result: Option<(Option<u32>, usize)> = None; // value, end token
            let mut count_tok = i;
            let mut civilian = false;
            while j < n && self.same_sent(i, j) && window < 9 {
                if self.info[j].consumed {
                    j += 1;
                    continue;
                }
                if self.is_trigger_of_casualty(j) || self.has(j, Category::Subset) {
                    break;
                }
                if let Some((v, len)) = self.count_at(j, false) {
                    let v = if self.approx_before(j) {
                        None
                    } else {
                        v.map(|v| v.min(u32::MAX as u64) as u32)
                    };
                    if strict.is_some() && kill.is_none() {
                        // خسرت 20 عنصراً: needs a person noun after the number.
                        let person = self.has(j + len, Category::Person)
                            || self.has(j + len, Category::Civilian);
                        if !person || v.is_none() {
                            break;
                        }
                    }
                    result = Some((v, j + len));
                    count_tok = j;
                    break;
                }
                if first {
                    if let Some(c) = self.person_count(j).filter(|&c| c > 0) {
                        if strict.is_none() || kill.is_some() {
                            civilian = self.has(j, Category::Civilian);
                            result = Some((Some(c), j + 1));
                            count_tok = j;
                        }
                        break;
                    }
                }
                // VSO: "اغتال مسلحون مجهولون، مساء الجمعة، عنصراً": the subject
                // between the verb and its object keeps the object "first".
                if let Some(a) = self.hit(j, Category::Actor) {
                    j += a.len as usize;
                    window += 1;
                    continue;
                }
                if self.kind(j) != TokenKind::Punct {
                    first = false;
                    window += 1;
                }
                j += 1;
            }
            if result.is_none() && self.kind(i) == TokenKind::Latin && self.t(i).ends_with("ed") {
                // "and five others wounded": the count comes first.
                for k in (i.saturating_sub(3)..i).rev() {
                    if !self.same_sent(k, i) {
                        break;
                    }
                    if let Some((v, _)) = self.count_at(k, false) {
                        result = Some((v.map(|v| v.min(u32::MAX as u64) as u32), i + 1));
                        count_tok = k;
                        break;
                    }
                }
            }
            let Some((mut value, mut end)) = result else {
                continue;
            };
            // Coordinated counts: "13 عنصراً من قوات النظام وأربعة من مقاتلي الجبهة", "three ... and two rebels".
            let mut k = end;
            let mut steps = 0;
            while k < n && self.same_sent(i, k) && steps < 7 {
                // "قيادي في أحد فصائل المعارضة", "a commander in HTS": the group the
                // victim belongs to, not the end of the phrase.
                let affiliation = k == end
                    && matches!(self.t(k), "في" | "in")
                    && k > 0
                    && self.person_count(k - 1).is_some();
                if affiliation {
                    k += 1;
                    steps += 1;
                    continue;
                }
                if self.kind(k) == TokenKind::Punct
                    || self.has(k, Category::ClauseStop)
                    || self.has(k, Category::Trigger)
                    || self.is_trigger_of_casualty(k)
                    || self.has(k, Category::Subset)
                {
                    break;
                }
                if self.has(k, Category::Civilian) {
                    civilian = true;
                }
                let conj_count = if self.kind(k) == TokenKind::Arabic {
                    self.hit(k, Category::Number)
                        .or_else(|| self.hit(k, Category::Tens))
                        .filter(|h| h.conj)
                        .and_then(|_| self.count_at(k, true))
                } else if self.t(k) == "and" {
                    self.count_at(k + 1, false).map(|(v, l)| (v, l + 1))
                } else {
                    None
                };
                if let Some((v, len)) = conj_count {
                    match (value, v) {
                        (Some(a), Some(b)) => value = Some(a.saturating_add(b.min(100_000) as u32)),
                        _ => value = None,
                    }
                    k += len;
                    end = k;
                    steps = 0;
                    continue;
                }
                k += 1;
                steps += 1;
            }
            end = end.max(k.min(n));
            let toll = (i.saturating_sub(5)..i)
                .any(|t| self.same_sent(t, i) && self.has(t, Category::Toll));
            self.cas.push(Cas {
                sent: self.info[i].sent as usize,
                kill: is_kill,
                value,
                toll,
                tok: i,
                count_tok,
                end,
                civilian,
            });
        }
    }

    /// An approximator (أكثر من، نحو، more than) ends right before token `j`.
    fn approx_before(&self, j: usize) -> bool {
        (1..=3).any(|back| {
            j >= back
                && self.same_sent(j - back, j)
                && self
                    .hit(j - back, Category::Approx)
                    .is_some_and(|h| h.len as usize == back)
        })
    }

    /// A count that ends right before token `i` (for "11 قتيلا").
    fn count_ending_at(&self, i: usize) -> Option<(usize, Option<u32>)> {
        // Longest first: "أحد عشر جريحاً" is 11, not 10.
        for back in (1..=3).rev() {
            if i < back {
                continue;
            }
            let s = i - back;
            if !self.same_sent(s, i) {
                continue;
            }
            if let Some((v, len)) = self.count_at(s, false) {
                if s + len == i {
                    return Some((s, v.map(|v| v.min(u32::MAX as u64) as u32)));
                }
            }
        }
        None
    }

    // ----------------------------------------------------------------- actors

    fn find_actors(&mut self) {
        let n = self.n();
        // Tokens after a casualty count, up to the phrase end: the victims.
        let mut victim_span = vec![false; n + 1];
        for c in &self.cas {
            for v in &mut victim_span[(c.count_tok + 1).min(n)..c.end.min(n)] {
                *v = true;
            }
        }
        let mut i = 0;
        while i < n {
            let mut best: Option<(Actor, usize, u8)> = None;
            if let Some(h) = self.hit(i, Category::Actor) {
                if let Some(a) = Actor::parse(&self.x.lex.entry(h.entry).value) {
                    best = Some((a, h.len as usize, h.prefix));
                }
            }
            if best.is_none() {
                if let Some(h) = self.hit(i, Category::ActorAdj) {
                    let ok = match self.kind(i) {
                        TokenKind::Latin => {
                            (self.has(i + 1, Category::MilitaryNoun)
                                || (i + 3 < n
                                    && self.t(i + 1) == "and"
                                    && self.has(i + 2, Category::ActorAdj)
                                    && self.has(i + 3, Category::MilitaryNoun)))
                                && !self.hyphen_after(i, Category::NeutralAfter)
                        }
                        // غارات روسية، طائرات حربية يرجح أنها روسية: a military noun shortly before.
                        _ => (i.saturating_sub(3)..i)
                            .any(|k| self.same_sent(k, i) && self.has(k, Category::MilitaryNoun)),
                    };
                    if ok {
                        if let Some(a) = Actor::parse(&self.x.lex.entry(h.entry).value) {
                            best = Some((a, 1, h.prefix));
                        }
                    }
                }
            }
            let Some((actor, len, prefix)) = best else {
                i += 1;
                continue;
            };
            let end = i + len;
            let sent = self.info[i].sent as usize;
            let prev_has = |cat: Category| -> bool {
                if i == 0 || !self.same_sent(i - 1, i) {
                    return false;
                }
                let mut p = i - 1;
                // Skip an English article: "positions of the SDF".
                if p > 0 && matches!(self.t(p), "the" | "a" | "an") && self.same_sent(p - 1, i) {
                    p -= 1;
                }
                if self.has(p, cat) {
                    return true;
                }
                // "عناصر من قوات النظام": look past من.
                p > 0 && self.t(p) == "من" && self.same_sent(p - 1, i) && self.has(p - 1, cat)
            };
            let in_casualty = victim_span[i];
            // English is SVO: an actor right after an attack verb is its object.
            let english_object = self.kind(i) == TokenKind::Latin
                && i > 0
                && self.t(i - 1) != "by"
                && (i.saturating_sub(2)..i).any(|k| {
                    self.same_sent(k, i)
                        && self.has(k, Category::Trigger)
                        && self.t(k).ends_with("ed")
                });
            // A doer named after قصف مصدره / شنته / by / blamed.
            let agent = (i.saturating_sub(3)..i)
                .any(|k| self.same_sent(k, i) && self.has(k, Category::AgentMarker));
            // "بين فصائل المعارضة وقوات النظام": a coordinated actor shares the role.
            let coordinated = if prefix > 0 && self.t(i).starts_with('و') {
                self.actors
                    .last()
                    .filter(|a| a.sent == sent && a.end + 2 >= i && a.end <= i)
                    .map(|a| a.role)
            } else if i > 0 && self.is_punct(i - 1, "(") {
                // "Hayat Tahrir al-Sham (HTS)": the abbreviation repeats the name.
                self.actors
                    .last()
                    .filter(|a| a.sent == sent && a.end + 1 == i)
                    .map(|a| a.role)
            } else {
                None
            };
            let role = if actor == Actor::Civilians {
                P_TARGET
            } else if agent {
                P_PERP
            } else if let Some(r) = coordinated {
                r
            } else if prev_has(Category::NeutralMarker)
                || self.hyphen_after(end - 1, Category::NeutralAfter)
            {
                P_NEUTRAL
            } else if prev_has(Category::TargetMarker) || in_casualty || english_object {
                P_TARGET
            } else {
                P_PERP
            };
            self.actors.push(AM {
                tok: i,
                end,
                prefix,
                actor,
                role,
                victim: in_casualty,
                agent,
                sent,
            });
            i = end;
        }
    }

    // ----------------------------------------------------------------- events

    fn find_events(&mut self) {
        #[derive(Clone, Copy)]
        struct Scored {
            best: Option<(EventType, bool, i32)>,
            fresh: bool,
            trig: (usize, usize),
        }
        let lex = &self.x.lex;
        let mut per_sent: Vec<Scored> = Vec::with_capacity(self.sents.len());
        for &(a, b) in &self.sents {
            let mut scores: Vec<(&str, i32)> = Vec::new();
            let mut fresh = false;
            let mut trig = (usize::MAX, 0);
            let mut i = a;
            while i < b {
                if let Some(h) = self.hit(i, Category::Trigger) {
                    let e = lex.entry(h.entry);
                    if let Some(s) = scores.iter_mut().find(|s| s.0 == e.value) {
                        s.1 += e.weight;
                    } else {
                        scores.push((e.value.as_str(), e.weight));
                    }
                    let english_definite = self.kind(i) == TokenKind::Latin
                        && i > 0
                        && matches!(self.t(i - 1), "the" | "this" | "that" | "these" | "those");
                    let arabic_definite = h.definite
                        || (self.kind(i) == TokenKind::Arabic
                            && self.t(i)[h.prefix as usize..].starts_with("ال")
                            && e.len == 1);
                    // "a similar attack", "هجوم مماثل": an event told elsewhere.
                    let backref = (i.saturating_sub(3)..(i + h.len as usize + 2).min(b))
                        .any(|k| self.has(k, Category::Backref));
                    if !english_definite && !arabic_definite && !backref {
                        fresh = true;
                    }
                    if trig.0 == usize::MAX {
                        trig = (i, i + h.len as usize);
                    }
                    i += h.len as usize;
                    continue;
                }
                i += 1;
            }
            let best = scores.iter().max_by_key(|s| s.1).and_then(|s| {
                if s.0 == "territory" {
                    Some((EventType::Other, true, s.1))
                } else {
                    EventType::parse(s.0).map(|t| (t, false, s.1))
                }
            });
            per_sent.push(Scored { best, fresh, trig });
        }
        let body: Vec<usize> = (0..self.sents.len())
            .filter(|&s| Some(s) != self.headline)
            .collect();
        self.build_events(
            &body,
            &per_sent
                .iter()
                .map(|s| (s.best, s.fresh, s.trig))
                .collect::<Vec<_>>(),
        );
        if self.events.is_empty() {
            if let Some(h) = self.headline {
                self.build_events(
                    &[h],
                    &per_sent
                        .iter()
                        .map(|s| (s.best, s.fresh, s.trig))
                        .collect::<Vec<_>>(),
                );
            }
        }
        // Kind.
        let mut cue = 0;
        for i in 0..self.n() {
            if let Some(h) = self.hit(i, Category::StatementCue) {
                cue += lex.entry(h.entry).weight;
            }
        }
        self.kind = if !self.events.is_empty() {
            DocKind::Incident
        } else if cue >= 2 {
            DocKind::Statement
        } else {
            DocKind::Other
        };
    }

    fn best_place(&self, sent: usize) -> Option<usize> {
        let mut best: Option<(i32, usize)> = None;
        let lo = self.places.partition_point(|p| p.sent < sent);
        let hi = self.places.partition_point(|p| p.sent <= sent);
        for (k, p) in self.places.iter().enumerate().take(hi).skip(lo) {
            if p.movement {
                continue;
            }
            let base = match p.r {
                PlaceRef::Place(_) => 4,
                PlaceRef::Unlisted => 3,
                PlaceRef::Region(_) | PlaceRef::GovRegion(_) => 2,
                PlaceRef::Gov(_) => 1,
            };
            let score = base + 2 * p.cue as i32;
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, k));
            }
        }
        best.map(|b| b.1)
    }

    #[allow(clippy::type_complexity)]
    fn build_events(
        &mut self,
        sents: &[usize],
        scored: &[(Option<(EventType, bool, i32)>, bool, (usize, usize))],
    ) {
        for &s in sents {
            let (best, fresh, trig) = scored[s];
            let place = self.best_place(s);
            let has_cas = !in_sent(&self.cas, s, |c| c.sent).is_empty();
            let prev = self.events.len().checked_sub(1);
            let Some((kind, territory, _)) = best else {
                // No trigger: casualty counts without a new place, or a sentence
                // naming the doer (Residents blamed government forces), add to
                // the previous event.
                let names_doer = in_sent(&self.actors, s, |a| a.sent).iter().any(|a| a.agent);
                if let (Some(p), true) = (prev, (has_cas && place.is_none()) || names_doer) {
                    self.events[p].sents.push(s);
                }
                continue;
            };
            let same_as_prev = prev.is_some_and(|p| {
                let e = &self.events[p];
                e.kind == kind
                    && e.territory == territory
                    && place.is_some()
                    && e.place.is_some()
                    && {
                        let (a, b) = (
                            &self.places[e.place.unwrap_or(0)],
                            &self.places[place.unwrap_or(0)],
                        );
                        a.r == b.r
                            && (a.r != PlaceRef::Unlisted
                                || self.orig(a.tok, a.end, a.prefix)
                                    == self.orig(b.tok, b.end, b.prefix))
                    }
            });
            // Same kind of event, now placed only at region level: context
            // for the event already told (القذائف أطلقت من ريف حماة), not a new one.
            let vaguer_same_kind = prev.is_some_and(|p| {
                let e = &self.events[p];
                e.kind == kind
                    && e.territory == territory
                    && place.is_some_and(|q| {
                        matches!(
                            self.places[q].r,
                            PlaceRef::Region(_) | PlaceRef::GovRegion(_) | PlaceRef::Gov(_)
                        )
                    })
            });
            // The previous event of the same kind was placed at region level and
            // this sentence names a town there: the same event, now located.
            let sharper_same_kind = prev.is_some_and(|p| {
                let e = &self.events[p];
                e.kind == kind
                    && e.territory == territory
                    && e.place.is_some_and(|q| {
                        matches!(
                            self.places[q].r,
                            PlaceRef::Region(_) | PlaceRef::GovRegion(_) | PlaceRef::Gov(_)
                        )
                    })
                    && place.is_some_and(|q| {
                        matches!(self.places[q].r, PlaceRef::Place(_) | PlaceRef::Unlisted) && {
                            let a = e.place.and_then(|x| self.pm_admin1(&self.places[x]));
                            let b = self.pm_admin1(&self.places[q]);
                            a == b || b.is_none()
                        }
                    })
            });
            if let (Some(p), true) = (prev, sharper_same_kind) {
                self.events[p].place = place;
                self.events[p].sents.push(s);
                continue;
            }
            if let Some(p) = prev {
                if !fresh || place.is_none() || same_as_prev || vaguer_same_kind {
                    self.events[p].sents.push(s);
                    continue;
                }
            } else if !fresh && !has_cas {
                // Only "the shelling" with nothing told before and no toll
                // (هرباً من القصف): background, not an event.
                continue;
            }
            let place = place.or_else(|| self.headline.and_then(|h| self.best_place(h)));
            if place.is_none() {
                // Nowhere named, in the sentence or the headline: background
                // ("troops fighting the Islamic State"), not a codable event.
                let (a, b) = self.span(
                    trig.0.min(self.n() - 1),
                    trig.1.max(trig.0 + 1).min(self.n()),
                    0,
                );
                self.diags.push(Diagnostic::at_span(
                    "event_without_location",
                    a,
                    b,
                    "an event trigger with no place in its sentence or the headline; no event made"
                        .into(),
                ));
                continue;
            }
            self.events.push(Ev {
                kind,
                territory,
                sents: vec![s],
                place,
                date: None,
                date_precision: None,
                perpetrator: None,
                target: None,
                killed: None,
                injured: None,
                kill_toll: false,
                injure_toll: false,
                trig_tok: trig.0,
                trig_end: trig.1,
                evidence: Vec::new(),
            });
        }
        // Fill in dates, actors and casualties.
        let mut prev_date: Option<(NaiveDate, u8)> = None;
        for ei in 0..self.events.len() {
            let sents = self.events[ei].sents.clone();
            let first = sents[0];
            let mut date: Option<(NaiveDate, u8)> = None;
            let mut found_any = false;
            // In each sentence, the date nearest the trigger first ("أفاد ناشطون
            // اليوم بأن قوات النظام قصفت أمس ...": the shelling was yesterday).
            let trig_tok = self.events[ei].trig_tok;
            for &s in &sents {
                let mut ds: Vec<&DM> = in_sent(&self.dates, s, |d| d.sent).iter().collect();
                ds.sort_by_key(|d| {
                    if d.tok > trig_tok {
                        d.tok - trig_tok
                    } else {
                        trig_tok - d.end.min(trig_tok)
                    }
                });
                for d in ds {
                    found_any = true;
                    if d.same_day {
                        date = prev_date;
                    } else if let (Some(dd), false) = (d.date, d.future) {
                        // Only a single day dates an event; a month-level
                        // expression leaves the date null (precision 3).
                        date = Some((dd, d.precision));
                    }
                    if date.is_some() {
                        break;
                    }
                }
                if date.is_some() {
                    break;
                }
            }
            if date.is_none() && !found_any && ei > 0 {
                date = prev_date;
            }
            let mut perp = None;
            let mut target = None;
            for &s in &sents {
                for a in in_sent(&self.actors, s, |a| a.sent) {
                    // The telling sentence names the doer; later sentences of the
                    // same event (اتهمت ... قوات النظام بالوقوف وراء القصف) only
                    // when it does not.
                    if a.role == P_PERP && perp.is_none() && a.actor != Actor::Unknown {
                        perp = Some(a.actor);
                    }
                    if a.role == P_PERP && perp.is_none() && s == first {
                        perp = Some(a.actor);
                    }
                    if a.role == P_TARGET && target.is_none() && a.actor != Actor::Civilians {
                        target = Some(a.actor);
                    }
                }
            }
            let mut ev = self.events[ei].clone();
            for &s in &sents {
                for c in in_sent(&self.cas, s, |c| c.sent) {
                    let (slot, toll) = if c.kill {
                        (&mut ev.killed, &mut ev.kill_toll)
                    } else {
                        (&mut ev.injured, &mut ev.injure_toll)
                    };
                    if let Some(v) = c.value {
                        if c.toll {
                            *slot = Some(if *toll { slot.unwrap_or(0).max(v) } else { v });
                            *toll = true;
                        } else if !*toll {
                            *slot = Some(slot.unwrap_or(0).max(v));
                        }
                    }
                    if c.civilian && target.is_none() {
                        target = Some(Actor::Civilians);
                    }
                    let (a, b) = self.span(c.tok, c.end, 0);
                    ev.evidence.push((a, b));
                }
            }
            if target.is_none()
                && sents.iter().any(|&s| {
                    in_sent(&self.actors, s, |a| a.sent)
                        .iter()
                        .any(|a| a.actor == Actor::Civilians)
                })
            {
                target = Some(Actor::Civilians);
            }
            if perp.is_none() && ev.kind == EventType::ArmedClash {
                // "اشتباكات بين حركة أحرار الشام وهيئة تحرير الشام": the first side named.
                perp = in_sent(&self.actors, first, |a| a.sent)
                    .iter()
                    .find(|a| {
                        a.role == P_NEUTRAL
                            && a.tok > 0
                            && matches!(self.t(a.tok - 1), "بين" | "between")
                    })
                    .map(|a| a.actor);
            }
            if perp.is_none() && ev.kind == EventType::ArmedClash {
                // "قتل عنصران من الجيش الحر باشتباكات مع قوات النظام": with no
                // subject, the opponent named by مع/ضد is the other side.
                let here = in_sent(&self.actors, first, |a| a.sent);
                let victims: Vec<Actor> =
                    here.iter().filter(|a| a.victim).map(|a| a.actor).collect();
                perp = here
                    .iter()
                    .find(|a| {
                        a.role == P_TARGET
                            && !a.victim
                            && a.actor != Actor::Civilians
                            && !victims.contains(&a.actor)
                    })
                    .map(|a| a.actor);
            }
            if ev.kind == EventType::PeacefulProtest {
                perp = Some(Actor::Civilians);
            }
            let perp = perp.unwrap_or(Actor::Unknown);
            if ev.territory {
                ev.kind = if perp.is_state_side() {
                    EventType::GovernmentRegainsTerritory
                } else {
                    EventType::NonStateActorOvertakesTerritory
                };
            }
            ev.perpetrator = Some(perp);
            ev.target = target;
            ev.date = date.filter(|d| d.1 == 1).map(|d| d.0);
            ev.date_precision = date.map(|d| d.1);
            if date.is_some() {
                prev_date = date;
            }
            self.events[ei] = ev;
        }
    }

    // ----------------------------------------------------------------- output

    fn location_of(&self, p: &PM) -> Location {
        let gaz = &self.x.gaz;
        let name = Some(self.orig(p.tok, p.end, p.prefix));
        match p.r {
            PlaceRef::Place(i) => {
                let pl = gaz.place_at(i);
                Location {
                    name,
                    geonameid: Some(pl.geonameid),
                    admin1: pl.admin1.clone(),
                    lat: Some(pl.lat),
                    lon: Some(pl.lon),
                    precision: Some(1),
                }
            }
            PlaceRef::Gov(g) => {
                let gv = gaz.governorate_at(g);
                Location {
                    name,
                    geonameid: None,
                    admin1: Some(gv.iso.clone()),
                    lat: Some(gv.lat),
                    lon: Some(gv.lon),
                    precision: Some(3),
                }
            }
            PlaceRef::GovRegion(g) => {
                let gv = gaz.governorate_at(g);
                Location {
                    name,
                    geonameid: None,
                    admin1: Some(gv.iso.clone()),
                    lat: Some(gv.lat),
                    lon: Some(gv.lon),
                    precision: Some(2),
                }
            }
            PlaceRef::Region(r) => {
                let rg = gaz.region_at(r);
                Location {
                    name,
                    geonameid: None,
                    admin1: Some(rg.admin1.clone()),
                    lat: Some(rg.lat),
                    lon: Some(rg.lon),
                    precision: Some(rg.precision),
                }
            }
            PlaceRef::Unlisted => {
                // Approximate by the region named with it, when there is one.
                let region = in_sent(&self.places, p.sent, |q| q.sent)
                    .iter()
                    .filter(|q| q.tok >= p.end && q.tok <= p.end + 6)
                    .find(|q| matches!(q.r, PlaceRef::Region(_) | PlaceRef::GovRegion(_)))
                    .map(|q| self.location_of(q));
                Location {
                    name,
                    geonameid: None,
                    admin1: p.admin1.clone(),
                    lat: region.as_ref().and_then(|r| r.lat),
                    lon: region.as_ref().and_then(|r| r.lon),
                    precision: Some(2),
                }
            }
        }
    }

    fn finish(self) -> (Extraction, Scratch) {
        let mut mentions = Mentions::default();
        for p in &self.places {
            let loc = self.location_of(p);
            let (start, end) = self.span(p.tok, p.end, p.prefix);
            mentions.places.push(PlaceMention {
                name: loc.name.clone().unwrap_or_default(),
                kind: match p.r {
                    PlaceRef::Place(_) => "place",
                    PlaceRef::Gov(_) => "governorate",
                    PlaceRef::Region(_) | PlaceRef::GovRegion(_) => "region",
                    PlaceRef::Unlisted => "unlisted",
                }
                .to_string(),
                geonameid: loc.geonameid,
                admin1: loc.admin1.or_else(|| self.pm_admin1(p)),
                lat: loc.lat,
                lon: loc.lon,
                precision: loc.precision,
                start,
                end,
            });
        }
        for d in &self.dates {
            let (start, end) = self.span(d.tok, d.end, 0);
            mentions.dates.push(DateMention {
                text: self.text[start..end].to_string(),
                date: d.date,
                precision: if d.date.is_some() {
                    Some(d.precision)
                } else {
                    None
                },
                start,
                end,
            });
        }
        for a in &self.actors {
            let (start, end) = self.span(a.tok, a.end, a.prefix);
            mentions.actors.push(ActorMention {
                actor: a.actor,
                role: match a.role {
                    P_PERP => "perpetrator",
                    P_TARGET => "target",
                    _ => "neutral",
                }
                .to_string(),
                text: self.text[start..end].to_string(),
                start,
                end,
            });
        }
        for &(a, b, v) in &self.numbers {
            let (start, end) = self.span(a, b, 0);
            mentions.numbers.push(NumberMention {
                text: self.text[start..end].to_string(),
                value: v,
                start,
                end,
            });
        }
        let mut diagnostics = self.diags.clone();
        let mut events = Vec::with_capacity(self.events.len());
        for e in &self.events {
            let mut evidence: Vec<Span> = Vec::new();
            let mut add = |s: usize, t: usize| {
                if s < t {
                    evidence.push(Span { start: s, end: t });
                }
            };
            let (ta, tb) = (e.trig_tok, e.trig_end);
            if ta != usize::MAX {
                let (s, t) = self.span(ta, tb, 0);
                add(s, t);
            }
            for &(s, t) in &e.evidence {
                add(s, t);
            }
            let location = match e.place {
                Some(p) => {
                    let pm = &self.places[p];
                    let (s, t) = self.span(pm.tok, pm.end, pm.prefix);
                    add(s, t);
                    self.location_of(pm)
                }
                None => {
                    if ta != usize::MAX {
                        let (s, t) = self.span(ta, tb, 0);
                        diagnostics.push(Diagnostic::at_span(
                            "event_without_location",
                            s,
                            t,
                            "an event trigger with no place in its sentence or the headline".into(),
                        ));
                    }
                    Location::default()
                }
            };
            evidence.sort_by_key(|s| (s.start, s.end));
            evidence.dedup();
            events.push(Event {
                kind: e.kind,
                date: e.date,
                date_precision: e.date_precision,
                location,
                perpetrator: e.perpetrator,
                target: e.target,
                killed: e.killed,
                injured: e.injured,
                evidence,
            });
        }
        let extraction = Extraction {
            language: self.lang,
            kind: self.kind,
            published: self.published,
            events,
            mentions,
            diagnostics,
        };
        let scratch = Scratch {
            norm: self.norm,
            toks: self.toks,
            hits: self.hits,
            info: self.info,
        };
        (extraction, scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn x() -> &'static Extractor {
        static X: OnceLock<Extractor> = OnceLock::new();
        X.get_or_init(Extractor::builtin)
    }

    fn pubd() -> Published {
        // A Tuesday.
        (2019, 7, 16).into()
    }

    fn check_dates(input: &str, expect: &[(&str, u8)]) {
        let e = x().extract(input, pubd());
        let got: Vec<(String, u8)> = e
            .mentions
            .dates
            .iter()
            .filter_map(|d| Some((d.date?.to_string(), d.precision?)))
            .collect();
        let want: Vec<(String, u8)> = expect.iter().map(|(d, p)| (d.to_string(), *p)).collect();
        assert_eq!(got, want, "dates of {input:?}");
    }

    fn check_numbers(input: &str, expect: &[Option<u64>]) {
        let e = x().extract(input, pubd());
        let got: Vec<Option<u64>> = e.mentions.numbers.iter().map(|n| n.value).collect();
        assert_eq!(got, expect, "numbers of {input:?}");
    }

    fn check_event(input: &str, expect: &str) {
        let e = x().extract(input, pubd());
        let got: Vec<String> = e
            .events
            .iter()
            .map(|ev| {
                format!(
                    "{} {} {} {} k={} i={}",
                    ev.kind.as_str(),
                    ev.date.map(|d| d.to_string()).unwrap_or("-".into()),
                    ev.location.name.clone().unwrap_or("-".into()),
                    ev.perpetrator
                        .map(|a| format!("{a:?}"))
                        .unwrap_or("-".into()),
                    ev.killed.map(|k| k.to_string()).unwrap_or("-".into()),
                    ev.injured.map(|k| k.to_string()).unwrap_or("-".into()),
                )
            })
            .collect();
        assert_eq!(got.join(" | "), expect, "events of {input:?}");
    }

    #[test]
    fn dates_levantine_egyptian_paired_numeric() {
        check_dates("في 3 تشرين الأول", &[("2018-10-03", 1)]);
        check_dates("يوم الخميس 15 فبراير", &[("2019-02-15", 1)]);
        check_dates("بتاريخ ٤ أيار/ مايو الماضي", &[("2019-05-04", 1)]);
        check_dates("في 4 كانون الأول 2017", &[("2017-12-04", 1)]);
        check_dates("بتاريخ 15/9/2017", &[("2017-09-15", 1)]);
        check_dates("on March 3, 2019", &[("2019-03-03", 1)]);
        check_dates("نهاية تشرين الأول/ أكتوبر المقبل", &[("2019-10-31", 3)]);
        check_dates("بحلول 15 تشرين الأول المقبل", &[("2019-10-15", 1)]);
    }

    #[test]
    fn dates_relative() {
        check_dates("اليوم", &[("2019-07-16", 1)]);
        check_dates("أمس", &[("2019-07-15", 1)]);
        check_dates("فجر اليوم", &[("2019-07-16", 1)]);
        check_dates("مساء الثلاثاء", &[("2019-07-16", 1)]);
        check_dates("مساء الجمعة", &[("2019-07-12", 1)]);
        check_dates("on Thursday", &[("2019-07-11", 1)]);
        check_dates("yesterday", &[("2019-07-15", 1)]);
        check_dates("في 12 من الشهر الجاري", &[("2019-07-12", 1)]);
        check_dates("في 30 من الشهر الماضي", &[("2019-06-30", 1)]);
        check_dates("في الخامس عشر من آذار", &[("2019-03-15", 1)]);
        check_dates("قبل يومين", &[("2019-07-14", 1)]);
        // No publication date: the mention is kept, unresolved, with a diagnostic.
        let e = x().extract("قصف أمس", None);
        assert_eq!(e.mentions.dates.len(), 1);
        assert_eq!(e.mentions.dates[0].date, None);
        assert!(e
            .diagnostics
            .iter()
            .any(|d| d.code == "relative_date_unresolved"));
    }

    #[test]
    fn numbers_in_any_script_and_words() {
        check_numbers("قتل ٧ و۱۲ و 15", &[Some(7), Some(12), Some(15)]);
        check_numbers("خمسة", &[Some(5)]);
        check_numbers("ثلاثة عشر", &[Some(13)]);
        check_numbers("خمسة وعشرين", &[Some(25)]);
        check_numbers("50 ألف", &[Some(50_000)]);
        check_numbers("عشرات", &[None]);
        check_numbers("twenty-five", &[Some(25)]);
    }

    #[test]
    fn casualties() {
        check_event(
            "مقتل 4 مدنيين وإصابة 7 آخرين بقصف مدفعي على بلدة كفرنبل",
            "shelling_artillery_missile - كفرنبل Unknown k=4 i=7",
        );
        check_event(
            "غارة على بلدة كفرنبل. وارتفعت الحصيلة إلى 11 قتيلا",
            "air_drone_strike - كفرنبل Unknown k=11 i=-",
        );
        check_event(
            "جرح طفلين بقصف مدفعي على بلدة كفرنبل",
            "shelling_artillery_missile - كفرنبل Unknown k=- i=2",
        );
        check_event(
            "قصفت قوات النظام بلدة كفرنبل بعشرات القذائف ما أدى إلى مقتل العشرات",
            "shelling_artillery_missile - كفرنبل SyrianGovernment k=- i=-",
        );
        check_event(
            "قتل سبعة مدنيين، بينهم ثلاثة أطفال، في غارات روسية على مدينة أريحا",
            "air_drone_strike - أريحا Russia k=7 i=-",
        );
    }

    #[test]
    fn places_clitics_variants_and_regions() {
        let e = x().extract(
            "قصف على كفر نبل وبمدينة أريحا ولقرية إحسم وفي ريف حماة الشمالي",
            pubd(),
        );
        let got: Vec<(String, Option<u32>, Option<String>, String)> = e
            .mentions
            .places
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.geonameid,
                    p.admin1.clone(),
                    p.kind.clone(),
                )
            })
            .collect();
        assert_eq!(got[0].0, "كفر نبل");
        assert_eq!(
            got[0].1,
            x().extract("كفرنبل", None).mentions.places[0].geonameid
        );
        assert_eq!(got[1].0, "أريحا");
        assert_eq!(got[2].0, "إحسم");
        assert_eq!(
            (got[3].0.as_str(), got[3].2.as_deref(), got[3].3.as_str()),
            ("ريف حماة الشمالي", Some("SY-HM"), "region")
        );
        let e = x().extract(
            "Russian jets struck Maarat al-Numan and Khan Sheikhoun",
            pubd(),
        );
        let names: Vec<Option<u32>> = e.mentions.places.iter().map(|p| p.geonameid).collect();
        assert_eq!(names.len(), 2);
        assert_eq!(
            names[0],
            x().extract("معرة النعمان", None).mentions.places[0].geonameid
        );
        assert_eq!(
            names[1],
            x().extract("خان شيخون", None).mentions.places[0].geonameid
        );
    }

    #[test]
    fn governorate_readings() {
        let kind = |s: &str| x().extract(s, pubd()).mentions.places[0].kind.clone();
        assert_eq!(kind("في محافظة إدلب"), "governorate");
        assert_eq!(kind("جنوبي إدلب"), "region");
        assert_eq!(kind("في مدينة إدلب"), "place");
        assert_eq!(kind("in southern Idlib"), "region");
    }

    #[test]
    fn unlisted_village_takes_governorate_from_region_phrase() {
        check_event(
            "قصفت قوات النظام قرية الفطيرة بريف إدلب الجنوبي",
            "shelling_artillery_missile - الفطيرة SyrianGovernment k=- i=-",
        );
        let e = x().extract("قصفت قوات النظام قرية الفطيرة بريف إدلب الجنوبي", pubd());
        assert_eq!(e.events[0].location.admin1.as_deref(), Some("SY-ID"));
        assert_eq!(e.events[0].location.geonameid, None);
    }

    #[test]
    fn actors_perpetrator_and_target() {
        check_event(
            "هاجمت هيئة تحرير الشام مواقع قوات النظام في بلدة كفرنبل",
            "armed_clash - كفرنبل Hts k=- i=-",
        );
        let e = x().extract(
            "هاجمت هيئة تحرير الشام مواقع قوات النظام في بلدة كفرنبل",
            pubd(),
        );
        assert_eq!(e.events[0].target, Some(Actor::SyrianGovernment));
        check_event(
            "ألقى الطيران الحربي الروسي براميل على بلدة كفرنبل",
            "air_drone_strike - كفرنبل Russia k=- i=-",
        );
        check_event(
            "انفجار عبوة ناسفة في مدينة جاسم",
            "remote_explosive - جاسم Unknown k=- i=-",
        );
        check_event(
            "سيطرت قوات النظام على بلدة كفرنبل",
            "government_regains_territory - كفرنبل SyrianGovernment k=- i=-",
        );
        check_event(
            "سيطر تنظيم الدولة على بلدة كفرنبل",
            "non_state_actor_overtakes_territory - كفرنبل Isis k=- i=-",
        );
    }

    #[test]
    fn several_events_and_anaphora() {
        check_event(
            "شنت طائرات حربية روسية غارات على مدينة أريحا أمس. وفي اليوم ذاته قصفت قوات النظام بلدة إحسم. وأدى القصف إلى مقتل مدني.",
            "air_drone_strike 2019-07-15 أريحا Russia k=- i=- | shelling_artillery_missile 2019-07-15 إحسم SyrianGovernment k=1 i=-",
        );
    }

    #[test]
    fn constructions_name_the_doer() {
        // Agent marker after the trigger noun.
        check_event(
            "قتل مدنيان بقصف بقذائف الهاون مصدره حواجز قوات النظام على أطراف مدينة الرستن",
            "shelling_artillery_missile - الرستن SyrianGovernment k=2 i=-",
        );
        // An accusation in a later sentence names the doer when the first does not.
        check_event(
            "سقطت قذائف على مدينة دوما. واتهمت مصادر محلية قوات النظام بالوقوف وراء القصف.",
            "shelling_artillery_missile - دوما SyrianGovernment k=- i=-",
        );
        // "between X and Y": the first side.
        check_event(
            "اندلعت اشتباكات بين حركة أحرار الشام وهيئة تحرير الشام في مدينة سراقب",
            "armed_clash - سراقب OppositionFactions k=- i=-",
        );
        // English: subject before the verb, object after it.
        let e = x().extract(
            "ISIS fighters attacked a Syrian army checkpoint near the town of al-Sukhnah",
            pubd(),
        );
        assert_eq!(e.events[0].perpetrator, Some(Actor::Isis));
        assert_eq!(e.events[0].target, Some(Actor::SyrianGovernment));
    }

    #[test]
    fn inexact_and_back_referenced() {
        check_event(
            "قتل أكثر من 10 مدنيين في غارات على بلدة كفرنبل",
            "air_drone_strike - كفرنبل Unknown k=- i=-",
        );
        check_event(
            "قتل 20 عنصراً على الأقل في غارات على بلدة كفرنبل",
            "air_drone_strike - كفرنبل Unknown k=20 i=-",
        );
        check_event(
            "A car bomb exploded in the centre of Afrin, killing three people. The blast came a day after a similar attack in the nearby town of Azaz.",
            "remote_explosive - Afrin Unknown k=3 i=-",
        );
        // Background with nothing told before: no event.
        let e = x().extract(
            "عاد آلاف النازحين إلى بلداتهم في ريف إدلب الجنوبي بعد توقف القصف",
            pubd(),
        );
        assert!(e.events.is_empty());
        assert_eq!(e.kind, DocKind::Other);
    }

    #[test]
    fn statements_yield_no_events() {
        let e = x().extract(
            "أكد البيان الختامي التقدم المحرز في مكافحة الإرهاب ومحاربة تنظيم الدولة في إدلب",
            pubd(),
        );
        assert_eq!(e.kind, DocKind::Statement);
        assert!(e.events.is_empty());
    }

    #[test]
    fn hostile_input_is_safe() {
        for s in [
            "",
            "\u{200F}\u{202E}",
            "<div class=\"x\">قصف</div> 🚀🔥 على حلب",
            "ﻗﺼﻒ ﻋﻠﻰ ﺇﺩﻟﺐ",
            "قصف".repeat(10_000).as_str(),
            "٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣ قتيلا",
            "مقتل 99999999999999999999 شخص",
        ] {
            let e = x().extract(s, pubd());
            for ev in &e.events {
                for sp in &ev.evidence {
                    assert!(
                        s.is_char_boundary(sp.start)
                            && s.is_char_boundary(sp.end)
                            && sp.end <= s.len()
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn spans_stay_on_char_boundaries(s in "[\\u{0600}-\\u{06FF} a-zA-Z0-9.,/\\u{200F}\\u{0660}-\\u{0669}\\u{FE70}-\\u{FEFF}]{0,80}") {
            let e = x().extract(&s, pubd());
            for p in &e.mentions.places {
                proptest::prop_assert!(s.is_char_boundary(p.start) && s.is_char_boundary(p.end) && p.start <= p.end);
            }
            for n in &e.mentions.numbers {
                proptest::prop_assert!(s.is_char_boundary(n.start) && s.is_char_boundary(n.end));
            }
        }
    }
}

#[cfg(test)]
mod regressions {
    use super::*;

    /// Found by cargo-fuzz: a coordinated count near u32::MAX overflowed.
    #[test]
    fn huge_coordinated_counts_saturate() {
        let x = Extractor::builtin();
        let e = x.extract(
            "قصف على بلدة كفرنبل ومقتل 4294967295 مدنيا وأربعة من العناصر",
            (2019, 7, 16),
        );
        assert_eq!(e.events[0].killed, Some(u32::MAX));
        let e = x.extract("مقتل 99999999999999999 ألف شخص", (2019, 7, 16));
        assert!(e.mentions.numbers.iter().any(|n| n.value == Some(u64::MAX)));
    }
}
