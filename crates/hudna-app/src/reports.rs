//! Situation reports: what a minister reads in two minutes.
//!
//! Modelled on OSCE SMM daily reports and Airwars summaries: violations per
//! zone in the period against the period before, the cumulative count since
//! each zone's start, by type and by party; the incidents with their sources
//! and grades; disputed incidents; mandate terms ending soon and consents
//! missing. [`render_html`] writes it as a self-contained page, Arabic first
//! (right-to-left, Arabic-Indic digits) or English.

use crate::agreements::Hudna;
use crate::Result;
use chrono::{Duration, NaiveDate};
use hudna_core::date::day_number;
use hudna_core::ExtensionRule;
use hudna_store::{IncidentFilter, IncidentRow};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct ZoneLine {
    pub agreement: String,
    pub zone: String,
    pub name_ar: String,
    pub name_en: String,
    pub status: Option<String>,
    pub period: u64,
    pub previous: u64,
    pub since_start: u64,
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportIncident {
    pub id: i64,
    pub date: Option<String>,
    pub kind: String,
    pub place: Option<String>,
    pub admin1: Option<String>,
    pub perpetrator: Option<String>,
    pub killed: Option<u32>,
    pub killed_range: (Option<u32>, Option<u32>),
    pub injured: Option<u32>,
    pub grade: String,
    pub status: String,
    pub reading: String,
    pub zone: Option<String>,
    pub sources: Vec<String>,
    pub disputed_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MandateLine {
    pub agreement: String,
    pub in_force: bool,
    pub extension: Option<u32>,
    pub term_end: Option<NaiveDate>,
    pub days_left: Option<i64>,
    pub rule: String,
    pub missing_consents: Vec<String>,
    pub objections: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SituationReport {
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub previous_since: NaiveDate,
    pub previous_until: NaiveDate,
    pub zones: Vec<ZoneLine>,
    pub by_type: BTreeMap<String, u64>,
    pub by_party: BTreeMap<String, u64>,
    pub incidents: Vec<ReportIncident>,
    pub disputed: Vec<ReportIncident>,
    pub mandates: Vec<MandateLine>,
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Totals {
    pub incidents: u64,
    pub violations: u64,
    pub previous_violations: u64,
    pub killed: u64,
}

impl Hudna {
    /// The daily report for `day` (the previous day is the comparison).
    pub fn daily_report(&self, day: NaiveDate) -> Result<SituationReport> {
        self.period_report(day, day)
    }

    /// A report over `[since, until]`, compared with the period of equal length before it.
    pub fn period_report(&self, since: NaiveDate, until: NaiveDate) -> Result<SituationReport> {
        self.period_report_scoped(since, until, false)
    }

    /// As [`Hudna::period_report`]; with `published_only`, every count, list
    /// and chart holds published incidents only (what viewers and the public
    /// report see).
    pub fn period_report_scoped(
        &self,
        since: NaiveDate,
        until: NaiveDate,
        published_only: bool,
    ) -> Result<SituationReport> {
        if until < since {
            return Err(crate::AppError::BadInput(format!(
                "--until {until} is before --since {since}"
            )));
        }
        let len = (until - since).num_days() + 1;
        let (psince, puntil) = (since - Duration::days(len), since - Duration::days(1));
        let ags = self.agreements()?;
        let (s, u, ps, pu) = (
            day_number(since),
            day_number(until),
            day_number(psince),
            day_number(puntil),
        );
        let mut zones = vec![];
        for a in ags.iter() {
            let start = a
                .zones
                .iter()
                .filter_map(|z| z.active_since())
                .min()
                .map(day_number)
                .unwrap_or(s);
            let counts = if published_only {
                self.store()
                    .published_daily_counts(a.id.as_str(), start.min(ps), u)?
            } else {
                self.store().daily_counts(a.id.as_str(), start.min(ps), u)?
            };
            for z in &a.zones {
                let zc = counts.iter().filter(|c| c.zone == z.id.as_str());
                let zs = z.active_since();
                let (mut period, mut previous, mut cumulative) = (0, 0, 0);
                for c in zc {
                    if (s..=u).contains(&c.day) {
                        period += c.violations;
                    }
                    if (ps..=pu).contains(&c.day) {
                        previous += c.violations;
                    }
                    if c.day <= u && zs.is_some_and(|x| c.day >= day_number(x)) {
                        cumulative += c.violations;
                    }
                }
                zones.push(ZoneLine {
                    agreement: a.id.to_string(),
                    zone: z.id.to_string(),
                    name_ar: z.names.ar.clone(),
                    name_en: z.names.en.clone(),
                    status: z.version_on(until).map(|v| v.status.to_string()),
                    period,
                    previous,
                    since_start: cumulative,
                    since: zs,
                });
            }
        }
        let rows = self.incidents(&IncidentFilter {
            since_day: Some(s),
            until_day: Some(u),
            published_only,
            ..Default::default()
        })?;
        let prev_rows = self.incidents(&IncidentFilter {
            since_day: Some(ps),
            until_day: Some(pu),
            violations_only: true,
            published_only,
            ..Default::default()
        })?;
        let mut totals = Totals {
            previous_violations: prev_rows.len() as u64,
            ..Default::default()
        };
        let mut by_type = BTreeMap::new();
        let mut by_party = BTreeMap::new();
        let mut incidents = vec![];
        for (i, a) in &rows {
            let ri = self.report_incident(i, a)?;
            totals.incidents += 1;
            totals.killed += i.killed.best.unwrap_or(0) as u64;
            if ri.reading == "violation" {
                totals.violations += 1;
                *by_type.entry(i.kind.clone()).or_insert(0) += 1;
                *by_party
                    .entry(i.perpetrator.clone().unwrap_or_else(|| "unknown".into()))
                    .or_insert(0) += 1;
            }
            incidents.push(ri);
        }
        // disputes of the last seven days up to the end of the period
        let week = self.incidents(&IncidentFilter {
            since_day: Some(u - 6),
            until_day: Some(u),
            published_only,
            ..Default::default()
        })?;
        let mut disputed = vec![];
        for (i, a) in &week {
            let ri = self.report_incident(i, a)?;
            if !ri.disputed_by.is_empty() {
                disputed.push(ri);
            }
        }
        let mut mandates = vec![];
        for a in ags.iter() {
            let Some(m) = &a.mandate else { continue };
            let st = m.status_on(until);
            let missing = if m.rule == ExtensionRule::UnanimousConsent {
                st.missing_for_next.iter().map(|p| p.to_string()).collect()
            } else {
                vec![]
            };
            mandates.push(MandateLine {
                agreement: a.id.to_string(),
                in_force: st.in_force,
                extension: st.extension,
                term_end: st.term_end,
                days_left: st.term_end.map(|e| (e - until).num_days()),
                rule: m.rule.to_string(),
                missing_consents: missing,
                objections: st.objected.iter().map(|p| p.to_string()).collect(),
            });
        }
        Ok(SituationReport {
            since,
            until,
            previous_since: psince,
            previous_until: puntil,
            zones,
            by_type,
            by_party,
            incidents,
            disputed,
            mandates,
            totals,
        })
    }

    fn report_incident(
        &self,
        i: &IncidentRow,
        a: &[hudna_store::AssessmentRow],
    ) -> Result<ReportIncident> {
        let order = [
            "violation",
            "carve_out_claimed",
            "not_covered",
            "outside_zones",
        ];
        let best = a
            .iter()
            .min_by_key(|x| order.iter().position(|o| *o == x.reading).unwrap_or(9));
        let mut sources = vec![];
        let mut stances = vec![];
        self.store().read_tx(&mut |tx| {
            let evs = tx.events_of(i.id)?;
            let ids: Vec<i64> = evs.iter().map(|e| e.report_id).collect();
            sources = tx
                .report_sources(&ids)?
                .into_iter()
                .map(|(_, s)| s)
                .collect();
            stances = tx.stances(i.id)?;
            Ok(())
        })?;
        sources.sort();
        sources.dedup();
        let mut latest: BTreeMap<(String, String), String> = BTreeMap::new();
        for s in &stances {
            latest.insert((s.agreement.clone(), s.party.clone()), s.position.clone());
        }
        let disputed_by = latest
            .iter()
            .filter(|(_, p)| *p == "dispute")
            .map(|((_, party), _)| party.clone())
            .collect();
        Ok(ReportIncident {
            id: i.id,
            date: i.date.clone(),
            kind: i.kind.clone(),
            place: i.place_name.clone(),
            admin1: i.admin1.clone(),
            perpetrator: i.perpetrator.clone(),
            killed: i.killed.best,
            killed_range: (i.killed.low, i.killed.high),
            injured: i.injured.best,
            grade: i.grade.clone(),
            status: i.status.clone(),
            reading: best
                .map(|b| b.reading.clone())
                .unwrap_or_else(|| "unassessed".into()),
            zone: best.and_then(|b| b.zone.clone()),
            sources,
            disputed_by,
        })
    }
}

/// Page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ar,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Digits in the page's script (Arabic-Indic for Arabic).
pub fn digits(s: &str, lang: Lang) -> String {
    match lang {
        Lang::En => s.to_owned(),
        Lang::Ar => s
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(0x0660 + (c as u32 - '0' as u32)).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect(),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn t(lang: Lang, ar: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ar => ar,
        Lang::En => en,
    }
}

fn type_label(kind: &str, lang: Lang) -> String {
    let ar = match kind {
        "air_drone_strike" => "غارة جوية أو بطائرة مسيّرة",
        "shelling_artillery_missile" => "قصف مدفعي أو صاروخي",
        "armed_clash" => "اشتباك مسلح",
        "remote_explosive" => "عبوة ناسفة أو لغم",
        "attack_on_civilians" => "هجوم على مدنيين",
        "abduction" => "خطف",
        "arrests" => "اعتقالات",
        "suicide_bomb" => "تفجير انتحاري",
        "government_regains_territory" => "استعادة الحكومة السيطرة",
        "non_state_actor_overtakes_territory" => "سيطرة جماعة مسلحة",
        "looting_property_destruction" => "نهب أو تدمير ممتلكات",
        _ => "",
    };
    match lang {
        Lang::Ar if !ar.is_empty() => ar.to_owned(),
        _ => hudna_core::vocab::acled_label(kind).to_owned(),
    }
}

/// Actor and party ids in the page's language.
pub fn party_label(id: &str, lang: Lang) -> String {
    let (ar, en) = match id {
        "syrian_government" => ("الحكومة السورية", "Syrian government"),
        "russia" => ("روسيا", "Russia"),
        "iran" => ("إيران", "Iran"),
        "iran_backed_militias" => ("ميليشيات مدعومة من إيران", "Iran-backed militias"),
        "turkey" => ("تركيا", "Turkey"),
        "us_led_coalition" => ("التحالف الدولي", "US-led coalition"),
        "hts" => ("هيئة تحرير الشام", "HTS"),
        "isis" => ("تنظيم الدولة", "ISIS"),
        "sdf" => ("قسد", "SDF"),
        "opposition_factions" => ("فصائل المعارضة", "Opposition factions"),
        "civilians" => ("مدنيون", "Civilians"),
        "unknown" => ("مجهول", "Unknown"),
        "un" => ("الأمم المتحدة", "UN"),
        "jordan" => ("الأردن", "Jordan"),
        "united_states" => ("الولايات المتحدة", "United States"),
        "guarantors" => ("الدول الضامنة", "Guarantors"),
        "conflict_parties" => ("أطراف النزاع", "Conflict parties"),
        other => return other.to_owned(),
    };
    match lang {
        Lang::Ar => ar.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// Verification grades in the page's language.
pub fn grade_label(g: &str, lang: Lang) -> String {
    let ar = match g {
        "confirmed" => "مؤكد",
        "fair" => "مرجّح",
        "weak" => "ضعيف",
        "contested" => "متنازع عليه",
        "discounted" => "مستبعد",
        other => return other.to_owned(),
    };
    match lang {
        Lang::Ar => ar.to_owned(),
        Lang::En => g.to_owned(),
    }
}

fn reading_label(r: &str, lang: Lang) -> &'static str {
    match (r, lang) {
        ("violation", Lang::Ar) => "خرق",
        ("carve_out_claimed", Lang::Ar) => "استثناء مكافحة الإرهاب",
        ("not_covered", Lang::Ar) => "غير مشمول بالقواعد",
        ("outside_zones", Lang::Ar) => "خارج المناطق",
        ("violation", Lang::En) => "violation",
        ("carve_out_claimed", Lang::En) => "carve-out claimed",
        ("not_covered", Lang::En) => "not covered",
        ("outside_zones", Lang::En) => "outside zones",
        (_, Lang::Ar) => "غير مقيّم",
        _ => "unassessed",
    }
}

/// The report's stylesheet (scoped to `.sitrep`): inlined in
/// [`render_html`], served as a file by the desk.
pub const REPORT_CSS: &str = include_str!("report.css");

/// The title of a report (daily or period), in `lang`.
pub fn report_title(r: &SituationReport, lang: Lang) -> String {
    let d = |s: &str| digits(s, lang);
    if r.since == r.until {
        format!(
            "{} — {}",
            t(
                lang,
                "التقرير اليومي لمراقبة خفض التصعيد",
                "Daily de-escalation monitoring report"
            ),
            d(&r.until.to_string())
        )
    } else {
        format!(
            "{} — {} / {}",
            t(
                lang,
                "تقرير المراقبة للفترة",
                "Monitoring report for the period"
            ),
            d(&r.since.to_string()),
            d(&r.until.to_string())
        )
    }
}

/// A self-contained HTML document (the stylesheet inline, no scripts, no
/// external assets): what `hudna report --format html` writes and the PDF
/// is printed from. `map_svg` is the map of the period (an `<svg>`), if any.
pub fn render_html(r: &SituationReport, lang: Lang, map_svg: Option<&str>) -> String {
    let (dir, code) = match lang {
        Lang::Ar => ("rtl", "ar"),
        Lang::En => ("ltr", "en"),
    };
    format!(
        "<!doctype html><html lang=\"{code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"><title>{}</title><style>body{{margin:2em}}@media print{{body{{margin:1cm}}}}{REPORT_CSS}</style></head><body>{}</body></html>",
        esc(&report_title(r, lang)),
        render_body(r, lang, map_svg)
    )
}

/// The report as an `<article class="sitrep">` (for the desk's page, which
/// links [`REPORT_CSS`] as a stylesheet).
pub fn render_body(r: &SituationReport, lang: Lang, map_svg: Option<&str>) -> String {
    let d = |s: &str| digits(s, lang);
    let n = |x: u64| digits(&x.to_string(), lang);
    let mut h = String::with_capacity(16 * 1024);
    h.push_str("<article class=\"sitrep\">");
    let dt = |s: &str| format!("<bdi dir=\"ltr\">{}</bdi>", digits(s, lang));
    let heading = if r.since == r.until {
        format!(
            "{} — {}",
            t(
                lang,
                "التقرير اليومي لمراقبة خفض التصعيد",
                "Daily de-escalation monitoring report"
            ),
            dt(&r.until.to_string())
        )
    } else {
        format!(
            "{} — {} / {}",
            t(
                lang,
                "تقرير المراقبة للفترة",
                "Monitoring report for the period"
            ),
            dt(&r.since.to_string()),
            dt(&r.until.to_string())
        )
    };
    h.push_str(&format!("<h1>{heading}</h1>"));
    h.push_str(&format!(
        "<p class=\"muted\">{} {} — {}</p>",
        t(
            lang,
            "مقارنةً بالفترة السابقة:",
            "Compared with the previous period:"
        ),
        dt(&r.previous_since.to_string()),
        dt(&r.previous_until.to_string())
    ));
    let delta = r.totals.violations as i64 - r.totals.previous_violations as i64;
    h.push_str(&format!(
        "<div class=\"kpi\"><div>{}<b>{}</b></div><div>{}<b>{}</b><span class=\"{}\">{}{}</span></div><div>{}<b>{}</b></div><div>{}<b>{}</b></div></div>",
        t(lang, "الحوادث", "Incidents"),
        n(r.totals.incidents),
        t(lang, "الخروقات", "Violations"),
        n(r.totals.violations),
        if delta > 0 { "up" } else { "down" },
        if delta > 0 { "+" } else { "" },
        d(&delta.to_string()),
        t(lang, "القتلى (أفضل تقدير)", "Killed (best estimate)"),
        n(r.totals.killed),
        t(lang, "حوادث متنازع عليها", "Disputed incidents"),
        n(r.disputed.len() as u64)
    ));
    if let Some(svg) = map_svg {
        h.push_str(&format!(
            "<h2>{}</h2><div class=\"sitrep-map\">{svg}</div><p class=\"muted\">{}</p>",
            t(lang, "الخريطة", "Map"),
            t(
                lang,
                "المناطق كما كانت في آخر يوم من الفترة، وحوادث الفترة (الدوائر ذات الحد الأحمر خروقات).",
                "Zones as they stood on the last day of the period, and the period's incidents (circles ringed in red are violations)."
            )
        ));
    }
    h.push_str(&format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr>",
        t(lang, "الخروقات حسب المنطقة", "Violations by zone"),
        t(lang, "المنطقة", "Zone"),
        t(lang, "الحالة", "Status"),
        t(lang, "الفترة", "Period"),
        t(lang, "الفترة السابقة", "Previous"),
        t(lang, "منذ بدء المنطقة", "Since the zone began")
    ));
    for z in &r.zones {
        let name = if lang == Lang::Ar {
            &z.name_ar
        } else {
            &z.name_en
        };
        let status = match (z.status.as_deref(), lang) {
            (Some("active"), Lang::Ar) => "نافذة",
            (Some("dissolved"), Lang::Ar) => "منحلّة",
            (Some("suspended"), Lang::Ar) => "معلّقة",
            (None, Lang::Ar) => "غير نافذة",
            (Some(s), Lang::En) => {
                if s == "active" {
                    "active"
                } else if s == "dissolved" {
                    "dissolved"
                } else {
                    "suspended"
                }
            }
            (None, Lang::En) => "not in force",
            _ => "",
        };
        h.push_str(&format!(
            "<tr><td>{}<br><span class=\"muted\">{}/{}</span></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(name), esc(&z.agreement), esc(&z.zone), status, n(z.period), n(z.previous), n(z.since_start)
        ));
    }
    h.push_str("</table>");
    for (title, map, label) in [
        (
            t(lang, "الخروقات حسب النوع", "Violations by type"),
            &r.by_type,
            true,
        ),
        (
            t(lang, "الخروقات حسب الطرف", "Violations by party"),
            &r.by_party,
            false,
        ),
    ] {
        h.push_str(&format!("<h2>{title}</h2>"));
        if map.is_empty() {
            h.push_str(&format!(
                "<p>{}</p>",
                t(
                    lang,
                    "لا خروقات مسجلة في الفترة.",
                    "No violations recorded in the period."
                )
            ));
            continue;
        }
        h.push_str("<table>");
        for (k, v) in map {
            let l = if label {
                type_label(k, lang)
            } else {
                party_label(k, lang)
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(&l),
                n(*v)
            ));
        }
        h.push_str("</table>");
    }
    let inc_table = |h: &mut String, list: &[ReportIncident]| {
        h.push_str(&format!(
            "<table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            t(lang, "التاريخ", "Date"), t(lang, "النوع", "Type"), t(lang, "المكان", "Place"), t(lang, "الفاعل", "Perpetrator"),
            t(lang, "القتلى", "Killed"), t(lang, "القراءة", "Reading"), t(lang, "التصنيف", "Grade"), t(lang, "المصادر", "Sources")
        ));
        for i in list {
            let killed = match (i.killed_range, i.killed) {
                ((Some(l), Some(hh)), Some(b)) if l != hh => format!("{b} ({l}–{hh})"),
                (_, Some(b)) => b.to_string(),
                _ => "—".into(),
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"{}\">{}{}</td><td>{}</td><td>{}</td></tr>",
                n(i.id as u64), dt(i.date.as_deref().unwrap_or("—")), esc(&type_label(&i.kind, lang)), esc(i.place.as_deref().unwrap_or("—")),
                esc(&party_label(i.perpetrator.as_deref().unwrap_or("—"), lang)), d(&killed), if i.reading == "violation" { "viol" } else { "" },
                reading_label(&i.reading, lang), i.zone.as_ref().map(|z| format!(" ({})", esc(z))).unwrap_or_default(), esc(&grade_label(&i.grade, lang)), esc(&i.sources.join("، "))
            ));
        }
        h.push_str("</table>");
    };
    h.push_str(&format!("<h2>{}</h2>", t(lang, "الحوادث", "Incidents")));
    if r.incidents.is_empty() {
        h.push_str(&format!(
            "<p>{}</p>",
            t(
                lang,
                "لا حوادث مسجلة في الفترة.",
                "No incidents recorded in the period."
            )
        ));
    } else {
        inc_table(&mut h, &r.incidents);
    }
    h.push_str(&format!(
        "<h2>{}</h2>",
        t(
            lang,
            "حوادث متنازع عليها (آخر سبعة أيام)",
            "Disputed incidents (last seven days)"
        )
    ));
    if r.disputed.is_empty() {
        h.push_str(&format!(
            "<p>{}</p>",
            t(lang, "لا نزاعات قائمة.", "No open disputes.")
        ));
    } else {
        inc_table(&mut h, &r.disputed);
    }
    h.push_str(&format!(
        "<h2>{}</h2><table>",
        t(lang, "الولاية والموافقات", "Mandates and consents")
    ));
    for m in &r.mandates {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&m.agreement),
            if m.in_force {
                t(lang, "نافذة", "in force")
            } else {
                t(lang, "غير نافذة", "not in force")
            },
            match (m.term_end, m.days_left) {
                (Some(e), Some(dl)) => format!(
                    "{} {} ({} {})",
                    t(lang, "تنتهي المدة في", "term ends"),
                    dt(&e.to_string()),
                    d(&dl.to_string()),
                    t(lang, "يوماً", "days")
                ),
                _ => "—".into(),
            },
            if !m.objections.is_empty() {
                format!(
                    "{} {}",
                    t(lang, "اعتراض:", "objection:"),
                    esc(&m.objections.join(", "))
                )
            } else if !m.missing_consents.is_empty() {
                format!(
                    "{} {}",
                    t(lang, "موافقات ناقصة:", "missing consents:"),
                    esc(&m.missing_consents.join(", "))
                )
            } else {
                t(
                    lang,
                    "تمديد تلقائي ما لم يعترض ضامن",
                    "renews automatically unless a guarantor objects",
                )
                .to_owned()
            }
        ));
    }
    h.push_str("</table>");
    h.push_str(&format!(
        "<p class=\"muted\">{}</p></article>",
        t(
            lang,
            "أعدّه نظام هدنة. خطوط المناطق تقريبية.",
            "Prepared by Hudna. Zone lines are approximate."
        )
    ));
    h
}

/// Prints an HTML document to PDF with headless Chromium, which shapes
/// Arabic and lays it out right-to-left (Debian package `chromium`). Each
/// call works in a directory of its own, so concurrent calls do not meet.
pub fn html_to_pdf(html: &str) -> Result<Vec<u8>> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new("which")
                .arg(b)
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
        .ok_or_else(|| {
            crate::AppError::Unavailable(
                "PDF output needs headless Chromium (apt-get install chromium); HTML output needs nothing"
                    .into(),
            )
        })?;
    let dir = std::env::temp_dir().join(format!(
        "hudna-pdf-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| crate::AppError::Unavailable(format!("{}: {e}", dir.display())))?;
    let page = dir.join("report.html");
    let out = dir.join("report.pdf");
    let result = (|| {
        std::fs::write(&page, html).map_err(|e| format!("{}: {e}", page.display()))?;
        let status = std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(format!("--print-to-pdf={}", out.display()))
            .arg(format!("file://{}", page.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("running {browser}: {e}"))?;
        match std::fs::read(&out) {
            Ok(b) if status.success() && b.starts_with(b"%PDF") => Ok(b),
            _ => Err(format!("{browser} could not print the report ({status})")),
        }
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result.map_err(crate::AppError::Unavailable)
}
