"""A test-only function added to the real topology, so that what the product does not use yet (a rule with
a pattern, a schedule, a public route, events publishing, after-call work) is rendered by both runtimes."""

from typing import Any

from infra.capabilities import NEEDS_PUBLIC_URL, PUBLISHES_EVENTS, READS_TENANT_SECRETS, STARTS_AFTER_CALL_WORK
from infra.topology import READS_WRITES_RECORDS, EventRule, FunctionSpec, Route

PROBE_RULE_PATTERN: dict[str, Any] = {
    "source": ["leadline"],
    "detail-type": ["AfterCallWorkElapsed"],
    "detail": {"tenant_id": [{"exists": True}]},
}

PROBE = FunctionSpec(
    name="probe",
    description="Test probe: rule, schedule, events, after-call work, public webhook",
    capabilities=(
        READS_WRITES_RECORDS,
        PUBLISHES_EVENTS,
        STARTS_AFTER_CALL_WORK,
        READS_TENANT_SECRETS,
        NEEDS_PUBLIC_URL,
    ),
    routes=(Route("POST", "/v1/webhooks/probe", auth="none"),),
    rules=(EventRule(name="after-call-work-elapsed", pattern=PROBE_RULE_PATTERN),),
    schedule_minutes=1,
    memory_mb=256,
    timeout_seconds=30,
    code_dir="tests/support/probe",
)
