import pytest

from leadline.errors import InvalidInput
from leadline.phones import mask, mask_in_text, to_e164


@pytest.mark.parametrize("raw", ["(512) 555-0100", "512.555.0100", "+1 512 555 0100", "15125550100", " 512-555-0100 "])
def test_us_numbers_written_any_usual_way_become_e164(raw):
    assert to_e164(raw) == "+15125550100"


def test_international_numbers_keep_their_country():
    assert to_e164("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "   ", "12345", "hello", "+1 000 000 0000", "5125550100999"])
def test_what_is_not_a_phone_number_is_refused_with_the_field_named(raw):
    with pytest.raises(InvalidInput) as caught:
        to_e164(raw, field="dnis")
    assert caught.value.field == "dnis" and "dnis" in caught.value.message


def test_mask_keeps_the_last_two_digits():
    assert mask("+15125550100") == "+*********00"


@pytest.mark.parametrize(
    "line",
    [
        "call from +15125550100 ended",
        "caller (512) 555-0100 hung up",
        "GET /v1/tracking-numbers/%2B15125550100",
        '{"From": "512-555-0100"}',
        "1 512 555 0100",
    ],
)
def test_phone_numbers_in_log_text_are_masked(line):
    assert "555" not in mask_in_text(line)


@pytest.mark.parametrize(
    "line", ["at 2026-11-23 15:31:03,123", "epoch 1732375863123", "id cmp_3f2a1234567890ab", "took 1234 ms"]
)
def test_timestamps_ids_and_counts_are_left_alone(line):
    assert mask_in_text(line) == line


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("(999) 555-0142", "is not a valid phone number"),
        ("512-555-01", "is not a valid phone number"),
        ("hello", "is not a phone number"),
        ("+999 1234", "does not start with a known country code"),
        ("+44 1", "is too short to be a phone number"),
        ("12345678901234567890", "is too long to be a phone number"),
    ],
)
def test_a_refusal_quotes_the_number_as_typed_and_says_why_in_words(raw, why):
    # the message goes back to whoever typed the number; log lines mask it (tests/unit/test_log_masking.py)
    with pytest.raises(InvalidInput) as caught:
        to_e164(raw, field="caller")
    assert caught.value.message == f"caller '{raw}' {why}"


def test_a_refusal_quotes_no_more_than_the_start_of_a_long_input():
    with pytest.raises(InvalidInput) as caught:
        to_e164("5" * 500, field="caller")
    assert caught.value.message == f"caller '{'5' * 37}...' is too long to be a phone number"
