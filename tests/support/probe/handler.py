"""A test-only function: records every event the local runtime delivers to it."""

import threading

received: list[dict] = []
failures_left = {"count": 0}
_lock = threading.Lock()


def handler(event: dict, context) -> dict:
    with _lock:
        if failures_left["count"] > 0:
            failures_left["count"] -= 1
            raise RuntimeError("probe told to fail")
        received.append(event)
    return {"ok": True}
