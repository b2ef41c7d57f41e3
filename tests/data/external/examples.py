#!/usr/bin/env python3
"""Writes the pack's example files from the development parts in this directory
(never from bitext-heldout.tsv or clinc-val.tsv):

    python3 tests/data/external/examples.py [PER_INTENT] [OFF_TOPIC_PER_CLINC_INTENT]

rules/examples-bitext.yaml: up to PER_INTENT Bitext development utterances per
intent (100 by default), order ids and other digits removed.
rules/examples-clinc.yaml: CLINC150 train queries: the shop intents (greeting,
goodbye, thank_you, order_status) in full, and OFF_TOPIC_PER_CLINC_INTENT
queries of every other intent (20 by default) plus the out-of-scope ones as
`none`.
Rows are taken in the order of the SHA-256 of their text, so the choice is fixed.
"""
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def rows(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            yield dict(zip(header, line.rstrip("\n").split("\t")))


def key(text):
    return hashlib.sha256(("firstline-examples-v1:" + text).encode()).hexdigest()


def clean(text):
    text = re.sub(r"[#]?\b[\w-]*\d[\w-]*\b", " ", text)
    return " ".join(text.split())


def write(path, header, groups):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header)
        f.write("version: 1\nexamples:\n")
        for intent in sorted(groups):
            f.write(f"  {intent}:\n    en:\n")
            for t in groups[intent]:
                f.write(f"      - {json.dumps(t, ensure_ascii=False)}\n")


def main(per_intent, off_topic):
    groups = {}
    for r in rows("bitext-dev.tsv"):
        t = clean(r["text"])
        if t:
            groups.setdefault(r["label"], []).append(t)
    for k in groups:
        groups[k] = sorted(set(groups[k]), key=key)[:per_intent]
    write(os.path.join(ROOT, "rules", "examples-bitext.yaml"), BITEXT, groups)

    groups, by_source = {}, {}
    for r in rows("clinc-train.tsv"):
        by_source.setdefault((r["label"], r["source_label"]), []).append(r["text"])
    for (label, source), texts in sorted(by_source.items()):
        texts = sorted(set(texts), key=key)
        if label == "-":
            label, texts = "none", texts[: (100 if source == "oos" else off_topic)]
        groups.setdefault(label, []).extend(texts)
    write(os.path.join(ROOT, "rules", "examples-clinc.yaml"), CLINC, groups)


BITEXT = """# Example messages for the similarity scorer (rules/RULES.md, "Example files"):
# utterances of the development part of Bitext's customer-service dataset
# (tests/data/external/bitext-dev.tsv; written by tests/data/external/examples.py).
# No row of the held-out part (bitext-heldout.tsv) is here.
#
# Source: Bitext Customer Service Tagged Training Dataset for Intent Detection,
# (c) Bitext Innovations International, S.L.,
# https://github.com/bitext/customer-support-intent-detection-training-dataset
# Licensed under the Community Data License Agreement - Sharing 1.0
# (tests/data/external/LICENSE-bitext.txt). This file is modified data: utterances
# selected by intent, digits (order ids, amounts) removed, duplicates dropped. It is
# published under the same agreement.
"""

CLINC = """# Example messages for the similarity scorer (rules/RULES.md, "Example files"):
# queries of CLINC150's train split (tests/data/external/clinc-train.tsv; written by
# tests/data/external/examples.py). Its validation split is not here. Greetings,
# goodbyes, thanks and order-status queries are examples of the pack's intents;
# queries of CLINC's other intents and its out-of-scope queries are off-topic
# (`none`) and keep the similarity from answering everyday assistant requests.
#
# Source: CLINC150, Larson et al., "An Evaluation Dataset for Intent Classification
# and Out-of-Scope Prediction", EMNLP-IJCNLP 2019, https://github.com/clinc/oos-eval
# Licensed under Creative Commons Attribution 3.0 Unported
# (https://creativecommons.org/licenses/by/3.0/). Adapted: queries selected, labels
# mapped onto the pack's intents.
"""

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
