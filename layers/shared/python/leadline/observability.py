"""Powertools objects, created once per process, and the log formatter that masks phone numbers.

No Powertools Tracer: importing the X-Ray SDK doubles a function's cold start. Active tracing stays on for
every function, the API and the state machine, so each invocation still has its segment in X-Ray."""

import functools
import logging
import warnings
from collections.abc import Callable, Generator, Iterable
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from leadline.phones import mask_in_text

# The AWS SDK and the libraries under it say at INFO what every invocation does (credentials found, endpoint
# resolved, settings file missing): only their warnings and errors are worth a line.
QUIET_LIBRARIES = ("boto3", "botocore", "s3transfer", "urllib3", "pynamodb")


class PhoneMaskingFormatter(LambdaPowertoolsFormatter):
    """Every log line leaves the process with caller numbers masked, whatever put them there."""

    def serialize(self, log: dict) -> str:
        return mask_in_text(super().serialize(log))


class InvocationLogger(Logger):
    """Powertools' Logger, keeping what an invocation adds (its Lambda context, correlation id, tenant) in the
    running thread's own keys (Powertools' thread-safe keys) rather than in keys the whole process shares.

    In AWS a process runs one invocation at a time; the local runtime runs every function in one process, several at
    once in threads, all through this one logger. With `inject_lambda_context(clear_state=True)` each invocation
    starts with no keys but its own and leaves none behind, in either."""

    def inject_lambda_context(
        self,
        lambda_handler: Callable | None = None,
        log_event: bool | None = None,
        correlation_id_path: str | None = None,
        clear_state: bool | None = False,
        flush_buffer_on_uncaught_error: bool = False,
    ) -> Any:
        if lambda_handler is None:
            return functools.partial(
                self.inject_lambda_context,
                log_event=log_event,
                correlation_id_path=correlation_id_path,
                clear_state=clear_state,
                flush_buffer_on_uncaught_error=flush_buffer_on_uncaught_error,
            )
        # Powertools' own clear_state would reset the shared keys and put the context there, for every thread.
        injected = super().inject_lambda_context(
            lambda_handler,
            log_event=log_event,
            correlation_id_path=correlation_id_path,
            flush_buffer_on_uncaught_error=flush_buffer_on_uncaught_error,
        )
        if not clear_state:
            return injected

        @functools.wraps(lambda_handler)
        def decorate(event, context, *args, **kwargs):
            self.thread_safe_clear_keys()
            try:
                return injected(event, context, *args, **kwargs)
            finally:
                self.thread_safe_clear_keys()

        return decorate

    def append_keys(self, **additional_keys: object) -> None:
        self.thread_safe_append_keys(**additional_keys)

    def remove_keys(self, keys: Iterable[str]) -> None:
        self.thread_safe_remove_keys(keys)

    def get_current_keys(self) -> dict[str, Any]:
        return {**super().get_current_keys(), **self.thread_safe_get_current_keys()}

    @contextmanager
    def append_context_keys(self, **additional_keys: Any) -> Generator[None, None, None]:
        self.thread_safe_append_keys(**additional_keys)
        try:
            yield
        finally:
            self.thread_safe_remove_keys(additional_keys)

    def clear_state(self) -> None:
        self.thread_safe_clear_keys()

    def get_correlation_id(self) -> str | None:
        return self.thread_safe_get_current_keys().get("correlation_id")


# A request that had nothing to count is normal (most staff reads); Powertools would warn on every one.
warnings.filterwarnings("ignore", message="No application metrics to publish")
for _library in QUIET_LIBRARIES:
    logging.getLogger(_library).setLevel(logging.WARNING)

logger = InvocationLogger(logger_formatter=PhoneMaskingFormatter())
metrics = Metrics()
