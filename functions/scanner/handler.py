"""Lambda entry point: the scheduled scanner. Publishes the outbox events their request did not, applies the call
events that were kept unapplied, evaluates the calls whose after-call-work event was lost (and polls their
transcription jobs), and sends the texts held in quiet hours."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from leadline.events import outbox
from leadline.notifications import service as notifications
from leadline.observability import logger, metrics
from leadline.scl.analysis import analyser_from_environment
from leadline.workflows import after_call_work, redelivery


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    published = outbox.sweep()
    if published:
        logger.warning("published events their request had left in the outbox", extra={"count": published})
        metrics.add_metric(name="OutboxEventsSwept", unit=MetricUnit.Count, value=published)
    replayed = redelivery.sweep()
    if replayed:
        logger.warning("applied deliveries that had been kept unapplied", extra={"count": replayed})
        metrics.add_metric(name="KeptCallEventsApplied", unit=MetricUnit.Count, value=replayed)
    transcription = after_call_work.transcription_from_environment()
    evaluated = after_call_work.sweep(analyser_from_environment(), transcription=transcription)
    if evaluated:
        logger.warning("evaluated calls whose after-call work was overdue", extra={"count": evaluated})
        metrics.add_metric(name="OverdueCallEvaluations", unit=MetricUnit.Count, value=evaluated)
    held = notifications.send_held()
    if held:
        logger.info("sent texts held during quiet hours", extra={"count": held})
    return {
        "held_texts_sent": held,
        "outbox_published": published,
        "kept_call_events_applied": replayed,
        "overdue_evaluations": evaluated,
    }
