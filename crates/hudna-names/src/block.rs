//! Blocking: several keys over skeletons, union of their candidate pairs.
//!
//! Each key is a combination of skeleton ids (and birth year), so spelling
//! and script variants share a block. Blocks larger than `cap` (common names:
//! محمد + العلي) are not expanded to all pairs: their members are sorted by
//! (birth year, mother, place) and by (father, grandfather, year), and only
//! pairs within a sliding window are kept (sorted neighbourhood); then
//! sub-blocks on one more attribute (family, mother, birth year, grandfather,
//! father, month of the event, each place token) give all their pairs up to
//! `sub_cap` and are windowed beyond. This bounds the work on frequent names.
//! A batch run also pairs records whose given or father's names are one typo
//! apart while the rest of the three names (or, without a family, the birth
//! year) agree (a deletion neighbourhood, see `typo_pairs`), and a record
//! with a grandfather but no father with those sharing its given name and
//! grandfather; incremental linkage uses the exact keys only.

use rayon::prelude::*;

use crate::normalize::DatePrecision;
use crate::record::{Interner, Prepared, NONE};

/// Number of blocking keys.
pub const NKEYS: usize = 6;

/// Human-readable description of each key.
pub const KEY_NAMES: [&str; NKEYS] = [
    "first+family",
    "first+father+grandfather (or a three-part name's last)",
    "family+mother",
    "first+father",
    "father+family+birth_year",
    "first+mother+birth_year",
];

fn mix(mut h: u64, v: u64) -> u64 {
    h ^= v
        .wrapping_add(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(h << 6)
        .wrapping_add(h >> 2);
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 31)
}

fn key(kind: u64, parts: &[u32]) -> u64 {
    if parts.contains(&NONE) {
        return 0;
    }
    let mut h = mix(0x1234_5678, kind);
    for &p in parts {
        h = mix(h, p as u64);
    }
    h | 1
}

/// The blocking keys of a record; 0 means "no key" (a part is missing).
pub fn keys(p: &Prepared) -> [u64; NKEYS] {
    let y = if p.year == 0 { NONE } else { p.year as u32 };
    [
        key(
            0,
            &[
                p.first.skel,
                if p.tail == crate::record::Tail::FatherOrFamily {
                    p.father.skel
                } else {
                    p.family.skel
                },
            ],
        ),
        // A three-part name may end in its grandfather (family dropped).
        key(
            1,
            &[
                p.first.skel,
                p.father.skel,
                if p.tail == crate::record::Tail::FamilyOrGrandfather {
                    p.family.skel
                } else {
                    p.grandfather.skel
                },
            ],
        ),
        key(2, &[p.family.skel, p.mother.skel]),
        key(3, &[p.first.skel, p.father.skel]),
        key(4, &[p.father.skel, p.family.skel, y]),
        key(5, &[p.first.skel, p.mother.skel, y]),
    ]
}

/// Blocking parameters.
#[derive(Clone, Copy, Debug)]
pub struct BlockConfig {
    /// Blocks up to this size emit all their pairs.
    pub cap: usize,
    /// Window of the sorted neighbourhood inside larger blocks.
    pub window: usize,
    /// Sub-blocks of an oversized block (same key and one more attribute)
    /// up to this size emit all their pairs.
    pub sub_cap: usize,
}

impl Default for BlockConfig {
    fn default() -> Self {
        BlockConfig {
            cap: 40,
            window: 12,
            sub_cap: 60,
        }
    }
}

/// Counts reported by blocking.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockStats {
    pub records: usize,
    /// Distinct candidate pairs.
    pub candidates: usize,
    /// Pairs emitted per key before de-duplication.
    pub per_key: [usize; NKEYS],
    /// Blocks that exceeded the cap and were windowed.
    pub windowed_blocks: usize,
}

impl BlockStats {
    /// 1 − candidates / all pairs.
    pub fn reduction_ratio(&self) -> f64 {
        let n = self.records as f64;
        let all = n * (n - 1.0) / 2.0;
        if all <= 0.0 {
            return 0.0;
        }
        1.0 - self.candidates as f64 / all
    }
}

/// Order used inside oversized blocks.
fn neighbourhood_key(p: &Prepared) -> (u16, u32, u32) {
    (p.year, p.mother.skel, p.place[0])
}

/// Pair `(i, j)` packed with `i < j`.
pub fn pack(i: u32, j: u32) -> u64 {
    let (a, b) = if i < j { (i, j) } else { (j, i) };
    ((a as u64) << 32) | b as u64
}

pub fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

fn window_pairs(members: &[u32], window: usize, out: &mut Vec<u64>) {
    for x in 0..members.len() {
        for y in x + 1..(x + 1 + window).min(members.len()) {
            out.push(pack(members[x], members[y]));
        }
    }
}

/// Number of attributes that split an oversized block into sub-blocks.
const NSUB: usize = 7;

/// Values of sub-block attribute `a` of a record (none when missing): family,
/// mother, birth year, grandfather, father, month of the event (when known
/// to the day or month), and each place token (town or governorate).
fn sub_values(p: &Prepared, a: usize, out: &mut Vec<u32>) {
    out.clear();
    let v = match a {
        0 => p.family.skel,
        1 => p.mother.skel,
        2 => {
            if p.year == 0 {
                NONE
            } else {
                p.year as u32
            }
        }
        3 => p.grandfather.skel,
        4 => p.father.skel,
        5 => match p.event {
            Some((d, DatePrecision::Day | DatePrecision::Month)) => {
                let (y, m, _) = crate::normalize::civil_from_days(d);
                (y * 12 + m as i32) as u32
            }
            _ => NONE,
        },
        _ => {
            out.extend(p.place.iter().copied().filter(|&t| t != NONE));
            return;
        }
    };
    if v != NONE {
        out.push(v);
    }
}

fn all_pairs(members: &[u32], out: &mut Vec<u64>) {
    for (x, &i) in members.iter().enumerate() {
        for &j in &members[x + 1..] {
            out.push(pack(i, j));
        }
    }
}

fn emit_block(
    members: &mut [u32],
    recs: &[Prepared],
    cfg: &BlockConfig,
    out: &mut Vec<u64>,
) -> bool {
    if members.len() <= cfg.cap {
        all_pairs(members, out);
        return false;
    }
    // Two sorted-neighbourhood passes: by (year, mother, place) and by
    // (father, grandfather, year), so a missing year does not hide a match.
    members.sort_unstable_by_key(|&i| neighbourhood_key(&recs[i as usize]));
    window_pairs(members, cfg.window, out);
    members.sort_unstable_by_key(|&i| {
        let p = &recs[i as usize];
        (p.father.skel, p.grandfather.skel, p.year)
    });
    window_pairs(members, cfg.window, out);
    // Then sub-blocks on each further attribute the key does not fix
    // (family, mother, birth year, grandfather, father, event month, place
    // token): two records
    // that share the key and one of them meet even when other attributes
    // are missing or misspelt. Oversized sub-blocks are windowed in turn.
    let mut sub: Vec<(u32, (u16, u32, u32), u32)> = Vec::with_capacity(members.len());
    let mut run: Vec<u32> = Vec::new();
    let mut vals: Vec<u32> = Vec::new();
    for a in 0..NSUB {
        sub.clear();
        for &i in members.iter() {
            let p = &recs[i as usize];
            sub_values(p, a, &mut vals);
            sub.extend(vals.iter().map(|&v| (v, neighbourhood_key(p), i)));
        }
        sub.sort_unstable();
        let mut start = 0;
        while start < sub.len() {
            let mut end = start + 1;
            while end < sub.len() && sub[end].0 == sub[start].0 {
                end += 1;
            }
            let n = end - start;
            // A sub-block as large as the block: the key fixes this attribute.
            if n >= 2 && n < members.len() {
                run.clear();
                run.extend(sub[start..end].iter().map(|x| x.2));
                if n <= cfg.sub_cap {
                    all_pairs(&run, out);
                } else {
                    window_pairs(&run, cfg.window, out);
                }
            }
            start = end;
        }
    }
    true
}

/// Candidate pairs among all records (sorted, distinct). Keys are processed
/// one after the other into a single buffer (sorted and de-duplicated in
/// place between keys) so that peak memory stays near the final size.
pub fn candidate_pairs(
    recs: &[Prepared],
    it: &Interner,
    cfg: &BlockConfig,
) -> (Vec<u64>, BlockStats) {
    // Keys of every record, then of the alternative readings (double given
    // names) with the index of the record they belong to.
    let mut all_keys: Vec<(u32, [u64; NKEYS])> = recs
        .par_iter()
        .enumerate()
        .map(|(i, p)| (i as u32, keys(p)))
        .collect();
    all_keys.extend(
        recs.iter()
            .enumerate()
            .filter_map(|(i, p)| it.alt(p).map(|a| (i as u32, keys(a)))),
    );
    let mut stats = BlockStats {
        records: recs.len(),
        ..Default::default()
    };
    let mut all: Vec<u64> = Vec::new();
    // Two keys at a time: parallel on two cores, bounded extra memory (each
    // key with a large block count is paired with a small one).
    for chunk in [[0usize, 1], [3, 4], [2, 5]] {
        let per: Vec<(usize, Vec<u64>, usize)> = chunk
            .par_iter()
            .map(|&k| {
                let (v, w) = key_pairs(&all_keys, k, recs, cfg);
                (k, v, w)
            })
            .collect();
        for (k, mut v, w) in per {
            stats.per_key[k] = v.len();
            stats.windowed_blocks += w;
            v.par_sort_unstable();
            v.dedup();
            v.shrink_to_fit();
            all.reserve_exact(v.len());
            all.extend_from_slice(&v);
        }
        all.par_sort_unstable();
        all.dedup();
    }
    // Then records one typo apart in the given name or the father's name
    // (with the other two names equal), which share no exact key.
    let typos = [
        TypoPart::First,
        TypoPart::Father,
        TypoPart::FirstByYear,
        TypoPart::FatherByYear,
    ]
    .map(|part| typo_pairs(recs, it, part, cfg));
    let gaps = father_gap_pairs(recs, cfg);
    all.reserve_exact(typos.iter().map(Vec::len).sum::<usize>() + gaps.len());
    for v in &typos {
        all.extend_from_slice(v);
    }
    all.extend_from_slice(&gaps);
    drop((typos, gaps));
    all.par_sort_unstable();
    all.dedup();
    all.shrink_to_fit();
    stats.candidates = all.len();
    (all, stats)
}

/// Pairs of a record that gives a grandfather but no father with records
/// sharing its given name and grandfather: every key with the father
/// misses them. Blocks over `sub_cap` are skipped (common names).
fn father_gap_pairs(recs: &[Prepared], cfg: &BlockConfig) -> Vec<u64> {
    let mut entries: Vec<(u64, u32)> = recs
        .par_iter()
        .enumerate()
        .filter(|(_, p)| !p.first.is_missing() && !p.grandfather.is_missing())
        .map(|(i, p)| (key(7, &[p.first.skel, p.grandfather.skel]), i as u32))
        .collect();
    entries.par_sort_unstable();
    let gap = |i: u32| recs[i as usize].father.is_missing();
    let mut out = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let mut end = start + 1;
        while end < entries.len() && entries[end].0 == entries[start].0 {
            end += 1;
        }
        let block = &entries[start..end];
        if block.len() > 1 && block.len() <= cfg.sub_cap && block.iter().any(|e| gap(e.1)) {
            for (x, a) in block.iter().enumerate() {
                for b in &block[x + 1..] {
                    if gap(a.1) || gap(b.1) {
                        out.push(pack(a.1, b.1));
                    }
                }
            }
        }
        start = end;
    }
    out
}

/// The name part that [`typo_pairs`] lets differ by one typo.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TypoPart {
    /// The given name, with the father's name and the family equal.
    First,
    /// The father's name, with the given name and the family equal.
    Father,
    /// The given name, with the father's name and the birth year equal
    /// (for records without a family name).
    FirstByYear,
    /// The father's name, with the given name and the birth year equal.
    FatherByYear,
}

/// Pairs of records whose given names (or fathers' names) are one typo
/// apart while the other of the two and the family (or, when one record
/// has no family, the birth year) agree: a symmetric
/// deletion neighbourhood. Each record is filed under its skeleton with
/// each letter left out in turn (and whole), so «عمر» and «عر», «خالد»
/// and «خادل» meet. Only pairs whose skeletons differ are emitted (the
/// exact keys cover the others); blocks over `sub_cap` are skipped, as
/// their names are too common for one letter to tell.
fn typo_pairs(recs: &[Prepared], it: &Interner, part: TypoPart, cfg: &BlockConfig) -> Vec<u64> {
    let mut entries: Vec<(u64, u32, u32)> = recs
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, p)| {
            let year = if p.year == 0 { NONE } else { p.year as u32 };
            let (typo, other, third) = match part {
                TypoPart::First => (p.first.skel, p.father.skel, p.family.skel),
                TypoPart::Father => (p.father.skel, p.first.skel, p.family.skel),
                TypoPart::FirstByYear => (p.first.skel, p.father.skel, year),
                TypoPart::FatherByYear => (p.father.skel, p.first.skel, year),
            };
            let mut out = Vec::new();
            if typo == NONE || other == NONE || third == NONE {
                return out.into_iter();
            }
            let s = it.get(typo).as_bytes();
            if s.len() < 2 {
                return out.into_iter();
            }
            let base = mix(mix(0x7e90, other as u64), third as u64);
            for skip in 0..=s.len() {
                let mut h = base;
                for (k, &c) in s.iter().enumerate() {
                    if k != skip {
                        h = mix(h, c as u64);
                    }
                }
                out.push((h, i as u32, typo));
            }
            out.into_iter()
        })
        .collect();
    entries.par_sort_unstable();
    entries.dedup_by_key(|e| (e.0, e.1));
    // With the birth year for context, only pairs the family passes cannot
    // find: one of the two records has no family name.
    let by_year = matches!(part, TypoPart::FirstByYear | TypoPart::FatherByYear);
    let no_family = |i: u32| recs[i as usize].family.is_missing();
    let mut out = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let mut end = start + 1;
        while end < entries.len() && entries[end].0 == entries[start].0 {
            end += 1;
        }
        let block = &entries[start..end];
        if block.len() > 1 && block.len() <= cfg.sub_cap {
            for (x, a) in block.iter().enumerate() {
                for b in &block[x + 1..] {
                    if a.2 != b.2 && (!by_year || no_family(a.1) || no_family(b.1)) {
                        out.push(pack(a.1, b.1));
                    }
                }
            }
        }
        start = end;
    }
    out.par_sort_unstable();
    out.dedup();
    out
}

fn key_pairs(
    all_keys: &[(u32, [u64; NKEYS])],
    k: usize,
    recs: &[Prepared],
    cfg: &BlockConfig,
) -> (Vec<u64>, usize) {
    let mut kv: Vec<(u64, u32)> = all_keys
        .iter()
        .filter(|(_, ks)| ks[k] != 0)
        .map(|(i, ks)| (ks[k], *i))
        .collect();
    kv.sort_unstable();
    // A record whose two readings share a key is in the block once.
    kv.dedup();
    let mut out = Vec::new();
    let mut windowed = 0;
    let mut members: Vec<u32> = Vec::new();
    let mut start = 0;
    while start < kv.len() {
        let mut end = start + 1;
        while end < kv.len() && kv[end].0 == kv[start].0 {
            end += 1;
        }
        if end - start > 1 {
            members.clear();
            members.extend(kv[start..end].iter().map(|x| x.1));
            if emit_block(&mut members, recs, cfg, &mut out) {
                windowed += 1;
            }
        }
        start = end;
    }
    (out, windowed)
}

/// Inverted index of blocking keys, for incremental linkage.
#[derive(Clone, Debug, Default)]
pub struct BlockIndex {
    map: std::collections::HashMap<u64, Vec<u32>>,
}

/// A record's blocking keys and those of its alternative reading, once each.
fn record_keys(p: &Prepared, it: &Interner) -> Vec<u64> {
    let mut ks = keys(p).to_vec();
    if let Some(a) = it.alt(p) {
        ks.extend(keys(a));
    }
    ks.sort_unstable();
    ks.dedup();
    ks
}

impl BlockIndex {
    pub fn insert(&mut self, idx: u32, p: &Prepared, it: &Interner) {
        for k in record_keys(p, it) {
            if k != 0 {
                self.map.entry(k).or_default().push(idx);
            }
        }
    }

    /// Candidates of a record already present in `recs` at `idx`: all members
    /// sharing a key, nearest by (year, mother, place) when a block is large.
    pub fn candidates(
        &self,
        idx: u32,
        recs: &[Prepared],
        it: &Interner,
        cfg: &BlockConfig,
        out: &mut Vec<u32>,
    ) {
        let p = &recs[idx as usize];
        let me = neighbourhood_key(p);
        for k in record_keys(p, it) {
            if k == 0 {
                continue;
            }
            let Some(members) = self.map.get(&k) else {
                continue;
            };
            if members.len() <= cfg.cap {
                out.extend(members.iter().copied().filter(|&j| j != idx));
            } else {
                let mut v: Vec<(u32, u32)> = members
                    .iter()
                    .filter(|&&j| j != idx)
                    .map(|&j| {
                        let o = neighbourhood_key(&recs[j as usize]);
                        let d = (o.0.abs_diff(me.0) as u32) * 4
                            + u32::from(o.1 != me.1) * 2
                            + u32::from(o.2 != me.2);
                        (d, j)
                    })
                    .collect();
                v.sort_unstable();
                out.extend(v.iter().take(cfg.window).map(|x| x.1));
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Normalized, RawRecord};

    fn prepared(rows: &[(&str, &str, &str)]) -> (Interner, Vec<Prepared>) {
        let mut it = Interner::default();
        let recs = rows
            .iter()
            .map(|&(year, place, date)| {
                let n = Normalized::from_raw(&RawRecord {
                    full_name: "محمد أحمد".into(),
                    birth_year: year.into(),
                    place: place.into(),
                    event_date: date.into(),
                    ..Default::default()
                });
                Prepared::intern(&n, &mut it)
            })
            .collect();
        (it, recs)
    }

    #[test]
    fn names_one_typo_apart_meet_in_a_block() {
        let mut it = Interner::default();
        let recs: Vec<Prepared> = [
            "عمر عبد الرزاق حمزة الحراكي",
            "عر عبدالرزاق الحراكي",
            "خالد أحمد الحسن",
            "خالد امحد الحسن",
            "خالد امحد اليوسف",
        ]
        .iter()
        .map(|&full| {
            let n = Normalized::from_raw(&RawRecord {
                full_name: full.into(),
                ..Default::default()
            });
            Prepared::intern(&n, &mut it)
        })
        .collect();
        // No exact key is shared: the typo sits in the given name or the
        // father's name, and the pair shares only father+family or
        // first+family.
        let typo = |part| typo_pairs(&recs, &it, part, &BlockConfig::default());
        assert_eq!(typo(TypoPart::First), vec![pack(0, 1)]);
        assert_eq!(typo(TypoPart::Father), vec![pack(2, 3)]);
        let (pairs, _) = candidate_pairs(&recs, &it, &BlockConfig::default());
        assert!(pairs.binary_search(&pack(0, 1)).is_ok());
        assert!(pairs.binary_search(&pack(2, 3)).is_ok());
        // Another family: no typo pair.
        assert!(pairs.binary_search(&pack(2, 4)).is_err());
    }

    #[test]
    fn without_a_family_the_birth_year_gives_typos_their_context() {
        let mut it = Interner::default();
        let recs: Vec<Prepared> = [
            ("عمر سامر محمد البري", "1998"),
            ("عر سامر", "1998"),
            ("عر سامر محمد البري", "1998"),
            ("عر سامر", "1990"),
        ]
        .iter()
        .map(|&(full, year)| {
            let n = Normalized::from_raw(&RawRecord {
                full_name: full.into(),
                birth_year: year.into(),
                ..Default::default()
            });
            Prepared::intern(&n, &mut it)
        })
        .collect();
        let typo = |part| typo_pairs(&recs, &it, part, &BlockConfig::default());
        // 0–1: no family on one side, same year. 0–2 share a family (the
        // family pass finds them); 0–3 differ in year.
        assert_eq!(typo(TypoPart::FirstByYear), vec![pack(0, 1)]);
        assert_eq!(typo(TypoPart::First), vec![pack(0, 2)]);
    }

    #[test]
    fn a_record_without_its_father_meets_by_its_grandfather() {
        let mut it = Interner::default();
        let recs: Vec<Prepared> = [
            ("مازن", "", "هشام", ""),
            ("مازن", "نزار", "هشام", "النجار"),
            ("مازن", "علي", "هشام", "الخطيب"),
            ("مازن", "", "خالد", ""),
        ]
        .iter()
        .map(|&(first, father, grandfather, family)| {
            let n = Normalized::from_raw(&RawRecord {
                first: first.into(),
                father: father.into(),
                grandfather: grandfather.into(),
                family: family.into(),
                ..Default::default()
            });
            Prepared::intern(&n, &mut it)
        })
        .collect();
        let mut pairs = father_gap_pairs(&recs, &BlockConfig::default());
        pairs.sort_unstable();
        // Both records with a father and the grandfather هشام; not the two
        // with fathers (their own keys), nor another grandfather.
        assert_eq!(pairs, vec![pack(0, 1), pack(0, 2)]);
    }

    #[test]
    fn a_three_part_name_shares_the_lineage_key_of_a_full_one() {
        let mut it = Interner::default();
        let k = |full: &str, it: &mut Interner| {
            let n = Normalized::from_raw(&RawRecord {
                full_name: full.into(),
                ..Default::default()
            });
            keys(&Prepared::intern(&n, it))
        };
        // «كمال» may be the grandfather of a name without its family.
        let short = k("أمين حسان كمال", &mut it);
        let full = k("أمين حسان كمال الزيات", &mut it);
        assert_ne!(short[1], 0);
        assert_eq!(short[1], full[1]);
        assert_ne!(short[1], k("أمين حسان علي كمال", &mut it)[1]);
    }

    #[test]
    fn oversized_blocks_pair_records_sharing_an_event_month_or_a_place() {
        // Ten «محمد أحمد» (one block over the cap). Records 0 and 1 share
        // only the month of the event, 2 and 3 only a town (at different
        // precision); their birth years (a typo, a wrong guess) put the
        // other records between them in every sorted pass.
        let mut rows = vec![
            ("1950", "", "2013-04-07"),
            ("1990", "", "2013-04"),
            ("1951", "الباب", ""),
            ("1991", "حلب، الباب", ""),
        ];
        let years = ["1960", "1965", "1970", "1975", "1980", "1985"];
        rows.extend(years.iter().map(|&y| (y, "", "")));
        let (it, recs) = prepared(&rows);
        let cfg = BlockConfig {
            cap: 2,
            window: 1,
            sub_cap: 60,
        };
        let (pairs, stats) = candidate_pairs(&recs, &it, &cfg);
        assert!(stats.windowed_blocks > 0);
        assert!(pairs.binary_search(&pack(0, 1)).is_ok(), "event month");
        assert!(pairs.binary_search(&pack(2, 3)).is_ok(), "place");
        // Records with nothing in common but the key are not all paired.
        assert!(pairs.binary_search(&pack(0, 3)).is_err());
    }
}
