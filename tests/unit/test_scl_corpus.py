"""The labelled SCL corpus: large and varied enough to measure the analyser, and split as its README says."""

import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

CORPUS = Path(__file__).parents[1] / "data" / "scl_corpus"

TRADES = {
    "hvac",
    "plumbing",
    "electrical",
    "garage_doors",
    "pest_control",
    "roofing",
    "landscaping",
    "cleaning",
    "appliance_repair",
}
PROSPECT_KINDS = {
    "repair",
    "emergency",
    "replacement_quote",
    "installation_quote",
    "maintenance",
    "price_shopper",
    "details_by_message",
    "callback_request",
    "consult_first",
    "existing_customer_new_work",
}
NOT_PROSPECT_KINDS = {
    "visit_check",
    "reschedule",
    "cancel",
    "billing",
    "warranty",
    "vendor",
    "solicitor",
    "job_applicant",
    "wrong_number",
    "robocall",
    "hang_up",
    "voicemail_greeting",
    "tenant_landlord_handles",
    "complaint",
}
SPEAKER_LABELS = {
    "callrail": {"Agent", "Customer"},
    "agent_caller": {"Agent", "Caller"},
    "transcribe_spk": {"spk_0", "spk_1"},
    "transcribe_ch": {"ch_0", "ch_1"},
}
UNLABELLED_STYLES = {"twilio", "speech_to_text"}
STYLES = set(SPEAKER_LABELS) | UNLABELLED_STYLES | {"terse", "rambling"}
DEVELOPMENT_SHARE = 0.55


def _read(name: str) -> list[dict]:
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


DEV = _read("dev.jsonl")
BLIND = _read("blind.jsonl")
ALL = DEV + BLIND
# the fresh blind parts, written after the tuning was over: outside the split, held to the same format
FRESH = _read("fresh.jsonl") + _read("fresh2.jsonl") + _read("fresh3.jsonl")
# the training calls of four more writers: outside the split and the measures, held to the same format
TRAINING = _read("training.jsonl")


def _lines(record: dict) -> list[str]:
    return record["transcript"].splitlines()


def _sentences(transcript: str):
    for line in transcript.splitlines():
        spoken = re.sub(r"^\w+:\s*", "", line)
        for sentence in re.split(r"(?<=[.!?])\s+", spoken):
            yield sentence.strip().lower()


def test_the_corpus_is_large_and_both_parts_are_substantial():
    assert len(ALL) >= 420
    assert len(DEV) >= 200 and len(BLIND) >= 180


@pytest.mark.parametrize("record", ALL + FRESH + TRAINING, ids=lambda record: record["id"])
def test_every_record_has_the_documented_fields(record):
    assert set(record) <= {"id", "trade", "kind", "style", "is_prospect", "transcript", "note"}
    assert re.fullmatch(r"c-\d{4}", record["id"]) if record in ALL else re.fullmatch(r"[fght]\d-\d{3}", record["id"])
    assert record["trade"] in TRADES
    assert record["kind"] in PROSPECT_KINDS | NOT_PROSPECT_KINDS
    assert record["style"] in STYLES
    assert isinstance(record["is_prospect"], bool)
    assert record["transcript"].strip() == record["transcript"] != ""
    assert "note" not in record or record["note"].strip()


def test_every_trade_has_at_least_30_calls():
    counts = Counter(record["trade"] for record in ALL)
    assert {trade: n for trade, n in counts.items() if n < 30} == {}
    assert set(counts) == TRADES


def test_every_kind_has_at_least_12_calls_and_sits_in_both_parts():
    counts = Counter(record["kind"] for record in ALL)
    assert set(counts) == PROSPECT_KINDS | NOT_PROSPECT_KINDS
    assert {kind: n for kind, n in counts.items() if n < 12} == {}
    assert {r["kind"] for r in DEV} == {r["kind"] for r in BLIND} == set(counts)


def test_every_style_is_well_represented():
    counts = Counter(record["style"] for record in ALL)
    assert set(counts) == STYLES
    assert {style: n for style, n in counts.items() if n < 25} == {}


@pytest.mark.parametrize("record", ALL + FRESH + TRAINING, ids=lambda record: record["id"])
def test_each_transcript_looks_as_its_style_says(record):
    transcript = record["transcript"]
    style = record["style"]
    if style in SPEAKER_LABELS:
        assert {line.split(":", 1)[0] for line in _lines(record)} <= SPEAKER_LABELS[style]
    if style in UNLABELLED_STYLES:
        assert "\n" not in transcript and not re.match(r"^\w+:", transcript)
    if style == "speech_to_text":
        assert not re.search(r"[A-Z.,?!]", transcript), "speech-to-text has no capitals and no punctuation"


def test_short_and_long_calls_are_both_present():
    assert sum(len(_lines(record)) <= 2 for record in ALL) >= 40
    assert sum(len(_lines(record)) >= 20 for record in ALL) >= 20


def test_the_caller_speaks_first_in_some_labelled_calls_and_the_company_in_others():
    labelled = [record for record in ALL if record["style"] in SPEAKER_LABELS]
    first_speakers = Counter(record["transcript"].split(":", 1)[0] for record in labelled)
    company_first = sum(first_speakers[label] for label in ("Agent", "spk_0", "ch_0"))
    caller_first = sum(first_speakers[label] for label in ("Caller", "Customer", "spk_1", "ch_1"))
    assert company_first >= 50 and caller_first >= 20


@pytest.mark.parametrize("part", ["dev", "blind"])
def test_both_labels_are_well_represented_in_each_part(part):
    records = DEV if part == "dev" else BLIND
    prospects = sum(record["is_prospect"] for record in records)
    assert 0.35 <= prospects / len(records) <= 0.65


def test_a_label_against_its_kind_is_explained_by_a_note():
    against = [
        record["id"]
        for record in ALL + FRESH + TRAINING
        if record["is_prospect"] != (record["kind"] in PROSPECT_KINDS) and "note" not in record
    ]
    assert against == []


def test_ids_are_unique_and_the_two_parts_are_disjoint():
    ids = [record["id"] for record in ALL + FRESH + TRAINING]
    assert len(ids) == len(set(ids))
    assert not {r["id"] for r in DEV} & {r["id"] for r in BLIND}


def test_no_transcript_is_repeated():
    normalised = [" ".join(record["transcript"].lower().split()) for record in ALL + FRESH]
    assert len(normalised) == len(set(normalised))


def test_no_sentence_of_25_characters_or_more_is_reused_across_transcripts():
    where = defaultdict(set)
    for record in ALL + FRESH:
        for sentence in _sentences(record["transcript"]):
            if len(sentence) >= 25:
                where[sentence].add(record["id"])
    assert {sentence: sorted(ids) for sentence, ids in where.items() if len(ids) > 1} == {}


def test_the_split_is_the_documented_one():
    # Given every record, grouped by kind and ordered by the sha256 of its id
    by_kind = defaultdict(list)
    for record in ALL:
        by_kind[record["kind"]].append(record["id"])
    # When the first 55 % of each kind (rounded) go to development
    expected_dev = set()
    for ids in by_kind.values():
        ids.sort(key=lambda record_id: hashlib.sha256(record_id.encode()).hexdigest())
        expected_dev.update(ids[: round(len(ids) * DEVELOPMENT_SHARE)])
    # Then that is exactly the development part, and the rest is the blind part
    assert {record["id"] for record in DEV} == expected_dev
    assert {record["id"] for record in BLIND} == {record["id"] for record in ALL} - expected_dev


# fresh3's fourth writer (installation quotes, reschedules, solicitors, maintenance, wrong numbers, consult first)
# did not deliver in time: it holds the other eighteen kinds
FRESH3_MISSING = {"installation_quote", "reschedule", "solicitor", "maintenance", "wrong_number", "consult_first"}


@pytest.mark.parametrize("part", ["fresh.jsonl", "fresh2.jsonl", "fresh3.jsonl"])
def test_each_fresh_part_has_its_kinds_ten_times_and_both_labels(part):
    records = _read(part)
    kinds = PROSPECT_KINDS | NOT_PROSPECT_KINDS
    kinds -= FRESH3_MISSING if part == "fresh3.jsonl" else set()
    assert Counter(record["kind"] for record in records) == dict.fromkeys(kinds, 10)
    assert 0.35 <= sum(record["is_prospect"] for record in records) / len(records) <= 0.65
    assert set(Counter(record["trade"] for record in records)) == TRADES
    assert {style: n for style, n in Counter(record["style"] for record in records).items() if n < 20} == {}
    assert set(Counter(record["style"] for record in records)) == STYLES
