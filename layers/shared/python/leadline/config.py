"""Configuration read from the environment when it is needed, not at import."""

import os


def time_scale() -> float:
    """LEADLINE_TIME_SCALE: every timer (after-call work, schedules) runs this many times faster. Default 1."""
    raw = os.environ.get("LEADLINE_TIME_SCALE", "1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"LEADLINE_TIME_SCALE must be a number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"LEADLINE_TIME_SCALE must be above 0, not {raw!r}")
    return value


def scaled_seconds(seconds: float) -> float:
    return seconds / time_scale()


def event_bus_name() -> str:
    return os.environ["EVENT_BUS_NAME"]


def after_call_work_state_machine_arn() -> str:
    return os.environ["ACW_STATE_MACHINE_ARN"]


def notification_sender() -> str:
    """NOTIFICATION_SENDER: the From of notification emails for a company that has not set its own."""
    return os.environ.get("NOTIFICATION_SENDER", "")


def app_base_url() -> str:
    """APP_BASE_URL: the base of links in notifications for a company that has not set its own."""
    return os.environ.get("APP_BASE_URL", "")
