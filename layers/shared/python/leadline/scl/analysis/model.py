"""Learned corrections to the rules' score: a logistic regression over the rules' signals and the call's words.

The rules analyser's verdict is its rules' log-odds plus these corrections, against a threshold set recall first.
Features of a call: each signal the rules found (at its strength), the caller's words and word pairs, and the
agent's words. The weights are learned from the labelled corpus by `bench/train_analyser.py` (never from its blind
part) and kept in `model_weights.json` beside this module: plain numbers, read with the standard library.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WEIGHTS_FILE = Path(__file__).with_name("model_weights.json")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Corrections:
    weights: dict[str, float]
    bias: float
    word_scale: float  # the value of a word feature (a signal's is its strength)
    threshold: float  # on the rules' log-odds plus the corrections: at or above it, the caller is a prospect

    def log_odds(self, caller: str, agent: str, signals: Iterable[tuple[str, float]]) -> float:
        found = features(caller, agent, signals, self.word_scale)
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in found.items())


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def features(caller: str, agent: str, signals: Iterable[tuple[str, float]], word_scale: float) -> dict[str, float]:
    """`s:` a signal found (by its reason) at its strength, `c:` / `cc:` a caller's word / word pair, `a:` an agent's
    word, each word feature at `word_scale`."""
    out = {f"s:{reason}": strength for reason, strength in signals}
    said = words(caller)
    out.update(dict.fromkeys((f"c:{w}" for w in said), word_scale))
    out.update(dict.fromkeys((f"cc:{a} {b}" for a, b in zip(said, said[1:], strict=False)), word_scale))
    out.update(dict.fromkeys((f"a:{w}" for w in words(agent)), word_scale))
    return out


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@cache
def corrections() -> Corrections:
    data = json.loads(WEIGHTS_FILE.read_text())
    return Corrections(data["weights"], data["bias"], data["word_scale"], data["threshold"])
