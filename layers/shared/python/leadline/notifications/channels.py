"""The two outside channels: email through Amazon SES, texts through Amazon SNS.

Both clients retry throttling and transient errors with botocore's standard mode (exponential backoff with
jitter, 5 retries after the first try); what still fails is raised, and the notifier leaves the event to be
retried, then dead-lettered.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from functools import cache
from typing import Any

from botocore.config import Config

RETRIES = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)


@cache
def ses_client() -> Any:
    import boto3

    return boto3.client("ses", config=RETRIES)


@cache
def sns_client() -> Any:
    import boto3

    return boto3.client("sns", config=RETRIES)


def send_email(*, sender: str, to: str, subject: str, text: str, html: str, client: Any = None) -> str:
    """A text and an HTML part; the SES message id."""
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address)) if name else address
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    response = (client or ses_client()).send_raw_email(
        Source=address, Destinations=[to], RawMessage={"Data": message.as_bytes()}
    )
    return response["MessageId"]


def send_text(*, to: str, text: str, origination_number: str, client: Any = None) -> str:
    """A transactional SMS from the company's registered number; the SNS message id."""
    response = (client or sns_client()).publish(
        PhoneNumber=to,
        Message=text,
        MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.MM.SMS.OriginationNumber": {"DataType": "String", "StringValue": origination_number},
        },
    )
    return response["MessageId"]
