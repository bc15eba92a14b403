//! An incident's fields from its events ([`aggregate`]), through a
//! [`Tally`]: what the aggregate needs of the events, folded in as they
//! come (in id order), so that an ingest keeps a few dozen bytes a report
//! for each incident it may touch again instead of every event (half a
//! KiB each), and adds a report's events without the others.

use hudna_core::date::day_number;
use hudna_core::vocab::event_type_of;
use hudna_store::{EventRow, IncidentRow, Range};
use std::collections::BTreeSet;

/// Where an event happened, as the incident takes it over.
#[derive(Debug, Clone, PartialEq)]
struct Spot {
    place_name: Option<String>,
    geonameid: Option<u32>,
    admin1: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    geo_precision: Option<u8>,
}

impl Spot {
    fn of(e: &EventRow) -> Spot {
        Spot {
            place_name: e.place_name.clone(),
            geonameid: e.geonameid,
            admin1: e.admin1.clone(),
            lat: e.lat,
            lon: e.lon,
            geo_precision: e.geo_precision,
        }
    }
    /// Lower is more precise; unknown counts as least.
    fn rank(&self) -> u8 {
        self.geo_precision.unwrap_or(9)
    }
}

/// When an event happened, as the incident takes it over.
#[derive(Debug, Clone, PartialEq)]
struct When {
    date: Option<String>,
    date_precision: Option<u8>,
}

impl When {
    fn of(e: &EventRow) -> When {
        When {
            date: e.date.clone(),
            date_precision: e.date_precision,
        }
    }
    fn rank(&self) -> u8 {
        self.date_precision.unwrap_or(9)
    }
}

/// How often each value is given (`unknown` and none not counted), in the
/// order the values were first seen.
#[derive(Debug, Clone, Default, PartialEq)]
struct Counts(Vec<(String, u32)>);

impl Counts {
    fn add(&mut self, v: Option<&str>) {
        let Some(v) = v.filter(|v| *v != "unknown") else {
            return;
        };
        match self.0.iter_mut().find(|(k, _)| k == v) {
            Some(c) => c.1 += 1,
            None => self.0.push((v.to_owned(), 1)),
        }
    }
    /// The most frequent value; of equally frequent ones, the last first
    /// seen (as `Iterator::max_by_key` gives).
    fn mode(&self) -> Option<String> {
        self.0
            .iter()
            .max_by_key(|(_, n)| *n)
            .map(|(k, _)| k.clone())
    }
}

/// What [`aggregate`] needs of an incident's events, folded in one at a
/// time ([`Tally::add`]) in id order: the same as aggregating the list.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tally {
    /// The first event's place and date (taken when no event is located,
    /// or dated).
    first: Option<(Spot, When)>,
    /// The first located event of the most precise place.
    place: Option<Spot>,
    /// The first dated event of the most precise date.
    date: Option<When>,
    kinds: Counts,
    perpetrators: Counts,
    targets: Counts,
    /// Each report's largest killed and injured figures, by report id.
    figures: Vec<(i64, Option<u32>, Option<u32>)>,
    /// The reports' source names other than `unknown`.
    names: BTreeSet<String>,
    /// Whether any report has a source at all.
    any_source: bool,
}

impl Tally {
    /// The tally of `events` (in id order) whose reports' sources are
    /// `source_of`.
    pub(crate) fn of<'a>(events: &[EventRow], source_of: impl Fn(i64) -> Option<&'a str>) -> Tally {
        let mut t = Tally::default();
        for e in events {
            t.add(e, source_of(e.report_id));
        }
        t
    }

    /// Folds in the next event, and its report's source.
    pub(crate) fn add(&mut self, e: &EventRow, source: Option<&str>) {
        if self.first.is_none() {
            self.first = Some((Spot::of(e), When::of(e)));
        }
        let spot_rank = e.geo_precision.unwrap_or(9);
        if e.lat.is_some() && self.place.as_ref().is_none_or(|p| spot_rank < p.rank()) {
            self.place = Some(Spot::of(e));
        }
        let when_rank = e.date_precision.unwrap_or(9);
        if e.date.is_some() && self.date.as_ref().is_none_or(|d| when_rank < d.rank()) {
            self.date = Some(When::of(e));
        }
        self.kinds.add(Some(&e.kind));
        self.perpetrators.add(e.perpetrator.as_deref());
        self.targets.add(e.target.as_deref());
        match self.figures.binary_search_by_key(&e.report_id, |f| f.0) {
            Ok(k) => {
                let f = &mut self.figures[k];
                f.1 = f.1.max(e.killed);
                f.2 = f.2.max(e.injured);
            }
            Err(k) => self.figures.insert(k, (e.report_id, e.killed, e.injured)),
        }
        if let Some(s) = source {
            self.any_source = true;
            if s != "unknown" && !self.names.contains(s) {
                self.names.insert(s.to_owned());
            }
        }
    }

    /// The reports it counts.
    pub(crate) fn reports(&self) -> usize {
        self.figures.len()
    }

    /// Gives the reports other ids (provisional ones their real ones).
    pub(crate) fn renumber_reports(&mut self, id: impl Fn(i64) -> i64) {
        for f in &mut self.figures {
            f.0 = id(f.0);
        }
        self.figures.sort_by_key(|f| f.0);
    }
}

fn median(v: &mut [u32]) -> Option<u32> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
}

/// Low, median (the lower of two middle ones) and high of the figures given.
pub(crate) fn range_of(values: impl Iterator<Item = Option<u32>>) -> Range {
    let mut v: Vec<u32> = values.flatten().collect();
    let best = median(&mut v);
    Range {
        low: v.first().copied(),
        best,
        high: v.last().copied(),
    }
}

/// Recomputes an incident's fields from the tally of its events (the most
/// precise place and date, the most reported type and actors, casualty
/// ranges over the reports' largest figures, the number of reports and of
/// sources). Without events, nothing changes.
pub(crate) fn aggregate(i: &mut IncidentRow, t: &Tally) {
    let Some((first_spot, first_when)) = &t.first else {
        return;
    };
    let place = t.place.as_ref().unwrap_or(first_spot);
    i.place_name = place.place_name.clone();
    i.geonameid = place.geonameid;
    i.admin1 = place.admin1.clone();
    i.lat = place.lat;
    i.lon = place.lon;
    i.geo_precision = place.geo_precision;
    let when = t.date.as_ref().unwrap_or(first_when);
    i.date = when.date.clone();
    i.date_precision = when.date_precision;
    i.day = i
        .date
        .as_deref()
        .and_then(|d| hudna_core::parse_day(d).ok())
        .map(day_number);
    if let Some(k) = t.kinds.mode() {
        i.kind = k;
    }
    i.event_group = event_type_of(&i.kind)
        .unwrap_or("strategic_developments")
        .to_owned();
    i.perpetrator = t.perpetrators.mode();
    i.target = t.targets.mode();
    // one figure per report: the largest its events give
    i.killed = range_of(t.figures.iter().map(|f| f.1));
    i.injured = range_of(t.figures.iter().map(|f| f.2));
    i.reports = t.figures.len() as u32;
    i.sources = t
        .names
        .len()
        .max(usize::from(t.any_source && t.names.is_empty())) as u32;
    let mut flags: BTreeSet<&str> = i
        .flags
        .split_whitespace()
        .filter(|f| !matches!(*f, "unresolved_place" | "undated"))
        .collect();
    if i.lat.is_none() {
        flags.insert("unresolved_place");
    }
    if i.day.is_none() {
        flags.insert("undated");
    }
    i.flags = flags.into_iter().collect::<Vec<_>>().join(" ");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;
    use std::collections::BTreeMap;

    /// The aggregate as it was computed from the whole list of events and
    /// their reports' sources, before tallies: the reference.
    fn aggregate_events(i: &mut IncidentRow, events: &[EventRow], sources: &[(i64, String)]) {
        fn mode<'a>(vals: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
            let mut counts: Vec<(&str, usize)> = vec![];
            for v in vals.flatten().filter(|v| *v != "unknown") {
                match counts.iter_mut().find(|(k, _)| *k == v) {
                    Some(c) => c.1 += 1,
                    None => counts.push((v, 1)),
                }
            }
            counts
                .iter()
                .max_by_key(|(_, n)| *n)
                .map(|(k, _)| (*k).to_owned())
        }
        if events.is_empty() {
            return;
        }
        let best_place = events
            .iter()
            .filter(|e| e.lat.is_some())
            .min_by_key(|e| e.geo_precision.unwrap_or(9))
            .or(events.first())
            .unwrap();
        i.place_name = best_place.place_name.clone();
        i.geonameid = best_place.geonameid;
        i.admin1 = best_place.admin1.clone();
        i.lat = best_place.lat;
        i.lon = best_place.lon;
        i.geo_precision = best_place.geo_precision;
        let best_date = events
            .iter()
            .filter(|e| e.date.is_some())
            .min_by_key(|e| e.date_precision.unwrap_or(9))
            .or(events.first())
            .unwrap();
        i.date = best_date.date.clone();
        i.date_precision = best_date.date_precision;
        i.day = i
            .date
            .as_deref()
            .and_then(|d| hudna_core::parse_day(d).ok())
            .map(day_number);
        if let Some(k) = mode(events.iter().map(|e| Some(e.kind.as_str()))) {
            i.kind = k;
        }
        i.event_group = event_type_of(&i.kind)
            .unwrap_or("strategic_developments")
            .to_owned();
        i.perpetrator = mode(events.iter().map(|e| e.perpetrator.as_deref()));
        i.target = mode(events.iter().map(|e| e.target.as_deref()));
        let mut per_report: BTreeMap<i64, (Option<u32>, Option<u32>)> = BTreeMap::new();
        for e in events {
            let slot = per_report.entry(e.report_id).or_default();
            slot.0 = slot.0.max(e.killed);
            slot.1 = slot.1.max(e.injured);
        }
        i.killed = range_of(per_report.values().map(|x| x.0));
        i.injured = range_of(per_report.values().map(|x| x.1));
        i.reports = per_report.len() as u32;
        let names: BTreeSet<&str> = sources
            .iter()
            .map(|(_, s)| s.as_str())
            .filter(|s| *s != "unknown")
            .collect();
        i.sources = names
            .len()
            .max(usize::from(!sources.is_empty() && names.is_empty())) as u32;
        let mut flags: BTreeSet<&str> = i
            .flags
            .split_whitespace()
            .filter(|f| !matches!(*f, "unresolved_place" | "undated"))
            .collect();
        if i.lat.is_none() {
            flags.insert("unresolved_place");
        }
        if i.day.is_none() {
            flags.insert("undated");
        }
        i.flags = flags.into_iter().collect::<Vec<_>>().join(" ");
    }

    fn random_event(g: &mut Rng, id: i64) -> EventRow {
        const KINDS: &[&str] = &[
            "Shelling/artillery/missile attack",
            "Air/drone strike",
            "Armed clash",
            "unknown",
        ];
        const ACTORS: &[&str] = &["regime", "hts", "russia", "unknown"];
        let p = g.below(6) as u8;
        let d = g.below(4) as u8;
        let day = 1 + g.below(28);
        EventRow {
            id,
            report_id: 1 + g.below(12) as i64,
            kind: KINDS[g.below(KINDS.len() as u64) as usize].into(),
            date: g.maybe(|_| format!("2019-03-{day:02}")),
            date_precision: g.maybe(|_| d),
            place_name: g.maybe(|g| format!("place {}", g.below(5))),
            geonameid: g.maybe(|g| g.below(1000) as u32),
            admin1: g.maybe(|_| "Idlib".into()),
            lat: g.maybe(|g| 35.0 + g.below(100) as f64 / 100.0),
            lon: g.maybe(|g| 36.0 + g.below(100) as f64 / 100.0),
            geo_precision: g.maybe(|_| p),
            perpetrator: g.maybe(|g| ACTORS[g.below(4) as usize].into()),
            target: g.maybe(|g| ACTORS[g.below(4) as usize].into()),
            killed: g.maybe(|g| g.below(15) as u32),
            injured: g.maybe(|g| g.below(30) as u32),
            ..Default::default()
        }
    }

    /// Folding events one at a time, in batches, with report ids given
    /// again later, agrees with aggregating the whole list: for thousands
    /// of random incidents whose events tie often (few kinds, actors,
    /// precisions and reports; sources `unknown` or missing).
    #[test]
    fn a_tally_aggregates_as_the_whole_list_does() {
        let mut g = Rng(0x2545_F491_4F6C_DD1D);
        for case in 0..3000 {
            let n = 1 + g.below(40) as usize;
            let events: Vec<EventRow> = (0..n).map(|k| random_event(&mut g, k as i64)).collect();
            let source_of: BTreeMap<i64, &str> = (1..=12)
                .filter_map(|r| match g.below(4) {
                    0 => None,
                    1 => Some((r, "unknown")),
                    k => Some((r, ["SOHR", "SANA"][k as usize - 2])),
                })
                .collect();
            let sources: Vec<(i64, String)> = events
                .iter()
                .map(|e| e.report_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter_map(|r| source_of.get(&r).map(|s| (r, s.to_string())))
                .collect();
            let start = IncidentRow {
                kind: "Armed clash".into(),
                perpetrator: Some("earlier".into()),
                flags: "undated needs_review".into(),
                ..Default::default()
            };
            let mut want = start.clone();
            aggregate_events(&mut want, &events, &sources);
            // folded in two parts, the first kept as a context is
            let cut = g.below(n as u64 + 1) as usize;
            let mut t = Tally::of(&events[..cut], |r| source_of.get(&r).copied());
            for e in &events[cut..] {
                t.add(e, source_of.get(&e.report_id).copied());
            }
            let mut got = start.clone();
            aggregate(&mut got, &t);
            assert_eq!(got, want, "case {case}: {events:?}");
            // renumbered reports (order kept) aggregate alike
            t.renumber_reports(|r| r * 1000 + 7);
            let mut again = start.clone();
            aggregate(&mut again, &t);
            assert_eq!(again, want, "case {case}, renumbered");
        }
        // no events: nothing changes
        let mut i = IncidentRow {
            kind: "x".into(),
            ..Default::default()
        };
        aggregate(&mut i, &Tally::default());
        assert_eq!(i.kind, "x");
    }
}
