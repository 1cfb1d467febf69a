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
