"""Lambda entry point: a call's after-call work elapsed, a late transcript arrived, or a job was booked."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from leadline.observability import logger, metrics
from leadline.scl import service as scl
from leadline.scl.analysis import analyser_from_environment
from leadline.workflows import after_call_work


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict:
    detail, kind = event.detail, event.detail_type
    tenant_id = detail["tenant_id"]
    logger.append_keys(tenant_id=tenant_id)
    if kind == "JobBooked":
        changed = scl.on_job_booked(
            tenant_id,
            job_id=detail["job_id"],
            phone=detail.get("customer_phone"),
            booked_at=detail["occurred_at"],
            booked_by=detail.get("booked_by"),
            other_phones=detail.get("customer_phones") or (),
        )
        return {"second_chance_leads_booked": changed}
    outcome = after_call_work.on_elapsed(
        tenant_id,
        detail["call_id"],
        analyser_from_environment(),
        abandoned_call=kind == "AfterCallWorkElapsed",
        transcription=after_call_work.transcription_from_environment(),
    )
    logger.info(kind, extra={"call_id": detail["call_id"], **outcome})
    return outcome
