"""The staff API's request schemas where they go beyond what pydantic says: blank in every script, arrays refused
by their length before their items are read, whole numbers and phone numbers told in words."""

import pytest
from pydantic import TypeAdapter, ValidationError

from leadline.api.staff import schemas


def _refusal(adapter: TypeAdapter, value) -> str:
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(value)
    return refused.value.errors()[0]["msg"]


@pytest.mark.parametrize("blank", ["", " ", "\u00a0", "\u3000", "\u2003\t", "\u200b", "\ufeff \u202f"])
def test_a_name_blank_in_any_script_is_refused(blank):
    assert "blank" in _refusal(TypeAdapter(schemas.Name), blank) or blank == ""


def test_a_name_is_kept_without_the_white_space_around_it_of_any_script():
    assert TypeAdapter(schemas.Name).validate_python("\u00a0Pat O'Hara\u3000") == "Pat O'Hara"


def test_an_array_too_long_is_refused_by_its_length_not_read_for_repeats():
    tags = TypeAdapter(schemas.unique_set(schemas.Tag, 20))
    assert "at most 20" in _refusal(tags, ["same"] * 40_000)
    assert _refusal(tags, ["vip", "hvac", "vip"]) == "Value error, lists vip more than once"
    assert tags.validate_python(["vip", "hvac"]) == {"vip", "hvac"}


def test_a_dni_pool_too_long_is_refused_before_its_numbers_are_read():
    body = {"domain": "acme-home.example", "pool": ["not a number"] * 5_000, "default_number": "+15125550101"}
    errors = pytest.raises(ValidationError, TypeAdapter(schemas.DniConfigPut).validate_python, body).value.errors()
    assert [e["msg"] for e in errors] == ["Value error, the pool holds at most 30 numbers"]


@pytest.mark.parametrize(("value", "words"), [(1e300, "at most 16 digits"), (True, "whole number"), ("5", "whole")])
def test_a_whole_number_is_refused_in_words(value, words):
    assert words in _refusal(TypeAdapter(schemas.whole_number(1, 100)), value)


def test_a_phone_in_a_query_is_checked_in_words():
    assert schemas.phone_as_written("(512) 555-0142") == "(512) 555-0142"
    with pytest.raises(ValueError, match="phone numbers are digits"):
        schemas.phone_as_written("call me")
