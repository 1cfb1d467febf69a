"""A call converges to one state whatever the order and number of deliveries of its events."""

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.calls.events import CallEvent, Recording, Transcript
from leadline.calls.state import CallState, merge

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def twilio_call() -> list[CallEvent]:
    common = {
        "vendor": "twilio",
        "call_id": "CA1",
        "direction": "inbound",
        "from_number": "+15125550177",
        "to_number": "+15125550100",
    }
    statuses = [("queued", 0, 0), ("ringing", 1, 2), ("in-progress", 2, 10), ("completed", 3, 130)]
    events = [
        CallEvent(
            dedupe_key=f"s{seq}",
            kind="voice-status",
            status=s,
            sequence=seq,
            occurred_at=T0 + timedelta(seconds=t),
            duration_seconds=120 if s == "completed" else None,
            **common,
        )
        for s, seq, t in statuses
    ]
    events.append(
        CallEvent(
            vendor="twilio",
            call_id="CA1",
            dedupe_key="r-ip",
            kind="recording",
            recording=Recording(url="", status="in-progress", sid="RE1"),
        )
    )
    events.append(
        CallEvent(
            vendor="twilio",
            call_id="CA1",
            dedupe_key="r-ok",
            kind="recording",
            recording=Recording(url="https://r/RE1", status="completed", sid="RE1", duration_seconds=118),
        )
    )
    events.append(
        CallEvent(
            vendor="twilio",
            call_id="CA1",
            dedupe_key="t-ok",
            kind="transcript",
            transcript=Transcript(text="I need my AC fixed", sid="TR1"),
        )
    )
    return events


def fold(events) -> CallState:
    state = CallState(call_id="CA1")
    for event in events:
        state = merge(state, event)
    return state


EXPECTED = fold(twilio_call())


def test_in_order_the_call_is_what_twilio_said():
    assert EXPECTED.status == "completed" and EXPECTED.answered
    assert EXPECTED.started_at == T0 and EXPECTED.ended_at == T0 + timedelta(seconds=130)
    assert EXPECTED.duration_seconds == 120
    assert EXPECTED.recording.url == "https://r/RE1" and EXPECTED.transcript.text == "I need my AC fixed"


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False), st.lists(st.integers(min_value=0, max_value=6), max_size=10))
def test_any_order_with_any_duplicates_gives_the_same_call(rng: random.Random, duplicated: list[int]):
    events = twilio_call()
    deliveries = events + [events[i] for i in duplicated]
    rng.shuffle(deliveries)
    assert fold(deliveries) == EXPECTED


def test_a_late_ringing_never_takes_a_completed_call_back():
    events = twilio_call()
    assert fold([events[3], events[1]]).status == "completed"


@given(st.permutations(["no-answer", "completed", "busy", "canceled", "failed"]))
def test_conflicting_terminal_statuses_resolve_the_same_way_in_any_order(order):
    events = [CallEvent(vendor="v", call_id="c", dedupe_key=s, kind="k", status=s) for s in order]
    assert fold(events).status == "completed"


def test_answered_is_not_claimed_by_an_unanswered_call():
    no_answer = CallEvent(vendor="v", call_id="c", dedupe_key="n", kind="k", status="no-answer", duration_seconds=0)
    assert fold([no_answer]).answered is False
