#!/usr/bin/env python3
"""How well ingest's merging matches the generated happenings.

gen_reports.py writes the happening number into each report's URL
(/news/DATE-HAPPENING-NONCE), so a database filled by bench/ingest.sh knows
the truth. This prints, over events: pairwise precision (two events in one
incident really are one happening) and recall (two events of one happening
are in one incident), the incidents holding more than one happening
(over-merging) and how each absorbed happening differs from the incident's
main one (type, actor, place, day), and the happenings split over several
incidents (under-merging). Last line: one JSON object.

    merge_quality.py bench/out/ingest/ingest.sqlite
"""

import collections
import json
import re
import sqlite3
import sys


def main():
    db = sys.argv[1]
    c = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    rows = c.execute(
        """SELECT e.incident_id, r.url, e.type, e.date, e.lat, e.lon, e.perpetrator
           FROM events e JOIN reports r ON r.id = e.report_id"""
    ).fetchall()
    # merged incidents point to their keeper
    keeper = dict(c.execute("SELECT id, merged_into FROM incidents WHERE merged_into IS NOT NULL"))

    def live(i):
        while i in keeper:
            i = keeper[i]
        return i

    events = []
    for iid, url, kind, date, lat, lon, perp in rows:
        m = re.search(r"/news/\d{4}-\d{2}-\d{2}-(\d+)-\d+$", url or "")
        if not m:
            sys.exit(f"{url!r}: not a gen_reports.py URL; this measures only generated reports")
        events.append((int(m.group(1)), live(iid), kind, date, (lat, lon), perp))

    def pairs(counter):
        return sum(n * (n - 1) // 2 for n in counter.values())

    by_inc = collections.Counter(e[1] for e in events)
    by_hap = collections.Counter(e[0] for e in events)
    both = collections.Counter((e[0], e[1]) for e in events)
    inc_haps = collections.defaultdict(lambda: collections.defaultdict(list))
    hap_incs = collections.defaultdict(set)
    for e in events:
        inc_haps[e[1]][e[0]].append(e)
        hap_incs[e[0]].add(e[1])
    over = {i: hs for i, hs in inc_haps.items() if len(hs) > 1}
    why = collections.Counter()
    for hs in over.values():
        main_ = max(hs.values(), key=len)[0]
        for h, es in hs.items():
            if h == main_[0]:
                continue
            x = es[0]
            unknown = (None, "unknown")
            actor = ("same actor" if x[5] == main_[5] and x[5] not in unknown
                     else "one actor unknown" if x[5] in unknown or main_[5] in unknown
                     else "other actor")
            why[("same type" if x[2] == main_[2] else "other type", actor,
                 "same place" if x[4] == main_[4] else "other place",
                 "same day" if x[3] == main_[3] else "other day")] += 1
    split = [h for h, i in hap_incs.items() if len(i) > 1]
    out = {
        "events": len(events),
        "happenings": len(by_hap),
        "incidents": len(by_inc),
        "pairwise_precision": round(pairs(both) / max(1, pairs(by_inc)), 4),
        "pairwise_recall": round(pairs(both) / max(1, pairs(by_hap)), 4),
        "incidents_with_several_happenings": len(over),
        "happenings_absorbed": sum(len(hs) - 1 for hs in over.values()),
        "happenings_split": len(split),
        "extra_incidents_from_splits": sum(len(hap_incs[h]) - 1 for h in split),
    }
    for k, v in out.items():
        print(f"{k:<36} {v}")
    total = sum(why.values())
    print("absorbed happenings, by how they differ from their incident's main one:")
    for k, n in why.most_common():
        print(f"  {n:6d} {n / max(1, total):6.1%}  {', '.join(k)}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
