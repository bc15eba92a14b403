#!/usr/bin/env python3
"""CAMeL Tools side of bench/extract.sh: normalization (alef, alef maksura,
teh marbuta, dediacritization) + simple_word_tokenize over the same corpus.
Prints one JSON line: bytes, wall and CPU seconds, mb_per_s (by the CPU
time of this thread, best of three passes, like the Hudna side), tokens."""
import json
import sys
import time

from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

data = open(sys.argv[1], encoding="utf-8").read()
docs = [d for d in data.split("\n\x1e\n") if d.strip()]
nbytes = sum(len(d.encode("utf-8")) for d in docs)
best = None
for _ in range(3):  # best of three passes, as on the Hudna side
    t0 = time.perf_counter()
    c0 = time.thread_time()
    tokens = 0
    for d in docs:
        t = dediac_ar(normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(d))))
        tokens += len(simple_word_tokenize(t))
    cpu = time.thread_time() - c0
    wall = time.perf_counter() - t0
    if best is None or cpu < best[0]:
        best = (cpu, wall)
cpu, wall = best
print(json.dumps({"bytes": nbytes, "wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
                  "mb_per_s": round(nbytes / cpu / 1e6, 3), "tokens": tokens}))
