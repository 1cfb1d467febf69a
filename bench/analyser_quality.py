"""The SCL analyser's quality on the labelled corpus, as a markdown report.

    .venv/bin/python bench/analyser_quality.py [--part dev|blind|fresh|fresh2|fresh3|older|all] [--repeat 5]

`RulesAnalyser` (the rules and their learned corrections) over `tests/data/scl_corpus/` (issue 20), written blind to
the analyser and split before any tuning: the development part (`dev.jsonl`, 256 calls) and four blind parts, each
scored once when a change was final: `blind.jsonl` (213 calls), `fresh.jsonl` and `fresh2.jsonl` (240 each) and
`fresh3.jsonl` (180). The first three were spent (scored blind, then trained on); `fresh3.jsonl` never was, and its
figures are the analyser's blind figures. `older` is the two older labelled sets (`tests/data/scl_transcripts*.jsonl`,
also training data). Each section's title says which of these the part is; `tests/data/scl_corpus/README.md` says
how each was used. A prospect is the positive class.

Each part prints precision, recall, F1 and the confusion (tp/fp/fn/tn), then the confusion per kind of call and per
style of transcript. The parts trained on also list their misclassified calls (id, kind, confidence, reasons); the
blind parts show counts only, never an id, a text or a reason of their calls, so that reading the report cannot
tune on them. Without `--part` it prints the development part and the blind part; `all` is every part. Time per
transcript is the median of `--repeat` passes over the development part.

Figures: `bench/README.md`, "The SCL analyser: precision and recall, measured blind". The tests that hold them:
`tests/unit/test_analyser_quality.py`, by the functions below.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

from leadline.scl.analysis import Analysis  # noqa: E402
from leadline.scl.analysis.rules import RulesAnalyser  # noqa: E402

DATA = ROOT / "tests" / "data"
BLIND, FRESH, FRESH2, FRESH3 = "blind", "fresh", "fresh2", "fresh3"
BLIND_PARTS = (BLIND, FRESH, FRESH2, FRESH3)  # scored by counts only
CORPUS = {part: DATA / "scl_corpus" / f"{part}.jsonl" for part in ("dev", *BLIND_PARTS)}
OLDER = {"older": DATA / "scl_transcripts.jsonl", "older holdout": DATA / "scl_transcripts_holdout.jsonl"}
WHAT_EACH_PART_IS = {
    "dev": "development part, trained on",
    BLIND: "spent blind part: scored blind once, then trained on",
    FRESH: "spent blind part: scored blind once, then trained on",
    FRESH2: "spent blind part: scored blind once, then trained on",
    FRESH3: "blind part: never trained on",
    "older": "older labelled set, trained on",
    "older holdout": "older labelled holdout, trained on",
}

Analyse = Callable[[str], Analysis]


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: bool, prediction: bool) -> None:
        if label:
            self.tp, self.fn = self.tp + prediction, self.fn + (not prediction)
        else:
            self.fp, self.tn = self.fp + prediction, self.tn + (not prediction)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


@dataclass
class Quality:
    """A part's figures: the whole confusion, the confusion per kind and per style, and the misclassified calls (kept
    only when asked for: never for a blind part)."""

    overall: Confusion = field(default_factory=Confusion)
    by_kind: dict[str, Confusion] = field(default_factory=dict)
    by_style: dict[str, Confusion] = field(default_factory=dict)
    wrong: list[tuple[dict, Analysis]] = field(default_factory=list)


def measure(rows: Iterable[dict], analyse: Analyse, *, keep_misses: bool) -> Quality:
    quality = Quality()
    for row in rows:
        result = analyse(row["transcript"])
        label = bool(row["is_prospect"])
        quality.overall.add(label, result.is_prospect)
        kind = row.get("kind") or row.get("category")  # the older sets name the kind "category"
        for table, key in ((quality.by_kind, kind), (quality.by_style, row.get("style"))):
            if key:
                table.setdefault(key, Confusion()).add(label, result.is_prospect)
        if keep_misses and result.is_prospect != label:
            quality.wrong.append((row, result))
    return quality


def measure_part(part: str, analyse: Analyse | None = None) -> Quality:
    """One part's figures (`dev`, `blind`, `fresh`, `fresh2`, `older`, `older holdout`); a blind part's keep no
    misclassified call."""
    path = CORPUS.get(part) or OLDER[part]
    return measure(load(path), analyse or RulesAnalyser().analyse, keep_misses=part not in BLIND_PARTS)


def _figures(c: Confusion) -> str:
    header = "| calls | precision | recall | F1 | tp | fp | fn | tn |\n" + "| ---: " * 8 + "|"
    row = f"| {c.total} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} | {c.tp} | {c.fp} | {c.fn} | {c.tn} |"
    return f"{header}\n{row}\n"


def _table(title: str, table: dict[str, Confusion]) -> str:
    lines = [f"| {title} | tp | fn | fp | tn | right |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for key in sorted(table):
        c = table[key]
        lines.append(f"| {key} | {c.tp} | {c.fn} | {c.fp} | {c.tn} | {c.tp + c.tn}/{c.total} |")
    return "\n".join(lines) + "\n"


def report(part: str, quality: Quality) -> str:
    out = [f"## {part} ({WHAT_EACH_PART_IS[part]})\n", _figures(quality.overall), _table("kind", quality.by_kind)]
    if quality.by_style:
        out.append(_table("style", quality.by_style))
    if quality.wrong:
        out.append("| id | kind | labelled | confidence | reasons |\n| --- | --- | --- | ---: | --- |")
        for row, a in quality.wrong:
            label = "prospect" if row["is_prospect"] else "not"
            kind = row.get("kind") or row.get("category")
            out.append(f"| {row['id']} | {kind} | {label} | {a.confidence:.2f} | {', '.join(a.reasons)} |")
        out.append("")
    return "\n".join(out)


def time_per_transcript(rows: list[dict], analyse: Analyse, repeat: int) -> float:
    passes = []
    for _ in range(repeat):
        start = time.perf_counter()
        for row in rows:
            analyse(row["transcript"])
        passes.append((time.perf_counter() - start) / len(rows))
    return statistics.median(passes)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=("dev", *BLIND_PARTS, "older", "all"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    analyse = RulesAnalyser().analyse
    parts = {
        None: ["dev", FRESH3],
        "dev": ["dev"],
        **{p: [p] for p in BLIND_PARTS},
        "older": list(OLDER),
        "all": ["dev", *BLIND_PARTS, *OLDER],
    }
    parts = parts[args.part]
    for part in parts:
        print(report(part, measure_part(part, analyse)))
    if args.part not in BLIND_PARTS:
        per_call = time_per_transcript(load(CORPUS["dev"]), analyse, args.repeat)
        print(
            f"Time per transcript: median {per_call * 1e6:.0f} µs over {args.repeat} passes of the development part.\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
