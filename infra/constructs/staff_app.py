"""The staff app in AWS: `web/staff` in a private S3 bucket that only CloudFront (origin access control) reads,
served over HTTPS with the security headers of `infra.app_hosting`, every screen's path answered with index.html;
and its /config.json, written at deploy with the staff API's URL and the managed login's domain and client.

Nothing is built: the deployment copies the folder as it is, and every file is served with `Cache-Control:
no-cache` (revalidated on each load, so a deploy is seen at once, with no CloudFront invalidation to grant)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_s3_deployment as s3deploy
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra import app_hosting
from infra.constructs.log_groups import LogGroups
from infra.constructs.scanners import skip_checkov, suppress_wildcards

LOG_RETENTION_DAYS = 90  # CloudFront's and S3's access logs of the app (paths, addresses, times; no token)
# The CDK's BucketDeployment: its handler (one per stack) copies the files with the AWS CLI.
DEPLOYMENT_HANDLER_PREFIX = "Custom::CDKBucketDeployment"
# What the CDK grants the deployment's role on the asset bucket (read) and the app bucket (read and write).
DEPLOYMENT_WILDCARD_ACTIONS = ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")
CLOUDFRONT_SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
)
_HSTS = re.compile(r"^max-age=(\d+)(; includeSubDomains)?(; preload)?$")

NO_WAF_REASON = (
    "The distribution serves the app's static files only (no data, no form handler): every request for data goes "
    "to the staff API, behind its own WAF web ACL. A web ACL of CloudFront is made in US East (N. Virginia) only "
    "and would need a second stack there."
)
NO_GEO_RESTRICTION_REASON = (
    "Staff work from wherever their company does; nothing here is for a country only, and signing in (Cognito, "
    "MFA) guards the data, not the static files."
)
DEFAULT_CERTIFICATE_REASON = (
    "The app is served on the distribution's own *.cloudfront.net name, whose certificate's security policy "
    "CloudFront fixes (TLSv1 minimum); a custom domain with its own ACM certificate would allow TLSv1.2_2021."
)


def security_headers_behavior(headers: Mapping[str, str]) -> cloudfront.ResponseSecurityHeadersBehavior:
    """`app_hosting.security_headers(...)` as CloudFront's security headers, one for one (each overriding the
    origin's); ValueError for a header or a value CloudFront's security headers cannot say."""
    missing = sorted(set(CLOUDFRONT_SECURITY_HEADERS) - set(headers))
    if missing:
        raise ValueError(f"CloudFront's security headers are all set here: {missing} missing")
    rest = dict(headers)
    csp = rest.pop("Content-Security-Policy")
    if rest.pop("X-Content-Type-Options") != "nosniff":
        raise ValueError("CloudFront's X-Content-Type-Options is nosniff only")
    frame = rest.pop("X-Frame-Options")
    referrer = rest.pop("Referrer-Policy")
    hsts = _HSTS.match(rest.pop("Strict-Transport-Security"))
    if hsts is None:
        raise ValueError(f"Strict-Transport-Security must match {_HSTS.pattern}")
    if rest:
        raise ValueError(f"no CloudFront security header for {sorted(rest)}")
    return cloudfront.ResponseSecurityHeadersBehavior(
        content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
            content_security_policy=csp, override=True
        ),
        content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
        frame_options=cloudfront.ResponseHeadersFrameOptions(
            frame_option=cloudfront.HeadersFrameOption[frame.upper()], override=True
        ),
        referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
            referrer_policy=cloudfront.HeadersReferrerPolicy[referrer.upper().replace("-", "_")], override=True
        ),
        strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=Duration.seconds(int(hsts.group(1))),
            include_subdomains=bool(hsts.group(2)),
            preload=bool(hsts.group(3)),
            override=True,
        ),
    )


class StaffApp(Construct):
    """The buckets (the app's files, and the access logs) and the distribution; `deploy(config)` copies the files
    and writes /config.json. `origin`: `https://<distribution domain>`, the one browser origin the staff API
    answers; `url`: the app's address (its origin: the app lives at its root)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_origin: str,
        sign_in_origin: str,
        log_groups: LogGroups,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_groups = log_groups
        # CloudFront's standard logs are delivered with an ACL (the bucket owner gets full control of each).
        self.log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,  # what S3 access logging and CloudFront's logs support
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            versioned=False,
            lifecycle_rules=[s3.LifecycleRule(id="ExpireAccessLogs", expiration=Duration.days(LOG_RETENTION_DAYS))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        skip_checkov(
            self.log_bucket,
            {
                "CKV_AWS_18": "This bucket receives the app bucket's and the distribution's access logs; logging it "
                "too would need yet another bucket.",
                "CKV_AWS_21": f"Access logs are written once and expire after {LOG_RETENTION_DAYS} days: versions "
                "would only keep expired logs.",
            },
        )
        # The files are the deployment's: each deploy writes them all again, and the stack's removal empties and
        # deletes the bucket (the deployment removes its files first).
        self.bucket = s3.Bucket(
            self,
            "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=False,
            removal_policy=RemovalPolicy.DESTROY,
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="app-bucket/",
        )
        skip_checkov(
            self.bucket,
            {
                "CKV_AWS_21": "Unversioned by design: every deploy writes the app's files from the repository, "
                "which keeps their history."
            },
        )
        self.headers = app_hosting.security_headers(api_origin=api_origin, sign_in_origin=sign_in_origin)
        self.headers_policy = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Leadline staff app: content security policy, HSTS, nosniff, no framing, referrer policy",
            security_headers_behavior=security_headers_behavior(self.headers),
        )
        # A screen's path (/second-chance-leads/<id>) is answered with index.html; a missing file is not.
        self.screen_paths = cloudfront.Function(
            self,
            "ScreenPaths",
            comment="Leadline staff app: a screen's path is answered with index.html",
            code=cloudfront.FunctionCode.from_inline(app_hosting.screen_paths_function()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Leadline staff app",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers_policy,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.screen_paths, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            default_root_object=app_hosting.INDEX,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.log_bucket,
            log_file_prefix="cloudfront/",
        )
        NagSuppressions.add_resource_suppressions(
            self.distribution,
            [
                NagPackSuppression(id="AwsSolutions-CFR1", reason=NO_GEO_RESTRICTION_REASON),
                NagPackSuppression(id="AwsSolutions-CFR2", reason=NO_WAF_REASON),
                NagPackSuppression(id="AwsSolutions-CFR4", reason=DEFAULT_CERTIFICATE_REASON),
            ],
        )
        skip_checkov(
            self.distribution,
            {
                "CKV_AWS_68": NO_WAF_REASON,
                "CKV_AWS_174": DEFAULT_CERTIFICATE_REASON,
            },
        )
        self.origin = f"https://{self.distribution.distribution_domain_name}"
        self.url = self.origin
        self.deployment: s3deploy.BucketDeployment | None = None

    def deploy(self, config: Mapping[str, object]) -> s3deploy.BucketDeployment:
        """Copy `web/staff` and write `config` (the deploy-time values: tokens are filled in by CloudFormation) as
        /config.json, each file with `Cache-Control: no-cache`; what the bucket holds besides is removed."""
        if self.deployment is not None:
            raise ValueError("the staff app is already deployed")
        log_group = self.log_groups.log_group(self, "DeploymentLogs")
        role = iam.Role(
            self,
            "DeploymentRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Copies the Leadline staff app into its bucket at deploy",
            inline_policies={
                "WriteOwnLogs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[log_group.log_group_arn],
                        )
                    ]
                )
            },
        )
        files = s3_assets.Asset(self, "AppFiles", path=str(app_hosting.APP_DIR))
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deployment",
            destination_bucket=self.bucket,
            sources=[
                s3deploy.Source.bucket(files.bucket, files.s3_object_key),
                s3deploy.Source.json_data(app_hosting.CONFIG_PATH.lstrip("/"), dict(config)),
            ],
            cache_control=[s3deploy.CacheControl.from_string(app_hosting.CACHE_CONTROL)],
            prune=True,
            retain_on_delete=False,
            memory_limit=512,
            role=role,
            log_group=log_group,
        )
        suppress_wildcards(
            role,
            "The CDK's BucketDeployment reads the deployment's zipped files from the CDK asset bucket (every object "
            "of it: the assets' keys are content hashes) and writes and prunes the objects of the app's bucket, "
            "which holds the app's files only.",
            [files.bucket.arn_for_objects("*"), self.bucket.arn_for_objects("*")],
        )
        NagSuppressions.add_resource_suppressions(
            role.node.find_child("DefaultPolicy"),
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="The CDK's BucketDeployment grants s3:GetObject*/GetBucket*/List* on the asset bucket and "
                    "the app's bucket, and s3:DeleteObject*/Abort* on the app's bucket: the AWS CLI's sync of one "
                    "folder into one bucket.",
                    applies_to=[f"Action::{action}" for action in DEPLOYMENT_WILDCARD_ACTIONS],
                )
            ],
        )
        handlers = [
            child for child in Stack.of(self).node.children if child.node.id.startswith(DEPLOYMENT_HANDLER_PREFIX)
        ]
        if len(handlers) != 1:
            raise ValueError(f"expected the one BucketDeployment handler of the stack, found {len(handlers)}")
        [handler] = handlers
        NagSuppressions.add_resource_suppressions(
            handler,
            [
                NagPackSuppression(
                    id="AwsSolutions-L1",
                    reason="The CDK's BucketDeployment handler: the CDK pins its runtime to the AWS CLI layer it "
                    "ships; it runs at deploy only.",
                )
            ],
        )
        skip_checkov(
            handler,
            {
                "CKV_AWS_115": "The CDK's BucketDeployment handler runs at deploy only, once per deploy: no "
                "concurrency to reserve.",
                "CKV_AWS_116": "Invoked by CloudFormation's custom resource, synchronously: a failure fails the "
                "deploy, which CloudFormation reports and rolls back.",
                "CKV_AWS_117": "No VPC: it reaches S3 only, authorised by IAM.",
                "CKV_AWS_173": "Its environment holds the path of the CA bundle only, no secret.",
            },
        )
        return self.deployment
