import pytest

from leadline.data.store import decode_token, encode_token
from leadline.errors import InvalidInput

KEY = {"pk": {"S": "T#a"}, "sk": {"S": "CAMPAIGN#c1"}}


def test_a_token_round_trips():
    assert decode_token(encode_token(KEY), expect={"pk": "T#a"}, sk_prefix="CAMPAIGN#") == KEY


def test_no_token_means_the_first_page():
    assert decode_token(None, expect={"pk": "T#a"}) is None
    assert encode_token(None) is None


@pytest.mark.parametrize(
    ("token", "expect", "prefix"),
    [
        ("!!!", {"pk": "T#a"}, None),
        (encode_token(KEY), {"pk": "T#b"}, None),  # another tenant's token
        (encode_token(KEY), {"pk": "T#a"}, "EMPLOYEE#"),  # another listing's token
        (encode_token({"pk": {"N": "1"}}), {"pk": "T#a"}, None),
        ("W10", {"pk": "T#a"}, None),  # a JSON list
    ],
)
def test_a_token_from_elsewhere_is_refused(token, expect, prefix):
    with pytest.raises(InvalidInput):
        decode_token(token, expect=expect, sk_prefix=prefix)
