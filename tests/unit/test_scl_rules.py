"""The Second Chance Lead rules on their own: `scl.evaluation.decide` over a call, the company's settings and what
was read, with nothing read from anywhere."""

import pytest

from leadline import rules
from leadline.data.repositories import calls, settings
from leadline.scl import evaluation
from leadline.scl.analysis import Analysis
from leadline.scl.evaluation import Decision, Facts, Need, decide

PROSPECT = Analysis(True, 0.9, "AC stopped cooling; wants a technician", ("asked for a price", "asked for a visit"))
NOT_A_PROSPECT = Analysis(False, 0.8, "A marketing agency selling reviews", ("sales call",))
NOTHING_BOOKED = Facts(job_booked_since_call=False)


def _settings(*, enabled: bool = True):
    return settings.new("acme", name="Acme", time_zone="America/Denver", scl_enabled=enabled)


def _call(**changes):
    """An inbound call from a known number, ended, with its recording and transcript: a candidate."""
    fields = {
        "vendor": "twilio",
        "direction": "inbound",
        "from_number": "+15125550555",
        "to_number": "+15125550500",
        "status": "completed",
        "started_at": "2026-11-23T15:00:00Z",
        "ended_at": "2026-11-23T15:01:15Z",
        "duration_seconds": 75,
        "recording": {"url": "https://api.twilio.com/rec/CA1", "status": "completed"},
        "transcript": {"text": "Caller: my AC stopped cooling, how much to come out today?"},
    }
    return calls.new("acme", "CA1", **(fields | changes))


def test_a_prospect_with_nothing_booked_and_no_recent_scl_makes_one():
    decision = decide(_call(), _settings(), Facts(job_booked_since_call=False, analysis=PROSPECT))
    assert decision == Decision(evaluation.CREATED, "asked for a price; asked for a visit")
    assert decision.creates_scl


def test_nothing_is_read_for_a_company_with_scl_off():
    assert decide(_call(), _settings(enabled=False), Facts()) == Decision(
        evaluation.DISABLED, "Second Chance Leads is off for the company"
    )
    # off comes first, whatever the call
    assert decide(_call(direction="outbound"), _settings(enabled=False), Facts()).outcome == evaluation.DISABLED


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({"direction": "outbound"}, evaluation.OUTBOUND_CALL),
        ({"recording": None}, evaluation.NO_RECORDING),
        ({"recording": {"url": "https://api.twilio.com/rec/CA1", "status": "in-progress"}}, evaluation.NO_RECORDING),
        ({"recording": {"status": "completed"}}, evaluation.NO_RECORDING),
        ({"booked": True}, evaluation.BOOKED),
        ({"job_id": "job-1"}, evaluation.BOOKED),
        ({"from_number": None}, evaluation.NO_CALLER_NUMBER),
    ],
    ids=["outbound", "no-recording", "recording-in-progress", "recording-without-url", "booked", "job", "no-number"],
)
def test_calls_that_never_become_an_scl_are_decided_before_anything_is_read(changes, outcome):
    decision = decide(_call(**changes), _settings(), Facts())
    assert isinstance(decision, Decision) and decision.outcome == outcome and not decision.creates_scl


def test_a_recording_without_a_status_counts_as_completed():
    recording = {"url": "https://api.twilio.com/rec/CA1"}
    assert decide(_call(recording=recording), _settings(), Facts()) is Need.CALLER_JOBS


def test_the_callers_jobs_are_read_before_the_transcript_is_analysed():
    call = _call()
    assert decide(call, _settings(), Facts()) is Need.CALLER_JOBS
    assert decide(call, _settings(), NOTHING_BOOKED) is Need.ANALYSIS


def test_a_job_booked_for_the_caller_since_the_call_means_no_scl_and_no_analysis():
    decision = decide(_call(), _settings(), Facts(job_booked_since_call=True))
    assert decision == Decision(evaluation.BOOKED, "a job was booked for the caller since the call")


@pytest.mark.parametrize("transcript", [None, {"text": ""}, {"text": "   "}], ids=["none", "empty", "blank"])
def test_a_call_without_a_transcript_waits_for_one(transcript):
    decision = decide(_call(transcript=transcript), _settings(), NOTHING_BOOKED)
    assert decision.outcome == evaluation.AWAITING_TRANSCRIPT
    assert evaluation.AWAITING_TRANSCRIPT not in evaluation.FINAL  # evaluated again when it arrives


def test_a_caller_who_was_not_a_prospect_makes_no_scl():
    decision = decide(_call(), _settings(), Facts(job_booked_since_call=False, analysis=NOT_A_PROSPECT))
    assert decision == Decision(evaluation.NOT_A_PROSPECT, "sales call")


def test_a_number_with_an_scl_in_the_recent_window_gets_no_second_one():
    facts = Facts(job_booked_since_call=False, analysis=PROSPECT, number_claimed=True)
    decision = decide(_call(), _settings(), facts)
    assert decision.outcome == evaluation.RECENT_SCL and not decision.creates_scl
    assert decision.reason == f"an SCL was made for this number in the last {rules.SCL_RECENT_DAYS} days"
