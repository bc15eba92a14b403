//! Arabic and English strings in one table, numerals and dates for each.
//!
//! Arabic is the default: `<html lang="ar" dir="rtl">`, Arabic-Indic digits
//! (٠١٢٣٤٥٦٧٨٩) and the Levantine month names used in Syria. English is one
//! click away (a cookie). A key missing from the table shows itself, so a
//! test catches it.

use chrono::{Datelike, NaiveDate};

/// The page's language.
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
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Ar => Lang::En,
            Lang::En => Lang::Ar,
        }
    }
    /// Picks the Arabic or English of a pair.
    pub fn pick<'a>(self, ar: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ar if !ar.is_empty() => ar,
            _ => en,
        }
    }
}

/// The desk's language and the reports' are the same two; these convert.
impl From<Lang> for hudna_app::reports::Lang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Ar => hudna_app::reports::Lang::Ar,
            Lang::En => hudna_app::reports::Lang::En,
        }
    }
}

impl From<hudna_app::reports::Lang> for Lang {
    fn from(l: hudna_app::reports::Lang) -> Self {
        match l {
            hudna_app::reports::Lang::Ar => Lang::Ar,
            hudna_app::reports::Lang::En => Lang::En,
        }
    }
}

/// (key, Arabic, English)
const STRINGS: &[(&str, &str, &str)] = &[
    ("app_name", "هدنة", "Hudna"),
    (
        "tagline",
        "رصد اتفاقات خفض التصعيد ووقف إطلاق النار",
        "Monitoring de-escalation and ceasefire agreements",
    ),
    ("dashboard", "لوحة المتابعة", "Dashboard"),
    ("map", "الخريطة", "Map"),
    ("incidents", "الحوادث", "Incidents"),
    ("incident", "حادثة", "Incident"),
    ("new_report", "تقرير ميداني", "Field report"),
    ("zones", "المناطق", "Zones"),
    ("zone", "منطقة", "Zone"),
    ("login", "تسجيل الدخول", "Log in"),
    ("logout", "تسجيل الخروج", "Log out"),
    ("username", "اسم المستخدم", "User name"),
    ("password", "كلمة المرور", "Password"),
    ("language_switch", "English", "العربية"),
    ("last_24h", "آخر ٢٤ ساعة", "Last 24 h"),
    ("previous_24h", "الـ٢٤ ساعة السابقة", "Previous 24 h"),
    ("since_start", "منذ بدء المنطقة", "Since zone start"),
    ("change", "التغيّر", "Change"),
    (
        "violations_per_zone",
        "الخروقات حسب المنطقة",
        "Violations per zone",
    ),
    ("as_of", "حتى تاريخ", "As of"),
    (
        "unresolved_disputes",
        "حوادث متنازع عليها",
        "Unresolved disputes",
    ),
    ("mandate_calendar", "تقويم الولاية", "Mandate calendar"),
    ("term_end", "نهاية الولاية الحالية", "Current term ends"),
    ("extension", "التمديد", "Extension"),
    ("missing_consents", "موافقات ناقصة", "Missing consents"),
    ("in_force", "سارية", "in force"),
    ("not_in_force", "غير سارية", "not in force"),
    (
        "upcoming_term_ends",
        "نهايات الولاية القادمة",
        "Upcoming term ends",
    ),
    ("none", "لا شيء", "none"),
    ("date", "التاريخ", "Date"),
    ("type", "النوع", "Type"),
    ("place", "المكان", "Place"),
    ("status", "الحالة", "Status"),
    ("grade", "درجة التحقق", "Verification grade"),
    ("reading", "القراءة", "Reading"),
    ("killed", "قتلى", "Killed"),
    ("injured", "جرحى", "Injured"),
    ("sources", "المصادر", "Sources"),
    ("filter", "تصفية", "Filter"),
    ("since", "من", "From"),
    ("until", "إلى", "To"),
    ("all", "الكل", "All"),
    ("violations_only", "الخروقات فقط", "Violations only"),
    ("previous_page", "السابق", "Previous"),
    ("next_page", "التالي", "Next"),
    ("no_incidents", "لا حوادث مطابقة", "No matching incidents"),
    ("source_texts", "نصوص المصادر", "Source texts"),
    ("assessment", "التقييم", "Assessment"),
    ("reasons", "الأسباب", "Reasons"),
    ("stances", "مواقف الأطراف", "Stances of the parties"),
    ("consensus", "التوافق", "Consensus"),
    ("record_stance", "تسجيل موقف", "Record a stance"),
    ("party", "الطرف", "Party"),
    ("position", "الموقف", "Position"),
    ("comment", "تعليق", "Comment"),
    ("confirm", "تأكيد", "confirm"),
    ("dispute", "اعتراض", "dispute"),
    ("abstain", "امتناع", "abstain"),
    ("save", "حفظ", "Save"),
    ("history", "السجل", "History"),
    ("perpetrator", "الفاعل", "Perpetrator"),
    ("target", "المستهدف", "Target"),
    ("versions", "نسخ المنطقة عبر الزمن", "Versions over time"),
    ("valid_from", "من", "From"),
    ("valid_to", "إلى", "To"),
    ("mandate", "الولاية", "Mandate"),
    ("consents", "الموافقات", "Consents"),
    ("decision", "القرار", "Decision"),
    ("violations_per_day", "الخروقات يومياً", "Violations per day"),
    ("submit_report", "إرسال التقرير", "Submit report"),
    ("report_text", "نص التقرير", "Report text"),
    ("source", "المصدر", "Source"),
    ("published_date", "تاريخ النشر", "Published"),
    ("url", "الرابط", "URL"),
    ("report_stored", "حُفظ التقرير", "Report stored"),
    (
        "report_duplicate",
        "هذا التقرير محفوظ من قبل",
        "This report was stored before",
    ),
    ("report_rejected", "رُفض التقرير", "Report rejected"),
    ("show", "عرض", "Show"),
    ("map_at", "المناطق كما كانت في", "Zones as they stood on"),
    ("legend", "مفتاح الخريطة", "Legend"),
    ("observation_post", "نقطة مراقبة", "Observation post"),
    ("security_zone", "منطقة أمنية", "Security zone"),
    ("violation", "خرق", "violation"),
    ("carve_out_claimed", "استثناء مزعوم", "carve-out claimed"),
    ("not_covered", "غير مشمول", "not covered"),
    ("outside_zones", "خارج المناطق", "outside zones"),
    ("battles", "معارك", "battles"),
    (
        "explosions_remote_violence",
        "انفجارات وعنف عن بعد",
        "explosions / remote violence",
    ),
    (
        "violence_against_civilians",
        "عنف ضد المدنيين",
        "violence against civilians",
    ),
    ("protests", "احتجاجات", "protests"),
    ("riots", "أعمال شغب", "riots"),
    (
        "strategic_developments",
        "تطورات استراتيجية",
        "strategic developments",
    ),
    ("active", "نشطة", "active"),
    ("suspended", "معلّقة", "suspended"),
    ("dissolved", "منحلّة", "dissolved"),
    ("approximate", "تقريبية", "approximate"),
    ("new", "جديدة", "new"),
    ("in_review", "قيد المراجعة", "in review"),
    ("ready", "جاهزة", "ready"),
    ("confirmed", "مؤكدة", "confirmed"),
    ("fair", "معقولة", "fair"),
    ("weak", "ضعيفة", "weak"),
    ("contested", "متنازع عليها", "contested"),
    ("discounted", "مستبعدة", "discounted"),
    (
        "consensus_confirm",
        "توافق على التأكيد",
        "consensus: confirmed",
    ),
    ("disputed", "متنازع عليها", "disputed"),
    ("pending", "بانتظار المواقف", "pending"),
    ("no_stances", "لا مواقف بعد", "no stances yet"),
    (
        "pending_guarantors",
        "ضامنون لم يُبدوا موقفاً",
        "Guarantors yet to state a position",
    ),
    ("signed_in_as", "المستخدم", "Signed in as"),
    ("error", "خطأ", "Error"),
    ("agreement", "الاتفاق", "Agreement"),
    (
        "zone_page_cumulative",
        "مجموع الخروقات منذ البدء",
        "Violations since the start",
    ),
    (
        "not_allowed_stance",
        "لا يمكنك تسجيل موقف إلا باسم طرفك",
        "You can record stances only for your own party",
    ),
    ("review", "المراجعة", "Review"),
    ("move_to", "نقل إلى", "Move to"),
    (
        "evidence",
        "الدليل المستخرج مظلل",
        "Extracted evidence is highlighted",
    ),
    ("api_docs", "واجهة البرمجة", "API"),
    ("count", "العدد", "Count"),
    ("total", "المجموع", "Total"),
    ("days", "أيام", "days"),
    ("saved_stance", "سُجّل الموقف", "Stance recorded"),
    (
        "saved_review",
        "حُدّثت حالة المراجعة",
        "Review status updated",
    ),
    (
        "air_drone_strike",
        "غارة جوية أو بطائرة مسيّرة",
        "air / drone strike",
    ),
    (
        "shelling_artillery_missile",
        "قصف مدفعي أو صاروخي",
        "shelling / artillery / missile attack",
    ),
    ("armed_clash", "اشتباك مسلح", "armed clash"),
    (
        "remote_explosive",
        "عبوة أو لغم",
        "remote explosive / landmine / IED",
    ),
    (
        "attack_on_civilians",
        "اعتداء على مدنيين",
        "attack on civilians",
    ),
    (
        "abduction",
        "اختطاف أو إخفاء قسري",
        "abduction / forced disappearance",
    ),
    ("arrests", "اعتقالات", "arrests"),
    (
        "looting_property_destruction",
        "نهب وتدمير ممتلكات",
        "looting / property destruction",
    ),
    (
        "government_regains_territory",
        "استعادة الحكومة لأراضٍ",
        "government regains territory",
    ),
    (
        "non_state_actor_overtakes_territory",
        "سيطرة جهة غير حكومية على أراضٍ",
        "non-state actor overtakes territory",
    ),
    ("grenade", "قنبلة يدوية", "grenade"),
    ("suicide_bomb", "تفجير انتحاري", "suicide bomb"),
    ("chemical_weapon", "سلاح كيميائي", "chemical weapon"),
    ("peaceful_protest", "احتجاج سلمي", "peaceful protest"),
    (
        "headquarters_or_base_established",
        "إنشاء مقر أو قاعدة",
        "headquarters or base established",
    ),
    (
        "disrupted_weapons_use",
        "إحباط استخدام سلاح",
        "disrupted weapons use",
    ),
    ("published", "منشورة", "published"),
    ("situation_reports", "تقارير الوضع", "Situation reports"),
    ("daily_report", "التقرير اليومي", "Daily report"),
    ("period_report", "تقرير فترة", "Period report"),
    ("download_html", "تنزيل HTML", "Download HTML"),
    ("download_pdf", "تنزيل PDF", "Download PDF"),
    (
        "published_edition_note",
        "تعرض هذه النسخة الحوادث المنشورة فقط.",
        "This edition shows published incidents only.",
    ),
    ("rounds", "جولات المحادثات", "Rounds of talks"),
    ("open_commitments", "التزامات مفتوحة", "Open commitments"),
    ("commitment", "الالتزام", "Commitment"),
    ("owner", "الجهة المسؤولة", "Owner"),
    ("due", "الموعد", "Due"),
    ("venue", "المكان", "Venue"),
    ("participants", "المشاركون", "Participants"),
    ("final_statement", "البيان الختامي", "Final statement"),
    (
        "statement_findings",
        "ما استخرجه النظام من البيان",
        "What extraction found in the statement",
    ),
    ("places", "الأماكن", "Places"),
    ("dates", "التواريخ", "Dates"),
    ("actors", "الأطراف المذكورة", "Actors named"),
    ("follow_up", "متابعة", "Follow-up"),
    ("record_follow_up", "تسجيل متابعة", "Record a follow-up"),
    ("settled_by", "حُسم بـ", "Settled by"),
    ("overdue", "متأخر", "overdue"),
    ("open", "مفتوح", "open"),
    ("met", "نُفّذ", "met"),
    ("missed", "لم يُنفّذ", "missed"),
    ("postponed", "أُجّل", "postponed"),
    ("no_rounds", "لا جولات مسجلة.", "No rounds recorded."),
    (
        "record_consent",
        "تسجيل موافقة أو اعتراض",
        "Record a consent or objection",
    ),
    ("grant", "موافقة", "grant"),
    ("object", "اعتراض", "object"),
    ("note", "ملاحظة", "Note"),
    ("fu_evidence", "الدليل", "Evidence"),
    ("humanitarian_file", "الملف الإنساني", "Humanitarian file"),
    ("links_to_review", "روابط مرشحة للمراجعة", "Candidate links to review"),
    (
        "review_note",
        "هل السجلان لشخص واحد؟ القبول يضمهما في شخص واحد؛ كل عرض لهذه السجلات مسجل في سجل التدقيق.",
        "Are the two records one person? Accepting joins them; every view of these records is in the audit log.",
    ),
    ("lists", "القوائم", "Lists"),
    ("received", "تاريخ الاستلام", "Received"),
    ("records", "السجلات", "Records"),
    ("exchanges", "عمليات التبادل", "Exchanges"),
    ("mediator", "الوسيط", "Mediator"),
    ("released_n", "أُفرج عنهم", "Released"),
    ("bodies_n", "جثث سُلّمت", "Bodies handed over"),
    ("mother", "اسم الأم", "Mother"),
    ("birth_year", "سنة الميلاد", "Birth year"),
    ("same_person", "الشخص نفسه", "Same person"),
    ("different_people", "شخصان مختلفان", "Different people"),
    ("why", "لماذا؟ (وزن كل حقل)", "Why? (each field's weight)"),
    ("first_name", "الاسم الأول", "First name"),
    ("father", "اسم الأب", "Father"),
    ("grandfather", "اسم الجد", "Grandfather"),
    ("family_name", "الكنية", "Family name"),
    ("sex", "الجنس", "Sex"),
    ("event_date", "تاريخ الاعتقال أو الفقدان", "Date of arrest or disappearance"),
    ("event_place", "مكان الاعتقال أو الفقدان", "Place of arrest or disappearance"),
    ("holding_party", "الجهة المحتجِزة", "Holding party"),
    ("same_person_records", "سجلات الشخص نفسه في قوائم أخرى", "Records of the same person in other lists"),
    ("recorded_by", "سجّله", "Recorded by"),
    (
        "undo_note",
        "«شخصان مختلفان» يلغي الربط المقبول بين السجلين؛ يبقيان معاً إن ربطتهما روابط مقبولة أخرى.",
        "“Different people” undoes the accepted link between the two records; they stay together if other accepted links join them.",
    ),
    ("detained", "معتقل", "detained"),
    ("abducted", "مختطف", "abducted"),
    ("missing", "مفقود", "missing"),
    ("released", "أُفرج عنه", "released"),
    ("deceased", "متوفى", "deceased"),
    ("body_handed_over", "سُلّمت الجثة", "body handed over"),
    ("identified", "تم التعرف عليه", "identified"),
    ("audit_actor", "الفاعل", "By"),
    ("audit_action", "الإجراء", "Action"),
    ("audit_detail", "التفاصيل", "Detail"),
    ("incident.reassess", "إعادة تقييم", "reassessed"),
    ("incident.stance", "موقف طرف", "a party's stance"),
    ("incident.merge", "دمج", "merged"),
    ("incident.merged_into", "دُمج في حادثة أخرى", "merged into another incident"),
    ("incident.split", "فصل", "split"),
    ("incident.split_from", "فُصل عن حادثة", "split from an incident"),
    ("incident.revision", "تعديل المراجِع", "analyst's revision"),
    ("incident.review", "خطوة مراجعة", "review step"),
    ("incident.grade_override", "تعديل التصنيف", "grade overridden"),
    ("report.ingest", "إدخال تقرير", "report ingested"),
    ("accounts", "الحسابات", "Accounts"),
    ("organisations", "الجهات", "Organisations"),
    ("organisation", "الجهة", "Organisation"),
    ("name", "الاسم", "Name"),
    ("kind", "النوع", "Kind"),
    ("users", "المستخدمون", "Users"),
    ("role", "الدور", "Role"),
    ("add", "إضافة", "Add"),
    ("user_active", "نشط", "active"),
    ("user_disabled", "معطّل", "disabled"),
    ("extension_number", "رقم التمديد", "Extension number"),
];

/// The string for `key` in `lang`; an unknown key shows itself.
pub fn t(lang: Lang, key: &str) -> &str {
    match STRINGS.iter().find(|(k, _, _)| *k == key) {
        Some((_, ar, en)) => match lang {
            Lang::Ar => ar,
            Lang::En => en,
        },
        None => key,
    }
}

/// Whether the table knows `key` (for tests).
pub fn has(key: &str) -> bool {
    STRINGS.iter().any(|(k, _, _)| *k == key)
}

/// Digits in the page's script: Arabic-Indic in Arabic.
pub fn digits(lang: Lang, s: &str) -> String {
    match lang {
        Lang::En => s.to_owned(),
        Lang::Ar => s
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(0x0660 + (c as u32 - '0' as u32)).unwrap_or(c),
                '.' => '٫',
                _ => c,
            })
            .collect(),
    }
}

/// Arabic-Indic and Persian digits (and the Arabic decimal separator) read as ASCII.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => {
                char::from_u32('0' as u32 + (c as u32 - 0x0660)).unwrap_or(c)
            }
            '\u{06F0}'..='\u{06F9}' => {
                char::from_u32('0' as u32 + (c as u32 - 0x06F0)).unwrap_or(c)
            }
            '٫' => '.',
            _ => c,
        })
        .collect()
}

/// A number in the page's script.
pub fn num(lang: Lang, n: impl std::fmt::Display) -> String {
    digits(lang, &n.to_string())
}

const MONTHS_AR: [&str; 12] = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date as people read it: `١٥ أيلول ٢٠١٧` / `15 Sep 2017`.
pub fn date(lang: Lang, d: NaiveDate) -> String {
    let m = d.month0() as usize;
    match lang {
        Lang::Ar => format!(
            "{} {} {}",
            num(lang, d.day()),
            MONTHS_AR[m],
            num(lang, d.year())
        ),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[m], d.year()),
    }
}

/// A stored ISO date string, formatted when it parses, else as given.
pub fn date_str(lang: Lang, s: &str) -> String {
    match NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
        Ok(d) => date(lang, d),
        Err(_) => digits(lang, s),
    }
}

/// A vocabulary word (event type, reading, grade, status) for display:
/// the table's entry if any, else the word with underscores as spaces.
pub fn word(lang: Lang, w: &str) -> String {
    if has(w) {
        t(lang, w).to_owned()
    } else {
        w.replace('_', " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_digits_and_dates() {
        assert_eq!(digits(Lang::Ar, "2017-09-15 12.5"), "٢٠١٧-٠٩-١٥ ١٢٫٥");
        let d = NaiveDate::from_ymd_opt(2017, 9, 15).unwrap();
        assert_eq!(date(Lang::Ar, d), "١٥ أيلول ٢٠١٧");
        assert_eq!(date(Lang::En, d), "15 Sep 2017");
        assert_eq!(t(Lang::Ar, "incidents"), "الحوادث");
        assert_eq!(t(Lang::En, "no_such_key"), "no_such_key");
    }

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        let mut seen = std::collections::HashSet::new();
        for (k, ar, en) in STRINGS {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!ar.is_empty() && !en.is_empty(), "{k} lacks a language");
        }
    }
}
