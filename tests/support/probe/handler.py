"""A test-only function: records every event the local runtime delivers to it. A request to its route whose
JSON body is {"read": <variable>} answers the variable as the function reads it (`leadline.config.env`); a
variable the function was not given fails the invocation, as it would in AWS."""

import json
import threading

from leadline import config

received: list[dict] = []
failures_left = {"count": 0}
_lock = threading.Lock()


def handler(event: dict, context) -> dict:
    if variable := _variable_to_read(event):
        return {"statusCode": 200, "body": json.dumps({variable: config.env(variable)})}
    with _lock:
        if failures_left["count"] > 0:
            failures_left["count"] -= 1
            raise RuntimeError("probe told to fail")
        received.append(event)
    return {"ok": True}


def _variable_to_read(event: dict) -> str | None:
    if "httpMethod" not in event or not event.get("body"):
        return None
    return json.loads(event["body"]).get("read")
