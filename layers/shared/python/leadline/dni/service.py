"""Dynamic number insertion: the company's pool of tracking numbers, one held per website visitor, and the calls to
those numbers attributed to the visitor's source.

Items (their keys: data/keys.py; their access: data/repositories/dni.py): the configuration; each pool number's
holder (the lock; its version guards takes); a visitor's session (TTL); a number held by a session over a window
(TTL 30 days after it).

Taking a number: one consistent Query reads the configuration and every pool number's holder; the visitor takes
the free number held least recently (none free: the one whose visitor was seen least recently), in one transaction
that puts the number's holder under the version it was read at, the session and its hold. A visitor who lost the
race reads again and takes another. A returning visitor whose session is live keeps the number: the same
transaction moves its window (held_until) forward.

Attributing a call: a call to a pool number (its tracking number carries `dni_pool`) reads the latest hold of that
number that began before the call (one Query, newest first, limit 1). Inside that hold's window, the call is the
session's: its campaign (`attributed`) or Unknown, with the session id and the source kept on the call. Outside any
window, the call is `direct`: the number was shown by no live session (a page without DNI, or a visitor long gone).
"""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from leadline import phones
from leadline.config import public_api_base_url_if_set
from leadline.data import store
from leadline.data.models import Call, DniConfig, DniHold, DniPoolNumber, DniSession, TrackingNumber
from leadline.data.repositories import campaigns, settings, tracking_numbers
from leadline.data.repositories import dni as dni_items
from leadline.data.store import TxStep
from leadline.dni import rules
from leadline.dni.rules import Visit
from leadline.errors import Conflict, InvalidInput, NotFound
from leadline.ids import new_id
from leadline.setup.attribution import ATTRIBUTED, DIRECT, UNKNOWN

HOLD_RETENTION = timedelta(days=30)
CLOCK_TOLERANCE = timedelta(seconds=2)  # vendors stamp calls to the second, from their own clocks
MAX_ATTEMPTS = 12
SESSION_ID = re.compile(r"^dnis_[0-9a-f]{20}$")
TENANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_tenant_id(tenant_id: str) -> str:
    """A tenant id from a public URL: anything else is no company of ours."""
    if not TENANT_ID.match(tenant_id or ""):
        raise NotFound("no such company")
    return tenant_id


# --- the configuration (staff) -------------------------------------------------------------------


def paths(tenant_id: str) -> dict[str, str]:
    return {
        "snippet": f"/dni/{tenant_id}/snippet.js",
        "test_page": f"/dni/{tenant_id}/test-page",
        "sessions": f"/dni/{tenant_id}/sessions",
    }


def public_base_url() -> str | None:
    return public_api_base_url_if_set()


def install(tenant_id: str, base_url: str | None = None) -> dict[str, Any]:
    """Where the snippet and the test page are, and the tag to put in the <head> of every page of the site."""
    base = base_url or public_base_url()
    out: dict[str, Any] = {f"{k}_path": v for k, v in paths(tenant_id).items()}
    out["snippet_url"] = f"{base}{out['snippet_path']}" if base else None
    out["test_page_url"] = f"{base}{out['test_page_path']}" if base else None
    out["html"] = f'<script src="{out["snippet_url"]}" async></script>' if base else None
    return out


def config_view(tenant_id: str, config: DniConfig | None) -> dict[str, Any]:
    if config is None:
        return {
            "configured": False,
            "domain": None,
            "pool": [],
            "session_minutes": rules.DEFAULT_SESSION_MINUTES,
            "default_number": None,
            "source_rules": [],
            "install": install(tenant_id),
            "updated_at": None,
        }
    return {
        "configured": True,
        "domain": config.domain,
        "pool": list(config.pool),
        "session_minutes": int(config.session_minutes),
        "default_number": config.default_number,
        "source_rules": [store.plain_map(r) for r in config.source_rules],
        "install": install(tenant_id),
        "updated_at": config.updated_at,
    }


def get_config(tenant_id: str) -> dict[str, Any]:
    return config_view(tenant_id, dni_items.get_config(tenant_id))


def put_config(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Set the whole configuration. Each pool number must be a tracking number of the company, of type tracking, and
    advertised by no campaign; numbers joining the pool are flagged on their tracking number, and numbers leaving it
    unflagged, in the same transaction."""
    domain = rules.check_domain(data["domain"])
    minutes = data.get("session_minutes")
    minutes = rules.check_session_minutes(rules.DEFAULT_SESSION_MINUTES if minutes is None else int(minutes))
    default_number = phones.to_e164(data["default_number"], field="default_number")
    pool = list(dict.fromkeys(phones.to_e164(n, field="pool") for n in data.get("pool") or []))
    source_rules = [{k: v for k, v in r.items() if v is not None} for r in data.get("source_rules") or []]
    if not pool:
        raise InvalidInput("the pool needs at least one tracking number: each visitor is shown one", field="pool")
    if len(pool) > rules.MAX_POOL:
        raise InvalidInput(f"the pool holds at most {rules.MAX_POOL} numbers", field="pool")
    if default_number in pool:
        raise InvalidInput(
            f"default_number {default_number} is in the pool: it is what visitors see without DNI, so calls to it "
            "must not be taken for a visitor's session; use the company's main number",
            field="default_number",
        )
    config = dni_items.get_config(tenant_id, consistent=True)
    old_pool = list(config.pool) if config else []
    joining = [n for n in pool if n not in old_pool]
    leaving = [n for n in old_pool if n not in pool]
    campaign_ids = sorted({r["campaign_id"] for r in source_rules})
    # at most 90 keys (BatchGetItem takes 100); the rules' campaigns in a second read
    wanted = [tracking_numbers.key(n) for n in pool + leaving] + [campaigns.dnis_key(n) for n in joining]
    found = store.batch_get_raw(tenant_id, wanted, consistent=True)
    if campaign_ids:
        found |= store.batch_get_raw(tenant_id, [campaigns.key(c) for c in campaign_ids])
    problems = []
    for n in pool:
        number = tracking_numbers.from_batch(found, n)
        claim = campaigns.dnis_from_batch(found, n)
        if number is None:
            problems.append(f"{n} is not a tracking number of this company (add it under /v1/tracking-numbers first)")
        elif number.number_type != "tracking":
            problems.append(f"{n} is a direct-dial number, and direct-dial numbers never attribute")
        elif claim is not None:
            campaign = claim.campaign_id
            problems.append(
                f"{n} is the advertised number (DNIS) of campaign {campaign}: calls to it outside a visitor's session "
                "would no longer go to that campaign; use numbers advertised nowhere else"
            )
    if problems:
        raise InvalidInput("pool: " + "; ".join(problems), field="pool")
    missing = [c for c in campaign_ids if campaigns.from_batch(found, c) is None]
    if missing:
        raise InvalidInput(f"source_rules: campaign(s) not found: {', '.join(missing)}", field="source_rules")

    if config is None:
        config = dni_items.new_config(tenant_id)
    config.domain, config.pool, config.session_minutes = domain, pool, minutes
    config.default_number, config.source_rules = default_number, source_rules
    store.touch(config)
    steps = [TxStep.put(config, "the DNI configuration was changed by someone else at the same time; retry")]
    for number, flag in [(n, True) for n in joining] + [(n, None) for n in leaving]:
        item = tracking_numbers.from_batch(found, number)
        if item is None:
            continue
        item.dni_pool = flag
        store.touch(item)
        steps.append(TxStep.put(item, f"tracking number {number} changed at the same time; retry"))
    for number in joining:  # a campaign must not start advertising it meanwhile
        steps.append(
            campaigns.dnis_free_check(
                tenant_id,
                number,
                None,
                f"{number} just became the advertised number (DNIS) of a campaign; it cannot be in the pool",
                InvalidInput,
            )
        )
    store.transact(steps)
    return config_view(tenant_id, config)


# --- sessions (the website) ----------------------------------------------------------------------


def public_config(tenant_id: str) -> tuple[DniConfig, str]:
    """The configuration and the company's name, for the snippet and the test page (one BatchGetItem)."""
    check_tenant_id(tenant_id)
    found = store.batch_get_raw(tenant_id, [dni_items.CONFIG_KEY, settings.KEY])
    config = dni_items.config_from_batch(found)
    if config is None:
        raise NotFound("dynamic number insertion is not set up for this company")
    company = settings.from_batch(found)
    return config, company.name if company else ""


def domain_of(tenant_id: str) -> str:
    """The configured domain, for CORS (one GetItem)."""
    check_tenant_id(tenant_id)
    config = dni_items.get_config(tenant_id)
    if config is None:
        raise NotFound("dynamic number insertion is not set up for this company")
    return config.domain


class _Taken(Conflict):
    """Another visitor took the number, or touched the session, between our read and our write."""


def open_session(tenant_id: str, visit: Visit, *, now: datetime | None = None) -> dict[str, Any]:
    """The number to show a visitor: their live session's (its window extended), or a number taken for a new one."""
    check_tenant_id(tenant_id)
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, min(0.2, 0.01 * 2**attempt)))
        moment = now or datetime.now(UTC)
        config, holders = dni_items.pool(tenant_id)
        if config is None:
            raise NotFound("dynamic number insertion is not set up for this company")
        session = None
        if visit.session_id and SESSION_ID.match(visit.session_id):
            session = dni_items.get_session(tenant_id, visit.session_id)
        live = session is not None and _moment(session.held_until) > moment and session.number in config.pool
        try:
            if live and (holders.get(session.number) and holders[session.number].session_id == session.session_id):
                return _extend(tenant_id, config, holders[session.number], session, moment)
            # new visitor, or a session past its window; a live one that lost its number keeps its source
            return _take(tenant_id, config, holders, visit, session if live else None, moment, attempt)
        except _Taken:
            continue
    raise Conflict("too many visitors asked for a number at the same time; retry")


def _window(config: DniConfig, moment: datetime) -> datetime:
    return moment + timedelta(minutes=int(config.session_minutes))


def _hold(tenant_id: str, session: DniSession) -> DniHold:
    return dni_items.new_hold(
        tenant_id,
        session,
        session_id=session.session_id,
        number=session.number,
        source=store.plain_map(session.source) or {},
        campaign_id=session.campaign_id,
        campaign_rule=session.campaign_rule,
        assigned_at=session.assigned_at,
        held_until=session.held_until,
        expires_at=_moment(session.held_until) + HOLD_RETENTION,
    )


def _extend(
    tenant_id: str, config: DniConfig, holder: DniPoolNumber, session: DniSession, moment: datetime
) -> dict[str, Any]:
    until = _window(config, moment)
    holder.held_until = session.held_until = _iso(until)
    session.expires_at = until
    store.touch(holder)
    store.touch(session)
    steps = [
        TxStep.put(holder, "the number was taken at the same time"),
        TxStep.put(session, "the session changed at the same time"),
        TxStep.put(_hold(tenant_id, session), "the hold changed at the same time"),
    ]
    _transact(steps)
    return session_view(session)


def _pick(config: DniConfig, holders: dict[str, DniPoolNumber], moment: datetime, attempt: int) -> str:
    """A free number, the one held least recently (after a lost race, any free one: fewer collisions); none free:
    the number whose visitor was seen least recently."""
    now = _iso(moment)
    last = {n: (holders[n].held_until if n in holders and holders[n].held_until else "") for n in config.pool}
    free = [n for n in config.pool if last[n] <= now]
    if free:
        return random.choice(free) if attempt else min(free, key=lambda n: last[n])
    return min(config.pool, key=lambda n: last[n])


def _take(
    tenant_id: str,
    config: DniConfig,
    holders: dict[str, DniPoolNumber],
    visit: Visit,
    kept: DniSession | None,
    moment: datetime,
    attempt: int,
) -> dict[str, Any]:
    number = _pick(config, holders, moment, attempt)
    holder = holders.get(number) or dni_items.new_pool_number(tenant_id, number)
    now, until = _iso(moment), _window(config, moment)
    if kept is not None:
        session, source = kept, store.plain_map(kept.source) or {}
        campaign_id, rule = kept.campaign_id, kept.campaign_rule
    else:
        session_id = new_id("dnis")
        session = dni_items.new_session(tenant_id, session_id)
        source = rules.source_of(visit, config.domain)
        campaign_id, rule = _campaign(tenant_id, config, source, number)
    holder.session_id, holder.assigned_at, holder.held_until = session.session_id, now, _iso(until)
    store.touch(holder)
    session.number, session.source, session.campaign_id, session.campaign_rule = number, source, campaign_id, rule
    session.assigned_at, session.held_until, session.expires_at = now, _iso(until), until
    session.hold_sk = dni_items.hold_key(number, now, session.session_id)
    store.touch(session)
    steps = [
        TxStep.put(holder, "another visitor took the number at the same time"),
        TxStep.put(
            session,
            "the session changed at the same time",
            condition=DniSession.pk.does_not_exist() if kept is None else None,
        ),
        TxStep.put(_hold(tenant_id, session), "the hold exists", condition=DniHold.pk.does_not_exist()),
    ]
    _transact(steps)
    return session_view(session)


def _campaign(tenant_id: str, config: DniConfig, source: dict[str, str], number: str) -> tuple[str | None, str]:
    """The campaign of the visitor's source: the first matching source rule; else the shown number's campaign;
    else Unknown (None)."""
    campaign_id, index = rules.match_rule(source, [store.plain_map(r) for r in config.source_rules])
    if campaign_id:
        return campaign_id, f"rule:{index}"
    tracking = tracking_numbers.get(tenant_id, number)
    if tracking is not None and tracking.campaign_id:
        return tracking.campaign_id, "number_campaign"
    return None, "unknown"


def _transact(steps: list[TxStep]) -> None:
    for step in steps:
        step.error = _Taken
    store.transact(steps)


def session_view(session: DniSession) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "number": session.number,
        "display_number": phones.readable(session.number),
        "expires_at": session.held_until,
    }


def get_session(tenant_id: str, session_id: str) -> DniSession | None:
    if not SESSION_ID.match(session_id or ""):
        return None
    return dni_items.get_session(tenant_id, session_id)


# --- calls to pool numbers -----------------------------------------------------------------------


def hold_at(tenant_id: str, number: str, moment: datetime) -> DniHold | None:
    """The session that held `number` when a call began at `moment`, if any: one Query (newest hold first)."""
    hold = dni_items.latest_hold(tenant_id, number, began_by=_iso(moment + CLOCK_TOLERANCE))
    return hold if hold is not None and _moment(hold.held_until) >= moment else None


def attribute(call: Call, number: TrackingNumber, started_at: datetime | None) -> None:
    """Attribute a call to a DNI pool number by the visitor session that held it when the call began: the session's
    campaign (or Unknown), with its id and source kept on the call; outside any session's window, `direct`."""
    if number.number_type != "tracking":
        return
    moment = started_at or datetime.now(UTC)
    hold = hold_at(call.tenant_id, number.number, moment)
    if hold is None:
        call.attribution, call.campaign_id, call.dni_session = DIRECT, None, None
        return
    call.attribution = ATTRIBUTED if hold.campaign_id else UNKNOWN
    call.campaign_id = hold.campaign_id
    call.dni_session = {
        "session_id": hold.session_id,
        "source": store.plain_map(hold.source) or {},
        "campaign_rule": hold.campaign_rule,
        "held_from": hold.assigned_at,
        "held_until": hold.held_until,
    }
