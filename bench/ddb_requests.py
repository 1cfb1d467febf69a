"""DynamoDB requests and capacity units per webhook delivery, on the local runtime (moto), in one process.

    .venv/bin/python bench/ddb_requests.py [--calls 20]

Capacity units are estimated from the items' sizes by DynamoDB's documented rules (1 KB per write unit, 4 KB
per read unit, half for eventually consistent reads, twice for transactions); moto's own ConsumedCapacity is
shown beside them (moto leaves transactions out and does not size items).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.local.runtime import LocalRuntime, local_environment  # noqa: E402

for key, value in local_environment().items():
    os.environ.setdefault(key, value)

from infra.local.ddb_meter import metering  # noqa: E402
from tests.support.api import Api  # noqa: E402
from tests.support.webhooks import Vendors, twilio_sid  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    runtime = LocalRuntime(port=0, state_dir=Path(tempfile.mkdtemp()))
    runtime.start()
    demo = runtime.demo
    vendors = Vendors(runtime.api_url, demo["tenant_id"], {k: demo[k] for k in ("twilio", "callrail", "native")})
    admin = Api(runtime.api_url, demo["admin_token"])
    admin.patch("/v1/settings", {"second_chance_leads": {"enabled": True}})
    number = demo["tracking_number"]

    def voice(sid, status, seq, **extra):
        return {
            "CallSid": sid,
            "From": "+15125550177",
            "To": number,
            "Direction": "inbound",
            "CallStatus": status,
            "SequenceNumber": str(seq),
            "Timestamp": "Mon, 23 Nov 2026 15:00:00 +0000",
            **extra,
        }

    sids = [twilio_sid() for _ in range(args.calls)]
    customer = admin.post("/v1/customers", {"name": "Bench Customer", "phones": ["+15125550166"]}).json()
    job_type = admin.get("/v1/job-types").json()["items"][0]
    unit = job_type["business_unit_ids"][0]
    window = {"appointment_start": "2026-11-25T08:00:00Z", "appointment_end": "2026-11-25T10:00:00Z"}
    lead_ids: list[str] = []

    def create_lead(i):
        response = admin.post(
            "/v1/leads",
            {"customer_id": customer["customer_id"], "business_unit_id": unit, "job_type_id": job_type["job_type_id"]},
        )
        lead_ids.append(response.json()["lead_id"])
        return response

    cases = {
        "Twilio voice-status, first event of a call": lambda i: vendors.twilio(
            "voice-status", voice(sids[i], "ringing", 0)
        ),
        "Twilio voice-status, a later event (call ends, ACW starts)": lambda i: vendors.twilio(
            "voice-status", voice(sids[i], "completed", 3, CallDuration="60")
        ),
        "Twilio voice-status, a duplicate delivery": lambda i: vendors.twilio(
            "voice-status", voice(sids[i], "completed", 3, CallDuration="60")
        ),
        "Twilio recording-status": lambda i: vendors.twilio(
            "recording-status",
            {
                "CallSid": sids[i],
                "RecordingSid": "RE" + uuid.uuid4().hex,
                "RecordingStatus": "completed",
                "RecordingUrl": "https://api.twilio.com/rec",
                "RecordingDuration": "58",
            },
        ),
        "Twilio transcription": lambda i: vendors.twilio(
            "transcription",
            {
                "CallSid": sids[i],
                "TranscriptionSid": "TR" + uuid.uuid4().hex,
                "TranscriptionStatus": "completed",
                "TranscriptionText": "Hello, I need someone to look at my furnace, it is making a loud noise. " * 5,
            },
        ),
        "CallRail post-call (stored first, then applied)": lambda i: vendors.callrail(
            {
                "id": f"CAL{uuid.uuid4().hex}",
                "tracking_phone_number": number,
                "customer_phone_number": "+15125550177",
                "direction": "inbound",
                "duration": 75,
                "start_time": "2026-11-23T15:00:00Z",
                "answered": True,
                "recording": "https://app.callrail.com/rec",
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        ),
        "Native call.ended": lambda i: vendors.native(
            {
                "event_id": uuid.uuid4().hex,
                "type": "call.ended",
                "call_id": f"n-{i}",
                "occurred_at": "2026-11-23T15:00:00Z",
                "direction": "inbound",
                "to": number,
                "from": "+15125550177",
                "outcome": "completed",
                "duration_seconds": 60,
            }
        ),
        "Staff POST /v1/leads (manual lead, LeadCreated published)": create_lead,
        "Staff POST /v1/leads/{id}/convert (job + lead + 2 events)": lambda i: admin.post(
            f"/v1/leads/{lead_ids[i]}/convert",
            {"job_type_id": job_type["job_type_id"], "business_unit_id": unit, **window},
        ),
        "Staff POST /v1/jobs (booked on its own, open leads listed)": lambda i: admin.post(
            "/v1/jobs",
            {
                "customer_id": customer["customer_id"],
                "job_type_id": job_type["job_type_id"],
                "business_unit_id": unit,
                **window,
            },
        ),
        "Staff GET /v1/calls/{id}": lambda i: admin.get(f"/v1/calls/{sids[i]}"),
        "Staff GET /v1/calls?day= (page of 50)": lambda i: admin.get("/v1/calls", params={"day": "2026-11-23"}),
    }
    rows = []
    for name, send in cases.items():
        with metering() as reading:
            for i in range(args.calls):
                response = send(i)
                assert response.status_code in (200, 201), (name, response.status_code, response.text)
        n = args.calls
        ops = ", ".join(f"{op} {count / n:g}" for op, count in sorted(reading.requests.items()))
        rows.append(
            (
                name,
                reading.total_requests / n,
                ops,
                reading.read_units / n,
                reading.write_units / n,
                reading.moto_units / n,
                reading.requests.get("Scan", 0),
            )
        )
    runtime.stop()
    print(f"| webhook or read (mean of {args.calls}) | requests | by operation | RCU | WCU | moto units | Scans |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for name, total, ops, rcu, wcu, moto, scans in rows:
        print(f"| {name} | {total:g} | {ops} | {rcu:.1f} | {wcu:.1f} | {moto:.1f} | {scans} |")
    print(json.dumps({"calls": args.calls}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
