import pytest

from leadline.data import keys
from leadline.data.store import decode_token, encode_token
from leadline.errors import InvalidInput

A, B = keys.tenant("a"), keys.tenant("b")
KEY = {"pk": {"S": A}, "sk": {"S": keys.campaign("c1")}}


def test_a_token_round_trips():
    assert decode_token(encode_token(KEY), expect={"pk": A}, sk_prefix=keys.CAMPAIGNS) == KEY


def test_no_token_means_the_first_page():
    assert decode_token(None, expect={"pk": A}) is None
    assert encode_token(None) is None


@pytest.mark.parametrize(
    ("token", "expect", "prefix"),
    [
        ("!!!", {"pk": A}, None),
        (encode_token(KEY), {"pk": B}, None),  # another tenant's token
        (encode_token(KEY), {"pk": A}, keys.EMPLOYEES),  # another listing's token
        (encode_token({"pk": {"N": "1"}}), {"pk": A}, None),
        ("W10", {"pk": A}, None),  # a JSON list
    ],
)
def test_a_token_from_elsewhere_is_refused(token, expect, prefix):
    with pytest.raises(InvalidInput):
        decode_token(token, expect=expect, sk_prefix=prefix)
