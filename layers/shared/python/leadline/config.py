"""Configuration read from the environment when it is needed, not at import.

Every variable a function reads is named here and read through `env`. In AWS that is the process's environment,
which is the function's own. The local runtime runs every function in one process, so it sets each invocation's
own environment with `invocation_environment`: there, as in AWS, a function reads only the variables its
capabilities give it (`infra/capabilities.py`), and reading another fails.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import overload

# Every function (infra/capabilities.py BASIC_VARIABLES)
EVENT_BUS_NAME = "EVENT_BUS_NAME"
LEADLINE_SECRETS_PREFIX = "LEADLINE_SECRETS_PREFIX"
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
LOG_LEVEL = "LOG_LEVEL"
# Set by Lambda itself
AWS_REGION = "AWS_REGION"
AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION"
# Given by a capability
RECORDS_TABLE_NAME = "RECORDS_TABLE_NAME"
ACW_STATE_MACHINE_ARN = "ACW_STATE_MACHINE_ARN"
PUBLIC_API_BASE_URL = "PUBLIC_API_BASE_URL"
CALL_ANALYSER = "CALL_ANALYSER"
BEDROCK_MODEL_ID = "BEDROCK_MODEL_ID"
RECORDINGS_BUCKET = "RECORDINGS_BUCKET"
TRANSCRIPTION_JOB_PREFIX = "TRANSCRIPTION_JOB_PREFIX"
NOTIFICATION_SENDER = "NOTIFICATION_SENDER"
APP_BASE_URL = "APP_BASE_URL"
STAFF_APP_ORIGIN = "STAFF_APP_ORIGIN"
# Unset in a deployment: timers run faster for the tests and demos
LEADLINE_TIME_SCALE = "LEADLINE_TIME_SCALE"

_REQUIRED = object()
_invocation: ContextVar[Mapping[str, str] | None] = ContextVar("leadline_invocation_environment", default=None)


@overload
def env(name: str) -> str: ...
@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None) -> str | None: ...


def env(name, default=_REQUIRED):
    """The variable `name` of the running function's environment: `default` when it has none, or KeyError
    when no default is given, as `os.environ[name]` in AWS."""
    environment = _invocation.get()
    source = os.environ if environment is None else environment
    if default is _REQUIRED:
        return source[name]
    return source.get(name, default)


@contextmanager
def invocation_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Within the block (and in this thread only), `env` reads `variables` and nothing else."""
    token = _invocation.set(dict(variables))
    try:
        yield
    finally:
        _invocation.reset(token)


def time_scale() -> float:
    """LEADLINE_TIME_SCALE: every timer (after-call work, schedules) runs this many times faster. Default 1."""
    raw = env(LEADLINE_TIME_SCALE, "1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{LEADLINE_TIME_SCALE} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{LEADLINE_TIME_SCALE} must be above 0, not {raw!r}")
    return value


def scaled_seconds(seconds: float) -> float:
    return seconds / time_scale()


def event_bus_name() -> str:
    return env(EVENT_BUS_NAME)


def secrets_prefix() -> str:
    """LEADLINE_SECRETS_PREFIX: tenants' secrets are named `<prefix><tenant>/<kind>`."""
    return env(LEADLINE_SECRETS_PREFIX)


def after_call_work_state_machine_arn() -> str:
    return env(ACW_STATE_MACHINE_ARN)


def public_api_base_url() -> str:
    """PUBLIC_API_BASE_URL: the URL vendors and partners call (their signatures cover it), without a trailing
    slash. KeyError for a function that lacks it."""
    return env(PUBLIC_API_BASE_URL).rstrip("/")


def public_api_base_url_if_set() -> str | None:
    return (env(PUBLIC_API_BASE_URL, "") or "").rstrip("/") or None


def call_analyser() -> str:
    """CALL_ANALYSER: `rules` (the default) or `bedrock`."""
    return env(CALL_ANALYSER, "rules").lower()


def bedrock_model_id() -> str:
    return env(BEDROCK_MODEL_ID)


def recordings_bucket() -> str | None:
    """RECORDINGS_BUCKET: None where transcription is off (the local runtime, or a stack that turned it off)."""
    return env(RECORDINGS_BUCKET, "") or None


def transcription_job_prefix() -> str:
    return env(TRANSCRIPTION_JOB_PREFIX, "leadline-")


def notification_sender() -> str:
    """NOTIFICATION_SENDER: the From of notification emails for a company that has not set its own."""
    return env(NOTIFICATION_SENDER, "")


def app_base_url() -> str:
    """APP_BASE_URL: the base of links in notifications for a company that has not set its own."""
    return env(APP_BASE_URL, "")


def staff_app_origin() -> str:
    """STAFF_APP_ORIGIN: the staff app's origin (scheme, host, port), the one browser origin the staff API answers;
    empty where no staff app is hosted (no browser origin is answered)."""
    return env(STAFF_APP_ORIGIN, "")
