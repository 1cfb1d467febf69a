"""Lambda entry point: a domain event of the notification catalog, told to the employees who should hear of it."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from leadline.notifications import service
from leadline.observability import logger, metrics


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict:
    logger.append_keys(tenant_id=event.detail.get("tenant_id"))
    outcome = service.notify(event.detail_type, event.detail)
    logger.info(event.detail_type, extra={"event_id": event.detail.get("event_id"), **outcome})
    return outcome
