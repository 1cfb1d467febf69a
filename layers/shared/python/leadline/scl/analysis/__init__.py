"""Call analysis behind one small interface: is the caller a real prospect?

Two implementations: `rules.RulesAnalyser` (local, deterministic; the default in the local runtime and
selectable in AWS) and `bedrock.BedrockAnalyser` (Amazon Bedrock's Converse API with structured output).
`CALL_ANALYSER` picks one (`rules` | `bedrock`); `BEDROCK_MODEL_ID` names the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from leadline import config


@dataclass(frozen=True)
class CallContext:
    """What the analyser may know besides the transcript."""

    direction: str | None = None
    duration_seconds: int | None = None
    call_type: str | None = None  # the tracking number's default call type: lead / not_lead
    csr_notes: str | None = None


@dataclass(frozen=True)
class Analysis:
    is_prospect: bool
    confidence: float  # 0..1
    summary: str  # one or two sentences a CSR reads before calling back
    reasons: tuple[str, ...] = field(default_factory=tuple)  # short, e.g. "asked for a price", "wrong number"


class CallAnalyser(Protocol):
    def analyse(self, transcript: str, context: CallContext | None = None) -> Analysis: ...


# The implementations build on the interface above, so they come after it.
from leadline.scl.analysis.bedrock import BedrockAnalyser  # noqa: E402
from leadline.scl.analysis.rules import RulesAnalyser  # noqa: E402


@cache
def analyser_from_environment() -> CallAnalyser:
    """One analyser per process (a Bedrock client is worth keeping between invocations)."""
    kind = config.call_analyser()
    if kind == "bedrock":
        return BedrockAnalyser(model_id=config.bedrock_model_id())
    if kind == "rules":
        return RulesAnalyser()
    raise ValueError(f"CALL_ANALYSER must be 'rules' or 'bedrock', not {kind!r}")
