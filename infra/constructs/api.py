"""The REST API: one resource tree from the topology's routes, Lambda proxy integrations, WAF; and the staff API's
CORS for the staff app's origin (a mock preflight on each staff resource, the origin on the gateway's own
refusals), as `infra.app_hosting` declares it."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import Aws, Fn, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra import app_hosting
from infra.capabilities import SERVES_THE_STAFF_APP
from infra.constructs.log_groups import LogGroups
from infra.constructs.scanners import policy_finding, skip_checkov
from infra.topology import Topology

STAGE_NAME = "prod"
THROTTLING_RATE_LIMIT = 200  # steady requests per second for the stage
THROTTLING_BURST_LIMIT = 400
AUTH_STAFF = "staff"
AUTH_NONE = "none"
# What the CDK attaches to API Gateway's account-level CloudWatch role (`cloud_watch_role=True`).
CLOUDWATCH_ROLE_POLICY = iam.ManagedPolicy.from_aws_managed_policy_name(
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
)

PUBLIC_ROUTE_REASON = (
    "Public by design: the health check and the OpenAPI/Swagger documentation carry no tenant data; "
    "vendor and partner webhooks on auth 'none' routes are authenticated in the handler by verifying "
    "the sender's signature (timestamped HMAC), which a Cognito authorizer cannot do."
)
PREFLIGHT_REASON = (
    "CORS preflight of the staff app: browsers send it without the Authorization header, so it cannot be "
    "authorized; a mock integration answers it (the app's origin, methods and headers) and reaches no function."
)
# API Gateway's own answers (an unauthorized token, throttling, an integration failure) that a browser may read only
# with the app's origin on them.
CORS_GATEWAY_RESPONSES = (apigw.ResponseType.DEFAULT_4_XX, apigw.ResponseType.DEFAULT_5_XX)

MANAGED_RULE_GROUPS = (
    # (priority, rule group, rules switched to COUNT)
    # Webhook and partner payloads may exceed the 8 KB body that SizeRestrictions_BODY blocks;
    # API Gateway's own 10 MB limit and the handlers' validation apply instead.
    (0, "AWSManagedRulesCommonRuleSet", ("SizeRestrictions_BODY",)),
    (1, "AWSManagedRulesKnownBadInputsRuleSet", ()),
    (2, "AWSManagedRulesAmazonIpReputationList", ()),
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        user_pool: cognito.IUserPool,
        log_groups: LogGroups,
    ) -> None:
        """The API, its stage and its WAF; its routes come with `add_routes`, once the functions exist (they may
        need the API's URL first)."""
        super().__init__(scope, construct_id)
        self.access_logs = log_groups.log_group(self, "AccessLogs")
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            description="Leadline API: webhooks, partner ingest, website, staff",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.INFO,
                data_trace_enabled=False,  # bodies carry caller numbers: never log them
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                throttling_rate_limit=THROTTLING_RATE_LIMIT,
                throttling_burst_limit=THROTTLING_BURST_LIMIT,
            ),
        )
        NagSuppressions.add_resource_suppressions(
            self.rest_api.node.find_child("CloudWatchRole"),
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM4",
                    reason=(
                        "API Gateway's account-level CloudWatch role uses the AWS managed policy "
                        "AmazonAPIGatewayPushToCloudWatchLogs, the policy AWS documents for execution and "
                        "access logging; it only allows writing API Gateway's own log groups."
                    ),
                    applies_to=[policy_finding(self, CLOUDWATCH_ROLE_POLICY.managed_policy_arn)],
                )
            ],
        )
        skip_checkov(
            self.rest_api.deployment_stage,
            {
                "CKV_AWS_120": "No cache: every response is for one tenant and caller (webhooks, staff API, "
                "bookings) and must be fresh; a cache cluster is billed by the hour."
            },
        )
        # Parameters and bodies are validated whenever a method declares them (models,
        # required parameters); handlers validate the rest and answer 4xx.
        self.validator = self.rest_api.add_request_validator(
            "RequestValidator",
            validate_request_body=True,
            validate_request_parameters=True,
        )
        self._authorizer: apigw.CognitoUserPoolsAuthorizer | None = None
        self._user_pool = user_pool
        self._integrations: dict[str, apigw.LambdaIntegration] = {}
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        self.preflights: dict[str, apigw.Method] = {}
        self.gateway_responses: list[apigw.GatewayResponse] = []
        self.web_acl = self._web_acl()

    def add_routes(
        self, topology: Topology, functions: Mapping[str, lambda_.IFunction], *, staff_app_origin: str
    ) -> None:
        """Every route of the topology; the preflight of each resource with a staff route of a function that
        serves the staff app; the app's origin on the gateway's own 4xx and 5xx answers."""
        for method, path, auth, function_name in topology.routes():
            if function_name not in functions:
                raise ValueError(f"route {method} {path} names unknown function {function_name}")
            self._add_route(method, path, auth, function_name, functions[function_name])
        staff_paths = sorted(
            {
                route.path
                for spec in topology.functions
                if spec.has(SERVES_THE_STAFF_APP)
                for route in spec.routes
                if route.auth == AUTH_STAFF
            }
        )
        for path in staff_paths:
            self._add_preflight(path, staff_app_origin)
        for response_type in CORS_GATEWAY_RESPONSES:
            self.gateway_responses.append(
                self.rest_api.add_gateway_response(
                    f"Cors{response_type.response_type}",
                    type=response_type,
                    response_headers={app_hosting.ALLOW_ORIGIN: _quoted(staff_app_origin)},
                )
            )

    @property
    def url(self) -> str:
        return self.rest_api.url

    @property
    def origin(self) -> str:
        """`https://{restApiId}.execute-api.{region}.{urlSuffix}`: the API's own origin (what the staff app fetches).

        Built from the API id, not from `rest_api.url`: that one references the Stage, and a function holding it
        in its environment would close the cycle Stage -> Deployment -> Method -> Function -> Stage."""
        return Fn.join(
            "", ["https://", self.rest_api.rest_api_id, ".execute-api.", Stack.of(self).region, ".", Aws.URL_SUFFIX]
        )

    @property
    def public_base_url(self) -> str:
        """`https://{restApiId}.execute-api.{region}.{urlSuffix}/prod`, no trailing slash (the API's `origin` and
        its stage)."""
        return Fn.join("", [self.origin, f"/{STAGE_NAME}"])

    def resource(self, path: str) -> apigw.IResource:
        """`/v1/{proxy+}` -> the resource; path segments are created once and shared."""
        if not path.startswith("/"):
            raise ValueError(f"route paths start with '/': {path!r}")
        relative = path.strip("/")
        return self.rest_api.root.resource_for_path(relative) if relative else self.rest_api.root

    def _integration(self, name: str, function: lambda_.IFunction) -> apigw.LambdaIntegration:
        if name not in self._integrations:
            # One invoke permission per method is enough; no extra test-invoke permissions.
            self._integrations[name] = apigw.LambdaIntegration(function, proxy=True, allow_test_invoke=False)
        return self._integrations[name]

    def _staff_authorizer(self) -> apigw.CognitoUserPoolsAuthorizer:
        if self._authorizer is None:
            self._authorizer = apigw.CognitoUserPoolsAuthorizer(
                self,
                "StaffAuthorizer",
                cognito_user_pools=[self._user_pool],
                identity_source=apigw.IdentitySource.header("Authorization"),
            )
        return self._authorizer

    def _add_route(self, method: str, path: str, auth: str, function_name: str, function: lambda_.IFunction) -> None:
        if (method, path) in self.methods:
            raise ValueError(f"route {method} {path} is declared twice")
        resource = self.resource(path)
        integration = self._integration(function_name, function)
        if auth == AUTH_STAFF:
            added = resource.add_method(
                method,
                integration,
                authorizer=self._staff_authorizer(),
                authorization_type=apigw.AuthorizationType.COGNITO,
                request_validator=self.validator,
            )
        elif auth == AUTH_NONE:
            added = resource.add_method(
                method,
                integration,
                authorization_type=apigw.AuthorizationType.NONE,
                request_validator=self.validator,
            )
            NagSuppressions.add_resource_suppressions(
                added,
                [
                    NagPackSuppression(id="AwsSolutions-APIG4", reason=PUBLIC_ROUTE_REASON),
                    NagPackSuppression(id="AwsSolutions-COG4", reason=PUBLIC_ROUTE_REASON),
                ],
            )
            skip_checkov(added, {"CKV_AWS_59": PUBLIC_ROUTE_REASON})
        else:
            raise ValueError(f"route {method} {path}: unknown auth {auth!r} (expected 'staff' or 'none')")
        self.methods[(method, path)] = added

    def _add_preflight(self, path: str, origin: str) -> None:
        """OPTIONS on the staff resource `path`: no authorizer, a mock integration answering the app's origin only
        (API Gateway prefers an OPTIONS method to the resource's ANY)."""
        if ("OPTIONS", path) in self.methods:
            raise ValueError(f"route OPTIONS {path} would hide the staff app's preflight of {path}")
        parameters = {
            f"method.response.header.{name}": _quoted(value)
            for name, value in app_hosting.preflight_headers(origin).items()
        }
        status = str(app_hosting.PREFLIGHT_STATUS)
        added = self.resource(path).add_method(
            "OPTIONS",
            apigw.MockIntegration(
                request_templates={"application/json": json.dumps({"statusCode": app_hosting.PREFLIGHT_STATUS})},
                integration_responses=[apigw.IntegrationResponse(status_code=status, response_parameters=parameters)],
            ),
            authorization_type=apigw.AuthorizationType.NONE,
            method_responses=[
                apigw.MethodResponse(status_code=status, response_parameters=dict.fromkeys(parameters, True))
            ],
        )
        NagSuppressions.add_resource_suppressions(
            added,
            [
                NagPackSuppression(id="AwsSolutions-APIG4", reason=PREFLIGHT_REASON),
                NagPackSuppression(id="AwsSolutions-COG4", reason=PREFLIGHT_REASON),
            ],
        )
        self.preflights[path] = added  # checkov's CKV_AWS_59 passes OPTIONS methods: nothing to skip

    def _web_acl(self) -> wafv2.CfnWebACL:
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                            for rule in counted
                        ]
                        or None,
                    )
                ),
                visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                    cloud_watch_metrics_enabled=True, metric_name=group, sampled_requests_enabled=True
                ),
            )
            for priority, group, counted in MANAGED_RULE_GROUPS
        ]
        web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name="LeadlineApi", sampled_requests_enabled=True
            ),
            rules=rules,
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.rest_api.deployment_stage.stage_arn,
            web_acl_arn=web_acl.attr_arn,
        )
        return web_acl


def _quoted(value: str) -> str:
    """A static value of a method or gateway response header: in single quotes."""
    return f"'{value}'"
