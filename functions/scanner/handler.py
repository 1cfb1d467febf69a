"""Lambda entry point: the scheduled scanner (for now: publishes outbox events their request did not)."""

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from leadline.events import outbox
from leadline.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    published = outbox.sweep()
    if published:
        logger.warning("published events their request had left in the outbox", extra={"count": published})
        metrics.add_metric(name="OutboxEventsSwept", unit=MetricUnit.Count, value=published)
    return {"outbox_published": published}
