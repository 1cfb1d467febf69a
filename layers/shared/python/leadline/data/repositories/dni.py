"""Dynamic number insertion: the configuration, each pool number's holder (the lock a visitor takes), the visitors'
sessions, and the holds that say which session showed a number when."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import DniConfig, DniHold, DniPoolNumber, DniSession, RecordModel

CONFIG_KEY = keys.DNI_CONFIG  # for batch reads that fetch the configuration with other items


def get_config(tenant_id: str, *, consistent: bool = False) -> DniConfig | None:
    return store.get(DniConfig, tenant_id, CONFIG_KEY, consistent=consistent)


def new_config(tenant_id: str) -> DniConfig:
    return store.new_item(DniConfig, tenant_id, CONFIG_KEY)


def config_from_batch(found: dict[str, dict]) -> DniConfig | None:
    return DniConfig.from_raw_data(found[CONFIG_KEY]) if CONFIG_KEY in found else None


def pool(tenant_id: str) -> tuple[DniConfig | None, dict[str, DniPoolNumber]]:
    """The configuration and every pool number's holder, by number: one consistent Query (paged if it must be)."""
    config, holders = None, {}
    for item in _query_raw(tenant_id, RecordModel.sk.startswith(keys.DNI)):
        sk = item["sk"]["S"]
        if sk == CONFIG_KEY:
            config = DniConfig.from_raw_data(item)
        elif sk.startswith(keys.DNI_POOL_NUMBERS):
            holder = DniPoolNumber.from_raw_data(item)
            holders[holder.number] = holder
    return config, holders


def _query_raw(tenant_id: str, condition) -> list[dict]:
    items, start = [], None
    while True:
        page = RecordModel._get_connection().query(
            keys.tenant(tenant_id), range_key_condition=condition, consistent_read=True, exclusive_start_key=start
        )
        items += page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def new_pool_number(tenant_id: str, number: str) -> DniPoolNumber:
    """The holder of a pool number never held yet."""
    return store.new_item(DniPoolNumber, tenant_id, keys.dni_pool_number(number), number=number)


def get_session(tenant_id: str, session_id: str) -> DniSession | None:
    return store.get(DniSession, tenant_id, keys.dni_session(session_id), consistent=True)


def new_session(tenant_id: str, session_id: str) -> DniSession:
    return store.new_item(DniSession, tenant_id, keys.dni_session(session_id), session_id=session_id)


def hold_key(number: str, assigned_at: str, session_id: str) -> str:
    """The sort key of a session's hold of a number, kept on the session (`hold_sk`)."""
    return keys.dni_hold(number, assigned_at, session_id)


def new_hold(tenant_id: str, session: DniSession, **attributes) -> DniHold:
    """The hold of the session's number over its window, under the key the session keeps."""
    return store.new_item(DniHold, tenant_id, session.hold_sk, **attributes)


def latest_hold(tenant_id: str, number: str, *, began_by: str) -> DniHold | None:
    """The latest hold of `number` that began at or before `began_by` (an ISO moment): one consistent Query, newest
    first, limit 1."""
    low = keys.dni_holds(number)
    high = f"{low}{began_by}#~"  # after every hold that began at `began_by`, whatever its session id
    holds = DniHold.query(
        keys.tenant(tenant_id), DniHold.sk.between(low, high), scan_index_forward=False, limit=1, consistent_read=True
    )
    return next(iter(holds), None)
