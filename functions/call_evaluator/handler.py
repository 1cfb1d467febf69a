"""Lambda entry point: a call's after-call work elapsed, a late transcript arrived, or a job was booked."""

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from leadline.leads import abandoned
from leadline.observability import logger, metrics
from leadline.scl import service as scl
from leadline.scl.analysis import analyser_from_environment

_analyser = None


def _call_analyser():
    global _analyser
    if _analyser is None:
        _analyser = analyser_from_environment()
    return _analyser


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict:
    detail, kind = event.detail, event.detail_type
    tenant_id = detail["tenant_id"]
    if kind == "JobBooked":
        changed = scl.on_job_booked(
            tenant_id, job_id=detail["job_id"], phone=detail.get("customer_phone"), booked_at=detail["occurred_at"]
        )
        return {"second_chance_leads_booked": changed}
    outcome = {"second_chance_lead": scl.evaluate(tenant_id, detail["call_id"], _call_analyser())}
    if kind == "AfterCallWorkElapsed":
        outcome["abandoned_call_lead"] = abandoned.capture(tenant_id, detail["call_id"])
    logger.info(kind, extra={"call_id": detail["call_id"], **outcome})
    return outcome
