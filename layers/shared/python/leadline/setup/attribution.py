"""Which campaign a call to a number belongs to, and what is wrong with a number's set-up.

Attribution flows only when the number is of type `tracking`, is assigned to the campaign, and the
campaign's DNIS (advertised number) equals the number. `direct_dial` numbers never attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class NumberSetup(Protocol):
    number: str
    number_type: str
    campaign_id: str | None
    forwarding_number: str | None
    sms_registered: bool


class CampaignSetup(Protocol):
    campaign_id: str
    name: str
    active: bool
    dnis: str | None


ATTRIBUTED = "attributed"
UNKNOWN = "unknown"
DIRECT = "direct"


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # "error": attribution is lost; "warning": something else will fail
    message: str


@dataclass(frozen=True)
class Attribution:
    kind: str
    campaign_id: str | None
    problems: tuple[Problem, ...]


def attribute(number: NumberSetup | None, advertised_by: str | None) -> tuple[str, str | None]:
    """(attribution, campaign_id) of a call to `number`. `advertised_by` is the campaign whose DNIS is the number.

    Attributed only when the number is a tracking number, assigned to a campaign, and that campaign's DNIS is
    this number; direct-dial numbers are direct; everything else lands in the Unknown campaign."""
    if number is None:
        return UNKNOWN, None
    if number.number_type == "direct_dial":
        return DIRECT, None
    if number.campaign_id and advertised_by == number.campaign_id:
        return ATTRIBUTED, number.campaign_id
    return UNKNOWN, None


def diagnose(number: NumberSetup | None, campaign: CampaignSetup | None, *, called: str = "") -> Attribution:
    """Attribution of a call to `number`, with every set-up problem named (the seeds' troubleshooting)."""
    if number is None:
        return Attribution(
            UNKNOWN,
            None,
            (
                Problem(
                    "number_not_configured",
                    "error",
                    f"{called or 'The number'} is not a tracking number of this company",
                ),
            ),
        )
    problems: list[Problem] = []
    if number.number_type == "direct_dial":
        problems.append(
            Problem(
                "direct_dial_number",
                "error",
                "The number type is Direct Dial: direct-dial numbers do not track campaigns; set it to Tracking",
            )
        )
    if not number.campaign_id:
        problems.append(Problem("no_campaign_assigned", "error", "No campaign is assigned to this number"))
    elif campaign is None:
        problems.append(
            Problem("campaign_not_found", "error", f"The assigned campaign {number.campaign_id} does not exist")
        )
    else:
        if not campaign.active:
            problems.append(Problem("campaign_inactive", "warning", f"Campaign '{campaign.name}' is inactive"))
        if campaign.dnis != number.number:
            shown = campaign.dnis or "empty"
            problems.append(
                Problem(
                    "campaign_dnis_mismatch",
                    "error",
                    f"Campaign '{campaign.name}' has its Advertised Number (DNIS) {shown}, not this number; "
                    "they must match for attribution to flow",
                )
            )
    if not number.forwarding_number:
        problems.append(Problem("no_forwarding_number", "warning", "No forwarding number is set"))
    if not number.sms_registered:
        problems.append(
            Problem(
                "sms_not_registered",
                "warning",
                "The number is not registered for text messaging: SMS sent from it will fail",
            )
        )
    advertised_by = campaign.campaign_id if campaign is not None and campaign.dnis == number.number else None
    kind, campaign_id = attribute(number, advertised_by)
    return Attribution(kind, campaign_id, tuple(problems))
