"""The partner registry: registered partners by name, any other well-formed name a generic partner, a name that
can be no partner's refused in words; a registration lasts as long as its block."""

from __future__ import annotations

import pytest

from leadline.errors import InvalidInput, NotFound
from leadline.partners import angi, registry, thumbtack
from leadline.partners.generic import GenericPartner
from leadline.partners.partner import Partner, Reading, Request


class Sample(Partner):
    name, display_name = "sample-leads", "Sample Leads"
    credential_fields = ("key",)
    credentials_described = "a key"

    def authenticate(self, request: Request) -> bool:
        return True

    def read(self, raw: bytes) -> Reading:
        raise InvalidInput("a sample reads nothing")

    def new_credentials(self) -> dict:
        return {"key": "k"}


def test_registered_partners_are_found_by_name_and_any_other_name_is_a_generic_partner():
    assert registry.find("thumbtack") is thumbtack.PARTNER and registry.find("angi") is angi.PARTNER
    networx = registry.find("networx")
    assert isinstance(networx, GenericPartner) and networx.name == "networx"
    assert networx.credentials_in({"networx": {"x": "y"}, "generic": {"networx": {"signing_secret": "s"}}}) == {
        "signing_secret": "s"
    }
    assert thumbtack.PARTNER.credentials_in({"thumbtack": {"username": "u"}}) == {"username": "u"}


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Thumb Tack", "2 to 40 lowercase letters, digits and '-'"),
        ("x", "2 to 40 lowercase letters"),
        ("", "2 to 40 lowercase letters"),
    ],
)
def test_a_name_that_can_be_no_partners_is_not_found_in_words(name, words):
    with pytest.raises(NotFound, match=words):
        registry.find(name)


def test_a_registered_partners_name_is_no_generic_partners():
    with pytest.raises(NotFound, match=r"'angi' has its own webhook \(/webhooks/partners/angi/\{tenant_id\}\)"):
        registry.generic("angi")


def test_a_registration_lasts_as_long_as_its_block():
    partner = Sample()
    with pytest.raises(RuntimeError), registry.registration(partner):
        assert registry.find("sample-leads") is partner and partner in registry.registered()
        with pytest.raises(NotFound, match="its own webhook"):
            registry.generic("sample-leads")
        raise RuntimeError("the test failed")
    assert registry.named("sample-leads") is None and partner not in registry.registered()
    assert isinstance(registry.find("sample-leads"), GenericPartner)


@pytest.mark.parametrize("name", ["thumbtack", "Sample", "a"])
def test_a_taken_or_malformed_name_cannot_be_registered(name):
    partner = Sample()
    partner.name = name
    with pytest.raises(ValueError, match=name), registry.registration(partner):
        pass
    assert registry.find("thumbtack") is thumbtack.PARTNER


def test_credentials_are_checked_as_the_partner_can_use_them():
    sample = Sample()
    sample.check_credentials({"key": "k"})
    for given, words in [
        ("k", "expected an object with key"),
        ({"key": "k", "other": "x"}, "unknown field"),
        ({"key": "  "}, "missing key"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            sample.check_credentials(given)
    with pytest.raises(InvalidInput, match="160"):
        angi.PARTNER.check_credentials({"api_key": "k" * 161})
    with pytest.raises(InvalidInput, match="at least 16"):
        registry.generic("networx").check_credentials({"signing_secret": "short"})
