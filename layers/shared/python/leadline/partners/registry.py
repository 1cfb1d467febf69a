"""The lead partners, by the name in their URL (`partners.webhook.PATH`): each registered partner, with its own
format and authentication, and any other well-formed name as a generic partner on our signed JSON format.

A new partner is one module implementing `partners.partner.Partner`, its entry in PARTNERS, and its section in
docs/partners.md: its webhook, integrations and diagnostics, the operator's credentials command and the demo
follow from here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from leadline.errors import NotFound
from leadline.partners import angi, thumbtack, webhook
from leadline.partners.generic import GenericPartner
from leadline.partners.partner import Partner

PARTNERS: tuple[Partner, ...] = (
    thumbtack.PARTNER,
    angi.PARTNER,
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_registered: dict[str, Partner] = {p.name: p for p in PARTNERS}


def registered() -> tuple[Partner, ...]:
    return tuple(_registered.values())


def named(name: str) -> Partner | None:
    """The registered partner of this name, if there is one."""
    return _registered.get(name)


def generic(name: str) -> GenericPartner:
    """A generic partner by the name in its URL: lowercase letters, digits and '-', 2 to 40, and no registered
    partner's name. NotFound, saying why, if not."""
    if name in _registered:
        raise NotFound(f"'{name}' has its own webhook ({webhook.path('{tenant_id}', name)}) and format")
    if not _NAME.match(name or ""):
        raise NotFound(f"no partner '{name}': a partner's name is 2 to 40 lowercase letters, digits and '-'")
    return GenericPartner(name)


def find(name: str) -> Partner:
    """The partner of a URL's (or the staff API's) {partner}: registered, or generic; NotFound, saying why, if
    the name can be neither."""
    return _registered.get(name) or generic(name)


@contextmanager
def registration(partner: Partner) -> Iterator[Partner]:
    """The partner registered while the block runs (a partner defined in a test)."""
    if not _NAME.match(partner.name or "") or partner.name in _registered:
        raise ValueError(f"cannot register a partner named '{partner.name}': taken, or not a partner's name")
    _registered[partner.name] = partner
    try:
        yield partner
    finally:
        del _registered[partner.name]
