"""Cognito user pool for staff: who they are, which tenant they work for, their role; and how they sign in to the
staff app (Cognito's managed login on the pool's own domain, the authorization code flow with PKCE for the app's
public client)."""

from __future__ import annotations

import re

from aws_cdk import Aws, Duration, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra import app_hosting

# Set by an administrator when the user is created (AdminCreateUser), never by the user.
# Handlers read them from event.requestContext.authorizer.claims["custom:<name>"].
STAFF_CLAIMS = ("tenant_id", "employee_id", "role")
# A Cognito prefix domain: lowercase letters, digits and hyphens, unique in the Region, and never containing
# these words.
RESERVED_IN_DOMAIN = ("aws", "amazon", "cognito")
_NOT_IN_DOMAIN = re.compile(r"[^a-z0-9]+")
DOMAIN_NAME_MAX_LENGTH = 30  # of the readable part; a hyphen and 12 hex digits of the stack's id follow it


def sign_in_domain_name(stack_name: str) -> str:
    """The readable part of the managed login's domain prefix: the stack name in lowercase letters, digits and
    hyphens, without the words Cognito refuses."""
    if not isinstance(stack_name, str) or not stack_name or Token.is_unresolved(stack_name):
        raise ValueError(f"the sign-in domain needs a literal stack name, got {stack_name!r}")
    readable = stack_name.lower()
    for word in RESERVED_IN_DOMAIN:
        readable = readable.replace(word, "-")
    readable = _NOT_IN_DOMAIN.sub("-", readable).strip("-")[:DOMAIN_NAME_MAX_LENGTH].rstrip("-")
    return readable or "staff"


def sign_in_domain_prefix(stack_name: str) -> str:
    """`<stack name>-<the last 12 hex digits of the stack's id>`: the id's UUID is drawn when the stack is created,
    so two stacks (or two accounts) practically never ask for the same prefix, and it stays put for the stack's
    life."""
    stack_uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
    return Fn.join("-", [sign_in_domain_name(stack_name), Fn.select(4, Fn.split("-", stack_uuid))])


def _read_attributes() -> cognito.ClientAttributes:
    return (
        cognito.ClientAttributes()
        .with_standard_attributes(email=True, email_verified=True, given_name=True, family_name=True)
        .with_custom_attributes(*STAFF_CLAIMS)
    )


def _write_attributes() -> cognito.ClientAttributes:
    # Staff may edit their name and e-mail, never their tenant, employee id or role.
    return cognito.ClientAttributes().with_standard_attributes(email=True, given_name=True, family_name=True)


class StaffAuth(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
            ),
            custom_attributes={
                name: cognito.StringAttribute(min_len=1, max_len=64, mutable=False) for name in STAFF_CLAIMS
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Plus tier: threat protection (compromised credentials, adaptive auth) enforced.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.client = self.user_pool.add_client(
            "StaffClient",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            read_attributes=_read_attributes(),
            write_attributes=_write_attributes(),
        )
        # The managed login (its newer version, branded with Cognito's own style) on a Cognito prefix domain.
        self.domain = self.user_pool.add_domain(
            "SignInDomain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=sign_in_domain_prefix(Stack.of(self).stack_name)),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        self.app_client: cognito.UserPoolClient | None = None

    @property
    def sign_in_url(self) -> str:
        """The managed login's https origin, `https://<prefix>.auth.<region>.amazoncognito.com`."""
        return self.domain.base_url()

    def add_app_client(self, *, app_origin: str) -> cognito.UserPoolClient:
        """The staff app's client: public (no secret: the app runs in the browser), the authorization code grant
        only (the app sends a PKCE challenge), back to the app's origin only, through the managed login only."""
        if self.app_client is not None:
            raise ValueError("the staff app's client is already made")
        self.app_client = self.user_pool.add_client(
            "StaffAppClient",
            generate_secret=False,
            # No direct sign-in flow (SRP, password): the managed login signs staff in, MFA included.
            auth_flows=cognito.AuthFlow(user_srp=False),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[getattr(cognito.OAuthScope, scope.upper()) for scope in app_hosting.OAUTH_SCOPES],
                callback_urls=[app_origin + app_hosting.SIGNED_IN_PATH],
                logout_urls=[app_origin + app_hosting.SIGNED_OUT_PATH],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(1),  # the shortest: the app keeps the ID token only
            read_attributes=_read_attributes(),
            write_attributes=_write_attributes(),
        )
        # The newer managed login shows a client's pages only once the client has a style: Cognito's own.
        branding = cognito.CfnManagedLoginBranding(
            self,
            "StaffAppLoginStyle",
            user_pool_id=self.user_pool.user_pool_id,
            client_id=self.app_client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        branding.node.add_dependency(self.domain)
        return self.app_client
