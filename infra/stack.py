"""LeadlineStack: the whole product, rendered from `infra.topology.TOPOLOGY`."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import CfnOutput, Stack, Token
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import app_hosting
from infra.capabilities import (
    ANALYSES_CALLS,
    PUBLISHES_EVENTS,
    READS_TENANT_SECRETS,
    SENDS_NOTIFICATIONS,
    SERVES_THE_STAFF_APP,
    STARTS_AFTER_CALL_WORK,
    TRANSCRIBES_RECORDINGS,
    Capability,
    Provision,
    table_access,
)
from infra.constructs.api import Api
from infra.constructs.auth import StaffAuth
from infra.constructs.call_analysis import CallAnalysis
from infra.constructs.data import Data
from infra.constructs.events import EventBus, EventRouting
from infra.constructs.functions import Functions, Layers
from infra.constructs.log_groups import LogGroups
from infra.constructs.monitoring import Monitoring
from infra.constructs.notifications import Notifications
from infra.constructs.secrets import Secrets
from infra.constructs.staff_app import StaffApp
from infra.constructs.transcription import Transcription
from infra.constructs.workflow import AfterCallWork
from infra.topology import ROOT, SECRETS_PREFIX, TOPOLOGY, Topology
from leadline import config

LOG_RETENTION = logs.RetentionDays.ONE_MONTH
SHARED_LAYER_DIR = ROOT / "layers" / "shared"
CDK_JSON = ROOT / "cdk.json"
# `cdk deploy -c publicApiBaseUrl=https://api.example.com`: the base URL senders call when the API sits
# behind a custom domain (base path mapping); used verbatim, less a trailing slash.
PUBLIC_API_BASE_URL_CONTEXT = "publicApiBaseUrl"


def cdk_json_context() -> dict[str, Any]:
    """The context (feature flags) of cdk.json, for apps not started by the CDK CLI (tests, `python app.py`)."""
    return dict(json.loads(CDK_JSON.read_text()).get("context", {}))


class LeadlineStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topology: Topology = TOPOLOGY,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.topology = topology
        # `-c callAnalyser=rules|bedrock` (default rules), and `-c bedrockModelId=<id>` with bedrock.
        self.call_analysis = CallAnalysis.from_context(self)
        # `-c transcribeRecordings=false` turns Amazon Transcribe (and its recordings bucket) off; on by default.
        self.transcription = Transcription.from_context(self, "Transcription")
        # `-c notificationSender=<address or 'Name <address>'>` and `-c appBaseUrl=https://...`: the defaults of
        # notification emails and links for companies that have not set their own; both optional (the links lead
        # to the app this stack hosts unless appBaseUrl says otherwise).
        self.notifications = Notifications.from_context(self)

        self.monitoring = Monitoring(self, "Monitoring")
        self.log_groups = LogGroups(self, "LogGroups", retention=LOG_RETENTION)
        self.data = Data(self, "Data", tables=topology.tables)
        self.secrets = Secrets(self, "TenantSecrets", prefix=SECRETS_PREFIX)
        self.auth = StaffAuth(self, "StaffAuth")
        self.bus = EventBus(self, "Events", bus_name=topology.bus_name).bus
        self.workflow = AfterCallWork(
            self,
            "AfterCallWork",
            spec=topology.state_machine,
            bus=self.bus,
            monitoring=self.monitoring,
            log_groups=self.log_groups,
        )
        # The API first (its origin is in the app's content security policy), then the app (its origin is in the
        # staff API's environment and CORS, and in the links of notifications), then the functions and their routes.
        self.api = Api(self, "Api", user_pool=self.auth.user_pool, log_groups=self.log_groups)
        self.staff_app = StaffApp(
            self,
            "StaffApp",
            api_origin=self.api.origin,
            sign_in_origin=self.auth.sign_in_url,
            log_groups=self.log_groups,
        )
        self.app_client = self.auth.add_app_client(app_origin=self.staff_app.origin)
        self.notifications = self.notifications.linking_to(self.staff_app.url)
        self.layers = Layers(self, "Layers", shared_layer_dir=SHARED_LAYER_DIR)
        self.functions = Functions(
            self,
            "Functions",
            topology=topology,
            layers=self.layers,
            provisions=self._provisions(),
            bus_name=self.bus.event_bus_name,
            secrets_prefix=self.secrets.prefix,
            monitoring=self.monitoring,
            log_groups=self.log_groups,
        )
        self.routing = EventRouting(
            self,
            "EventRouting",
            topology=topology,
            bus=self.bus,
            functions=self.functions.functions,
            monitoring=self.monitoring,
        )
        self.api.add_routes(topology, self.functions.functions, staff_app_origin=self.staff_app.origin)
        self.public_api_base_url = self._public_api_base_url()
        self.functions.set_public_api_base_url(self.public_api_base_url)
        # The staff API's own URL, not `publicApiBaseUrl` (the senders' base, which may be another domain).
        self.staff_app.deploy(
            app_hosting.cognito_config(
                api_url=self.api.public_base_url,
                domain=self.auth.sign_in_url,
                client_id=self.app_client.user_pool_client_id,
            )
        )

        CfnOutput(self, "ApiUrl", value=self.api.url, description="Base URL of the REST API (stage prod)")
        CfnOutput(
            self,
            "PublicApiBaseUrl",
            value=self.public_api_base_url,
            description="Base URL vendors and partners call (PUBLIC_API_BASE_URL of the webhook functions)",
        )
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.auth.client.user_pool_client_id)
        CfnOutput(self, "StaffAppUrl", value=self.staff_app.url, description="The staff app (CloudFront)")
        CfnOutput(
            self,
            "StaffSignInDomain",
            value=self.auth.sign_in_url,
            description="Cognito's managed login for the staff app (the user pool's domain)",
        )
        CfnOutput(
            self,
            "StaffAppClientId",
            value=self.app_client.user_pool_client_id,
            description="The staff app's public client of the user pool (authorization code with PKCE)",
        )
        CfnOutput(self, "StateMachineArn", value=self.workflow.state_machine.state_machine_arn)
        CfnOutput(self, "EventBusName", value=self.bus.event_bus_name)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
        CfnOutput(self, "TenantSecretsKeyArn", value=self.secrets.key.key_arn)
        if self.transcription.bucket is not None:
            CfnOutput(
                self,
                "RecordingsBucketName",
                value=self.transcription.bucket.bucket_name,
                description="Call recordings copied for Amazon Transcribe, and its transcripts (kept 30 days)",
            )
        for logical_name, table in self.data.tables.items():
            CfnOutput(self, f"{logical_name}TableName", value=table.table_name)

    def _provisions(self) -> dict[Capability, Provision]:
        """What this stack made for each capability: the variables it gives a function, and its grant. (The
        public URL's is the functions' own: the API that makes it comes after them.)"""
        provisions = {table_access(spec): self.data.provision(spec.logical_name) for spec in self.topology.tables}
        return provisions | {
            PUBLISHES_EVENTS: Provision(grant=self.bus.grant_put_events_to),
            STARTS_AFTER_CALL_WORK: self.workflow.provision,
            READS_TENANT_SECRETS: self.secrets.read_provision,
            ANALYSES_CALLS: self.call_analysis.provision,
            TRANSCRIBES_RECORDINGS: self.transcription.provision,
            SENDS_NOTIFICATIONS: self.notifications.provision,
            SERVES_THE_STAFF_APP: Provision(environment={config.STAFF_APP_ORIGIN: self.staff_app.origin}),
        }

    def _public_api_base_url(self) -> str:
        """The context override `publicApiBaseUrl` if set, else the API's own execute-api URL of stage prod."""
        override = self.node.try_get_context(PUBLIC_API_BASE_URL_CONTEXT)
        if override is None or override == "":
            return self.api.public_base_url
        if not isinstance(override, str) or Token.is_unresolved(override):
            raise ValueError(f"context {PUBLIC_API_BASE_URL_CONTEXT} must be a literal URL, got {override!r}")
        url = override.strip().rstrip("/")
        if not url.startswith("https://"):
            raise ValueError(f"context {PUBLIC_API_BASE_URL_CONTEXT} must be an https:// URL, got {override!r}")
        return url
