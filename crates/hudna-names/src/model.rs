//! Fellegi–Sunter model: comparison vectors, EM training, term-frequency
//! adjusted weights and per-pair explanations.
//!
//! Pairs fall into three classes (Arabic–Arabic, Arabic–Latin, Latin–Latin)
//! with separate m/u/λ: a cross-script "skeleton match" is worth something
//! different from a same-script one, and exact-text agreement is impossible
//! across scripts. EM runs on the histogram of distinct comparison vectors,
//! so training cost does not grow with the number of pairs.

use std::collections::HashMap;
use std::fmt;

use crate::normalize::{jaro_winkler_bytes, vowel_conflict, DatePrecision, Script};
use crate::record::{Interner, Prepared, Tail, Tok, NONE};

/// Number of compared fields.
pub const NF: usize = 10;
/// Upper bound on levels per field (array size).
pub const MAXL: usize = 8;
/// Smallest m probability of a level: a disagreement costs at most
/// log2(M_FLOOR / u) bits.
pub const M_FLOOR: f64 = 0.005;
/// Number of pair classes.
pub const NCLASS: usize = 3;

/// A compared field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    First,
    Father,
    Grandfather,
    Family,
    Mother,
    BirthYear,
    /// Date of the arrest or disappearance the list reports.
    EventDate,
    Place,
    Sex,
    /// Whether both records come from the same list (lists rarely repeat a
    /// person; EM learns how rarely).
    Source,
}

pub const FIELDS: [Field; NF] = [
    Field::First,
    Field::Father,
    Field::Grandfather,
    Field::Family,
    Field::Mother,
    Field::BirthYear,
    Field::EventDate,
    Field::Place,
    Field::Sex,
    Field::Source,
];

const NAME_LEVELS: &[&str] = &[
    "null",
    "different",
    "jw>=0.80",
    "close",
    "near-exact",
    "exact",
];
const FATHER_LEVELS: &[&str] = &[
    "null",
    "different",
    "jw>=0.80",
    "close",
    "near-exact",
    "exact",
    "shifted",
];
/// Father level of a father's name that differs but equals the other
/// record's grandfather, on a record with no grandfather of its own: the
/// father may have been left out of the lineage («سعيد ليث المحمد» for
/// «سعيد حسين ليث المحمد»), or it is another man. EM weighs it.
pub const FATHER_SHIFTED: u8 = 6;
const FAMILY_LEVELS: &[&str] = &[
    "null",
    "different",
    "swapped",
    "jw>=0.80",
    "close",
    "near-exact",
    "exact",
    "differs-tail",
];

/// Family level of a last name that differs where one record's last name
/// may be its grandfather (a three-part name) and the other record has no
/// grandfather to tell.
pub const FAMILY_DIFFERS_TAIL: u8 = 7;
const YEAR_LEVELS: &[&str] = &["null", "diff>=6", "diff=3..5", "diff=2", "diff=1", "exact"];
const EVENT_LEVELS: &[&str] = &[
    "null",
    "different",
    "within-year",
    "within-month",
    "same-day",
];
const MOTHER_LEVELS: &[&str] = &[
    "null",
    "different",
    "jw>=0.80",
    "close",
    "near-exact",
    "exact",
    "full-name",
    "family-differs",
];
const PLACE_LEVELS: &[&str] = &["null", "different", "related", "overlap", "exact"];
const SEX_LEVELS: &[&str] = &["null", "different", "same"];
const SOURCE_LEVELS: &[&str] = &["null", "same list", "different lists"];

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::First => "first",
            Field::Father => "father",
            Field::Grandfather => "grandfather",
            Field::Family => "family",
            Field::Mother => "mother",
            Field::BirthYear => "birth_year",
            Field::EventDate => "event_date",
            Field::Place => "place",
            Field::Sex => "sex",
            Field::Source => "source",
        }
    }
    /// Names of the comparison levels; level 0 is always "null" (weight 0).
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::Father => FATHER_LEVELS,
            Field::Family => FAMILY_LEVELS,
            Field::Mother => MOTHER_LEVELS,
            Field::BirthYear => YEAR_LEVELS,
            Field::EventDate => EVENT_LEVELS,
            Field::Place => PLACE_LEVELS,
            Field::Sex => SEX_LEVELS,
            Field::Source => SOURCE_LEVELS,
            _ => NAME_LEVELS,
        }
    }
}

/// Comparison vector: one level per field.
pub type Gamma = [u8; NF];

/// Pack a pair class and comparison vector into 32 bits (3 bits a level).
pub fn pack_gamma(class: usize, g: &Gamma) -> u32 {
    let mut x = class as u32;
    for &l in g {
        x = (x << 3) | l as u32;
    }
    x
}

/// Inverse of [`pack_gamma`].
pub fn unpack_gamma(mut x: u32) -> (usize, Gamma) {
    let mut g = [0u8; NF];
    for l in g.iter_mut().rev() {
        *l = (x & 7) as u8;
        x >>= 3;
    }
    (x as usize, g)
}

/// Pair class: 0 Arabic–Arabic, 1 Arabic–Latin, 2 Latin–Latin.
pub fn pair_class(a: &Prepared, b: &Prepared) -> usize {
    match (a.script, b.script) {
        (Script::Arabic, Script::Arabic) => 0,
        (Script::Latin, Script::Latin) => 2,
        _ => 1,
    }
}

fn jw_sym(it: &Interner, a: u32, b: u32) -> f64 {
    let (x, y) = (it.bytes(a), it.bytes(b));
    if x <= y {
        jaro_winkler_bytes(x, y)
    } else {
        jaro_winkler_bytes(y, x)
    }
}

/// Levels: 5 same text; 4 same text up to typo classes (same script) or
/// same skeleton (across scripts); 3 same skeleton (same script) or
/// Jaro–Winkler ≥ 0.92 (on typo-merged letters within a script, on
/// skeletons across scripts); 2 Jaro–Winkler ≥ 0.80 or, within a script,
/// one typo apart; 1 different.
fn name_level(it: &Interner, a: Tok, b: Tok, same_script: bool) -> u8 {
    if a.is_missing() || b.is_missing() {
        return 0;
    }
    if a.text == b.text {
        return 5;
    }
    let jw = if same_script {
        if a.merged == b.merged {
            return 4;
        }
        if a.skel == b.skel {
            return 3;
        }
        jw_sym(it, a.merged, b.merged)
    } else {
        if a.skel == b.skel {
            return if vowel_conflict(it.get(a.vowels), it.get(b.vowels)) {
                3
            } else {
                4
            };
        }
        if a.alt == b.skel || a.skel == b.alt {
            return 4;
        }
        jw_sym(it, a.skel, b.skel)
    };
    if jw >= 0.92 {
        3
    } else if jw >= 0.80 || (same_script && one_edit(it.bytes(a.merged), it.bytes(b.merged))) {
        2
    } else {
        1
    }
}

/// Whether two strings (of at least two letters) are one typo apart: one
/// letter left out, added, replaced, or two neighbours swapped (Damerau).
/// Jaro–Winkler misses these in short names: its matching window is zero
/// up to three letters, so «حسن» typed «سن» scores 0.
fn one_edit(a: &[u8], b: &[u8]) -> bool {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if s.len() < 2 || l.len() - s.len() > 1 || s == l {
        return false;
    }
    let i = s.iter().zip(l).take_while(|(x, y)| x == y).count();
    if s.len() < l.len() {
        return s[i..] == l[i + 1..];
    }
    s[i + 1..] == l[i + 1..]
        || (i + 1 < s.len() && s[i] == l[i + 1] && s[i + 1] == l[i] && s[i + 2..] == l[i + 2..])
}

/// Re-read an ambiguous tail against the other record: a two-part name's
/// second part becomes the family name when it fits the other's family name
/// better than its father's; a three-part name's third part becomes the
/// grandfather when it fits the other's grandfather better than its family.
fn resolve_tail(it: &Interner, x: &Prepared, y: &Prepared, same: bool) -> Prepared {
    let mut x = *x;
    match x.tail {
        Tail::FatherOrFamily if y.tail != Tail::FatherOrFamily && !y.family.is_missing() => {
            let as_father = name_level(it, x.father, y.father, same);
            let as_family = name_level(it, x.father, y.family, same);
            if as_family >= 3 && as_family > as_father {
                x.family = x.father;
                x.father = Tok::MISSING;
            }
        }
        Tail::FamilyOrGrandfather if y.tail == Tail::Fixed && !y.grandfather.is_missing() => {
            let as_family = name_level(it, x.family, y.family, same);
            let as_grandfather = name_level(it, x.family, y.grandfather, same);
            if as_grandfather >= 3 && as_grandfather > as_family {
                x.grandfather = x.family;
                x.family = Tok::MISSING;
            }
        }
        _ => {}
    }
    x
}

/// Compare two prepared records. Symmetric by construction. When a record
/// has an alternative reading (a double given name), the reading under which
/// the names agree best is compared.
pub fn compare(it: &Interner, a: &Prepared, b: &Prepared) -> Gamma {
    let mut g = compare_one(it, a, b);
    let (xa, xb) = (it.alt(a), it.alt(b));
    if xa.is_none() && xb.is_none() {
        return g;
    }
    let mut best = (name_agreement(&g), g);
    // Both records may need their alternative reading: two full names of a
    // man whose father is «محمد علي», one with the grandfather and one
    // without, agree only when both fathers are read as the double name.
    for (x, y) in [(xa, Some(b)), (Some(a), xb), (xa, xb)] {
        if let (Some(x), Some(y)) = (x, y) {
            let h = compare_one(it, x, y);
            let cand = (name_agreement(&h), h);
            if cand > best {
                best = cand;
            }
        }
    }
    g = best.1;
    g
}

/// How well the name fields of a comparison vector agree: agreeing fields
/// minus disagreeing ones.
fn name_agreement(g: &Gamma) -> i32 {
    let strong = [3u8, 3, 3, 4, 3];
    (0..5)
        .map(|f| match g[f] {
            0 => 0,
            1 => -1,
            FAMILY_DIFFERS_TAIL if f == 3 => 0,
            FATHER_SHIFTED if f == 1 => 0,
            l if l >= strong[f] => 1,
            _ => 0,
        })
        .sum()
}

fn compare_one(it: &Interner, a: &Prepared, b: &Prepared) -> Gamma {
    let same = a.script == b.script;
    let (a, b) = (&resolve_tail(it, a, b, same), &resolve_tail(it, b, a, same));
    let mut g = [0u8; NF];
    g[0] = name_level(it, a.first, b.first, same);
    g[1] = name_level(it, a.father, b.father, same);
    if g[1] == 1 {
        let shifted = |x: &Prepared, y: &Prepared| {
            x.grandfather.is_missing()
                && !y.grandfather.is_missing()
                && x.father.skel == y.grandfather.skel
        };
        if shifted(a, b) || shifted(b, a) {
            g[1] = FATHER_SHIFTED;
        }
    }
    g[2] = name_level(it, a.grandfather, b.grandfather, same);
    let fam = name_level(it, a.family, b.family, same);
    g[3] = match fam {
        0 => 0,
        1 => {
            // A dropped family name shifts the grandfather into the last slot.
            let swapped = |x: &Prepared, y: &Prepared| {
                !y.grandfather.is_missing() && x.family.skel == y.grandfather.skel
            };
            // «محمد حسن مصطفى» may be first, father and grandfather with the
            // family dropped: against a record without a grandfather its
            // last name is not plainly another family.
            let tail = |x: &Prepared, y: &Prepared| {
                x.tail == Tail::FamilyOrGrandfather && y.grandfather.is_missing()
            };
            if swapped(a, b) || swapped(b, a) {
                2
            } else if a.family_kunya || b.family_kunya {
                // «أبو عمر» in the last slot may be a kunya, not a family.
                0
            } else if tail(a, b) || tail(b, a) {
                FAMILY_DIFFERS_TAIL
            } else {
                1
            }
        }
        l => l + 1,
    };
    g[4] = name_level(it, a.mother, b.mother, same);
    if g[4] >= 4 && !a.mother_family.is_missing() && !b.mother_family.is_missing() {
        g[4] = if a.mother_family.skel == b.mother_family.skel {
            6
        } else {
            7
        };
    }
    g[5] = if a.year == 0 || b.year == 0 {
        0
    } else {
        match a.year.abs_diff(b.year) {
            0 => 5,
            1 => 4,
            2 => 3,
            3..=5 => 2,
            _ => 1,
        }
    };
    g[6] = event_level(a.event, b.event);
    g[7] = place_level(it, &a.place, &b.place);
    g[8] = match (a.sex, b.sex) {
        (0, _) | (_, 0) => 0,
        (x, y) if x == y => 2,
        _ => 1,
    };
    g[9] = if a.source == NONE || b.source == NONE {
        0
    } else if a.source == b.source {
        1
    } else {
        2
    };
    g
}

/// Event dates: same day, within a month, within a year, or further apart;
/// a date known only to the month or year is widened accordingly.
fn event_level(a: Option<(i32, DatePrecision)>, b: Option<(i32, DatePrecision)>) -> u8 {
    let (Some((x, px)), Some((y, py))) = (a, b) else {
        return 0;
    };
    let slack = |p: DatePrecision| match p {
        DatePrecision::Day => 0,
        DatePrecision::Month => 30,
        DatePrecision::Year => 365,
    };
    let d = x.abs_diff(y);
    let tol = slack(px).max(slack(py));
    if d == 0 && tol == 0 {
        4
    } else if d <= 31 + tol {
        3
    } else if d <= 366 + tol {
        2
    } else {
        1
    }
}

fn place_level(it: &Interner, a: &[u32], b: &[u32]) -> u8 {
    let na = a.iter().filter(|&&x| x != NONE).count();
    let nb = b.iter().filter(|&&x| x != NONE).count();
    if na == 0 || nb == 0 {
        return 0;
    }
    let (a, b) = (&a[..na], &b[..nb]);
    let common = a.iter().filter(|x| b.contains(x)).count();
    if common == na && common == nb {
        4
    } else if common > 0 {
        3
    } else if a.iter().any(|&x| b.iter().any(|&y| it.related(x, y))) {
        2
    } else {
        1
    }
}

/// Number of term-frequency tables: one per name field.
const NTF: usize = 5;

/// Term frequencies of skeletons, one table per name field (first, father,
/// grandfather, family, mother). Fields are not pooled: fathers and
/// grandfathers are men (a woman's given name is rarer among all given-name
/// slots than among first names, and pooling made two women's names look
/// rarer than they are), and fathers are another generation with other
/// fashions.
#[derive(Clone, Debug, Default)]
pub struct TermFreq {
    counts: [Vec<u32>; NTF],
    totals: [u64; NTF],
    /// Probability that two random records agree (Σ tf²), per table.
    u_rand: [f64; NTF],
}

fn table_of(f: usize) -> Option<usize> {
    (f < NTF).then_some(f)
}

impl TermFreq {
    pub fn add(&mut self, p: &Prepared) {
        let toks = [
            (0, p.first),
            (1, p.father),
            (2, p.grandfather),
            (3, p.family),
            (4, p.mother),
        ];
        for (t, tok) in toks {
            if tok.is_missing() {
                continue;
            }
            let c = &mut self.counts[t];
            let i = tok.skel as usize;
            if c.len() <= i {
                c.resize(i + 1, 0);
            }
            c[i] += 1;
            self.totals[t] += 1;
        }
    }

    /// Recompute Σ tf² after adding records.
    pub fn finish(&mut self) {
        for t in 0..NTF {
            let n = self.totals[t].max(1) as f64;
            self.u_rand[t] = self.counts[t]
                .iter()
                .map(|&c| (c as f64 / n).powi(2))
                .sum::<f64>()
                .max(1e-9);
        }
    }

    fn tf(&self, t: usize, skel: u32) -> f64 {
        let n = self.totals[t].max(1) as f64;
        let c = self.counts[t]
            .get(skel as usize)
            .copied()
            .unwrap_or(0)
            .max(1) as f64;
        c / n
    }

    /// log2 adjustment for agreeing on `skel` in table `t`: positive for
    /// rare values, negative for common ones, zero on average.
    pub fn adjustment(&self, t: usize, skel: u32) -> f64 {
        (self.u_rand[t] / self.tf(t, skel)).log2().clamp(-6.0, 6.0)
    }
}

/// Trained m/u probabilities and class priors.
#[derive(Clone, Debug)]
pub struct Model {
    pub lambda: [f64; NCLASS],
    pub m: [[[f64; MAXL]; NF]; NCLASS],
    pub u: [[[f64; MAXL]; NF]; NCLASS],
    weights: [[[f64; MAXL]; NF]; NCLASS],
    /// Conditional u for fields that depend on another field among
    /// different people (see [`CONDITIONALS`]): `u_given[c][f]` is the u of
    /// field f's levels among pairs that agree on the field it depends on.
    /// Equal to `u` until set with [`Model::set_u_given`].
    pub u_given: [[[f64; MAXL]; NF]; NCLASS],
    given_weights: [[[f64; MAXL]; NF]; NCLASS],
    /// Scale of the term-frequency adjustment (1.0 = full, as Splink).
    pub tf_scale: f64,
}

/// Fields whose agreement says little once another field agrees, among
/// different people: (field, the field it depends on). Families live in
/// regions, so two namesakes of one family often share a place; given names
/// are gendered, so two people with one given name share their sex. Their u
/// is estimated on pairs of different people that agree on the second field.
pub const CONDITIONALS: [(Field, Field); 2] =
    [(Field::Place, Field::Family), (Field::Sex, Field::First)];

/// Whether a name level is an agreement (close or better).
pub fn name_agrees(f: Field, level: u8) -> bool {
    match f {
        Field::Family => (4..=6).contains(&level),
        _ => (3..=5).contains(&level),
    }
}

fn nlevels(f: usize) -> usize {
    FIELDS[f].levels().len()
}

/// Initial m: mass rising towards the top (agreement) levels.
fn init_m() -> [[f64; MAXL]; NF] {
    let mut m = [[0.0; MAXL]; NF];
    for (f, row) in m.iter_mut().enumerate() {
        let k = nlevels(f);
        let total: f64 = (1..k).map(|l| (l * l * l) as f64).sum();
        for (l, v) in row.iter_mut().enumerate().take(k).skip(1) {
            *v = (l * l * l) as f64 / total;
        }
        if FIELDS[f] == Field::Family {
            // The tail level is a kind of disagreement: start it low.
            row[FAMILY_DIFFERS_TAIL as usize] = row[1];
        }
        if FIELDS[f] == Field::Father {
            row[FATHER_SHIFTED as usize] = row[1];
        }
    }
    m
}

/// One EM training session: pairs sharing one blocking key, with the key's
/// own fields excluded (they agree by construction among these pairs).
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub excluded: [bool; NF],
    pub hist: HashMap<(u8, Gamma), u64>,
}

impl Model {
    /// Splink-style training: u is fixed at its random-pair estimate; m is
    /// estimated by EM in each session on the fields the session's blocking
    /// key does not use, then averaged over sessions. λ is set afterwards
    /// with [`Model::set_lambda`].
    pub fn train(
        sessions: &[Session],
        u_init: &[[[f64; MAXL]; NF]; NCLASS],
        iterations: usize,
    ) -> Model {
        let mut sum_m = [[[0.0; MAXL]; NF]; NCLASS];
        let mut n_m = [[0usize; NF]; NCLASS];
        for sess in sessions {
            let mut m = [init_m(); NCLASS];
            let mut lambda = [0.3; NCLASS];
            let mut seen = [false; NCLASS];
            let entries: Vec<(&(u8, Gamma), &u64)> = sess.hist.iter().collect();
            // A weak prior (M_PRIOR pseudo-matches shaped like the initial m)
            // keeps tiny sessions from drifting; large ones are unaffected.
            const M_PRIOR: f64 = 2.0;
            let m0 = init_m();
            for _ in 0..iterations {
                let mut mc = [[[1e-3; MAXL]; NF]; NCLASS];
                for class in mc.iter_mut() {
                    for (f, row) in class.iter_mut().enumerate() {
                        for (l, v) in row.iter_mut().enumerate() {
                            *v += M_PRIOR * m0[f][l];
                        }
                    }
                }
                let mut lam = [(0.0f64, 0.0f64); NCLASS];
                for (&(c, g), &n) in &entries {
                    let c = c as usize;
                    seen[c] = true;
                    let n = n as f64;
                    let (mut pm, mut pu) = (lambda[c], 1.0 - lambda[c]);
                    for f in (0..NF).filter(|&f| !sess.excluded[f]) {
                        let l = g[f] as usize;
                        if l > 0 {
                            pm *= m[c][f][l];
                            pu *= u_init[c][f][l];
                        }
                    }
                    let w = pm / (pm + pu).max(1e-300);
                    lam[c].0 += n * w;
                    lam[c].1 += n;
                    for f in (0..NF).filter(|&f| !sess.excluded[f]) {
                        let l = g[f] as usize;
                        if l > 0 {
                            mc[c][f][l] += n * w;
                        }
                    }
                }
                for c in 0..NCLASS {
                    if lam[c].1 == 0.0 {
                        continue;
                    }
                    lambda[c] = (lam[c].0 / lam[c].1).clamp(1e-6, 0.999);
                    for f in 0..NF {
                        let k = nlevels(f);
                        let sm: f64 = mc[c][f][1..k].iter().sum();
                        for l in 1..k {
                            m[c][f][l] = mc[c][f][l] / sm;
                        }
                    }
                }
            }
            for c in (0..NCLASS).filter(|&c| seen[c]) {
                for f in (0..NF).filter(|&f| !sess.excluded[f]) {
                    for l in 0..MAXL {
                        sum_m[c][f][l] += m[c][f][l];
                    }
                    n_m[c][f] += 1;
                }
            }
        }
        let mut m = [init_m(); NCLASS];
        for c in 0..NCLASS {
            for f in 0..NF {
                if n_m[c][f] > 0 {
                    for l in 0..MAXL {
                        m[c][f][l] = sum_m[c][f][l] / n_m[c][f] as f64;
                    }
                }
            }
        }
        let mut model = Model {
            lambda: [1e-6; NCLASS],
            m,
            u: *u_init,
            weights: [[[0.0; MAXL]; NF]; NCLASS],
            u_given: *u_init,
            given_weights: [[[0.0; MAXL]; NF]; NCLASS],
            tf_scale: 1.0,
        };
        model.refresh();
        model
    }

    /// Set the prior probability that two random records of a class match.
    pub fn set_lambda(&mut self, lambda: [f64; NCLASS]) {
        self.lambda = lambda.map(|l| l.clamp(1e-12, 0.5));
    }

    /// Set the conditional u of the [`CONDITIONALS`] (other fields' rows
    /// are ignored).
    pub fn set_u_given(&mut self, u: [[[f64; MAXL]; NF]; NCLASS]) {
        self.u_given = u;
        self.refresh();
    }

    /// Log2 Bayes factor of a pair without the prior.
    pub fn log2_bf_gamma(&self, tf: &TermFreq, a: &Prepared, b: &Prepared, g: &Gamma) -> f64 {
        let c = pair_class(a, b);
        g.iter()
            .enumerate()
            .map(|(f, &l)| self.field_weight(c, f, g) + self.tf_adjust(tf, f, l, a, b))
            .sum()
    }

    /// Weight of field `f` in a comparison vector, with the conditional u
    /// when the field it depends on agrees (see [`CONDITIONALS`]).
    fn field_weight(&self, class: usize, f: usize, g: &Gamma) -> f64 {
        let l = g[f];
        if l != 0 {
            for (x, given) in CONDITIONALS {
                if x as usize == f && name_agrees(given, g[given as usize]) {
                    return self.given_weights[class][f][l as usize];
                }
            }
        }
        self.weight(class, f, l)
    }

    fn refresh(&mut self) {
        for c in 0..NCLASS {
            for (f, &field) in FIELDS.iter().enumerate() {
                for l in 1..nlevels(f) {
                    // Real lists hold errors the training pairs may not show
                    // (a wrong sex, another town): no level is impossible.
                    // Lists do repeat people (the reason to deduplicate):
                    // being on the same list is weak evidence at most.
                    let floor = if field == Field::Source {
                        0.1 * self.u[c][f][l]
                    } else {
                        M_FLOOR
                    };
                    let (m, u) = (self.m[c][f][l].max(floor), self.u[c][f][l].max(1e-6));
                    self.weights[c][f][l] = (m / u).log2();
                    let u = self.u_given[c][f][l].max(1e-6);
                    self.given_weights[c][f][l] = (m / u).log2();
                }
            }
        }
    }

    /// Weight (log2 Bayes factor) of one field level, without TF adjustment.
    pub fn weight(&self, class: usize, f: usize, level: u8) -> f64 {
        if level == 0 {
            0.0
        } else {
            self.weights[class][f][level as usize]
        }
    }

    /// log2 prior odds of a match for a pair class.
    pub fn prior(&self, class: usize) -> f64 {
        let l = self.lambda[class];
        (l / (1.0 - l)).log2()
    }

    /// Term-frequency adjustment of an agreeing name field. The agreeing
    /// token is taken from whichever record has the field (a two-part name
    /// may agree through its re-read tail); both carry the same skeleton.
    fn tf_adjust(&self, tf: &TermFreq, f: usize, level: u8, a: &Prepared, b: &Prepared) -> f64 {
        let t = match table_of(f) {
            Some(t) => t,
            None => return 0.0,
        };
        let top = if f == 3 { 5 } else { 4 };
        if level < top
            || (f == 3 && level == FAMILY_DIFFERS_TAIL)
            || (f == 1 && level == FATHER_SHIFTED)
        {
            return 0.0;
        }
        let field = |p: &Prepared| match f {
            0 => p.first,
            1 => p.father,
            2 => p.grandfather,
            3 => p.family,
            _ => p.mother,
        };
        // Both tokens carry the same skeleton unless the agreement came from
        // a re-read (tail, double given name): then their mean, which keeps
        // the score symmetric.
        let (x, y) = (field(a), field(b));
        let adj = match (x.is_missing(), y.is_missing()) {
            (true, true) => return 0.0,
            (false, true) => tf.adjustment(t, x.skel),
            (true, false) => tf.adjustment(t, y.skel),
            _ if x.skel == y.skel => tf.adjustment(t, x.skel),
            _ => 0.5 * (tf.adjustment(t, x.skel) + tf.adjustment(t, y.skel)),
        };
        self.tf_scale * adj
    }

    /// Total log2 Bayes factor (prior included) of a pair.
    pub fn log2_odds(&self, it: &Interner, tf: &TermFreq, a: &Prepared, b: &Prepared) -> f64 {
        let g = compare(it, a, b);
        self.log2_odds_gamma(tf, a, b, &g)
    }

    /// Same as [`Model::log2_odds`] with a precomputed comparison vector.
    pub fn log2_odds_gamma(&self, tf: &TermFreq, a: &Prepared, b: &Prepared, g: &Gamma) -> f64 {
        let c = pair_class(a, b);
        let mut s = self.prior(c);
        for (f, &l) in g.iter().enumerate() {
            s += self.field_weight(c, f, g) + self.tf_adjust(tf, f, l, a, b);
        }
        s
    }

    /// Per-field explanation of a pair's score.
    pub fn explain(&self, it: &Interner, tf: &TermFreq, a: &Prepared, b: &Prepared) -> Explanation {
        let g = compare(it, a, b);
        let c = pair_class(a, b);
        let fields = FIELDS
            .iter()
            .enumerate()
            .map(|(f, &field)| FieldWeight {
                field,
                level: field.levels()[g[f] as usize],
                weight: self.field_weight(c, f, &g),
                tf_adjustment: self.tf_adjust(tf, f, g[f], a, b),
            })
            .collect::<Vec<_>>();
        let prior = self.prior(c);
        let log2_odds = prior
            + fields
                .iter()
                .map(|w| w.weight + w.tf_adjustment)
                .sum::<f64>();
        Explanation {
            prior,
            fields,
            log2_odds,
            probability: probability(log2_odds),
        }
    }
}

/// Match probability from log2 odds.
pub fn probability(log2_odds: f64) -> f64 {
    1.0 / (1.0 + (-log2_odds).exp2())
}

/// Estimate u probabilities from comparison vectors of random pairs.
pub fn u_from_samples(samples: &[(usize, Gamma)]) -> [[[f64; MAXL]; NF]; NCLASS] {
    // A weak prior (U_PRIOR pseudo-pairs) keeps tiny lists sane: with three
    // records that are all one person, random pairs would "show" that names
    // always agree. At realistic sizes the samples dominate.
    const U_PRIOR: f64 = 200.0;
    let mut u = [[[0.0; MAXL]; NF]; NCLASS];
    for class in u.iter_mut() {
        for (f, row) in class.iter_mut().enumerate() {
            let k = nlevels(f);
            for (l, v) in row.iter_mut().enumerate().take(k).skip(1) {
                *v = U_PRIOR * default_u(FIELDS[f], l, k);
            }
        }
    }
    for (c, g) in samples {
        for f in 0..NF {
            u[*c][f][g[f] as usize] += 1.0;
        }
    }
    for class in u.iter_mut() {
        for (f, row) in class.iter_mut().enumerate() {
            let k = nlevels(f);
            let s: f64 = row[1..k].iter().sum();
            for v in row[1..k].iter_mut() {
                *v /= s;
            }
        }
    }
    u
}

/// Prior u of a level: disagreement dominates for names, years and places;
/// sex and source are close to uniform.
fn default_u(f: Field, level: usize, k: usize) -> f64 {
    match f {
        Field::Sex | Field::Source => 1.0 / (k - 1) as f64,
        _ if level == 1 => 0.9,
        _ => 0.1 / (k - 2) as f64,
    }
}

/// One field's contribution to a pair's score.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldWeight {
    pub field: Field,
    pub level: &'static str,
    /// log2(m/u) of the level.
    pub weight: f64,
    /// Term-frequency adjustment (log2), non-zero only on exact agreement.
    pub tf_adjustment: f64,
}

/// Why a pair got its probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub prior: f64,
    pub fields: Vec<FieldWeight>,
    pub log2_odds: f64,
    pub probability: f64,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "prior={:+.2}", self.prior)?;
        for w in &self.fields {
            if w.level == "null" {
                continue;
            }
            write!(f, " {}={}:{:+.2}", w.field.name(), w.level, w.weight)?;
            if w.tf_adjustment != 0.0 {
                write!(f, "(tf{:+.2})", w.tf_adjustment)?;
            }
        }
        write!(f, " => p={:.4}", self.probability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::days_from_civil;
    use crate::record::{Normalized, RawRecord};

    #[test]
    fn event_date_levels() {
        let d = |y, m, day| Some((days_from_civil(y, m, day), DatePrecision::Day));
        let month = |y, m| Some((days_from_civil(y, m, 1), DatePrecision::Month));
        assert_eq!(event_level(d(2013, 4, 7), d(2013, 4, 7)), 4);
        assert_eq!(event_level(d(2013, 4, 7), d(2013, 4, 20)), 3);
        assert_eq!(event_level(d(2013, 4, 7), d(2013, 9, 1)), 2);
        assert_eq!(event_level(d(2013, 4, 7), d(2016, 1, 1)), 1);
        assert_eq!(event_level(d(2013, 4, 7), None), 0);
        // A month-only date matches any day of that month, never exactly.
        assert_eq!(event_level(month(2013, 4), d(2013, 4, 28)), 3);
        assert_eq!(event_level(month(2013, 4), month(2013, 4)), 3);
    }

    fn prepared(names: &[(&str, &str, &str, &str, &str)]) -> (Interner, Vec<Prepared>) {
        let mut it = Interner::default();
        let recs = names
            .iter()
            .map(|&(full, first, father, family, date)| {
                let n = Normalized::from_raw(&RawRecord {
                    full_name: full.into(),
                    first: first.into(),
                    father: father.into(),
                    family: family.into(),
                    event_date: date.into(),
                    ..Default::default()
                });
                Prepared::intern(&n, &mut it)
            })
            .collect();
        (it, recs)
    }

    #[test]
    fn double_given_name_compares_under_its_best_reading() {
        let (it, r) = prepared(&[
            ("", "محمد علي", "أحمد", "العلي", ""),
            ("محمد علي أحمد العلي", "", "", "", ""),
            ("محمد علي حسن العلي", "", "", "", ""),
        ]);
        let g = compare(&it, &r[0], &r[1]);
        assert_eq!(&g[..4], &[5, 5, 0, 6], "{g:?}");
        assert_eq!(g, compare(&it, &r[1], &r[0]));
        // Another man: the father differs under either reading.
        let g = compare(&it, &r[0], &r[2]);
        assert_eq!(g[1], 1, "{g:?}");
    }

    #[test]
    fn both_records_may_need_the_double_father_reading() {
        // Father «محمد علي»; one record drops the family, the other keeps
        // it: read plainly, «سلطان» is a family on one side and a
        // grandfather on the other, and the families differ.
        let (it, r) = prepared(&[
            ("محمد محمد علي سلطان", "", "", "", ""),
            ("محمد محمد علي سلطان العظمة", "", "", "", ""),
        ]);
        let g = compare(&it, &r[0], &r[1]);
        assert_eq!(&g[..4], &[5, 5, 5, 0], "{g:?}");
        assert_eq!(g, compare(&it, &r[1], &r[0]));
    }

    #[test]
    fn one_typo_in_a_short_name_is_similar_not_different() {
        let b = |s: &str| crate::record::merge_typo_classes(s).into_bytes();
        assert!(one_edit(&b("سن"), &b("حسن")), "a letter left out");
        assert!(one_edit(&b("احمد"), &b("امحد")), "neighbours swapped");
        assert!(one_edit(&b("عمر"), &b("عمز")), "a letter replaced");
        assert!(!one_edit(&b("عمر"), &b("عمر")));
        assert!(!one_edit(&b("عمر"), &b("عامري")), "two letters added");
        assert!(!one_edit(&b("ع"), &b("عم")), "too short to tell");
        let (it, r) = prepared(&[
            ("خالد أحمد علي الحسن", "", "", "", ""),
            ("خالد أحمد علي السن", "", "", "", ""),
            ("خالد أحمد علي الحلبي", "", "", "", ""),
        ]);
        assert_eq!(compare(&it, &r[0], &r[1])[3], 3, "jw>=0.80 level");
        assert_eq!(compare(&it, &r[0], &r[2])[3], 1);
    }

    #[test]
    fn a_father_left_out_of_the_lineage_is_its_own_level() {
        let (it, r) = prepared(&[
            ("سعيد ليث المحمد", "", "", "", ""),
            ("سعيد حسين ليث المحمد", "", "", "", ""),
            ("سعيد محمد المحمد", "", "", "", ""),
            ("سعيد ليث خالد المحمد", "", "", "", ""),
        ]);
        // «ليث» is the other record's grandfather: the father may be missing.
        let g = compare(&it, &r[0], &r[1]);
        assert_eq!(g[1], FATHER_SHIFTED, "{g:?}");
        assert_eq!(g, compare(&it, &r[1], &r[0]));
        assert_eq!(name_agreement(&g), 2);
        // Another father's name: a plain disagreement.
        assert_eq!(compare(&it, &r[2], &r[1])[1], 1);
        // Both records name a grandfather: nothing was left out.
        assert_eq!(compare(&it, &r[3], &r[1])[1], 1);
        // Never an agreement, and no term-frequency bonus.
        assert!(!name_agrees(Field::Father, FATHER_SHIFTED));
        let (c, h) = unpack_gamma(pack_gamma(0, &g));
        assert_eq!((c, h[1]), (0, FATHER_SHIFTED));
    }

    #[test]
    fn term_frequencies_are_per_name_field() {
        // «علي» is the commonest father here but a rare given name: agreeing
        // on it says more about the given name than about the father.
        let (_, r) = prepared(&[
            ("", "علي", "حسن", "", ""),
            ("", "خالد", "علي", "", ""),
            ("", "خالد", "علي", "", ""),
            ("", "خالد", "علي", "", ""),
            ("", "خالد", "علي", "", ""),
        ]);
        let mut tf = TermFreq::default();
        for p in &r {
            tf.add(p);
        }
        tf.finish();
        let ali = r[0].first.skel;
        // Pooled over both slots, «علي» would weigh the same in each.
        assert!(tf.adjustment(0, ali) > 1.5, "{}", tf.adjustment(0, ali));
        assert!(tf.adjustment(1, ali) < 0.0, "{}", tf.adjustment(1, ali));
    }

    #[test]
    fn a_kunya_in_the_family_slot_is_not_a_disagreement() {
        let (it, r) = prepared(&[
            ("خالد أحمد أبو زيد", "", "", "", ""),
            ("خالد أحمد الحسن", "", "", "", ""),
            ("خالد أحمد محمد الحموي", "", "", "", ""),
        ]);
        assert_eq!(compare(&it, &r[0], &r[1])[3], 0);
        assert_eq!(compare(&it, &r[2], &r[1])[3], 1);
    }

    #[test]
    fn place_counts_less_once_the_family_agrees() {
        let u = u_from_samples(&[]);
        let mut model = Model::train(&[], &u, 1);
        let mut g: Gamma = [0; NF];
        g[Field::Place as usize] = 4;
        let before = model.field_weight(0, Field::Place as usize, &g);
        // Namesakes of one family share their town one time in three.
        let mut given = u;
        given[0][Field::Place as usize][1..5].copy_from_slice(&[0.5, 0.1, 0.07, 0.33]);
        model.set_u_given(given);
        g[Field::Family as usize] = 1;
        assert_eq!(model.field_weight(0, Field::Place as usize, &g), before);
        g[Field::Family as usize] = 6;
        let after = model.field_weight(0, Field::Place as usize, &g);
        assert!(after < before - 1.0, "{after} vs {before}");
        // Other classes and fields keep their weights.
        assert_eq!(
            model.field_weight(1, Field::Place as usize, &g),
            model.weight(1, Field::Place as usize, 4)
        );
        g[Field::BirthYear as usize] = 5;
        assert_eq!(
            model.field_weight(0, Field::BirthYear as usize, &g),
            model.weight(0, Field::BirthYear as usize, 5)
        );
    }

    #[test]
    fn a_three_part_name_may_end_in_its_grandfather() {
        let (it, r) = prepared(&[
            ("محمد حسن مصطفى", "", "", "", ""),
            ("محمد حسن الصباغ", "", "", "", ""),
            ("محمد حسن علي الصباغ", "", "", "", ""),
            ("", "محمد", "حسن", "الصباغ", ""),
        ]);
        // Without a grandfather on the other side, مصطفى may be one.
        assert_eq!(compare(&it, &r[0], &r[1])[3], FAMILY_DIFFERS_TAIL);
        assert_eq!(compare(&it, &r[1], &r[0])[3], FAMILY_DIFFERS_TAIL);
        // The other record names the grandfather (علي): a plain disagreement.
        assert_eq!(compare(&it, &r[0], &r[2])[3], 1);
        // Split columns say «family»: still unsure on the three-part side.
        assert_eq!(compare(&it, &r[3], &r[0])[3], FAMILY_DIFFERS_TAIL);
        // The tail level is a disagreement, never an agreement.
        let (c, g) = unpack_gamma(pack_gamma(0, &compare(&it, &r[0], &r[1])));
        assert_eq!((c, g[3]), (0, FAMILY_DIFFERS_TAIL));
        assert_eq!(name_agreement(&g), 2);
    }
}
