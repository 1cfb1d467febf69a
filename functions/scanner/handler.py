"""Lambda entry point: the scheduled scanner. Publishes the outbox events their request did not, and evaluates
the calls whose after-call-work event was lost or whose transcript came late."""

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from leadline.events import outbox
from leadline.observability import logger, metrics
from leadline.scl import after_call_work
from leadline.scl.analysis import analyser_from_environment


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    published = outbox.sweep()
    if published:
        logger.warning("published events their request had left in the outbox", extra={"count": published})
        metrics.add_metric(name="OutboxEventsSwept", unit=MetricUnit.Count, value=published)
    evaluated = after_call_work.sweep(analyser_from_environment())
    if evaluated:
        logger.warning("evaluated calls whose after-call work was overdue", extra={"count": evaluated})
        metrics.add_metric(name="OverdueCallEvaluations", unit=MetricUnit.Count, value=evaluated)
    return {"outbox_published": published, "overdue_evaluations": evaluated}
