from dataclasses import dataclass

from leadline.setup.attribution import ATTRIBUTED, DIRECT, UNKNOWN, diagnose


@dataclass
class Number:
    number: str = "+15125550100"
    number_type: str = "tracking"
    campaign_id: str | None = "c1"
    forwarding_number: str | None = "+15125550199"
    sms_registered: bool = True


@dataclass
class Campaign:
    campaign_id: str = "c1"
    name: str = "Google"
    active: bool = True
    dnis: str | None = "+15125550100"


def codes(result) -> set[str]:
    return {p.code for p in result.problems}


def test_attribution_flows_when_type_assignment_and_dnis_all_hold():
    result = diagnose(Number(), Campaign())
    assert (result.kind, result.campaign_id, codes(result)) == (ATTRIBUTED, "c1", set())


def test_direct_dial_never_attributes_even_when_everything_else_holds():
    result = diagnose(Number(number_type="direct_dial"), Campaign())
    assert (result.kind, result.campaign_id) == (DIRECT, None)
    assert "direct_dial_number" in codes(result)


def test_a_dnis_that_differs_from_the_number_breaks_attribution():
    result = diagnose(Number(), Campaign(dnis="+15125550999"))
    assert result.kind == UNKNOWN and codes(result) == {"campaign_dnis_mismatch"}
    assert "+15125550999" in result.problems[0].message


def test_an_empty_dnis_breaks_attribution():
    assert codes(diagnose(Number(), Campaign(dnis=None))) == {"campaign_dnis_mismatch"}


def test_no_campaign_and_missing_campaign_are_told_apart():
    assert codes(diagnose(Number(campaign_id=None), None)) == {"no_campaign_assigned"}
    assert codes(diagnose(Number(campaign_id="gone"), None)) == {"campaign_not_found"}


def test_warnings_do_not_break_attribution():
    result = diagnose(Number(forwarding_number=None, sms_registered=False), Campaign(active=False))
    assert result.kind == ATTRIBUTED
    assert codes(result) == {"no_forwarding_number", "sms_not_registered", "campaign_inactive"}
    assert {p.severity for p in result.problems} == {"warning"}


def test_an_unknown_number_goes_to_unknown():
    result = diagnose(None, None, called="+15125550123")
    assert result.kind == UNKNOWN and codes(result) == {"number_not_configured"}
