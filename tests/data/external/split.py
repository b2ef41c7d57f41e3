#!/usr/bin/env python3
"""Rebuilds the external evaluation files in this directory from the development
data in ../shared/data (see README.md here). Deterministic: the same input gives
the same files, byte for byte.

    python3 tests/data/external/split.py /work/shared/data

Bitext (train split only): per intent, rows are grouped by template (the
utterance lowercased with its entity value, digits and "order"/"purchase"
masked, so "cancel order 123" and "cancel purchase 456" stay together), groups
are ordered by SHA-256 of "firstline-bitext-v1:" + template, and whole groups go
to the held-out part until it holds 30 % of the intent's rows; the rest is the
development part. CLINC150: train (+ oos_train) is the
development part, validation (+ oos_val) the held-out part. Labels are mapped
onto the pack's intents with labels.tsv ("-" = must get no intent).
The official test splits of either set are never read.
"""
import csv
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HELD_OUT_SHARE = 0.30


def mapping():
    table = {}
    with open(os.path.join(HERE, "labels.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            source, label, pack = line.rstrip("\n").split("\t")
            table[(source, label)] = pack
    return table


def template(row):
    text = row["utterance"].lower()
    if row["entity_value"]:
        text = text.replace(row["entity_value"].lower(), "{entity}")
    text = re.sub(r"\d+", "0", text)
    return re.sub(r"\b(purchase|order)\b", "{order}", text)


def clean(text):
    return " ".join(text.replace("\t", " ").split())


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


def main(data):
    table = mapping()
    with open(os.path.join(data, "bitext", "train.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_intent = {}
    for r in rows:
        by_intent.setdefault(r["intent"], []).append(r)
    dev, held = [], []
    for intent in sorted(by_intent):
        groups = {}
        for r in by_intent[intent]:
            groups.setdefault(template(r), []).append(r)
        order = sorted(groups, key=lambda t: hashlib.sha256(("firstline-bitext-v1:" + t).encode()).hexdigest())
        want, taken = round(len(by_intent[intent]) * HELD_OUT_SHARE), 0
        for t in order:
            side = held if taken < want else dev
            taken += len(groups[t]) if side is held else 0
            for r in groups[t]:
                side.append([table[("bitext", intent)], "en", clean(r["utterance"]), intent, r["tags"]])
    header = ["label", "lang", "text", "source_label", "tags"]
    write("bitext-dev.tsv", header, sorted(dev, key=lambda r: (r[3], r[2])))
    write("bitext-heldout.tsv", header, sorted(held, key=lambda r: (r[3], r[2])))

    with open(os.path.join(data, "clinc150", "train_val.json"), encoding="utf-8") as f:
        clinc = json.load(f)
    header = ["label", "lang", "text", "source_label"]
    for name, keys in [("clinc-train.tsv", ["train", "oos_train"]), ("clinc-val.tsv", ["val", "oos_val"])]:
        out = []
        for key in keys:
            for text, intent in clinc[key]:
                out.append([table[("clinc150", intent)], "en", clean(text), intent])
        write(name, header, sorted(out, key=lambda r: (r[3], r[2])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data")
