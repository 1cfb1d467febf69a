"""Lambda entry point: a call's after-call work elapsed (EventBridge)."""

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from leadline.leads import abandoned
from leadline.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict:
    detail = event.detail
    outcome = abandoned.capture(detail["tenant_id"], detail["call_id"])
    logger.info("after-call work elapsed", extra={"call_id": detail["call_id"], "abandoned_call_lead": outcome})
    return {"abandoned_call_lead": outcome}
