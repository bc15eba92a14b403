//! Agreements, zones, the mandate, consents and `locate`.

use crate::definition::{self, LoadOptions};
use crate::{AppError, Result};
use chrono::NaiveDate;
use hudna_core::date::day_number;
use hudna_core::{Agreement, Consent, Decision, MandateStatus, PartyId, SecurityShape, ZoneStatus};
use hudna_geo::{AreaInput, AreaShape, PlaceIndex, PlacePoint, Validity, ZoneIndex};
use hudna_store::{AgreementRow, AuditEntry, ConsentRow, PutOutcome, SqliteStore, Store};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// What one indexed area is, for the caller.
#[derive(Debug, Clone, Serialize)]
pub struct AreaRef {
    pub agreement: String,
    pub zone: String,
    pub version: u32,
    pub status: ZoneStatus,
    pub security_zone: bool,
}

/// The spatial view of every stored agreement, built once per change.
pub struct Atlas {
    pub index: ZoneIndex,
    pub areas: Vec<AreaRef>,
}

/// A place of the gazetteer, as `locate` reports it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NearestPlace {
    pub geonameid: u32,
    pub name_ar: Option<String>,
    pub name_en: String,
    pub admin1: Option<String>,
    pub distance_km: f64,
}

/// One zone covering a point on a day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ZoneHit {
    pub agreement: String,
    pub zone: String,
    pub version: u32,
    pub status: ZoneStatus,
    pub security_zone: bool,
}

/// The answer to "where is this point, that day?".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub at: NaiveDate,
    pub zones: Vec<ZoneHit>,
    pub in_security_zone: bool,
    pub border_km: Option<f64>,
    pub nearest_border: Option<String>,
    pub admin1: Option<String>,
    pub nearest_place: Option<NearestPlace>,
}

/// One zone's state on a day.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneState {
    pub agreement: String,
    pub zone: String,
    pub name_ar: String,
    pub name_en: String,
    /// `None` when no version is in force that day.
    pub status: Option<ZoneStatus>,
    pub version: Option<u32>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub security_zones: usize,
    pub approximate: bool,
}

/// A party's decision on one extension of a mandate, to record.
#[derive(Debug, Clone, Copy)]
pub struct NewConsent<'a> {
    pub agreement: &'a str,
    pub party: &'a str,
    pub extension: u32,
    pub decision: Decision,
    pub date: NaiveDate,
    pub note: &'a str,
}

/// What loading an agreement did.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub agreement: String,
    pub outcome: &'static str,
    pub parties: usize,
    pub zones: usize,
    pub versions: usize,
    pub posts: usize,
    pub rules: usize,
    pub rounds: usize,
    pub notes: Vec<String>,
    /// Incident readings that changed because of this load.
    pub reassessed: usize,
}

/// Gazetteer entries used for reverse geocoding.
struct Places {
    index: PlaceIndex,
    rows: Vec<hudna_store::PlaceRow>,
}

/// The application: a store plus the derived, cached views.
pub struct Hudna {
    store: Arc<dyn Store>,
    sqlite: Option<Arc<SqliteStore>>,
    humanitarian: Option<Arc<dyn hudna_store::HumanitarianStore + Send + Sync>>,
    agreements: RwLock<Option<Arc<Vec<Agreement>>>>,
    atlas: RwLock<Option<Arc<Atlas>>>,
    places: OnceLock<Places>,
    pub(crate) extractor: OnceLock<hudna_text::Extractor>,
    /// Merge candidates kept from one ingest call to the next (see
    /// `incidents::CandidateCache`): exact while the audit head is the one
    /// they were read at.
    pub(crate) candidates: Mutex<crate::incidents::CandidateCache>,
}

/// Latitude/longitude as given by a user: checked before use.
pub fn check_point(lat: f64, lon: f64) -> Result<()> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(AppError::BadInput(format!(
            "latitude {lat} is out of range (−90 to 90); give LAT then LON, e.g. 35.614 36.563"
        )));
    }
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(AppError::BadInput(format!(
            "longitude {lon} is out of range (−180 to 180)"
        )));
    }
    Ok(())
}

impl Hudna {
    pub fn with_store(store: Arc<dyn Store>) -> Self {
        Hudna {
            store,
            sqlite: None,
            humanitarian: None,
            agreements: RwLock::new(None),
            atlas: RwLock::new(None),
            places: OnceLock::new(),
            extractor: OnceLock::new(),
            candidates: Mutex::new(Default::default()),
        }
    }

    /// Opens an existing SQLite database.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::with_sqlite(Arc::new(SqliteStore::open(path)?)))
    }

    /// An app over a SQLite store (which also keeps the humanitarian file).
    pub fn with_sqlite(s: Arc<SqliteStore>) -> Self {
        let mut h = Self::with_store(s.clone());
        h.sqlite = Some(s.clone());
        h.humanitarian = Some(s);
        h
    }

    /// An app over a PostgreSQL store (which also keeps the humanitarian
    /// file). The caller may share `pg` (e.g. for accounts): its pool is
    /// shared with it.
    pub fn with_pg(pg: Arc<hudna_store::PgStore>) -> Self {
        let mut h = Self::with_store(pg.clone());
        h.humanitarian = Some(pg);
        h
    }

    /// The humanitarian file's store (SQLite or PostgreSQL).
    pub fn humanitarian(&self) -> Option<&(dyn hudna_store::HumanitarianStore + Send + Sync)> {
        self.humanitarian.as_deref()
    }

    /// The SQLite store, when that is the backend.
    pub fn sqlite(&self) -> Option<&SqliteStore> {
        self.sqlite.as_deref()
    }

    /// Creates (or upgrades) a SQLite database.
    pub fn create(path: &Path) -> Result<Self> {
        Ok(Self::with_sqlite(Arc::new(SqliteStore::create(path)?)))
    }

    /// Opens an existing database: a `postgres://` URL, or else a SQLite
    /// path (through [`Hudna::open`]).
    pub fn open_url(db: &str) -> Result<Self> {
        if hudna_store::is_postgres_url(db) {
            Ok(Self::with_pg(Arc::new(hudna_store::PgStore::open(db)?)))
        } else {
            Self::open(Path::new(db))
        }
    }

    /// Creates (or upgrades) a database: a `postgres://` URL, or else a
    /// SQLite path (through [`Hudna::create`]).
    pub fn create_url(db: &str) -> Result<Self> {
        if hudna_store::is_postgres_url(db) {
            Ok(Self::with_pg(Arc::new(hudna_store::PgStore::create(db)?)))
        } else {
            Self::create(Path::new(db))
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn invalidate(&self) {
        *self.agreements.write().expect("lock") = None;
        *self.atlas.write().expect("lock") = None;
    }

    /// Validates an agreement directory and stores it; nothing is written
    /// unless the whole definition is valid.
    pub fn load_agreement(&self, dir: &Path, opts: LoadOptions, actor: &str) -> Result<LoadReport> {
        let loaded = definition::load_dir(dir, opts).map_err(AppError::Invalid)?;
        let a = &loaded.agreement;
        // The spatial index must build too (it re-checks geometry).
        build_atlas(std::slice::from_ref(a)).map_err(|e| {
            AppError::Invalid(vec![definition::Problem {
                file: dir.display().to_string(),
                line: None,
                feature: None,
                field: "geometry".into(),
                message: e,
            }])
        })?;
        let text = serde_json::to_string(&loaded.doc).expect("json");
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        let row = AgreementRow {
            id: a.id.to_string(),
            name_ar: a.names.ar.clone(),
            name_en: a.names.en.clone(),
            signed: a.signed.to_string(),
            definition: loaded.doc.clone(),
            content_hash: hash.clone(),
            source_dir: Some(dir.display().to_string()),
            loaded_at: String::new(),
        };
        let audit = AuditEntry::new(
            actor,
            "agreement.load",
            &format!("agreement/{}", a.id),
            json!({ "content_hash": hash, "source_dir": dir.display().to_string(),
                    "zones": a.zones.len(), "versions": a.zones.iter().map(|z| z.versions.len()).sum::<usize>() }),
        );
        let outcome = self.store.put_agreement(&row, &audit)?;
        self.invalidate();
        // zones, designations or rules may have changed: every reading is re-derived
        let reassessed = if outcome != PutOutcome::Unchanged && self.store.counts()?.incidents > 0 {
            self.reassess_all(actor)?
        } else {
            0
        };
        Ok(LoadReport {
            agreement: a.id.to_string(),
            outcome: match outcome {
                PutOutcome::Created => "created",
                PutOutcome::Replaced => "replaced",
                PutOutcome::Unchanged => "unchanged",
            },
            parties: a.parties.len(),
            zones: a.zones.len(),
            versions: a.zones.iter().map(|z| z.versions.len()).sum(),
            posts: a.posts.len(),
            rules: a.rules.len(),
            rounds: a.rounds.len(),
            notes: loaded.notes.iter().map(|n| n.to_string()).collect(),
            reassessed,
        })
    }

    /// Every stored agreement, with consents recorded after loading merged in.
    pub fn agreements(&self) -> Result<Arc<Vec<Agreement>>> {
        if let Some(a) = self.agreements.read().expect("lock").as_ref() {
            return Ok(a.clone());
        }
        let mut out = vec![];
        for row in self.store.agreements()? {
            let mut a = definition::from_doc(&row.definition).map_err(|p| {
                AppError::Store(hudna_store::StoreError::Corrupt(format!(
                    "agreement {}: {}",
                    row.id,
                    p.first().map(|x| x.to_string()).unwrap_or_default()
                )))
            })?;
            if let Some(m) = a.mandate.as_mut() {
                for c in self.store.consents(&row.id)? {
                    let (Ok(party), Ok(decision), Ok(date)) = (
                        PartyId::parse(&c.party),
                        Decision::parse(&c.decision),
                        hudna_core::parse_day(&c.date),
                    ) else {
                        continue;
                    };
                    m.consents.push(Consent {
                        extension: c.extension,
                        party,
                        decision,
                        date,
                        note: c.note,
                    });
                }
            }
            out.push(a);
        }
        let out = Arc::new(out);
        *self.agreements.write().expect("lock") = Some(out.clone());
        Ok(out)
    }

    pub fn agreement(&self, id: &str) -> Result<Agreement> {
        let all = self.agreements()?;
        all.iter()
            .find(|a| a.id.as_str() == id)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = all.iter().map(|a| a.id.as_str()).collect();
                AppError::NotFound(format!(
                    "agreement {id:?}; loaded agreements: {}",
                    if known.is_empty() {
                        "none (run `hudna agreement load DIR`)".to_owned()
                    } else {
                        known.join(", ")
                    }
                ))
            })
    }

    /// The spatial index over every stored agreement.
    pub fn atlas(&self) -> Result<Arc<Atlas>> {
        if let Some(a) = self.atlas.read().expect("lock").as_ref() {
            return Ok(a.clone());
        }
        let ags = self.agreements()?;
        let atlas = Arc::new(
            build_atlas(&ags).map_err(|e| AppError::Store(hudna_store::StoreError::Corrupt(e)))?,
        );
        *self.atlas.write().expect("lock") = Some(atlas.clone());
        Ok(atlas)
    }

    /// Zones of every agreement (or one) as they stood on `day`.
    pub fn zones_at(&self, day: NaiveDate, agreement: Option<&str>) -> Result<Vec<ZoneState>> {
        let mut out = vec![];
        for a in self.agreements()?.iter() {
            if agreement.is_some_and(|id| id != a.id.as_str()) {
                continue;
            }
            for z in &a.zones {
                let v = z.version_on(day);
                out.push(ZoneState {
                    agreement: a.id.to_string(),
                    zone: z.id.to_string(),
                    name_ar: z.names.ar.clone(),
                    name_en: z.names.en.clone(),
                    status: v.map(|v| v.status),
                    version: v.map(|v| v.seq),
                    valid_from: v.map(|v| v.valid.from),
                    valid_to: v.and_then(|v| v.valid.to),
                    security_zones: z
                        .security_zones
                        .iter()
                        .filter(|s| s.valid.contains(day))
                        .count(),
                    approximate: v.is_some_and(|v| v.approximate),
                });
            }
        }
        if let Some(id) = agreement {
            if out.is_empty() {
                self.agreement(id)?;
            }
        }
        Ok(out)
    }

    fn places(&self) -> Result<&Places> {
        if let Some(p) = self.places.get() {
            return Ok(p);
        }
        let mut rows = self.store.places()?;
        if rows.is_empty() {
            rows = crate::gazetteer::builtin_places();
        }
        let index = PlaceIndex::new(
            rows.iter()
                .enumerate()
                .map(|(i, p)| PlacePoint {
                    key: i as u32,
                    lat: p.lat,
                    lon: p.lon,
                })
                .collect(),
        );
        Ok(self.places.get_or_init(|| Places { index, rows }))
    }

    /// Which zones cover the point on the day, how far the nearest line is,
    /// and the nearest gazetteer place.
    pub fn locate(&self, lat: f64, lon: f64, day: NaiveDate) -> Result<Location> {
        check_point(lat, lon)?;
        let atlas = self.atlas()?;
        let hit = atlas.index.query(lon, lat, day_number(day));
        self.location_from_hit(&atlas, lat, lon, day, &hit)
    }

    /// Many points at once, on all cores; results in input order.
    pub fn locate_batch(
        &self,
        pts: &[(f64, f64, NaiveDate)],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Location>> {
        let atlas = self.atlas()?;
        let q: Vec<(f64, f64, i32)> = pts
            .iter()
            .map(|&(lat, lon, d)| (lon, lat, day_number(d)))
            .collect();
        let mut out = Vec::with_capacity(pts.len());
        for (chunk_q, chunk_p) in q.chunks(8192).zip(pts.chunks(8192)) {
            let hits = atlas.index.query_batch(chunk_q);
            for (h, &(lat, lon, d)) in hits.iter().zip(chunk_p) {
                out.push(self.location_from_hit(&atlas, lat, lon, d, h)?);
            }
            progress(chunk_q.len());
        }
        Ok(out)
    }

    fn location_from_hit(
        &self,
        atlas: &Atlas,
        lat: f64,
        lon: f64,
        day: NaiveDate,
        hit: &hudna_geo::Hit,
    ) -> Result<Location> {
        let zones: Vec<ZoneHit> = hit
            .covering
            .iter()
            .filter_map(|&k| atlas.areas.get(k as usize))
            .filter(|a| !a.security_zone)
            .map(|a| ZoneHit {
                agreement: a.agreement.clone(),
                zone: a.zone.clone(),
                version: a.version,
                status: a.status,
                security_zone: hit
                    .covering
                    .iter()
                    .filter_map(|&k| atlas.areas.get(k as usize))
                    .any(|s| s.security_zone && s.agreement == a.agreement && s.zone == a.zone),
            })
            .collect();
        // security bands outside a zone still count: report them as their zone
        let mut zones = zones;
        for a in hit
            .covering
            .iter()
            .filter_map(|&k| atlas.areas.get(k as usize))
            .filter(|a| a.security_zone)
        {
            if !zones
                .iter()
                .any(|z| z.agreement == a.agreement && z.zone == a.zone)
            {
                zones.push(ZoneHit {
                    agreement: a.agreement.clone(),
                    zone: a.zone.clone(),
                    version: a.version,
                    status: a.status,
                    security_zone: true,
                });
            }
        }
        let places = self.places()?;
        let nearest = places.index.nearest(lat, lon).map(|(k, km)| {
            let p = &places.rows[k as usize];
            NearestPlace {
                geonameid: p.geonameid,
                name_ar: p.names_ar.first().cloned(),
                name_en: p.name_en.clone(),
                admin1: p.admin1.clone(),
                distance_km: (km * 1000.0).round() / 1000.0,
            }
        });
        let admin1 = crate::gazetteer::admin1_for(lat, lon, nearest.as_ref());
        Ok(Location {
            lat,
            lon,
            at: day,
            in_security_zone: zones.iter().any(|z| z.security_zone),
            zones,
            border_km: hit.border_km.map(|k| (k * 1000.0).round() / 1000.0),
            nearest_border: hit
                .nearest_border_key
                .and_then(|k| atlas.areas.get(k as usize))
                .map(|a| format!("{}/{}", a.agreement, a.zone)),
            admin1,
            nearest_place: nearest,
        })
    }

    pub fn mandate_status(&self, agreement: &str, day: NaiveDate) -> Result<MandateStatus> {
        let a = self.agreement(agreement)?;
        let m = a.mandate.as_ref().ok_or_else(|| {
            AppError::NotFound(format!("agreement {agreement} defines no mandate"))
        })?;
        Ok(m.status_on(day))
    }

    /// Records a party's decision on an extension (append-only, audited).
    pub fn record_consent(&self, c: &NewConsent<'_>, actor: &str) -> Result<MandateStatus> {
        let NewConsent {
            agreement,
            party,
            extension,
            decision,
            date,
            note,
        } = *c;
        let a = self.agreement(agreement)?;
        let m = a.mandate.as_ref().ok_or_else(|| {
            AppError::NotFound(format!("agreement {agreement} defines no mandate"))
        })?;
        if !m.consenting.iter().any(|p| p.as_str() == party) {
            return Err(AppError::Refused(format!(
                "{party:?} does not consent to extensions of {agreement}; the consenting parties are: {}",
                m.consenting.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        if extension == 0 {
            return Err(AppError::BadInput(
                "extension 0 is the initial term; extensions start at 1".into(),
            ));
        }
        let (term_start, _) = m.term(extension);
        let row = ConsentRow {
            agreement: agreement.into(),
            extension,
            party: party.into(),
            decision: decision.as_str().into(),
            date: date.to_string(),
            note: note.into(),
            recorded_by: actor.into(),
            recorded_at: String::new(),
        };
        let audit = AuditEntry::new(
            actor,
            "mandate.consent",
            &format!("agreement/{agreement}/mandate"),
            json!({ "party": party, "extension": extension, "decision": decision.as_str(), "date": date.to_string(), "note": note }),
        );
        self.store.add_consent(&row, &audit)?;
        self.invalidate();
        self.mandate_status(agreement, term_start.max(date))
    }
}

/// Builds the spatial index: one area per zone version, and one band (or
/// polygon) per security zone per overlapping version.
pub fn build_atlas(ags: &[Agreement]) -> std::result::Result<Atlas, String> {
    let mut inputs = vec![];
    let mut areas = vec![];
    let status = |s: ZoneStatus| match s {
        ZoneStatus::Active => hudna_geo::Status::Active,
        ZoneStatus::Suspended => hudna_geo::Status::Suspended,
        ZoneStatus::Dissolved => hudna_geo::Status::Dissolved,
    };
    let validity = |i: &hudna_core::Interval| Validity {
        from: day_number(i.from),
        to: i.to.map(day_number),
    };
    for a in ags {
        for z in &a.zones {
            let mut version_keys = vec![];
            for v in &z.versions {
                let key = areas.len() as u32;
                inputs.push(AreaInput {
                    key,
                    shape: AreaShape::Polygon(v.geometry.clone()),
                    validity: validity(&v.valid),
                    status: status(v.status),
                    security: false,
                });
                areas.push(AreaRef {
                    agreement: a.id.to_string(),
                    zone: z.id.to_string(),
                    version: v.seq,
                    status: v.status,
                    security_zone: false,
                });
                version_keys.push((key, v));
            }
            for s in &z.security_zones {
                for (base, v) in &version_keys {
                    if !v.valid.overlaps(&s.valid) {
                        continue;
                    }
                    let from = v.valid.from.max(s.valid.from);
                    let to = match (v.valid.to, s.valid.to) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    };
                    let key = areas.len() as u32;
                    let shape = match &s.shape {
                        SecurityShape::Band { width_km, side } => AreaShape::Band {
                            of: *base,
                            width_km: *width_km,
                            side: match side {
                                hudna_core::Side::Outside => hudna_geo::Side::Outside,
                                hudna_core::Side::Inside => hudna_geo::Side::Inside,
                                hudna_core::Side::Both => hudna_geo::Side::Both,
                            },
                        },
                        SecurityShape::Area(g) => AreaShape::Polygon(g.clone()),
                    };
                    inputs.push(AreaInput {
                        key,
                        shape,
                        validity: Validity {
                            from: day_number(from),
                            to: to.map(day_number),
                        },
                        status: status(v.status),
                        security: true,
                    });
                    areas.push(AreaRef {
                        agreement: a.id.to_string(),
                        zone: z.id.to_string(),
                        version: v.seq,
                        status: v.status,
                        security_zone: true,
                    });
                }
            }
        }
    }
    let index = ZoneIndex::build(inputs).map_err(|e| e.to_string())?;
    Ok(Atlas { index, areas })
}
