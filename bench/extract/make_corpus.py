#!/usr/bin/env python3
"""Builds a ~20 MB Arabic benchmark corpus by recombining the sentences of the
Arabic dev-corpus reports and the seed statement (deterministic shuffle).

usage: make_corpus.py SHARED_DIR OUT_FILE [MEGABYTES]
Documents are separated by a line holding only U+001E (record separator).
"""
import glob
import json
import os
import random
import re
import sys

shared, out = sys.argv[1], sys.argv[2]
target = int(float(sys.argv[3] if len(sys.argv) > 3 else 20) * 1_000_000)

headlines, sentences = [], []
texts = []
for txt in sorted(glob.glob(os.path.join(shared, "dev-corpus", "*.txt"))):
    gold = json.load(open(txt[:-4] + ".json", encoding="utf-8"))
    if gold.get("language") == "ar":
        texts.append(open(txt, encoding="utf-8").read())
for seed in sorted(glob.glob(os.path.join(shared, "seed", "*.txt"))):
    texts.append(open(seed, encoding="utf-8").read())
for t in texts:
    lines = t.strip().split("\n")
    headlines.append(lines[0].strip())
    for line in lines[1:]:
        for s in re.split(r"(?<=[.!؟])\s+", line.strip()):
            if s:
                sentences.append(s)

rng = random.Random(20170915)
size = 0
with open(out, "w", encoding="utf-8") as f:
    while size < target:
        doc = rng.choice(headlines) + "\n" + " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 7)))
        chunk = doc + "\n\x1e\n"
        f.write(chunk)
        size += len(chunk.encode("utf-8"))
print(f"wrote {size} bytes, {len(sentences)} distinct sentences, to {out}", file=sys.stderr)
