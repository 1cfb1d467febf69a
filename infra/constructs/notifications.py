"""Notifications to employees: the defaults of notification emails and links (CDK context), and the grant of the
functions that send them, by email through Amazon SES and by text through Amazon SNS.

`cdk deploy -c notificationSender="Acme Alerts <alerts@acme.example>"`: the From of notification emails for a
company that has not set its own (`NOTIFICATION_SENDER`); an address, or `Name <address>`.
`cdk deploy -c appBaseUrl=https://app.acme.example`: the base of the links in notifications for a company that
has not set its own (`APP_BASE_URL`); https only, used without a trailing slash.
Both are optional: unset, a company without its own sender gets no email, and one without its own base URL
gets links to the staff app the stack hosts (its CloudFront URL).

Emails are `ses:SendRawEmail` (SES v1, `Source` = the sender, no configuration set) and need every sender
identity verified in SES by an operator, at run time: so the grant covers the account's identities in the
stack's Region. Texts are `sns:Publish` to a phone number (never to a topic), from the company's registered
origination number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from email.utils import parseaddr

from aws_cdk import ArnFormat, Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.capabilities import Provision
from infra.constructs.scanners import suppress_wildcards
from leadline import config

NOTIFICATION_SENDER_CONTEXT = "notificationSender"
APP_BASE_URL_CONTEXT = "appBaseUrl"
# Service Authorization Reference: SES v1 SendRawEmail requires the `identity` resource type (the sender's
# verified address or domain; `configuration-set` too only when a ConfigurationSetName is passed, and none is).
SES_ACTIONS = ("ses:SendRawEmail",)
# SNS Publish to a PhoneNumber names no SNS resource; to a topic or a platform endpoint it names an
# arn:<partition>:sns:<region>:<account>:... ARN. So "every resource but SNS ARNs" is direct SMS only.
SNS_ACTIONS = ("sns:Publish",)

# An address (no spaces, no <>, no list separators, no quotes), and optionally a display name before it.
_ADDRESS = r"[^@\s<>,;\"()]+@[^@\s<>,;\"()]+\.[^@\s<>,;\"().]+"
_SENDER = re.compile(
    rf"^(?:(?P<address>{_ADDRESS})|(?P<name>\"[^\"\r\n]+\"|[^<>\"\r\n,;]+?)\s*<(?P<named>{_ADDRESS})>)$"
)
_BASE_URL = re.compile(r"^https://[^\s/?#@]+(?:/[^\s?#]*)?$")


def _literal(value: object, key: str) -> str | None:
    """The context value as a stripped string, or None when unset or empty."""
    if value is None:
        return None
    if not isinstance(value, str) or Token.is_unresolved(value):
        raise ValueError(f"context {key} must be a literal string, got {value!r}")
    value = value.strip()
    return value or None


@dataclass(frozen=True)
class Notifications:
    """The default sender and app base URL (either may be None), and what sending notifications needs.
    `hosted_app_url`: the URL of the app the stack hosts (a token), the links' base when `app_base_url` is None."""

    sender: str | None = None
    app_base_url: str | None = None
    hosted_app_url: str | None = None

    def __post_init__(self) -> None:
        if self.sender is not None:
            found = _SENDER.match(self.sender) if isinstance(self.sender, str) else None
            address = found and (found.group("address") or found.group("named"))
            # The function reads the sender with email.utils.parseaddr: it must find this very address.
            if not address or parseaddr(self.sender)[1] != address:
                raise ValueError(
                    f"context {NOTIFICATION_SENDER_CONTEXT} must be an email address or 'Name <address>', "
                    f"e.g. -c {NOTIFICATION_SENDER_CONTEXT}='Acme Alerts <alerts@acme.example>'; "
                    f"got {self.sender!r}"
                )
        if self.app_base_url is not None:
            url = self.app_base_url.rstrip("/") if isinstance(self.app_base_url, str) else None
            if not url or not _BASE_URL.match(url):
                raise ValueError(
                    f"context {APP_BASE_URL_CONTEXT} must be an https:// URL without query or fragment, "
                    f"e.g. -c {APP_BASE_URL_CONTEXT}=https://app.acme.example; got {self.app_base_url!r}"
                )
            object.__setattr__(self, "app_base_url", url)

    @classmethod
    def from_context(cls, scope: Construct) -> Notifications:
        """Read `notificationSender` and `appBaseUrl` (each optional: unset or empty is None)."""
        node = scope.node
        return cls(
            sender=_literal(node.try_get_context(NOTIFICATION_SENDER_CONTEXT), NOTIFICATION_SENDER_CONTEXT),
            app_base_url=_literal(node.try_get_context(APP_BASE_URL_CONTEXT), APP_BASE_URL_CONTEXT),
        )

    def linking_to(self, hosted_app_url: str) -> Notifications:
        """The same defaults, with the links leading to `hosted_app_url` unless the context set `appBaseUrl`."""
        return replace(self, hosted_app_url=hosted_app_url)

    @property
    def environment(self) -> dict[str, str]:
        """The variables of a function that sends notifications: the sender if the context gave one; the links'
        base the context gave, else the hosted app's URL, else none."""
        variables = {}
        if self.sender is not None:
            variables[config.NOTIFICATION_SENDER] = self.sender
        base_url = self.app_base_url if self.app_base_url is not None else self.hosted_app_url
        if base_url is not None:
            variables[config.APP_BASE_URL] = base_url
        return variables

    @property
    def provision(self) -> Provision:
        """SENDS_NOTIFICATIONS' provision: the defaults (`environment`), and the SES and SNS grant."""
        return Provision(environment=self.environment, grant=self.grant)

    @staticmethod
    def identity_arn_pattern(scope: Construct) -> str:
        """Every SES identity of the stack's account and Region: `identity/*`."""
        return Stack.of(scope).format_arn(
            service="ses", resource="identity", resource_name="*", arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )

    @staticmethod
    def sns_arn_pattern(scope: Construct) -> str:
        """Every SNS ARN (topics and platform endpoints) of any Region and account: `arn:<partition>:sns:*:*:*`."""
        return Stack.of(scope).format_arn(
            service="sns", region="*", account="*", resource="*", arn_format=ArnFormat.NO_RESOURCE_NAME
        )

    def grant(self, grantee: iam.IGrantable) -> iam.Grant:
        """ses:SendRawEmail on the account's identities in the stack's Region, and sns:Publish on everything but
        SNS ARNs (so to phone numbers only: no topic, no platform endpoint).

        The SMS statement is an Allow with `NotResource`, not an Allow on `*` with a Deny on SNS ARNs: IAM
        evaluates both the same for this one action, but the Deny would need a `Resource: *` Allow beside it
        and would also void any later grant of a topic to the same role. cdk-nag's IAM5 reads `Resource` only,
        so the statement has no finding to suppress. The identity wildcard is suppressed (AwsSolutions-IAM5) on
        the grantee's DefaultPolicy, named and with its reason."""
        principal = grantee.grant_principal
        if not isinstance(principal, Construct):
            raise ValueError("the notifications grant needs a grantee whose principal is a construct (a role)")
        identities = self.identity_arn_pattern(principal)
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=list(SES_ACTIONS), resource_arns=[identities])
        principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(SNS_ACTIONS), not_resources=[self.sns_arn_pattern(principal)])
        )
        suppress_wildcards(
            principal,
            "Each company sends notification emails from its own sender, an SES identity an operator verifies at "
            "run time (the stack cannot name it): ses:SendRawEmail only, on the SES identities of this account and "
            "Region.",
            [identities],
        )
        return grant
