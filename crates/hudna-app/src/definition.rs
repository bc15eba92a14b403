//! Reading an agreement definition: `agreement.toml` plus GeoJSON.
//!
//! The TOML is turned into a JSON value first (dates become `YYYY-MM-DD`
//! strings), and one walker builds the domain [`Agreement`] from that value,
//! collecting every problem instead of stopping at the first. Geometry
//! references (`zones.geojson#idlib-2017`) are resolved and inlined while
//! walking, so the walker's output document is self-contained: that document
//! is what the store keeps, and reading it back goes through the same walker
//! (with nothing left to resolve).

use chrono::NaiveDate;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use hudna_core::{
    parse_day, Agreement, AgreementId, Commitment, CommitmentStatus, Consent, Decision,
    Designation, ExtensionRule, Interval, LocalId, Mandate, MonitoringPost, Names, Party, PartyId,
    Role, Round, Rule, SecurityShape, SecurityZone, Side, Zone, ZoneId, ZoneStatus, ZoneVersion,
};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// One thing wrong with a definition, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub feature: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(i) = self.feature {
            write!(f, ": feature {i}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// How strict loading is.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Reverse rings wound the wrong way instead of refusing them.
    pub fix_winding: bool,
}

/// A validated agreement and the self-contained document to store.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub agreement: Agreement,
    pub doc: Value,
    /// Things repaired on request (`--fix-winding`), reported but not fatal.
    pub notes: Vec<Problem>,
}

/// Loads and validates an agreement directory. Nothing is returned unless
/// every check passes; the error lists every problem found.
pub fn load_dir(dir: &Path, opts: LoadOptions) -> Result<Loaded, Vec<Problem>> {
    let toml_path = dir.join("agreement.toml");
    let shown = toml_path.display().to_string();
    let text = match std::fs::read_to_string(&toml_path) {
        Ok(t) => t,
        Err(e) => {
            return Err(vec![Problem {
                file: shown,
                line: None,
                feature: None,
                field: String::new(),
                message: format!(
                    "cannot read it ({e}); an agreement directory holds agreement.toml and its GeoJSON files"
                ),
            }])
        }
    };
    load_text(shown, &text, &DirFiles(dir), opts)
}

/// Where a definition's companion files (GeoJSON, statements) come from.
pub trait Files {
    /// How to name `rel` in messages.
    fn show(&self, rel: &str) -> String;
    /// Its text, or why it cannot be had.
    fn read(&self, rel: &str) -> Result<String, String>;
}

/// Files under an agreement directory; paths that leave it are refused.
struct DirFiles<'a>(&'a Path);

impl Files for DirFiles<'_> {
    fn show(&self, rel: &str) -> String {
        self.0.join(rel).display().to_string()
    }
    fn read(&self, rel: &str) -> Result<String, String> {
        let path = safe_join(self.0, rel)?;
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }
}

/// Files given in memory as (name, text) pairs (tests, fuzzing, uploads).
pub struct MemFiles<'a>(pub &'a [(&'a str, &'a str)]);

impl Files for MemFiles<'_> {
    fn show(&self, rel: &str) -> String {
        rel.to_owned()
    }
    fn read(&self, rel: &str) -> Result<String, String> {
        safe_join(Path::new(""), rel)?;
        self.0
            .iter()
            .find(|(n, _)| *n == rel)
            .map(|(_, t)| (*t).to_owned())
            .ok_or_else(|| format!("no file {rel:?}"))
    }
}

/// Validates a definition given as text, with its companion files.
pub fn load_text(
    shown: String,
    text: &str,
    files: &dyn Files,
    opts: LoadOptions,
) -> Result<Loaded, Vec<Problem>> {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            return Err(vec![Problem {
                file: shown,
                line,
                feature: None,
                field: String::new(),
                message: format!("not valid TOML: {}", e.message()),
            }]);
        }
    };
    let mut doc = toml_to_json(toml::Value::Table(table));
    let locator = Locator::new(text);
    let mut w = Walker {
        file: shown,
        locator: Some(&locator),
        dir: Some(files),
        geo_cache: HashMap::new(),
        problems: vec![],
        notes: vec![],
        opts,
        bbox: None,
    };
    let agreement = w.agreement(&mut doc);
    if w.problems.is_empty() {
        Ok(Loaded {
            agreement: agreement.expect("no problems means built"),
            doc,
            notes: w.notes,
        })
    } else {
        Err(w.problems)
    }
}

/// Rebuilds an agreement from a stored, self-contained document.
pub fn from_doc(doc: &Value) -> Result<Agreement, Vec<Problem>> {
    let mut doc = doc.clone();
    let mut w = Walker {
        file: "(stored definition)".into(),
        locator: None,
        dir: None,
        geo_cache: HashMap::new(),
        problems: vec![],
        notes: vec![],
        opts: LoadOptions::default(),
        bbox: None,
    };
    let a = w.agreement(&mut doc);
    if w.problems.is_empty() {
        Ok(a.expect("built"))
    } else {
        Err(w.problems)
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Finds the line of a field in the TOML source from its path
/// (`zone[1].version[0].valid_from`), by walking table headers.
struct Locator {
    /// (header path like "zone.version", line) for every `[..]`/`[[..]]` header.
    headers: Vec<(String, bool, usize)>,
    lines: Vec<String>,
}

impl Locator {
    fn new(text: &str) -> Self {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut headers = vec![];
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            if let Some(h) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
                headers.push((h.trim().to_owned(), true, i + 1));
            } else if let Some(h) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
                headers.push((h.trim().to_owned(), false, i + 1));
            }
        }
        Locator { headers, lines }
    }

    /// `path` is a list of (key, index) segments; the last one names the field.
    fn line(&self, path: &[(String, Option<usize>)]) -> Option<usize> {
        let mut start = 1usize;
        let mut end = self.lines.len() + 1;
        let mut prefix = String::new();
        let (field, tables) = path.split_last()?;
        for (key, idx) in tables {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(key);
            let mut n = 0usize;
            let mut found = None;
            for (pos, (h, _, line)) in self.headers.iter().enumerate() {
                if *line < start || *line >= end || *h != prefix {
                    continue;
                }
                if idx.unwrap_or(0) == n {
                    let next = self.headers[pos + 1..]
                        .iter()
                        .find(|(h2, _, l2)| {
                            *l2 < end && (*h2 == prefix || !h2.starts_with(&format!("{prefix}.")))
                        })
                        .map(|x| x.2)
                        .unwrap_or(end);
                    found = Some((*line, next));
                    break;
                }
                n += 1;
            }
            match found {
                Some((s, e)) => {
                    start = s;
                    end = e;
                }
                None => return None,
            }
        }
        let key = &field.0;
        for ln in start..end {
            let l = self.lines.get(ln - 1)?.trim_start();
            if l.starts_with('[') && ln != start {
                // a nested header: the key is not in this table's own lines
                continue;
            }
            if let Some(rest) = l.strip_prefix(key.as_str()) {
                if rest.trim_start().starts_with('=') {
                    return Some(ln);
                }
            }
        }
        Some(start)
    }
}

struct Walker<'a> {
    file: String,
    locator: Option<&'a Locator>,
    dir: Option<&'a dyn Files>,
    geo_cache: HashMap<String, Result<Value, String>>,
    problems: Vec<Problem>,
    notes: Vec<Problem>,
    opts: LoadOptions,
    bbox: Option<[f64; 4]>,
}

type Path_ = Vec<(String, Option<usize>)>;

fn seg(p: &Path_, key: &str) -> Path_ {
    let mut v = p.clone();
    v.push((key.to_owned(), None));
    v
}
fn idx(p: &Path_, key: &str, i: usize) -> Path_ {
    let mut v = p.clone();
    v.push((key.to_owned(), Some(i)));
    v
}
fn show(p: &Path_) -> String {
    p.iter()
        .map(|(k, i)| match i {
            Some(i) => format!("{k}[{i}]"),
            None => k.clone(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Walker<'_> {
    fn problem(&mut self, path: &Path_, message: impl Into<String>) {
        let line = self.locator.and_then(|l| l.line(path));
        self.problems.push(Problem {
            file: self.file.clone(),
            line,
            feature: None,
            field: show(path),
            message: message.into(),
        });
    }

    fn geo_problem(&mut self, file: &str, feature: Option<usize>, field: String, message: String) {
        self.problems.push(Problem {
            file: file.to_owned(),
            line: None,
            feature,
            field,
            message,
        });
    }

    fn str_opt(&mut self, obj: &Map<String, Value>, p: &Path_, key: &str) -> Option<String> {
        match obj.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(
                    &seg(p, key),
                    format!("expected text, found {}", kind(other)),
                );
                None
            }
        }
    }
    fn str_req(&mut self, obj: &Map<String, Value>, p: &Path_, key: &str) -> Option<String> {
        let v = self.str_opt(obj, p, key);
        if v.is_none() && !obj.contains_key(key) {
            self.problem(&seg(p, key), "missing (required)");
        }
        v
    }
    fn names(&mut self, obj: &Map<String, Value>, p: &Path_) -> Names {
        Names {
            ar: self.str_req(obj, p, "name_ar").unwrap_or_default(),
            en: self.str_req(obj, p, "name_en").unwrap_or_default(),
        }
    }
    fn date_opt(&mut self, obj: &Map<String, Value>, p: &Path_, key: &str) -> Option<NaiveDate> {
        let s = self.str_opt(obj, p, key)?;
        match parse_day(&s) {
            Ok(d) => Some(d),
            Err(e) => {
                self.problem(&seg(p, key), e.to_string());
                None
            }
        }
    }
    fn date_req(&mut self, obj: &Map<String, Value>, p: &Path_, key: &str) -> Option<NaiveDate> {
        if !obj.contains_key(key) {
            self.problem(&seg(p, key), "missing (required date, YYYY-MM-DD)");
            return None;
        }
        self.date_opt(obj, p, key)
    }
    fn interval(
        &mut self,
        obj: &Map<String, Value>,
        p: &Path_,
        from: &str,
        to: &str,
    ) -> Option<Interval> {
        let f = self.date_req(obj, p, from)?;
        let t = self.date_opt(obj, p, to);
        match Interval::new(f, t) {
            Ok(i) => Some(i),
            Err(e) => {
                self.problem(&seg(p, to), e.to_string());
                None
            }
        }
    }
    fn str_list(&mut self, obj: &Map<String, Value>, p: &Path_, key: &str) -> Vec<String> {
        match obj.get(key) {
            None => vec![],
            Some(Value::Array(a)) => {
                let mut out = vec![];
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        other => self.problem(
                            &seg(p, key),
                            format!("item {i}: expected text, found {}", kind(other)),
                        ),
                    }
                }
                out
            }
            Some(other) => {
                self.problem(
                    &seg(p, key),
                    format!("expected a list of text, found {}", kind(other)),
                );
                vec![]
            }
        }
    }
    fn tables<'v>(
        &mut self,
        obj: &'v mut Map<String, Value>,
        p: &Path_,
        key: &str,
    ) -> Vec<&'v mut Map<String, Value>> {
        match obj.get_mut(key) {
            None => vec![],
            Some(Value::Array(a)) => {
                let mut out = vec![];
                let mut bad = vec![];
                for (i, v) in a.iter_mut().enumerate() {
                    match v {
                        Value::Object(m) => out.push(m),
                        _ => bad.push(i),
                    }
                }
                for i in bad {
                    self.problem(&idx(p, key, i), "expected a table ([[...]])");
                }
                out
            }
            Some(_) => {
                self.problem(&seg(p, key), "expected an array of tables ([[...]])");
                vec![]
            }
        }
    }
    fn parse_with<T, E: fmt::Display>(
        &mut self,
        p: &Path_,
        key: &str,
        v: Option<String>,
        f: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let v = v?;
        match f(&v) {
            Ok(x) => Some(x),
            Err(e) => {
                self.problem(&seg(p, key), e.to_string());
                None
            }
        }
    }

    fn agreement(&mut self, doc: &mut Value) -> Option<Agreement> {
        let root: Path_ = vec![];
        let Some(obj) = doc.as_object_mut() else {
            self.problem(&root, "the definition must be a table");
            return None;
        };
        let id = self.str_req(obj, &root, "id");
        let id = self.parse_with(&root, "id", id, AgreementId::parse);
        let names = self.names(obj, &root);
        let signed = self.date_req(obj, &root, "signed");
        let source = self.str_opt(obj, &root, "source").unwrap_or_default();
        let approximate = obj
            .get("approximate")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let area_bbox = match obj.get("area_bbox") {
            None => None,
            Some(Value::Array(a)) if a.len() == 4 && a.iter().all(|x| x.as_f64().is_some()) => {
                let b: Vec<f64> = a.iter().filter_map(Value::as_f64).collect();
                if b[0] < b[2] && b[1] < b[3] {
                    Some([b[0], b[1], b[2], b[3]])
                } else {
                    self.problem(
                        &seg(&root, "area_bbox"),
                        "expected lon_min < lon_max and lat_min < lat_max",
                    );
                    None
                }
            }
            Some(_) => {
                self.problem(
                    &seg(&root, "area_bbox"),
                    "expected [lon_min, lat_min, lon_max, lat_max]",
                );
                None
            }
        };
        self.bbox = area_bbox;

        // parties
        let mut parties = vec![];
        for (i, t) in self.tables(obj, &root, "party").into_iter().enumerate() {
            let p = idx(&root, "party", i);
            let pid = self.str_req(t, &p, "id");
            let pid = self.parse_with(&p, "id", pid, PartyId::parse);
            let role = self.str_req(t, &p, "role");
            let role = self.parse_with(&p, "role", role, Role::parse);
            let names = self.names(t, &p);
            let mut actors = self.str_list(t, &p, "actors");
            if let (Some(pid), Some(role)) = (pid, role) {
                if actors.is_empty() {
                    actors.push(pid.to_string());
                }
                if parties.iter().any(|x: &Party| x.id == pid) {
                    self.problem(&seg(&p, "id"), format!("party {pid} is defined twice"));
                }
                parties.push(Party {
                    id: pid,
                    role,
                    names,
                    actors,
                });
            }
        }
        let party_ids: Vec<String> = parties.iter().map(|p| p.id.to_string()).collect();
        let known_party = |s: &str| party_ids.iter().any(|p| p == s);

        // designations
        let mut designations = vec![];
        for (i, t) in self
            .tables(obj, &root, "designation")
            .into_iter()
            .enumerate()
        {
            let p = idx(&root, "designation", i);
            let actor = self.str_req(t, &p, "actor");
            let kind_ = self.str_req(t, &p, "kind");
            let by = self.str_req(t, &p, "by");
            let valid = self.interval(t, &p, "valid_from", "valid_to");
            let note = self.str_opt(t, &p, "note").unwrap_or_default();
            if let (Some(actor), Some(kind_), Some(by), Some(valid)) = (actor, kind_, by, valid) {
                designations.push(Designation {
                    actor,
                    kind: kind_,
                    by,
                    valid,
                    note,
                });
            }
        }

        // mandate
        let mandate = match obj.get_mut("mandate") {
            None => None,
            Some(Value::Object(m)) => {
                let p = seg(&root, "mandate");
                let start = self.date_req(m, &p, "start");
                let term = match m.get("term_months") {
                    Some(Value::Number(n))
                        if n.as_u64().is_some_and(|x| (1..=120).contains(&x)) =>
                    {
                        n.as_u64().map(|x| x as u32)
                    }
                    Some(_) => {
                        self.problem(
                            &seg(&p, "term_months"),
                            "expected a whole number of months, 1 to 120",
                        );
                        None
                    }
                    None => {
                        self.problem(&seg(&p, "term_months"), "missing (required)");
                        None
                    }
                };
                let rule = self.str_req(m, &p, "extension_rule");
                let rule = self.parse_with(&p, "extension_rule", rule, ExtensionRule::parse);
                let until = self.date_opt(m, &p, "until");
                let mut consenting = vec![];
                for c in self.str_list(m, &p, "consenting") {
                    if known_party(&c) {
                        consenting.push(PartyId::parse(&c).expect("known party id"));
                    } else {
                        self.problem(
                            &seg(&p, "consenting"),
                            format!("unknown party {c:?}; parties are: {}", party_ids.join(", ")),
                        );
                    }
                }
                let mut consents = vec![];
                for (i, c) in self.tables(m, &p, "consent").into_iter().enumerate() {
                    let cp = idx(&p, "consent", i);
                    let ext = c.get("extension").and_then(Value::as_u64);
                    if ext.is_none() {
                        self.problem(
                            &seg(&cp, "extension"),
                            "expected the extension number (1 = first renewal)",
                        );
                    }
                    let party = self.str_req(c, &cp, "party");
                    if let Some(pp) = &party {
                        if !consenting.iter().any(|x| x.as_str() == pp) {
                            self.problem(
                                &seg(&cp, "party"),
                                format!("{pp:?} is not among the consenting parties"),
                            );
                        }
                    }
                    let dec = self.str_req(c, &cp, "decision");
                    let dec = self.parse_with(&cp, "decision", dec, Decision::parse);
                    let date = self.date_req(c, &cp, "date");
                    let note = self.str_opt(c, &cp, "note").unwrap_or_default();
                    if let (Some(ext), Some(party), Some(decision), Some(date)) =
                        (ext, party, dec, date)
                    {
                        if let Ok(party) = PartyId::parse(&party) {
                            consents.push(Consent {
                                extension: ext as u32,
                                party,
                                decision,
                                date,
                                note,
                            });
                        }
                    }
                }
                match (start, term, rule) {
                    (Some(start), Some(term_months), Some(rule)) => Some(Mandate {
                        start,
                        term_months,
                        rule,
                        consenting,
                        until,
                        consents,
                    }),
                    _ => None,
                }
            }
            Some(_) => {
                self.problem(&seg(&root, "mandate"), "expected a table [mandate]");
                None
            }
        };

        // zones
        let mut zones = vec![];
        for (i, t) in self.tables(obj, &root, "zone").into_iter().enumerate() {
            let p = idx(&root, "zone", i);
            let zid = self.str_req(t, &p, "id");
            let zid = self.parse_with(&p, "id", zid, ZoneId::parse);
            let number = t.get("number").and_then(Value::as_u64).map(|n| n as u32);
            let names = self.names(t, &p);
            let mut versions: Vec<ZoneVersion> = vec![];
            let mut seen: Vec<(usize, Interval)> = vec![];
            let vtables = self.tables(t, &p, "version");
            if vtables.is_empty() {
                self.problem(
                    &seg(&p, "version"),
                    "a zone needs at least one [[zone.version]]",
                );
            }
            for (j, v) in vtables.into_iter().enumerate() {
                let vp = idx(&p, "version", j);
                let valid = self.interval(v, &vp, "valid_from", "valid_to");
                let status = self.str_req(v, &vp, "status");
                let status = self.parse_with(&vp, "status", status, ZoneStatus::parse);
                let note = self.str_opt(v, &vp, "note").unwrap_or_default();
                let geom = self.geometry(v, &vp);
                if let Some(valid) = valid {
                    if let Some((k, prev)) = seen.iter().find(|(_, x)| x.overlaps(&valid)) {
                        self.problem(
                            &seg(&vp, "valid_from"),
                            format!(
                                "overlaps version {k} ({} to {}); versions of one zone must not overlap in time",
                                prev.from,
                                prev.to.map(|d| d.to_string()).unwrap_or("open".into())
                            ),
                        );
                    }
                    seen.push((j + 1, valid));
                }
                if let (
                    Some(valid),
                    Some(status),
                    Some((geometry, geometry_ref, approximate, source)),
                ) = (valid, status, geom)
                {
                    versions.push(ZoneVersion {
                        seq: j as u32 + 1,
                        valid,
                        status,
                        geometry,
                        geometry_ref,
                        approximate,
                        source,
                        note,
                    });
                }
            }
            let mut security_zones = vec![];
            for (j, s) in self.tables(t, &p, "security_zone").into_iter().enumerate() {
                let sp = idx(&p, "security_zone", j);
                let valid = self.interval(s, &sp, "valid_from", "valid_to");
                let shape = if s.contains_key("geometry") {
                    self.geometry(s, &sp).map(|g| SecurityShape::Area(g.0))
                } else {
                    let w = s.get("band_km").and_then(Value::as_f64);
                    let side = self
                        .str_opt(s, &sp, "side")
                        .unwrap_or_else(|| "outside".into());
                    let side = self.parse_with(&sp, "side", Some(side), Side::parse);
                    match w {
                        Some(w) if w > 0.0 && w <= 100.0 => {
                            side.map(|side| SecurityShape::Band { width_km: w, side })
                        }
                        _ => {
                            self.problem(
                                &seg(&sp, "band_km"),
                                "expected a band width in km (0 < band_km ≤ 100), or a geometry",
                            );
                            None
                        }
                    }
                };
                if let (Some(valid), Some(shape)) = (valid, shape) {
                    security_zones.push(SecurityZone { valid, shape });
                }
            }
            if let Some(zid) = zid {
                if zones.iter().any(|z: &Zone| z.id == zid) {
                    self.problem(&seg(&p, "id"), format!("zone {zid} is defined twice"));
                }
                versions.sort_by_key(|v| v.valid.from);
                zones.push(Zone {
                    id: zid,
                    number,
                    names,
                    versions,
                    security_zones,
                });
            }
        }
        let zone_ids: Vec<String> = zones.iter().map(|z| z.id.to_string()).collect();

        // posts
        let posts = self.posts(obj, &root, &party_ids);

        // rules
        let mut rules = vec![];
        for (i, t) in self.tables(obj, &root, "rule").into_iter().enumerate() {
            let p = idx(&root, "rule", i);
            let rid = self.str_req(t, &p, "id");
            let rid = self.parse_with(&p, "id", rid, LocalId::parse);
            let names = self.names(t, &p);
            let zs = self.str_list(t, &p, "zones");
            let zones_opt = if zs.is_empty() || zs.iter().any(|z| z == "*") {
                None
            } else {
                let mut out = vec![];
                for z in zs {
                    if zone_ids.contains(&z) {
                        out.push(ZoneId::parse(&z).expect("known zone"));
                    } else {
                        self.problem(
                            &seg(&p, "zones"),
                            format!("unknown zone {z:?}; zones are: {}", zone_ids.join(", ")),
                        );
                    }
                }
                Some(out)
            };
            let prohibited = self.str_list(t, &p, "prohibited");
            for ty in &prohibited {
                if hudna_core::vocab::event_type_of(ty).is_none() {
                    self.problem(&seg(&p, "prohibited"), format!("unknown event type {ty:?}; use ACLED sub-event types in snake_case (e.g. shelling_artillery_missile)"));
                }
            }
            let mut bound = vec![];
            for b in self.str_list(t, &p, "bound") {
                if known_party(&b) {
                    bound.push(PartyId::parse(&b).expect("known"));
                } else {
                    self.problem(
                        &seg(&p, "bound"),
                        format!("unknown party {b:?}; parties are: {}", party_ids.join(", ")),
                    );
                }
            }
            let carve_out = self.str_opt(t, &p, "carve_out");
            if let Some(rid) = rid {
                rules.push(Rule {
                    id: rid,
                    names,
                    zones: zones_opt,
                    prohibited,
                    bound,
                    carve_out,
                });
            }
        }

        // rounds
        let mut rounds = vec![];
        for (i, t) in self.tables(obj, &root, "round").into_iter().enumerate() {
            let p = idx(&root, "round", i);
            let rid = self.str_req(t, &p, "id");
            let rid = self.parse_with(&p, "id", rid, LocalId::parse);
            let names = self.names(t, &p);
            let start = self.date_req(t, &p, "start");
            let end = self.date_opt(t, &p, "end").or(start);
            let venue = self.str_opt(t, &p, "venue").unwrap_or_default();
            let participants = self.str_list(t, &p, "participants");
            let statement_ref = self.str_opt(t, &p, "statement");
            let mut statement = t
                .get("statement_text")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if statement.is_none() {
                if let (Some(r), Some(files)) = (&statement_ref, self.dir) {
                    match files.read(r) {
                        Err(why) => self.problem(&seg(&p, "statement"), why),
                        Ok(s) => statement = Some(s),
                    }
                }
                if let Some(s) = &statement {
                    t.insert("statement_text".into(), Value::String(s.clone()));
                }
            }
            if let (Some(s), Some(e)) = (start, end) {
                if e < s {
                    self.problem(&seg(&p, "end"), "a round cannot end before it starts");
                }
            }
            if let (Some(id), Some(start), Some(end)) = (rid, start, end) {
                rounds.push(Round {
                    id,
                    names,
                    start,
                    end,
                    venue,
                    participants,
                    statement,
                    statement_ref,
                });
            }
        }
        let round_ids: Vec<String> = rounds.iter().map(|r| r.id.to_string()).collect();

        let mut commitments = vec![];
        for (i, t) in self
            .tables(obj, &root, "commitment")
            .into_iter()
            .enumerate()
        {
            let p = idx(&root, "commitment", i);
            let cid = self.str_req(t, &p, "id");
            let cid = self.parse_with(&p, "id", cid, LocalId::parse);
            let round = self.str_req(t, &p, "round");
            if let Some(r) = &round {
                if !round_ids.contains(r) {
                    self.problem(&seg(&p, "round"), format!("unknown round {r:?}"));
                }
            }
            let owner = self.str_opt(t, &p, "owner").unwrap_or_default();
            let due = self.date_opt(t, &p, "due");
            let status = self
                .str_opt(t, &p, "status")
                .unwrap_or_else(|| "open".into());
            let status = self.parse_with(&p, "status", Some(status), CommitmentStatus::parse);
            let settled_by = self.str_opt(t, &p, "settled_by");
            let text = Names {
                ar: self.str_opt(t, &p, "text_ar").unwrap_or_default(),
                en: self.str_opt(t, &p, "text_en").unwrap_or_default(),
            };
            if text.ar.is_empty() && text.en.is_empty() {
                self.problem(
                    &seg(&p, "text_ar"),
                    "a commitment needs its text (text_ar and/or text_en)",
                );
            }
            if let (Some(id), Some(round), Some(status)) = (cid, round, status) {
                if let Ok(round) = LocalId::parse(&round) {
                    commitments.push(Commitment {
                        id,
                        round,
                        owner,
                        due,
                        status,
                        settled_by,
                        text,
                    });
                }
            }
        }

        let (id, signed) = (id?, signed?);
        Some(Agreement {
            id,
            names,
            signed,
            source,
            approximate,
            area_bbox,
            parties,
            designations,
            mandate,
            zones,
            posts,
            rules,
            rounds,
            commitments,
        })
    }

    fn load_geojson(&mut self, file: &str) -> Result<Value, String> {
        if let Some(v) = self.geo_cache.get(file) {
            return v.clone();
        }
        let r = match self.dir {
            None => Err("no directory to read geometry from".to_owned()),
            Some(files) => files.read(file).and_then(|text| {
                serde_json::from_str::<Value>(&text).map_err(|e| {
                    format!(
                        "{} is not valid JSON (line {}, column {}): {e}",
                        files.show(file),
                        e.line(),
                        e.column()
                    )
                })
            }),
        };
        self.geo_cache.insert(file.to_owned(), r.clone());
        r
    }

    /// Resolves `geometry` (a `FILE#ID` reference or an inline GeoJSON
    /// geometry), validates it, and inlines it in the document.
    fn geometry(
        &mut self,
        obj: &mut Map<String, Value>,
        p: &Path_,
    ) -> Option<(MultiPolygon<f64>, String, bool, String)> {
        match obj.get("geometry").cloned() {
            None => {
                self.problem(&seg(p, "geometry"), "missing: expected FILE#FEATURE_ID");
                None
            }
            Some(Value::String(r)) => {
                let Some((file, fid)) = r.split_once('#') else {
                    self.problem(
                        &seg(p, "geometry"),
                        format!("{r:?}: expected FILE#FEATURE_ID, e.g. zones.geojson#idlib-2017"),
                    );
                    return None;
                };
                let fc = match self.load_geojson(file) {
                    Ok(v) => v,
                    Err(e) => {
                        self.problem(&seg(p, "geometry"), e);
                        return None;
                    }
                };
                let features = fc
                    .get("features")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_else(|| {
                        if fc.get("type").and_then(Value::as_str) == Some("Feature") {
                            vec![fc.clone()]
                        } else {
                            vec![]
                        }
                    });
                let Some((fi, feat)) = features.iter().enumerate().find(|(_, f)| {
                    f.pointer("/properties/id").and_then(Value::as_str) == Some(fid)
                }) else {
                    self.problem(
                        &seg(p, "geometry"),
                        format!("no feature with properties.id = {fid:?} in {file}"),
                    );
                    return None;
                };
                let approximate = feat
                    .pointer("/properties/approximate")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let source = feat
                    .pointer("/properties/source")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let display = self.dir.map(|d| d.show(file)).unwrap_or(file.to_owned());
                let (mp, fixed) = self.polygonal(
                    feat.get("geometry").unwrap_or(&Value::Null),
                    &display,
                    Some(fi),
                )?;
                obj.insert("geometry".into(), fixed);
                obj.insert("geometry_ref".into(), Value::String(r.clone()));
                obj.insert("approximate".into(), Value::Bool(approximate));
                obj.insert("source".into(), Value::String(source.clone()));
                Some((mp, r, approximate, source))
            }
            Some(g @ Value::Object(_)) => {
                let r = obj
                    .get("geometry_ref")
                    .and_then(Value::as_str)
                    .unwrap_or("inline")
                    .to_owned();
                let approximate = obj
                    .get("approximate")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let source = obj
                    .get("source")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let file = self.file.clone();
                let (mp, fixed) = self.polygonal(&g, &file, None)?;
                obj.insert("geometry".into(), fixed);
                Some((mp, r, approximate, source))
            }
            Some(other) => {
                self.problem(
                    &seg(p, "geometry"),
                    format!("expected FILE#FEATURE_ID, found {}", kind(&other)),
                );
                None
            }
        }
    }

    /// Parses and checks a Polygon or MultiPolygon; returns it with the
    /// (possibly re-wound) GeoJSON geometry.
    fn polygonal(
        &mut self,
        g: &Value,
        file: &str,
        feature: Option<usize>,
    ) -> Option<(MultiPolygon<f64>, Value)> {
        let ty = g.get("type").and_then(Value::as_str).unwrap_or("");
        let coords = g.get("coordinates");
        let polys: Vec<&Value> = match (ty, coords) {
            ("Polygon", Some(c)) => vec![c],
            ("MultiPolygon", Some(Value::Array(ps))) => ps.iter().collect(),
            _ => {
                self.geo_problem(
                    file,
                    feature,
                    "geometry".into(),
                    format!(
                        "expected a Polygon or MultiPolygon with coordinates, found {:?}",
                        ty
                    ),
                );
                return None;
            }
        };
        let before = self.problems.len();
        let mut out_polys = vec![];
        let mut out_json = vec![];
        for (pi, poly) in polys.iter().enumerate() {
            let Some(rings) = poly.as_array() else {
                self.geo_problem(
                    file,
                    feature,
                    format!("coordinates[{pi}]"),
                    "expected a list of rings".into(),
                );
                continue;
            };
            let mut lrings: Vec<Vec<(f64, f64)>> = vec![];
            for (ri, ring) in rings.iter().enumerate() {
                let field = if ty == "Polygon" {
                    format!("coordinates[{ri}]")
                } else {
                    format!("coordinates[{pi}][{ri}]")
                };
                let Some(pts) = ring.as_array() else {
                    self.geo_problem(
                        file,
                        feature,
                        field,
                        "expected a list of [lon, lat] positions".into(),
                    );
                    continue;
                };
                let mut r = vec![];
                for (k, pt) in pts.iter().enumerate() {
                    let xy = pt
                        .as_array()
                        .filter(|a| a.len() >= 2)
                        .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)));
                    match xy {
                        None => self.geo_problem(
                            file,
                            feature,
                            format!("{field}[{k}]"),
                            "expected [lon, lat] numbers".into(),
                        ),
                        Some((lon, lat)) => {
                            if let Some(msg) = self.position_problem(lon, lat) {
                                self.geo_problem(file, feature, format!("{field}[{k}]"), msg);
                            }
                            r.push((lon, lat));
                        }
                    }
                }
                if r.len() < 4 {
                    self.geo_problem(
                        file,
                        feature,
                        field.clone(),
                        format!(
                            "a ring needs at least 4 positions (first = last), found {}",
                            r.len()
                        ),
                    );
                    continue;
                }
                if r.first() != r.last() {
                    self.geo_problem(
                        file,
                        feature,
                        field.clone(),
                        "ring is not closed: its last position must repeat the first".into(),
                    );
                    continue;
                }
                let crossings = self_intersections(&r);
                for (k, at) in &crossings {
                    self.geo_problem(
                        file,
                        feature,
                        format!("{field}[{k}]"),
                        format!("ring crosses itself near lon {:.5}, lat {:.5}", at.0, at.1),
                    );
                }
                if !crossings.is_empty() {
                    continue;
                }
                let area = signed_area(&r);
                let want_ccw = ri == 0;
                if area == 0.0 {
                    self.geo_problem(file, feature, field.clone(), "ring has no area".into());
                    continue;
                }
                if (area > 0.0) != want_ccw {
                    let what = if want_ccw {
                        "exterior ring must be counter-clockwise"
                    } else {
                        "hole must be clockwise"
                    };
                    if self.opts.fix_winding {
                        r.reverse();
                        self.notes.push(Problem {
                            file: file.to_owned(),
                            line: None,
                            feature,
                            field: field.clone(),
                            message: format!("re-wound: {what} (RFC 7946)"),
                        });
                    } else {
                        self.geo_problem(
                            file,
                            feature,
                            field.clone(),
                            format!("{what} (RFC 7946); load with --fix-winding to repair"),
                        );
                    }
                }
                for (k, at) in self_intersections(&r) {
                    self.geo_problem(
                        file,
                        feature,
                        format!("{field}[{k}]"),
                        format!("ring crosses itself near lon {:.5}, lat {:.5}", at.0, at.1),
                    );
                }
                lrings.push(r);
            }
            if lrings.is_empty() {
                continue;
            }
            for (ri, hole) in lrings.iter().enumerate().skip(1) {
                if !point_in_ring(hole[0], &lrings[0]) {
                    self.geo_problem(
                        file,
                        feature,
                        format!("coordinates[{pi}][{ri}]"),
                        "hole lies outside its exterior ring".into(),
                    );
                }
            }
            let to_ls = |r: &Vec<(f64, f64)>| {
                LineString::from(r.iter().map(|&(x, y)| Coord { x, y }).collect::<Vec<_>>())
            };
            out_json.push(Value::Array(
                lrings
                    .iter()
                    .map(|r| {
                        Value::Array(r.iter().map(|&(x, y)| serde_json::json!([x, y])).collect())
                    })
                    .collect(),
            ));
            out_polys.push(Polygon::new(
                to_ls(&lrings[0]),
                lrings[1..].iter().map(to_ls).collect(),
            ));
        }
        if self.problems.len() > before || out_polys.is_empty() {
            if out_polys.is_empty() && self.problems.len() == before {
                self.geo_problem(file, feature, "coordinates".into(), "no polygon".into());
            }
            return None;
        }
        Some((
            MultiPolygon(out_polys),
            serde_json::json!({"type": "MultiPolygon", "coordinates": out_json}),
        ))
    }

    fn position_problem(&self, lon: f64, lat: f64) -> Option<String> {
        if !lon.is_finite() || !lat.is_finite() {
            return Some("coordinate is not a finite number".into());
        }
        let in_range = (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
        let inside =
            |b: &[f64; 4], x: f64, y: f64| x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
        if let Some(b) = &self.bbox {
            if !inside(b, lon, lat) {
                if inside(b, lat, lon) {
                    return Some(format!("[{lon}, {lat}] looks like [lat, lon]: GeoJSON positions are [longitude, latitude]"));
                }
                return Some(format!(
                    "[{lon}, {lat}] lies outside the agreement's area_bbox {b:?}"
                ));
            }
        }
        if !in_range {
            if (-180.0..=180.0).contains(&lat) && (-90.0..=90.0).contains(&lon) {
                return Some(format!("[{lon}, {lat}] is out of range; it looks like [lat, lon] — GeoJSON positions are [longitude, latitude]"));
            }
            return Some(format!(
                "[{lon}, {lat}] is out of range (longitude −180..180, latitude −90..90)"
            ));
        }
        None
    }

    fn posts(
        &mut self,
        obj: &mut Map<String, Value>,
        root: &Path_,
        party_ids: &[String],
    ) -> Vec<MonitoringPost> {
        let p = seg(root, "posts");
        let features: Vec<Value> = match obj.get("posts") {
            None => return vec![],
            Some(Value::Object(m)) => {
                if let Some(Value::Array(inline)) = m.get("features") {
                    inline.clone()
                } else {
                    let Some(file) = m.get("file").and_then(Value::as_str).map(str::to_owned)
                    else {
                        self.problem(&seg(&p, "file"), "missing: the GeoJSON file of posts");
                        return vec![];
                    };
                    match self.load_geojson(&file) {
                        Ok(fc) => fc
                            .get("features")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                        Err(e) => {
                            self.problem(&seg(&p, "file"), e);
                            return vec![];
                        }
                    }
                }
            }
            Some(_) => {
                self.problem(&p, "expected a table [posts] with file = \"posts.geojson\"");
                return vec![];
            }
        };
        let file = obj
            .get("posts")
            .and_then(|m| m.get("file"))
            .and_then(Value::as_str)
            .map(|f| self.dir.map(|d| d.show(f)).unwrap_or(f.to_owned()))
            .unwrap_or_else(|| self.file.clone());
        let mut out = vec![];
        for (i, f) in features.iter().enumerate() {
            let props = f.get("properties").cloned().unwrap_or(Value::Null);
            let get = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_owned);
            let coords = f.pointer("/geometry/coordinates").and_then(Value::as_array);
            let is_point = f.pointer("/geometry/type").and_then(Value::as_str) == Some("Point");
            let xy = coords
                .filter(|c| c.len() >= 2)
                .and_then(|c| Some((c[0].as_f64()?, c[1].as_f64()?)));
            let Some((lon, lat)) = xy.filter(|_| is_point) else {
                self.geo_problem(
                    &file,
                    Some(i),
                    "geometry".into(),
                    "expected a Point with [lon, lat]".into(),
                );
                continue;
            };
            if let Some(m) = self.position_problem(lon, lat) {
                self.geo_problem(&file, Some(i), "geometry.coordinates".into(), m);
                continue;
            }
            let id = get("id").and_then(|s| LocalId::parse(&s).ok());
            let party = get("party");
            let party_ok = party
                .as_deref()
                .is_some_and(|p| party_ids.iter().any(|x| x == p));
            if !party_ok {
                self.geo_problem(
                    &file,
                    Some(i),
                    "properties.party".into(),
                    format!(
                        "unknown party {:?}; parties are: {}",
                        party.unwrap_or_default(),
                        party_ids.join(", ")
                    ),
                );
                continue;
            }
            let from = get("active_from").and_then(|s| parse_day(&s).ok());
            let to = get("active_to").map(|s| parse_day(&s));
            let (Some(id), Some(from)) = (id, from) else {
                self.geo_problem(
                    &file,
                    Some(i),
                    "properties".into(),
                    "each post needs id ([a-z0-9_-]) and active_from (YYYY-MM-DD)".into(),
                );
                continue;
            };
            let to = match to {
                Some(Err(e)) => {
                    self.geo_problem(&file, Some(i), "properties.active_to".into(), e.to_string());
                    continue;
                }
                Some(Ok(d)) => Some(d),
                None => None,
            };
            let Ok(active) = Interval::new(from, to) else {
                self.geo_problem(
                    &file,
                    Some(i),
                    "properties.active_to".into(),
                    "must be after active_from".into(),
                );
                continue;
            };
            out.push(MonitoringPost {
                id,
                names: Names {
                    ar: get("name_ar").unwrap_or_default(),
                    en: get("name_en").unwrap_or_default(),
                },
                party: PartyId::parse(party.as_deref().unwrap_or_default()).expect("checked"),
                lat,
                lon,
                active,
            });
        }
        obj.insert("posts".into(), serde_json::json!({ "features": features }));
        out
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// Joins a relative path under `dir`, refusing absolute paths and `..`.
fn safe_join(dir: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    if p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "{rel:?} leaves the agreement directory; use a path relative to it"
        ));
    }
    Ok(dir.join(p))
}

/// Twice the signed area (shoelace); positive = counter-clockwise.
fn signed_area(r: &[(f64, f64)]) -> f64 {
    r.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

fn point_in_ring(pt: (f64, f64), r: &[(f64, f64)]) -> bool {
    let mut inside = false;
    for w in r.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        if (y1 > pt.1) != (y2 > pt.1) && pt.0 < (x2 - x1) * (pt.1 - y1) / (y2 - y1) + x1 {
            inside = !inside;
        }
    }
    inside
}

/// Pairs of non-adjacent edges that touch or cross: (index of the first edge's start, where).
fn self_intersections(r: &[(f64, f64)]) -> Vec<(usize, (f64, f64))> {
    fn orient(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
        (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
    }
    fn on_seg(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> bool {
        c.0 >= a.0.min(b.0) && c.0 <= a.0.max(b.0) && c.1 >= a.1.min(b.1) && c.1 <= a.1.max(b.1)
    }
    let n = r.len() - 1; // edges
    let mut out = vec![];
    for i in 0..n {
        let (a, b) = (r[i], r[i + 1]);
        for j in i + 1..n {
            if j == i + 1 || (i == 0 && j == n - 1) {
                continue; // adjacent edges share a vertex
            }
            let (c, d) = (r[j], r[j + 1]);
            if a.0.max(b.0) < c.0.min(d.0)
                || c.0.max(d.0) < a.0.min(b.0)
                || a.1.max(b.1) < c.1.min(d.1)
                || c.1.max(d.1) < a.1.min(b.1)
            {
                continue;
            }
            let (o1, o2, o3, o4) = (
                orient(a, b, c),
                orient(a, b, d),
                orient(c, d, a),
                orient(c, d, b),
            );
            let crosses = (o1 * o2 < 0.0 && o3 * o4 < 0.0)
                || (o1 == 0.0 && on_seg(a, b, c))
                || (o2 == 0.0 && on_seg(a, b, d))
                || (o3 == 0.0 && on_seg(c, d, a))
                || (o4 == 0.0 && on_seg(c, d, b));
            if crosses {
                out.push((i, c));
                if out.len() >= 20 {
                    return out;
                }
            }
        }
    }
    out
}
