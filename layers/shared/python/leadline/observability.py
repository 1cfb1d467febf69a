"""Powertools objects, created once per process, and the log formatter that masks phone numbers.

No Powertools Tracer: importing the X-Ray SDK doubles a function's cold start. Active tracing stays on for
every function, the API and the state machine, so each invocation still has its segment in X-Ray."""

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from leadline.phones import mask_in_text


class PhoneMaskingFormatter(LambdaPowertoolsFormatter):
    """Every log line leaves the process with caller numbers masked, whatever put them there."""

    def serialize(self, log: dict) -> str:
        return mask_in_text(super().serialize(log))


# A request that had nothing to count is normal (most staff reads); Powertools would warn on every one.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(logger_formatter=PhoneMaskingFormatter())
metrics = Metrics()
