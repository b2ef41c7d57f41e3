#!/usr/bin/env python3
"""Regenerates the benchmark corpus in this folder (run from the repository root).

    python3 benches/data/make_corpus.py /path/to/shared/data

project.tsv  every message of tests/data/*.tsv (this project's own labelled sets)
bitext.tsv   800 utterances of Bitext's customer-service train split
clinc150.tsv 400 queries of CLINC150's train and out-of-scope train splits

Each line: language (vi/en), a tab, the message. The sample is fixed by the seed,
so the files only change when the sources do.
"""
import csv
import glob
import json
import random
import sys

shared = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
rng = random.Random(20261201)


def clean(t):
    return " ".join(t.replace("\t", " ").split())


def write(name, rows):
    with open(f"benches/data/{name}", "w", encoding="utf-8") as f:
        for lang, text in rows:
            f.write(f"{lang}\t{text}\n")


project = []
for path in sorted(glob.glob("tests/data/*.tsv")):
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) >= 3 and cols[1] in ("vi", "en") and cols[2].strip():
            project.append((cols[1], clean(cols[2])))
write("project.tsv", project)

with open(f"{shared}/bitext/train.csv", encoding="utf-8") as f:
    bitext = [clean(r["utterance"]) for r in csv.DictReader(f)]
write("bitext.tsv", [("en", t) for t in rng.sample(bitext, 800)])

with open(f"{shared}/clinc150/train_val.json", encoding="utf-8") as f:
    d = json.load(f)
clinc = [clean(t) for t, _ in d["train"] + d["oos_train"]]
write("clinc150.tsv", [("en", t) for t in rng.sample(clinc, 400)])
