"""The rules analyser's quality on the labelled transcripts, as a small markdown report.

    .venv/bin/python bench/analyser_quality.py [--data FILE.jsonl ...] [--repeat 20]

By default both labelled sets: `scl_transcripts.jsonl` (written before the analyser, then used to build it) and
`scl_transcripts_holdout.jsonl` (written after the analyser was frozen; its first, blind, measurement was
precision 0.741, recall 0.909, F1 0.816, and the analyser was corrected on its misses since, so neither set is
blind now). A prospect is the positive class. Time per transcript is the median of `--repeat` passes over a set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

from leadline.scl.analysis.rules import RulesAnalyser  # noqa: E402

DATA = (ROOT / "tests" / "data" / "scl_transcripts.jsonl", ROOT / "tests" / "data" / "scl_transcripts_holdout.jsonl")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def metrics(labels: list[bool], predictions: list[bool]) -> dict[str, float | int]:
    pairs = Counter(zip(labels, predictions, strict=True))
    tp, fp, fn, tn = pairs[True, True], pairs[False, True], pairs[True, False], pairs[False, False]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / len(labels) if labels else 0.0,
    }


def report(path: Path, repeat: int) -> None:
    rows = load(path)
    analyser = RulesAnalyser()
    results = [analyser.analyse(row["transcript"]) for row in rows]
    m = metrics([r["is_prospect"] for r in rows], [a.is_prospect for a in results])
    passes = []
    for _ in range(repeat):
        start = time.perf_counter()
        for row in rows:
            analyser.analyse(row["transcript"])
        passes.append((time.perf_counter() - start) / len(rows))

    prospects = sum(r["is_prospect"] for r in rows)
    print(f"## RulesAnalyser on `{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}`\n")
    print(f"{len(rows)} transcripts: {prospects} prospects, {len(rows) - prospects} not.\n")
    print("| precision | recall | F1 | accuracy |\n| ---: | ---: | ---: | ---: |")
    print(f"| {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['accuracy']:.3f} |\n")
    print("| | predicted prospect | predicted not |\n| --- | ---: | ---: |")
    print(f"| **prospect** | {m['tp']} | {m['fn']} |\n| **not** | {m['fp']} | {m['tn']} |\n")
    wrong = [(row, a) for row, a in zip(rows, results, strict=True) if row["is_prospect"] != a.is_prospect]
    print(f"Misclassified: {len(wrong)}\n")
    if wrong:
        print("| id | category | labelled | confidence | reasons |\n| --- | --- | --- | ---: | --- |")
        for row, a in wrong:
            label = "prospect" if row["is_prospect"] else "not"
            print(f"| {row['id']} | {row['category']} | {label} | {a.confidence:.2f} | {', '.join(a.reasons)} |")
        print()
    median_us = statistics.median(passes) * 1e6
    print(f"Time per transcript: median {median_us:.0f} µs over {repeat} passes of the set.\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, nargs="+", default=DATA)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    for path in args.data:
        report(path, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
