//! Input records and their prepared (normalized, interned) form.

use std::collections::HashMap;

use crate::normalize::{
    detect_script, field_part, fold, join_parts, name_parts, parse_date, parse_sex, parse_year,
    DatePrecision, NamePart, Script, DOUBLE_NAME_HEADS,
};

/// One list entry as read from a file: every field is free text, empty when
/// absent. Only `record_id` and one name column (`full_name` or `first`) are
/// required.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawRecord {
    pub record_id: String,
    pub source: String,
    pub full_name: String,
    pub first: String,
    pub father: String,
    pub grandfather: String,
    pub family: String,
    pub mother: String,
    pub sex: String,
    pub birth_year: String,
    pub place: String,
    pub event_date: String,
    pub script: String,
}

/// Sentinel for "missing" in interned ids.
pub const NONE: u32 = u32::MAX;

/// An interned name part: canonical text and cross-script skeleton.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tok {
    pub text: u32,
    /// Text with the typo classes of its script merged (ح/ه, ت/ط, ...),
    /// vowel letters kept: محمد and محمود stay apart.
    pub merged: u32,
    pub skel: u32,
    /// Alternative skeleton (ambiguous Latin digraphs), else `skel`.
    pub alt: u32,
    /// Vowel slots (see [`crate::normalize::vowel_slots_arabic`]).
    pub vowels: u32,
}

impl Tok {
    pub const MISSING: Tok = Tok {
        text: NONE,
        merged: NONE,
        skel: NONE,
        alt: NONE,
        vowels: NONE,
    };
    pub fn is_missing(self) -> bool {
        self.skel == NONE
    }
}

/// Position certainty of the last part of a name given as one string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tail {
    /// Split columns, or four parts and more.
    #[default]
    Fixed,
    /// Two parts: the second (stored as father) may be the family name.
    FatherOrFamily,
    /// Three parts: the third (stored as family) may be the grandfather
    /// when the family name was dropped.
    FamilyOrGrandfather,
}

/// Maximum number of place tokens kept.
pub const PLACE_TOKENS: usize = 3;

/// Skeletons of the titles that open a compound family name (الشيخ, الحاج).
const FAMILY_TITLES: &[&str] = &["cx", "hj"];

/// A record ready for comparison: all strings interned.
#[derive(Clone, Copy, Debug)]
pub struct Prepared {
    pub script: Script,
    /// How sure the position of the last name part is.
    pub tail: Tail,
    pub first: Tok,
    pub father: Tok,
    pub grandfather: Tok,
    pub family: Tok,
    /// The family slot holds an أبو compound (kunya or family name).
    pub family_kunya: bool,
    pub mother: Tok,
    /// Mother's family name, when given.
    pub mother_family: Tok,
    /// 0 unknown, 1 male, 2 female.
    pub sex: u8,
    /// 0 unknown.
    pub year: u16,
    /// Event (arrest, disappearance) day since 1970-01-01 and its precision.
    pub event: Option<(i32, DatePrecision)>,
    /// Interned source (list) name, `NONE` when not given.
    pub source: u32,
    /// Skeleton ids of place tokens (most specific first), `NONE`-padded.
    pub place: [u32; PLACE_TOKENS],
    /// Index of the alternative reading in [`Interner::alt`], `NONE` if none.
    pub alt: u32,
}

/// String interner shared by texts and skeletons, plus the place-token
/// relations learnt from the data: a record giving "الباب، حلب" teaches that
/// الباب and حلب refer to nested places, so a record saying only الباب and
/// another saying only حلب are not in disagreement.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    map: HashMap<String, u32, FnvBuild>,
    strs: Vec<String>,
    /// First 15 bytes of each string, length-prefixed: skeletons are short
    /// ASCII, and Jaro–Winkler on this inline copy avoids a pointer chase.
    short: Vec<[u8; 16]>,
    related: std::collections::HashSet<u64, FnvBuild>,
    /// Alternative readings of records (double given names).
    alts: Vec<Prepared>,
}

/// FNV-1a: a fast hasher for the engine's internal maps (keys are not
/// attacker-chosen in a batch job, and SipHash dominated interning time).
#[derive(Clone, Copy, Debug, Default)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn write_u64(&mut self, v: u64) {
        let h = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(v as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Hasher builder for [`Fnv`].
pub type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

fn pair_key(a: u32, b: u32) -> u64 {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    ((x as u64) << 32) | y as u64
}

impl Interner {
    /// Record that two place tokens occurred together in one place field.
    pub fn relate(&mut self, a: u32, b: u32) {
        if a != b {
            self.related.insert(pair_key(a, b));
        }
    }
    /// Whether two place tokens were seen together.
    pub fn related(&self, a: u32, b: u32) -> bool {
        self.related.contains(&pair_key(a, b))
    }
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.strs.len() as u32;
        self.strs.push(s.to_string());
        let mut short = [0u8; 16];
        let n = s.len().min(15);
        short[0] = n as u8;
        short[1..=n].copy_from_slice(&s.as_bytes()[..n]);
        self.short.push(short);
        self.map.insert(s.to_string(), i);
        i
    }
    /// The alternative reading of a record, if it has one.
    pub fn alt(&self, p: &Prepared) -> Option<&Prepared> {
        self.alts.get(p.alt as usize)
    }
    pub fn get(&self, id: u32) -> &str {
        &self.strs[id as usize]
    }
    /// Up to 15 leading bytes of a string (whole skeletons in practice).
    pub fn bytes(&self, id: u32) -> &[u8] {
        let s = &self.short[id as usize];
        &s[1..=s[0] as usize]
    }
    pub fn len(&self) -> usize {
        self.strs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.strs.is_empty()
    }
}

/// Normalized but not yet interned record (computed in parallel).
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    pub script: Option<Script>,
    pub tail: Tail,
    pub first: Option<NamePart>,
    pub father: Option<NamePart>,
    pub grandfather: Option<NamePart>,
    pub family: Option<NamePart>,
    pub mother: Option<NamePart>,
    pub mother_family: Option<NamePart>,
    pub sex: u8,
    pub year: u16,
    pub event: Option<(i32, DatePrecision)>,
    pub place: Vec<String>,
    pub source: String,
    /// Alternative reading of the name parts (double given name), sharing
    /// every other field with this one.
    pub alt: Option<Box<Normalized>>,
}

/// Latin exonyms of Syrian governorate capitals and large towns, mapped to
/// the skeleton of their Arabic name (transliteration cannot bridge these).
const EXONYMS: &[(&str, &str)] = &[
    ("aleppo", "hlb"),
    ("alep", "hlb"),
    ("damascus", "dmck"),
    ("damas", "dmck"),
    ("latakia", "lzk"),
    ("lattakia", "lzk"),
    ("lattaquie", "lzk"),
    ("homs", "hms"),
    ("hama", "hm"),
    ("idlib", "adlb"),
    ("idleb", "adlb"),
    ("raqqa", "rk"),
    ("deir", "dr"),
    ("daraa", "dr"),
    ("deraa", "dr"),
    ("hasakah", "hsk"),
    ("hassake", "hsk"),
    ("tartus", "trts"),
    ("tartous", "trts"),
    ("quneitra", "knytr"),
    ("sweida", "swd"),
    ("suwayda", "swd"),
];

impl Normalized {
    /// Place the parts of a full name written as one string.
    fn assign_positions(&mut self, parts: Vec<NamePart>) {
        let mut it = parts.into_iter();
        match it.len() {
            0 => {}
            1 => self.first = it.next(),
            2 => {
                self.first = it.next();
                self.father = it.next();
                self.tail = Tail::FatherOrFamily;
            }
            3 => {
                self.first = it.next();
                self.father = it.next();
                self.family = it.next();
                self.tail = Tail::FamilyOrGrandfather;
            }
            k => {
                self.first = it.next();
                self.father = it.next();
                self.grandfather = it.next();
                self.family = it.nth(k - 4);
            }
        }
    }

    pub fn from_raw(r: &RawRecord) -> Normalized {
        let mut n = Normalized::default();
        // A whole name typed into `first` with the other name columns empty
        // is a full name, not one (very long) given name.
        let only_first = [&r.father, &r.grandfather, &r.family]
            .iter()
            .all(|f| f.trim().is_empty())
            && r.full_name.trim().is_empty()
            && name_parts(&r.first).len() >= 2;
        let have_split = !r.first.trim().is_empty() && !only_first;
        if have_split {
            n.first = field_part(&r.first);
            n.father = field_part(&r.father);
            n.grandfather = field_part(&r.grandfather);
            n.family = field_part(&r.family);
        } else {
            let full = if only_first { &r.first } else { &r.full_name };
            let mut parts = name_parts(&strip_parenthesized(full));
            // A kunya (أبو فلان) before the name, or after a lineage of at
            // least three names, is a nickname. A third part «أبو زيد» may
            // be a family name: it stays, and the comparison treats a
            // disagreeing أبو-family as unknown.
            // A kunya on a double name (أبو محمد علي) is split by the
            // tokenizer after «أبو محمد»: before the name, the next part may
            // be its tail or the given name (both readings are kept); after
            // a lineage of at least three names, it is the tail.
            let mut kunya_alt = None;
            if parts.len() >= 3 && is_kunya(&parts[0]) {
                let k = parts.remove(0);
                if parts.len() >= 3 && is_double_kunya(&k) {
                    kunya_alt = Some(parts[1..].to_vec());
                }
            }
            let k = parts.len();
            if k >= 4 && parts.last().is_some_and(is_kunya) {
                parts.pop();
            } else if k >= 5 && is_double_kunya(&parts[k - 2]) {
                parts.truncate(k - 2);
            }
            // A compound family name «الشيخ موسى», «الحاج علي» (Sheikh Mousa,
            // el-Hajj Ali) after at least a first and a father's name is one
            // family name, as when it is typed into the family column.
            let k = parts.len();
            if k >= 4 && FAMILY_TITLES.contains(&parts[k - 2].skel.as_str()) {
                if let Some(j) = join_parts(&parts[k - 2..]) {
                    parts.truncate(k - 2);
                    parts.push(j);
                }
            }
            // A double given name (محمد علي) reads as first and father; keep
            // the reading with both parts as the given name as an alternative.
            // «محمد محمد علي …» is not the double name «محمد محمد»: a second
            // head opens the father's double name instead (below).
            let head = |p: &NamePart| DOUBLE_NAME_HEADS.contains(&p.skel.as_str());
            if let Some(alt_parts) = kunya_alt {
                let mut alt = Normalized::default();
                alt.assign_positions(alt_parts);
                n.alt = Some(Box::new(alt));
            } else if parts.len() >= 3 && head(&parts[0]) && !head(&parts[1]) {
                let mut alt = Normalized::default();
                let mut joined = vec![join_parts(&parts[..2]).unwrap_or_else(|| parts[0].clone())];
                joined.extend_from_slice(&parts[2..]);
                alt.assign_positions(joined);
                n.alt = Some(Box::new(alt));
            }
            // The same for a father with a double given name («زينب محمد خير
            // شعبان»: father محمد خير), when the given name is not one.
            if n.alt.is_none() && parts.len() >= 3 && head(&parts[1]) {
                let mut alt = Normalized::default();
                let mut joined = vec![parts[0].clone()];
                joined.push(join_parts(&parts[1..3]).unwrap_or_else(|| parts[1].clone()));
                joined.extend_from_slice(&parts[3..]);
                alt.assign_positions(joined);
                n.alt = Some(Box::new(alt));
            }
            n.assign_positions(parts);
        }
        let mut mother = name_parts(&r.mother).into_iter();
        n.mother = mother.next();
        n.mother_family = mother.last();
        n.script = match fold(&r.script).as_str() {
            "ar" | "arab" | "arabic" | "عربي" => Some(Script::Arabic),
            "la" | "lat" | "latn" | "latin" | "en" | "fr" => Some(Script::Latin),
            _ => n.first.as_ref().or(n.family.as_ref()).map(|p| p.script),
        };
        if n.script.is_none() && !r.full_name.is_empty() {
            n.script = Some(detect_script(&r.full_name));
        }
        n.sex = parse_sex(&r.sex).unwrap_or(0);
        n.year = parse_year(&r.birth_year).unwrap_or(0);
        n.event = parse_date(&r.event_date);
        n.place = place_skeletons(&r.place);
        n.source = fold(&r.source);
        if let Some(mut alt) = n.alt.take() {
            alt.mother = n.mother.clone();
            alt.mother_family = n.mother_family.clone();
            alt.script = n.script;
            alt.sex = n.sex;
            alt.year = n.year;
            alt.event = n.event;
            alt.place = n.place.clone();
            alt.source = n.source.clone();
            n.alt = Some(alt);
        }
        n
    }

    /// Skeletons of first, father, grandfather, family and mother (empty
    /// when missing) and the place tokens joined by spaces: the normalized
    /// columns exported for peer tools.
    pub fn skeleton_columns(&self) -> [String; 6] {
        let s = |p: &Option<NamePart>| p.as_ref().map(|p| p.skel.clone()).unwrap_or_default();
        [
            s(&self.first),
            s(&self.father),
            s(&self.grandfather),
            s(&self.family),
            s(&self.mother),
            self.place.join(" "),
        ]
    }

    pub fn has_name(&self) -> bool {
        self.first.is_some() || self.family.is_some()
    }
}

/// Merge the letters most often confused in typing (ح/ه، ت/ط، س/ص،
/// ذ/ز/ظ، ق/ك) and collapse doubled letters (a stuck key); vowel letters
/// are kept, so محمد and محمود stay apart. Arabic letters come out as one
/// ASCII byte each.
pub fn merge_typo_classes(s: &str) -> String {
    let mut prev = '\0';
    s.chars()
        .map(|c| match c {
            'ه' => 'ح',
            'ط' => 'ت',
            'ص' => 'س',
            'ذ' | 'ظ' => 'ز',
            'ك' => 'ق',
            c => c,
        })
        .filter(|&c| {
            let keep = c != prev;
            prev = c;
            keep
        })
        // One byte per Arabic letter (0x21..=0x4A), so Jaro–Winkler can run
        // on bytes with the right window.
        .map(|c| match c {
            '\u{0621}'..='\u{064A}' => char::from(0x21 + (c as u32 - 0x0621) as u8),
            c => c,
        })
        .collect()
}

/// A joined أبو compound (kunya or family name).
pub fn is_kunya(p: &NamePart) -> bool {
    p.text.starts_with("ابو") || p.text.starts_with("abu")
}

/// A kunya on the head of a double given name (أبو محمد, أبو أحمد): the
/// son's name may go on (أبو محمد علي).
fn is_double_kunya(p: &NamePart) -> bool {
    is_kunya(p)
        && ["ابو", "abu"].iter().any(|a| {
            p.text.strip_prefix(a).is_some_and(|rest| {
                let rest = crate::normalize::name_parts(rest);
                rest.len() == 1 && DOUBLE_NAME_HEADS.contains(&rest[0].skel.as_str())
            })
        })
}

/// Drop "(...)" segments: nicknames and kunyas written in parentheses.
fn strip_parenthesized(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn place_skeletons(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tok in fold(s).split(' ').filter(|t| !t.is_empty()) {
        let skels: Vec<String> = match EXONYMS.iter().find(|(k, _)| *k == tok) {
            Some((_, v)) => vec![v.to_string()],
            None => name_parts(tok).into_iter().map(|p| p.skel).collect(),
        };
        for skel in skels {
            if !out.contains(&skel) {
                out.push(skel);
            }
        }
    }
    out.truncate(PLACE_TOKENS);
    out
}

impl Prepared {
    pub fn intern(n: &Normalized, it: &mut Interner) -> Prepared {
        let alt = match &n.alt {
            Some(a) => {
                let p = Prepared::intern(a, it);
                it.alts.push(p);
                (it.alts.len() - 1) as u32
            }
            None => NONE,
        };
        let mut tok = |p: &Option<NamePart>| match p {
            Some(p) => Tok {
                text: it.id(&p.text),
                merged: it.id(&p.merged),
                skel: it.id(&p.skel),
                alt: it.id(&p.skel_alt),
                vowels: it.id(&p.vowels),
            },
            None => Tok::MISSING,
        };
        let first = tok(&n.first);
        let father = tok(&n.father);
        let grandfather = tok(&n.grandfather);
        let family = tok(&n.family);
        let mother = tok(&n.mother);
        let mother_family = tok(&n.mother_family);
        let source = if n.source.is_empty() {
            NONE
        } else {
            it.id(&format!("\u{1}{}", n.source))
        };
        let mut place = [NONE; PLACE_TOKENS];
        for (slot, p) in place.iter_mut().zip(&n.place) {
            *slot = it.id(p);
        }
        for x in 0..PLACE_TOKENS {
            for y in x + 1..PLACE_TOKENS {
                if place[y] != NONE {
                    it.relate(place[x], place[y]);
                }
            }
        }
        Prepared {
            alt,
            script: n.script.unwrap_or(Script::Arabic),
            tail: n.tail,
            first,
            father,
            grandfather,
            family,
            family_kunya: n.family.as_ref().is_some_and(is_kunya),
            mother,
            mother_family,
            sex: n.sex,
            year: n.year,
            event: n.event,
            place,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_name_positions() {
        let r = RawRecord {
            full_name: "محمد عبد الله الأحمد".into(),
            ..Default::default()
        };
        let n = Normalized::from_raw(&r);
        assert_eq!(n.first.unwrap().text, "محمد");
        assert_eq!(n.father.unwrap().text, "عبدالله");
        assert_eq!(n.family.unwrap().text, "احمد");
        assert!(n.grandfather.is_none());
        assert_eq!(n.script, Some(Script::Arabic));

        let r = RawRecord {
            full_name: "Ahmad Khaled Hasan al-Ali Abu Omar".into(),
            ..Default::default()
        };
        let n = Normalized::from_raw(&r);
        assert_eq!(n.grandfather.unwrap().skel, "hsn");
        assert_eq!(n.family.unwrap().skel, "al");
        assert_eq!(n.script, Some(Script::Latin));
    }

    #[test]
    fn kunyas_before_and_after_the_name_are_dropped() {
        let first_family = |name: &str| {
            let n = Normalized::from_raw(&RawRecord {
                full_name: name.into(),
                ..Default::default()
            });
            (n.first.unwrap().text, n.family.map(|p| p.text))
        };
        let plain = (String::from("خالد"), Some(String::from("حسن")));
        assert_eq!(first_family("أبو عمر خالد أحمد الحسن"), plain);
        assert_eq!(
            first_family("خالد أحمد محمد الحسن أبو عمر"),
            {
                let n = Normalized::from_raw(&RawRecord {
                    full_name: "خالد أحمد محمد الحسن".into(),
                    ..Default::default()
                });
                (n.first.unwrap().text, n.family.map(|p| p.text))
            }
        );
        assert_eq!(first_family("أبو عبد الرحمن خالد أحمد الحسن"), plain);
        // Three parts: «أبو زيد» may be the family name and stays.
        assert_eq!(
            first_family("خالد أحمد أبو زيد"),
            (String::from("خالد"), Some(String::from("ابوزيد")))
        );
    }

    #[test]
    fn a_kunya_on_a_double_name_is_dropped_whole() {
        let n = |full: &str| {
            Normalized::from_raw(&RawRecord {
                full_name: full.into(),
                ..Default::default()
            })
        };
        let text = |p: &Option<NamePart>| p.as_ref().map(|p| p.text.clone());
        // After a lineage: «أبو محمد خير» is the kunya, «خير» no family.
        let r = n("احمد يوسف النزار أبو محمد خير");
        assert_eq!(text(&r.family).as_deref(), Some("نزار"));
        // Before the name: «علي» is the kunya's tail or the given name.
        let r = n("أبو محمد علي هشام ابراهيم وليد شحادة");
        assert_eq!(text(&r.first).as_deref(), Some("علي"));
        let alt = r.alt.as_ref().expect("the reading without «علي»");
        assert_eq!(text(&alt.first).as_deref(), Some("هشام"));
        assert_eq!(text(&alt.father).as_deref(), Some("ابراهيم"));
        // A kunya on a single name is dropped alone, with no alternative.
        let r = n("أبو خالد علي هشام ابراهيم");
        assert_eq!(text(&r.first).as_deref(), Some("علي"));
        assert!(r.alt.is_none());
    }

    #[test]
    fn double_given_name_gets_an_alternative_reading() {
        let n = Normalized::from_raw(&RawRecord {
            full_name: "محمد علي أحمد العلي".into(),
            ..Default::default()
        });
        assert_eq!(n.first.as_ref().unwrap().text, "محمد");
        let alt = n.alt.as_ref().expect("محمد + name reads both ways");
        assert_eq!(alt.first.as_ref().unwrap().text, "محمدعلي");
        assert_eq!(alt.father.as_ref().unwrap().text, "احمد");
        assert_eq!(alt.family.as_ref().unwrap().text, "علي");
        // The joined reading equals the split column «محمد علي».
        assert_eq!(alt.first, field_part("محمد علي"));
        let n = Normalized::from_raw(&RawRecord {
            full_name: "خالد علي أحمد".into(),
            ..Default::default()
        });
        assert!(n.alt.is_none());
        // A father «محمد خير» reads both ways too.
        let n = Normalized::from_raw(&RawRecord {
            full_name: "زينب محمد خير شعبان".into(),
            ..Default::default()
        });
        assert_eq!(n.father.as_ref().unwrap().text, "محمد");
        let alt = n.alt.as_ref().expect("father محمد + name reads both ways");
        assert_eq!(alt.father, field_part("محمد خير"));
        assert_eq!(alt.family.as_ref().unwrap().text, "شعبان");
        // After a given name محمد, a second head opens the father's double
        // name: «محمد محمد» is no double given name.
        let n = Normalized::from_raw(&RawRecord {
            full_name: "محمد محمد علي سلطان".into(),
            ..Default::default()
        });
        let alt = n.alt.as_ref().expect("father محمد علي");
        assert_eq!(alt.first.as_ref().unwrap().text, "محمد");
        assert_eq!(alt.father, field_part("محمد علي"));
    }

    #[test]
    fn a_compound_family_name_is_one_family() {
        let family = |full: &str| {
            let n = Normalized::from_raw(&RawRecord {
                full_name: full.into(),
                ..Default::default()
            });
            (n.grandfather.map(|p| p.skel), n.family.map(|p| p.skel))
        };
        let column = field_part("الشيخ موسى").map(|p| p.skel);
        assert_eq!(column.as_deref(), Some("cxms"));
        assert_eq!(
            family("خالد مصطفى يوسف الشيخ موسى"),
            (Some("ysf".into()), column.clone())
        );
        assert_eq!(family("خالد مصطفى شيخ موسى"), (None, column));
        assert_eq!(
            family("Khaled Moustafa Youssef el-Sheikh Moussa").1,
            field_part("Sheikh Moussa").map(|p| p.skel)
        );
        assert_eq!(family("علي حسن الحاج علي").1.as_deref(), Some("hjal"));
        // «الشيخ» alone in the last slot is the family name.
        assert_eq!(family("مصطفى جهاد إياد الشيخ").1.as_deref(), Some("cx"));
        // Three parts: the title may be a father's name; nothing is joined.
        assert_eq!(family("خالد الشيخ موسى").1.as_deref(), Some("ms"));
    }

    #[test]
    fn a_full_name_in_the_first_column_is_split() {
        let n = Normalized::from_raw(&RawRecord {
            first: "خالد أحمد الحسن".into(),
            ..Default::default()
        });
        assert_eq!(n.first.unwrap().text, "خالد");
        assert_eq!(n.family.unwrap().text, "حسن");
        // With other columns given, «محمد علي» is a double given name.
        let n = Normalized::from_raw(&RawRecord {
            first: "محمد علي".into(),
            father: "أحمد".into(),
            ..Default::default()
        });
        assert_eq!(n.first.unwrap().text, "محمدعلي");
    }

    #[test]
    fn places_and_exonyms() {
        assert_eq!(place_skeletons("حلب - الباب"), vec!["hlb", "b"]);
        assert_eq!(place_skeletons("Aleppo"), vec!["hlb"]);
    }
}
