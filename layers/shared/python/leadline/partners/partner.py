"""What a lead partner is: the interface every partner implements, and what its deliveries are read into.

A partner has a name (in its URL and on its bookings) and a display name; it authenticates its deliveries its own
way; it reads a delivery into a lead for the Bookings inbox, a message about one of its leads, or something it
sends that we acknowledge and ignore; it says what it is answered for a lead, what its credentials are, and what it
calls common services. `partners/registry.py` lists the partners; docs/partners.md says how to add one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from leadline.bookings.service import Incoming
from leadline.errors import DomainError, InvalidInput

NOT_VALID = "the credentials are not valid for this URL"
ADMIN_COMMAND = "infra/admin.py set-partner-credentials"  # how the operator stores a company's partner credentials


class Refused(DomainError):
    """The sender could not be authenticated (or the company is unknown: the same answer)."""

    status = 401
    code = "unauthenticated"


@dataclass(frozen=True)
class Request:
    """A delivery as it reached us, for its partner to authenticate. The company's credentials for the partner, and
    whether the company set the partner up, are read only when the partner asks."""

    body: bytes
    header: Callable[[str], str | None]  # a request header by name, in any case
    credentials: Callable[[], dict]  # what the operator stored for this partner at this company; {} if nothing
    set_up: Callable[[], bool]  # whether the company has an integration of this partner


@dataclass(frozen=True)
class Lead:
    """A delivery that is a lead, for the Bookings inbox."""

    incoming: Incoming


@dataclass(frozen=True)
class Message:
    """A partner's message about one of its leads: a note on the lead's booking, kept until the lead arrives when it
    comes first."""

    negotiation_id: str  # the partner's id of the lead (Thumbtack's negotiation), its booking's external id
    message_id: str
    sender: str  # who wrote it, in the partner's words (Thumbtack: Customer or Business)
    text: str
    sent_at: str | None
    raw: str
    on: str  # the partner, as people know it

    def note(self) -> str:
        return f"{self.sender} (on {self.on}): {self.text}"


@dataclass(frozen=True)
class Ignored:
    """A delivery acknowledged and not applied (an event the partner sends that we have no use for)."""

    answer: dict[str, Any]


Reading = Lead | Message | Ignored


class Partner(ABC):
    """A lead partner. A new one is a module with a subclass of this, its entry in `registry.PARTNERS`, and its
    section in docs/partners.md."""

    name: str  # in its URL and on its bookings: 2 to 40 lowercase letters, digits and '-'
    display_name: str  # as people know it: in notes and diagnostics, and the demo's campaign
    credential_fields: tuple[str, ...]  # what the operator stores for it, each a non-empty string
    credentials_described: str  # those credentials in a few words, for the diagnostics: "an API key (x-api-key)"
    messages_before_leads: bool = False  # whether its messages about a lead may arrive before the lead
    # What it calls common home services: its category -> the service, by the demo's job type names (the demo maps
    # them; a company maps its own through its integration).
    common_categories: Mapping[str, str] = MappingProxyType({})

    @abstractmethod
    def authenticate(self, request: Request) -> bool:
        """True once the sender is checked; False when the company takes this partner's deliveries unchecked.
        Refused (a 401 with a message) otherwise, before anything is stored."""

    @abstractmethod
    def read(self, raw: bytes) -> Reading:
        """The delivery in our terms; InvalidInput naming what is wrong if it cannot be read."""

    def answer(self, booking: dict[str, Any], created: bool, messages_attached: int) -> dict[str, Any]:
        """What the partner is answered for a lead once it is stored (or was: a duplicate)."""
        return {"result": "created" if created else "duplicate", "booking_id": booking["booking_id"]}

    def credentials_in(self, stored: dict) -> dict:
        """This partner's credentials among the company's partner credentials; {} if there are none."""
        return stored.get(self.name) or {}

    @abstractmethod
    def new_credentials(self) -> dict:
        """Credentials of this partner's kind, new (for the demo and tests)."""

    def check_credentials(self, given: Any) -> None:
        """InvalidInput, saying what is wrong, unless these are credentials the partner can use: its fields, each a
        non-empty string, and nothing else (a partner checks more: a length it cannot send, a secret too short)."""
        fields = ", ".join(self.credential_fields)
        if not isinstance(given, dict):
            raise InvalidInput(f"expected an object with {fields}")
        unknown = sorted(set(given) - set(self.credential_fields))
        if unknown:
            raise InvalidInput(f"unknown field(s) {', '.join(unknown)}; expected {fields}")
        missing = [f for f in self.credential_fields if not isinstance(given.get(f), str) or not given[f].strip()]
        if missing:
            raise InvalidInput(f"missing {', '.join(missing)}")

    def credentials_problem(self) -> dict[str, str]:
        """What the diagnostics say when the company has stored no credentials for this partner."""
        return {
            "code": "credentials_not_configured",
            "severity": "error",
            "message": f"no {self.name} credentials are configured: every delivery is refused (401) until the "
            f"operator stores {self.credentials_described} ({ADMIN_COMMAND})",
        }
