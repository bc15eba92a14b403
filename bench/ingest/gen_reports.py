#!/usr/bin/env python3
"""Generates realistic synthetic reports (JSON Lines) for the ingest benchmark.

Each line: {"text", "source", "outlet", "published", "url"}. Reports are
composed from Arabic (and some English) templates in the style of the shipped
samples (data/samples), with places from data/gazetteer/places.tsv (mostly
towns of the Idlib, Hama, Homs, Daraa and Rif Dimashq governorates, where the
de-escalation zones lie), perpetrators, weapons, tolls and absolute or
relative dates. One happening is told by one to four outlets, each with its
own wording, time expression and sometimes a slightly different toll, so that
ingest has to merge them. Everything is fictional; nothing here is a record
of real events.

    gen_reports.py OUT.jsonl [N_REPORTS] [SEED]
"""

import datetime as dt
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ZONE_GOVS = {"SY-ID", "SY-HM", "SY-HI", "SY-DR", "SY-RD"}
GOV_AR = {
    "SY-ID": ("ريف إدلب", "محافظة إدلب"),
    "SY-HM": ("ريف حماة", "محافظة حماة"),
    "SY-HI": ("ريف حمص", "محافظة حمص"),
    "SY-DR": ("ريف درعا", "محافظة درعا"),
    "SY-RD": ("ريف دمشق", "الغوطة"),
    "SY-HL": ("ريف حلب", "محافظة حلب"),
    "SY-LA": ("ريف اللاذقية", "محافظة اللاذقية"),
    "SY-QU": ("ريف القنيطرة", "محافظة القنيطرة"),
    "SY-SU": ("ريف السويداء", "محافظة السويداء"),
    "SY-TA": ("ريف طرطوس", "محافظة طرطوس"),
    "SY-DY": ("ريف دير الزور", "محافظة دير الزور"),
    "SY-HA": ("ريف الحسكة", "محافظة الحسكة"),
    "SY-RA": ("ريف الرقة", "محافظة الرقة"),
    "SY-DI": ("دمشق", "العاصمة دمشق"),
}
GOV_EN = {
    "SY-ID": "Idlib", "SY-HM": "Hama", "SY-HI": "Homs", "SY-DR": "Daraa",
    "SY-RD": "Rif Dimashq", "SY-HL": "Aleppo", "SY-LA": "Latakia",
    "SY-QU": "Quneitra", "SY-SU": "Suwayda", "SY-TA": "Tartus",
    "SY-DY": "Deir ez-Zor", "SY-HA": "Hasakah", "SY-RA": "Raqqa", "SY-DI": "Damascus",
}
SIDE_AR = ["الجنوبي", "الشمالي", "الشرقي", "الغربي"]
SIDE_EN = ["southern", "northern", "eastern", "western"]

# Outlets: (id, display name, language, domain slug)
OUTLETS = [
    ("sunbula", "وكالة سنبلة للأنباء", "ar"),
    ("rasd", "شبكة الرصد الميداني", "ar"),
    ("jisr-today", "موقع الجسر اليوم", "ar"),
    ("ghouta-weekly", "صحيفة الغوطة الأسبوعية", "ar"),
    ("homs-monitor", "مرصد حمص الشمالي", "ar"),
    ("hauran-plain", "منصة سهل حوران", "ar"),
    ("idlib-voice", "صوت إدلب", "ar"),
    ("hama-network", "شبكة أخبار حماة", "ar"),
    ("shaam-press", "شام برس المستقلة", "ar"),
    ("nwsd", "Northwest Syria Dispatch", "en"),
    ("levant-monitor", "Levant Monitor", "en"),
    ("syria-field", "Syria Field Notes", "en"),
]
AR_OUTLETS = [o for o in OUTLETS if o[2] == "ar"]
EN_OUTLETS = [o for o in OUTLETS if o[2] == "en"]

# Perpetrators: (weight, Arabic agent phrase, English agent phrase, kinds they do)
PERPS = [
    (40, "قوات النظام", "Syrian government forces", ["shell", "air", "barrel", "clash"]),
    (14, "الطائرات الحربية الروسية", "Russian warplanes", ["air"]),
    (8, "الميليشيات الإيرانية", "Iranian-backed militias", ["shell", "clash"]),
    (12, "فصائل المعارضة", "opposition factions", ["shell", "clash"]),
    (6, "هيئة تحرير الشام", "Hayat Tahrir al-Sham", ["shell", "clash"]),
    (5, "تنظيم الدولة", "the Islamic State group", ["ied", "clash"]),
    (10, None, None, ["ied"]),
]

AR_NUM = {1: "واحد", 2: "اثنان", 3: "ثلاثة", 4: "أربعة", 5: "خمسة", 6: "ستة",
          7: "سبعة", 8: "ثمانية", 9: "تسعة", 10: "عشرة"}
EN_NUM = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six",
          7: "seven", 8: "eight", 9: "nine", 10: "ten"}
AR_MONTH = ["كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل",
            "أيار/مايو", "حزيران/يونيو", "تموز/يوليو", "آب/أغسطس",
            "أيلول/سبتمبر", "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر",
            "كانون الأول/ديسمبر"]
AR_WEEKDAY = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
EN_WEEKDAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAYPART_AR = ["صباح", "مساء", "فجر", "ظهر", "عصر"]
DAYPART_EN = ["morning", "evening", "afternoon"]

FILLER_AR = [
    "وقال مراسل {o} إن فرق الدفاع المدني نقلت الجرحى إلى المشافي الميدانية في المنطقة.",
    "وأفاد ناشطون محليون بأن عدداً من المنازل تضرر بشكل كبير، فيما نزحت عائلات نحو المخيمات القريبة.",
    "وتشهد المنطقة تصعيداً متواصلاً منذ أسابيع رغم التفاهمات التي ترعاها الدول الضامنة.",
    "وأشار مصدر طبي إلى أن بعض الجرحى في حالة حرجة، وأن الحصيلة مرشحة للارتفاع.",
    "وتحدث الأهالي عن حالة من الخوف في الأسواق، وأغلقت المدارس أبوابها حتى إشعار آخر.",
    "ويأتي ذلك في ظل اتفاق خفض التصعيد الذي تضمنه روسيا وتركيا وإيران.",
    "وطالبت منظمات إنسانية بتحييد المدنيين والمرافق الحيوية عن العمليات العسكرية.",
]
FILLER_EN = [
    "Civil defence teams took the wounded to field hospitals, {o} was told.",
    "Residents said several houses were badly damaged and families fled towards nearby camps.",
    "The area has seen weeks of escalation despite the understandings of the guarantor states.",
    "A medic said some of the wounded were in critical condition and the toll could rise.",
]


def load_places():
    rows = []
    with open(ROOT / "data/gazetteer/places.tsv", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            ar = [n for n in r["names_ar"].split("|") if n]
            if not ar or not r["admin1"]:
                continue
            rows.append((ar[0], r["name"], r["admin1"]))
    return rows


SINGULAR_AR = {"مدنيين": ("مدني", "مدنيان"), "عناصر": ("عنصر", "عنصران")}


def ar_count(n, noun_pl):
    """An Arabic count phrase: singular, dual, words for 3-10, digits above."""
    one, two = SINGULAR_AR[noun_pl]
    if n == 1:
        return one
    if n == 2:
        return two
    if n <= 10:
        return f"{AR_NUM[n]} {noun_pl}"
    return f"{n} {one}اً"


def ar_date_phrase(rng, day, published):
    part = rng.choice(DAYPART_AR)
    wd = AR_WEEKDAY[day.weekday()]
    delta = (published - day).days
    absolute = f"{day.day} {AR_MONTH[day.month - 1]} {day.year}"
    choice = rng.random()
    if delta == 0:
        if choice < 0.5:
            return f"{part} اليوم {wd} {absolute}"
        return f"{part} اليوم {wd}"
    if delta == 1:
        if choice < 0.4:
            return f"{part} أمس {wd}"
        if choice < 0.6:
            return f"ليلة أمس"
        return f"{part} يوم {wd} {absolute}"
    if delta == 2 and choice < 0.5:
        return "أول أمس"
    return f"يوم {wd} {absolute}"


def en_date_phrase(rng, day, published):
    wd = EN_WEEKDAY[day.weekday()]
    delta = (published - day).days
    absolute = f"{day.day} {day.strftime('%B')} {day.year}"
    if delta == 0 and rng.random() < 0.5:
        return f"on {wd} {rng.choice(DAYPART_EN)}, {absolute}"
    if delta == 1 and rng.random() < 0.5:
        return "yesterday"
    return f"on {wd}, {absolute}"


def ar_report(rng, h, outlet, published, killed, injured):
    place, _, gov = h["place"]
    countryside, _ = GOV_AR[gov]
    side = SIDE_AR[h["side"]]
    when = ar_date_phrase(rng, h["day"], published)
    agent = h["perp_ar"]
    kind = h["kind"]
    if kind == "air":
        weapon, weapon_h = rng.choice([
            ("غارات جوية", "غارات جوية"), ("قصف جوي", "قصف جوي"),
            ("غارات بالطائرات الحربية", "غارات"), ("ضربات جوية", "ضربات جوية")])
        by = f" نفذتها {agent}" if agent else ""
    elif kind == "barrel":
        weapon, weapon_h = "براميل متفجرة", "براميل متفجرة"
        by = f" ألقتها مروحيات {agent}" if agent else ""
    elif kind == "shell":
        weapon, weapon_h = rng.choice([
            ("قصف مدفعي وصاروخي", "قصف مدفعي"), ("قذائف هاون", "قذائف هاون"),
            ("قصف صاروخي", "قصف صاروخي"), ("قصف بالمدفعية الثقيلة", "قصف مدفعي")])
        by = f" شنّته {agent}" if agent else ""
    elif kind == "clash":
        weapon, weapon_h = "اشتباكات عنيفة", "اشتباكات"
        by = f" بين {agent} و{h['opp_ar']}" if agent else ""
    else:
        weapon, weapon_h = rng.choice([("انفجار عبوة ناسفة", "عبوة ناسفة"),
                                       ("انفجار سيارة مفخخة", "سيارة مفخخة")])
        by = f" زرعها {agent}" if agent else ""
    victims = "عناصر" if kind == "clash" else "مدنيين"
    ktxt = ar_count(killed, victims) if killed else ""
    head = rng.choice([
        f"مقتل {ktxt} في {weapon_h} على {place} {countryside} {side}",
        f"{weapon_h} على {place} يوقع {killed} قتلى",
        f"{place}: {killed} قتلى و{injured} جرحى جراء {weapon_h}",
    ]) if killed else f"{weapon_h} على {place} في {countryside} {side}"
    if killed:
        toll = f"قُتل {ktxt}"
        if injured:
            toll += f"، وأصيب {injured} آخرون بجروح"
        first = f"{toll}، {when}، جراء {weapon}{by} على بلدة {place} في {countryside} {side}."
    else:
        hurt = (f"، ما أدى إلى إصابة {ar_count(injured, 'مدنيين')} بجروح" if injured
                else "، ما أدى إلى أضرار مادية")
        first = f"تعرضت بلدة {place} في {countryside} {side} {when} إلى {weapon}{by}{hurt}."
    body = [head, first]
    for s in rng.sample(FILLER_AR, rng.randint(1, 3)):
        body.append(s.format(o=outlet[1]))
    return "\n".join(body)


def en_report(rng, h, outlet, published, killed, injured):
    place_ar, place, gov = h["place"]
    side = SIDE_EN[h["side"]]
    when = en_date_phrase(rng, h["day"], published)
    agent = h["perp_en"]
    kind = h["kind"]
    where = f"the town of {place} in the {side} {GOV_EN[gov]} countryside"
    head_noun, cause = {
        "air": ("Air strikes", f"air strikes{' by ' + agent if agent else ''} hit {where}"),
        "barrel": ("Barrel bombs", f"barrel bombs{' dropped by ' + agent if agent else ''} hit {where}"),
        "shell": ("Shelling", f"artillery shells{' fired by ' + agent if agent else ''} hit {where}"),
        "clash": ("Clashes", f"clashes{' between ' + agent + ' and ' + h['opp_en'] if agent else ''} broke out in {where}"),
        "ied": ("Roadside bomb", f"a roadside bomb{' planted by ' + agent if agent else ''} exploded in {where}"),
    }[kind]
    who = "fighters" if kind == "clash" else "civilians"
    k = EN_NUM.get(killed, str(killed))
    if killed:
        verb = "kills" if kind == "ied" else "kill"
        head = f"{head_noun} {verb} {k} {who} in {place}, {GOV_EN[gov]}"
        hurt = f" and {injured} wounded" if injured else ""
        first = f"At least {k} {who} were killed{hurt} {when} when {cause}, local rescuers said."
    else:
        head = f"{head_noun} in {place}, {GOV_EN[gov]}"
        hurt = f"{injured} people were wounded" if injured else "Several houses were damaged"
        first = f"{hurt} {when} when {cause}, local sources said."
    body = [head, first]
    for s in rng.sample(FILLER_EN, rng.randint(1, 2)):
        body.append(s.format(o=outlet[1]))
    return "\n".join(body)


def main():
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2017)
    places = load_places()
    inside = [p for p in places if p[2] in ZONE_GOVS]
    outside = [p for p in places if p[2] not in ZONE_GOVS]
    start = dt.date(2017, 5, 4)
    span = (dt.date(2020, 12, 31) - start).days
    perps_w = [p[0] for p in PERPS]
    opps = [("فصائل المعارضة", "opposition factions"), ("قوات النظام", "government forces")]
    written = 0
    happenings = 0
    seen = set()
    with open(out, "w", encoding="utf-8") as f:
        while written < n:
            happenings += 1
            _, p_ar, p_en, kinds = rng.choices(PERPS, weights=perps_w)[0]
            opp = opps[1] if p_ar == "فصائل المعارضة" or p_ar == "هيئة تحرير الشام" else opps[0]
            h = {
                "place": rng.choice(inside if rng.random() < 0.85 else outside),
                "day": start + dt.timedelta(days=rng.randrange(span)),
                "side": rng.randrange(4),
                "perp_ar": p_ar,
                "perp_en": p_en,
                "opp_ar": opp[0],
                "opp_en": opp[1],
                "kind": rng.choice(kinds),
            }
            killed = rng.choices([0, 1, 2, 3, 4, 5, 6, 8, 12, 20],
                                 weights=[12, 16, 16, 14, 10, 8, 6, 5, 3, 1])[0]
            injured = rng.choice([0, 2, 3, 5, 7, 9, 11, 15])
            tellers = rng.choices([1, 2, 3, 4], weights=[35, 35, 20, 10])[0]
            # weighted sample without replacement: Arabic outlets three times as likely
            outlets = sorted(OUTLETS, key=lambda o: -rng.random() ** (1 / (3 if o[2] == "ar" else 1)))
            outlets = outlets[:tellers]
            for o in outlets:
                if written >= n:
                    break
                published = h["day"] + dt.timedelta(days=rng.choices([0, 1, 2], weights=[6, 3, 1])[0])
                # later accounts often revise the toll a little
                k = max(0, killed + rng.choice([0, 0, 0, 1, -1])) if killed else 0
                j = max(0, injured + rng.choice([0, 0, 1, 2, -1])) if injured else 0
                make = ar_report if o[2] == "ar" else en_report
                text = make(rng, h, o, published, k, j)
                if text in seen:
                    continue
                seen.add(text)
                slug = f"{published.isoformat()}-{happenings}-{rng.randrange(10**6):06d}"
                f.write(json.dumps({
                    "text": text,
                    "source": o[0],
                    "outlet": o[1],
                    "published": published.isoformat(),
                    "url": f"https://{o[0]}.example.org/news/{slug}",
                }, ensure_ascii=False) + "\n")
                written += 1
    print(json.dumps({"reports": written, "happenings": happenings}), file=sys.stderr)


if __name__ == "__main__":
    main()
