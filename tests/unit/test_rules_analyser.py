"""The rules analyser: clear cases of each kind, the shape of its answer, and its quality on the labelled sets."""

import json
from pathlib import Path

import pytest

from leadline.scl.analysis import Analysis, CallContext
from leadline.scl.analysis.rules import RulesAnalyser, score, split_turns

DATA = Path(__file__).resolve().parent.parent / "data"
SETS = ("scl_transcripts.jsonl", "scl_transcripts_holdout.jsonl")
MIN_RECALL, MIN_PRECISION = 0.90, 0.75

analyser = RulesAnalyser()

PROSPECTS = {
    "ac_not_cooling": "Agent: Summit Heating and Air.\nCaller: Hi, my AC is blowing warm air and it's 85 in here. "
    "Can you send someone out today? How much is the service call?",
    "no_heat_plain": "hi this is Paul, our furnace quit last night and there's no heat, we have little kids. "
    "please call me back at 555 0110",
    "clogged_drain": "Caller: The basement drain is backing up again.\nAgent: Okay.\nCaller: Can somebody come "
    "tomorrow morning?",
    "garage_spring": "Caller: I think the spring broke on my garage door, it won't open and my car's inside. "
    "How soon can you get here?",
    "electrical": "Customer: Half my outlets stopped working and I already reset the breaker.\nCSR: We can have an "
    "electrician there Friday.\nCustomer: Let me check and call you back.",
    "price_only": "Caller: What do you charge for a water heater replacement, roughly?\nAgent: Usually fifteen to "
    "twenty-two hundred.\nCaller: Okay, thanks.",
    "callback_only": "Caller: Hi, it's Dana on Birch Lane, give me a call back when you get this, 555 0199.",
    "talk_to_spouse": "Caller: We're thinking about a new AC system, do you do free estimates?\nAgent: We do.\n"
    "Caller: Let me talk to my husband and we'll call you back.",
    "transcribe_labels": "spk_0: Thanks for calling Blue Line Plumbing, how can I help?\nspk_1: My kitchen sink is "
    "clogged and the dishwasher won't drain. Could someone come this afternoon?",
}

NOT_PROSPECTS = {
    "wrong_number": "Caller: Is this Doctor Lee's office? I need to move my appointment.\nAgent: No, this is a "
    "plumbing company.\nCaller: Oh, sorry, wrong number.",
    "vendor": "Caller: Hi, this is Jim from Allied Supply, the AC units Rick ordered are ready for pickup, and the "
    "price on the coils went up. Have him call me back.",
    "solicitor": "Caller: Hi, I'm calling from Rank Local about your Google business listing. Is the owner "
    "available? We can get you more customers who need AC repair.",
    "robocall": "This is not a sales call. We have been trying to reach you about your car's extended warranty. "
    "Press 1 to speak with a specialist.",
    "existing_job": "Caller: Hi, my AC isn't cooling and you guys are coming out today, I just wanted to know what "
    "time the tech will be here.\nAgent: Between one and three.",
    "invoice": "Caller: I got my invoice and I think I was charged twice for the diagnostic.",
    "renter": "Caller: I'm a tenant, my water heater is leaking but my landlord handles repairs. Has he called you "
    "yet?\nAgent: Not yet.",
    "job_applicant": "Caller: Hi, I saw your ad on Indeed for an HVAC installer position. I've installed and "
    "repaired furnaces for five years. Are you still hiring?",
    "hang_up": "Agent: Bright Spark Electric, how can I help?\nAgent: Hello?\nAgent: Hello?",
    "empty": "",
}


@pytest.mark.parametrize("name", PROSPECTS)
def test_a_clear_prospect_is_a_prospect(name):
    result = analyser.analyse(PROSPECTS[name])
    assert result.is_prospect, (name, result)


@pytest.mark.parametrize("name", NOT_PROSPECTS)
def test_a_clear_non_prospect_is_not(name):
    result = analyser.analyse(NOT_PROSPECTS[name])
    assert not result.is_prospect, (name, result)


@pytest.mark.parametrize("transcript", [*PROSPECTS.values(), *NOT_PROSPECTS.values(), "   ", "\n\n", "x" * 5000])
def test_the_answer_is_well_formed(transcript):
    result = analyser.analyse(transcript)
    assert isinstance(result, Analysis)
    assert 0.0 <= result.confidence <= 1.0
    assert result.summary.strip() and result.reasons and all(r.strip() for r in result.reasons)
    if transcript.strip():
        assert result.summary not in transcript and transcript.strip() not in result.summary


def test_a_verdict_is_never_less_than_even():
    for transcript in [*PROSPECTS.values(), *NOT_PROSPECTS.values()]:
        assert analyser.analyse(transcript).confidence >= 0.5


def test_the_summary_says_what_the_call_was_about():
    summary = analyser.analyse(PROSPECTS["ac_not_cooling"]).summary
    assert "AC not cooling" in summary and "price" in summary and "come out" in summary
    assert analyser.analyse(NOT_PROSPECTS["vendor"]).summary.startswith("Not a prospect: vendor")


def test_the_same_input_gives_the_same_answer():
    context = CallContext(direction="inbound", duration_seconds=95, call_type="lead")
    for transcript in PROSPECTS.values():
        assert analyser.analyse(transcript, context) == RulesAnalyser().analyse(transcript, context)


def test_a_negated_request_is_not_counted():
    result = analyser.analyse("Caller: I don't need a quote, and I'm not looking to replace anything. Bye.")
    assert "asked for a price or estimate" not in result.reasons
    assert "an install or replacement" not in result.reasons
    assert "asked for a price or estimate" in analyser.analyse("Caller: I need a quote for a new roof.").reasons


def test_the_callers_words_count_more_than_the_agents():
    words = "Can you send someone out today? My furnace is blowing cold air even on heat."
    by_caller, _ = score(*split_turns(f"Agent: Apex Comfort.\nCaller: {words}"))
    by_agent, _ = score(*split_turns(f"Caller: Hi, who is this?\nAgent: Apex Comfort. {words}"))
    assert by_caller > 3 * by_agent > 0


def test_transcribe_speaker_labels_find_the_agent_by_the_greeting_whoever_speaks_first():
    caller, agent = split_turns(
        "spk_0: Hello?\nspk_1: Thank you for calling Apex Comfort, how can I help?\nspk_0: My air conditioner is out."
    )
    assert (caller, agent) == (
        "Hello? My air conditioner is out.",
        "Thank you for calling Apex Comfort, how can I help?",
    )
    caller, agent = split_turns("spk_0: Yeah my air conditioner isn't working.\nspk_1: When did it start?")
    assert agent == "" and "air conditioner" in caller and "When did it start" in caller


def test_labels_inline_on_one_line_are_turns_too():
    caller, agent = split_turns(
        "Agent: Thanks for calling Acme, this is Carlos. Caller: My AC stopped cooling. "
        "Agent: Let me check. Caller: Can you call me back?"
    )
    assert caller == "My AC stopped cooling. Can you call me back?"
    assert agent == "Thanks for calling Acme, this is Carlos. Let me check."


def test_the_context_lowers_the_odds_of_a_short_call_or_a_not_lead_number():
    transcript = "Caller: Do you guys service Trane?\nAgent: Yes.\nCaller: Okay, thanks."
    plain = analyser.analyse(transcript)
    short = analyser.analyse(transcript, CallContext(duration_seconds=12, call_type="not_lead"))
    assert plain.is_prospect and not short.is_prospect
    assert "very short call" in short.reasons
    assert analyser.analyse(transcript, CallContext(duration_seconds=0)) == plain  # 0: duration unknown


# --- the labelled sets ----------------------------------------------------------------------------------------


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]


def precision_recall(rows: list[dict], analyse) -> tuple[float, float]:
    predicted = [(row["is_prospect"], analyse(row["transcript"]).is_prospect) for row in rows]
    tp = sum(label and guess for label, guess in predicted)
    fp = sum(guess and not label for label, guess in predicted)
    fn = sum(label and not guess for label, guess in predicted)
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def test_the_main_set_is_large_varied_and_balanced():
    rows = load(SETS[0])
    assert len(rows) >= 80 and len({r["id"] for r in rows}) == len(rows)
    assert all(set(r) == {"id", "transcript", "is_prospect", "category"} for r in rows)
    assert 0.45 <= sum(r["is_prospect"] for r in rows) / len(rows) <= 0.65
    assert len({r["category"] for r in rows if not r["is_prospect"]}) >= 8


@pytest.mark.parametrize("name", SETS)
def test_recall_and_precision_on_a_labelled_set(name):
    rows = load(name)
    precision, recall = precision_recall(rows, analyser.analyse)
    missed = [r["id"] for r in rows if r["is_prospect"] and not analyser.analyse(r["transcript"]).is_prospect]
    print(f"\n{name}: {len(rows)} transcripts, precision {precision:.3f}, recall {recall:.3f}, missed {missed}")
    assert recall >= MIN_RECALL, f"recall {recall:.3f} < {MIN_RECALL}; missed prospects: {missed}"
    assert precision >= MIN_PRECISION, f"precision {precision:.3f} < {MIN_PRECISION}"


def test_the_quality_bar_fails_a_careless_analyser():
    rows = load(SETS[0])
    _, recall_if_never = precision_recall(rows, lambda _: Analysis(False, 1.0, "no"))
    precision_if_always, _ = precision_recall(rows, lambda _: Analysis(True, 1.0, "yes"))
    assert recall_if_never < MIN_RECALL and precision_if_always < MIN_PRECISION
