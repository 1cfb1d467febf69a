"""Which domain events are told to whom, and in what words. This is configuration: another event reaches the
same channels by adding an entry here (the notifier's EventBridge rules are made from this catalog), with no
new code.

Templates are `str.format` templates over the event's detail plus:
    {caller}         the caller's number, formatted for reading (emails and in-app only)
    {caller_masked}  the caller's number with all but its last 4 digits hidden (texts)
    {link}           the app's page for the subject: the tenant's app base URL + `link`
    {company}        the company's name
A text carries no more than `sms`: no transcript, no summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from leadline.permissions import Permission


@dataclass(frozen=True)
class Kind:
    detail_type: str
    audience: str  # every active employee holding this permission
    title: str  # in-app title and email subject
    text: str  # in-app body and the email's text part (the HTML part is made from it)
    sms: str
    link: str  # path in the app, e.g. /second-chance-leads/{scl_id}
    subject_id: str  # the detail field naming what the notification is about
    when: dict[str, list] = field(default_factory=dict)  # detail field -> accepted values (EventBridge spelling)

    def applies(self, detail: dict) -> bool:
        return all(detail.get(name) in values for name, values in self.when.items())


KINDS = MappingProxyType(
    {
        kind.detail_type: kind
        for kind in (
            Kind(
                detail_type="SecondChanceLeadCreated",
                audience=Permission.VIEW_SECOND_CHANCE_LEADS,
                title="Second Chance Lead: {caller}",
                text=(
                    "A caller who sounded like a real prospect was not booked.\n\n"
                    "Caller: {caller}\n"
                    "Summary: {summary}\n\n"
                    "Review the call and call them back: {link}"
                ),
                sms="{company}: new Second Chance Lead from {caller_masked}. Review: {link}",
                link="/second-chance-leads/{scl_id}",
                subject_id="scl_id",
            ),
            Kind(
                detail_type="BookingReceived",
                audience=Permission.MANAGE_LEADS,
                title="New {partner} lead: {caller}",
                text=(
                    "A new lead from {partner} is waiting on the Bookings screen.\n\n"
                    "Customer: {customer_name}, {caller}\n"
                    "Asked for: {category}\n\n"
                    "Review and convert it: {link}"
                ),
                sms="{company}: new {partner} lead from {caller_masked}. Bookings: {link}",
                link="/bookings/{booking_id}",
                subject_id="booking_id",
                when={"source": ["partner"]},
            ),
        )
    }
)


def event_patterns(source: str) -> list[dict]:
    """One EventBridge pattern per kind, for the notifier's rules."""
    patterns = []
    for kind in KINDS.values():
        pattern: dict = {"source": [source], "detail-type": [kind.detail_type]}
        if kind.when:
            pattern["detail"] = {name: list(values) for name, values in kind.when.items()}
        patterns.append(pattern)
    return patterns
