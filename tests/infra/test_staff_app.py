"""The stack hosts the staff app: a private bucket that only CloudFront's origin access control reads, served over
HTTPS with the security headers of `infra.app_hosting`, every screen's path answered with the app; its
/config.json written at deploy (the staff API's URL, the managed login's domain and the app's client); the app's
public Cognito client (authorization code, back to the app's origin only); the staff API's CORS for the app's origin
(the preflight, the gateway's own refusals) as the local gateway answers it; and the app's origin and URL in the
functions' environment."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from aws_cdk import aws_cloudfront as cloudfront

from infra import app_hosting
from infra.capabilities import SENDS_NOTIFICATIONS, SERVES_THE_STAFF_APP
from infra.constructs.auth import RESERVED_IN_DOMAIN, sign_in_domain_name
from infra.constructs.staff_app import security_headers_behavior
from infra.local.gateway import Functions, Gateway
from infra.topology import STAFF_API, TOPOLOGY
from leadline import config
from tests.infra.test_stack import (
    PUBLIC_ACCESS_BLOCKED,
    api_paths,
    arn_of,
    assert_ssl_only_bucket,
    dependencies,
    function_variables,
    only,
    ref,
    rest_api_id,
)
from tests.support.synth import Synthesized

STAFF_PATHS = sorted(
    {r.path for f in TOPOLOGY.functions if f.has(SERVES_THE_STAFF_APP) for r in f.routes if r.auth == "staff"}
)


def logical_id(synth: Synthesized, construct) -> str:
    return synth.stack.resolve(construct.node.default_child.logical_id)


def bucket_id(synth: Synthesized) -> str:
    return logical_id(synth, synth.stack.staff_app.bucket)


def distribution(synth: Synthesized) -> tuple[str, dict]:
    return only(synth.resources("AWS::CloudFront::Distribution"))


def app_origin(synth: Synthesized) -> dict:
    """`https://<the distribution's domain>`, as the template says it."""
    distribution_id, _ = distribution(synth)
    return {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}


def app_origin_and(synth: Synthesized, path: str, quote: str = "") -> dict:
    distribution_id, _ = distribution(synth)
    return {"Fn::Join": ["", [f"{quote}https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, path + quote]]}


def api_origin(synth: Synthesized) -> dict:
    """The API's execute-api origin, built from its id (never the stage's URL)."""
    parts = ["https://", ref(rest_api_id(synth)), ".execute-api.", ref("AWS::Region"), ".", ref("AWS::URLSuffix")]
    return {"Fn::Join": ["", parts]}


def sign_in_origin(synth: Synthesized) -> dict:
    domain_id, _ = only(synth.resources("AWS::Cognito::UserPoolDomain"))
    return {"Fn::Join": ["", ["https://", ref(domain_id), ".auth.", ref("AWS::Region"), ".amazoncognito.com"]]}


def app_client_id(synth: Synthesized) -> str:
    return synth.stack.resolve(synth.stack.app_client.user_pool_client_id)["Ref"]


def statements_naming(synth: Synthesized, logical_id_: str) -> list[tuple[str, dict]]:
    """(logical id of the policy's resource, statement) of every Allow statement whose resources name `logical_id_`."""
    found = []
    for owner, resource in synth.json["Resources"].items():
        props = resource.get("Properties", {})
        documents = [props.get("PolicyDocument")]
        if resource["Type"] == "AWS::IAM::Role":  # and its inline policies
            documents += [policy["PolicyDocument"] for policy in props.get("Policies", [])]
        for document in filter(None, documents):
            for statement in document["Statement"]:
                if statement["Effect"] == "Allow" and logical_id_ in dependencies(statement.get("Resource")):
                    found.append((owner, statement))
    return found


# --- the bucket and the distribution ---------------------------------------------------------------


def test_the_app_bucket_is_private_ssl_only_encrypted_and_logged(synthesized):
    bucket = synthesized.json["Resources"][bucket_id(synthesized)]
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == PUBLIC_ACCESS_BLOCKED
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "WebsiteConfiguration" not in props  # S3 serves no website: CloudFront reads the objects
    log_bucket_id = logical_id(synthesized, synthesized.stack.staff_app.log_bucket)
    assert props["LoggingConfiguration"]["DestinationBucketName"] == ref(log_bucket_id)
    assert_ssl_only_bucket(synthesized, bucket_id(synthesized))
    log_bucket = synthesized.json["Resources"][log_bucket_id]
    assert log_bucket["Properties"]["PublicAccessBlockConfiguration"] == PUBLIC_ACCESS_BLOCKED
    assert log_bucket["DeletionPolicy"] == "Retain"
    assert_ssl_only_bucket(synthesized, log_bucket_id)


def test_only_cloudfronts_origin_access_control_may_read_the_app_bucket_and_only_the_deployment_write_it(synthesized):
    distribution_id, dist = distribution(synthesized)
    app_bucket = bucket_id(synthesized)
    naming = statements_naming(synthesized, app_bucket)
    [(policy_owner, read)] = [
        (o, s) for o, s in naming if synthesized.json["Resources"][o]["Type"] == "AWS::S3::BucketPolicy"
    ]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"] == {"Fn::Join": ["", [arn_of(app_bucket), "/*"]]}
    distribution_arn = read["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert distribution_arn["Fn::Join"][1][-2:] == [":distribution/", ref(distribution_id)]
    # The one other Allow naming the bucket is the deployment's role (its writer): no function may read it.
    deployment_role = logical_id(synthesized, synthesized.stack.staff_app.deployment.handler_role)
    others = {o for o, _ in naming} - {policy_owner}
    assert [synthesized.json["Resources"][o]["Properties"]["Roles"] for o in others] == [[ref(deployment_role)]]
    # CloudFront signs its requests to the bucket (SigV4), through the origin access control, with no legacy OAI.
    [origin] = dist["Properties"]["DistributionConfig"]["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [app_bucket, "RegionalDomainName"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    oac_id = origin["OriginAccessControlId"]["Fn::GetAtt"][0]
    oac = synthesized.json["Resources"][oac_id]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == (
        "s3",
        "always",
        "sigv4",
    )


def test_the_distribution_redirects_to_https_and_serves_get_and_head_only(synthesized):
    _, dist = distribution(synthesized)
    settings = dist["Properties"]["DistributionConfig"]
    behaviors = [settings["DefaultCacheBehavior"], *settings.get("CacheBehaviors", [])]
    assert [b["ViewerProtocolPolicy"] for b in behaviors] == ["redirect-to-https"]
    assert settings["DefaultCacheBehavior"]["AllowedMethods"] == ["GET", "HEAD"]
    assert settings["Logging"]["Prefix"] == "cloudfront/"


SCREENS_AND_FILES = [
    "/",
    "/second-chance-leads",
    "/second-chance-leads/scl-01JX",
    "/leads/new",
    "/signed-in",
    "/index.html",
    "/favicon.ico",
    "/config.json",
    "/config.json.bak",
    "/assets/js/main.js",
    "/assets/app.css",
    "/assets/missing.js",
    "/assetsx",
]


def _run_in_node(code: str, uris: list[str]) -> list[str]:
    """The CloudFront Function's handler run in Node.js on a viewer request of each uri: the uri it passes on."""
    script = code + "\nconsole.log(JSON.stringify(" + json.dumps(uris) + ".map(function (uri) {"
    script += " return handler({request: {uri: uri, headers: {}, querystring: {}}}).uri; })));"
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)


def test_every_screens_path_is_answered_with_the_app_and_a_missing_file_is_not(synthesized):
    _, dist = distribution(synthesized)
    settings = dist["Properties"]["DistributionConfig"]
    assert settings["DefaultRootObject"] == app_hosting.INDEX
    assert "CustomErrorResponses" not in settings  # a missing file is S3's 403, never index.html in its place
    function_id, function = only(synthesized.resources("AWS::CloudFront::Function"))
    assert settings["DefaultCacheBehavior"]["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}
    ]
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["Properties"]["AutoPublish"] is True
    code = function["Properties"]["FunctionCode"]
    assert code == app_hosting.screen_paths_function()
    # The function decides as the local app server does (app_hosting.is_a_file).
    expected = [uri if app_hosting.is_a_file(uri) else f"/{app_hosting.INDEX}" for uri in SCREENS_AND_FILES]
    assert _run_in_node(code, SCREENS_AND_FILES) == expected
    assert expected[-4:] == ["/assets/js/main.js", "/assets/app.css", "/assets/missing.js", "/index.html"]


# --- the security headers ----------------------------------------------------------------------------


def rendered_headers(policy: dict) -> dict:
    """CloudFront's security headers of a response headers policy, as the header lines a browser gets."""
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert all(header["Override"] is True for header in security.values())
    hsts = security["StrictTransportSecurity"]
    return {
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts["IncludeSubdomains"] else "")
        + ("; preload" if hsts["Preload"] else ""),
    }


def test_every_answer_carries_the_security_headers_of_app_hosting(synthesized):
    policy_id, policy = only(synthesized.resources("AWS::CloudFront::ResponseHeadersPolicy"))
    config_ = policy["Properties"]["ResponseHeadersPolicyConfig"]
    assert set(config_) == {"Name", "Comment", "SecurityHeadersConfig"}  # no other header, no CORS of its own
    _, dist = distribution(synthesized)
    assert dist["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == ref(policy_id)
    declared = app_hosting.security_headers(
        api_origin=synthesized.stack.api.origin, sign_in_origin=synthesized.stack.auth.sign_in_url
    )
    assert rendered_headers(policy) == synthesized.stack.resolve(declared)
    # The page may fetch from the staff API's origin (not a stage URL: no dependency on the deployment) and from
    # the managed login's token endpoint, and nothing else but itself.
    csp = rendered_headers(policy)["Content-Security-Policy"]["Fn::Join"]
    assert csp[0] == ""
    parts = csp[1]
    connect = parts[0].rsplit("connect-src ", 1)[1]
    assert connect == "'self' https://"
    assert {"Fn::Join": ["", ["https://", *parts[1:6]]]} == api_origin(synthesized)
    assert parts[6] == " https://"
    assert {"Fn::Join": ["", ["https://", *parts[7:10], ".amazoncognito.com"]]} == sign_in_origin(synthesized)
    assert parts[10].startswith(".amazoncognito.com; ") and len(parts) == 11
    stage_and_deployment = set(synthesized.resources("AWS::ApiGateway::Stage")) | set(
        synthesized.resources("AWS::ApiGateway::Deployment")
    )
    assert not dependencies(policy) & stage_and_deployment


@pytest.mark.parametrize(
    ("headers", "frame", "referrer", "hsts"),
    [
        (
            app_hosting.security_headers(api_origin="https://api.example"),
            "DENY",
            "STRICT_ORIGIN_WHEN_CROSS_ORIGIN",
            (63072000, True, False),
        ),
        (
            {
                "Content-Security-Policy": "default-src 'self'",
                "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "SAMEORIGIN",
                "Referrer-Policy": "no-referrer",
                "Strict-Transport-Security": "max-age=300; preload",
            },
            "SAMEORIGIN",
            "NO_REFERRER",
            (300, False, True),
        ),
    ],
)
def test_security_headers_render_as_cloudfronts_one_for_one(headers, frame, referrer, hsts):
    behavior = security_headers_behavior(headers)
    assert behavior.content_security_policy.content_security_policy == headers["Content-Security-Policy"]
    assert behavior.frame_options.frame_option == cloudfront.HeadersFrameOption[frame]
    assert behavior.referrer_policy.referrer_policy == cloudfront.HeadersReferrerPolicy[referrer]
    sts = behavior.strict_transport_security
    assert (sts.access_control_max_age.to_seconds(), sts.include_subdomains, sts.preload) == hsts


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Permissions-Policy": "camera=()"}, "no CloudFront security header"),
        ({"X-Content-Type-Options": "sniff"}, "nosniff only"),
        ({"Strict-Transport-Security": "max-age=1; preload; includeSubDomains"}, "Strict-Transport-Security"),
    ],
)
def test_security_headers_cloudfront_cannot_say_fail_the_stack(change, message):
    headers = app_hosting.security_headers(api_origin="https://api.example") | change
    with pytest.raises(ValueError, match=message):
        security_headers_behavior(headers)


def test_the_security_headers_without_https_fail_the_stack():
    with pytest.raises(ValueError, match="Strict-Transport-Security"):
        security_headers_behavior(app_hosting.security_headers(api_origin="https://api.example", https=False))


# --- the deployment and /config.json -----------------------------------------------------------------


def deployment(synth: Synthesized) -> dict:
    _, custom = only(synth.resources("Custom::CDKBucketDeployment"))
    return custom["Properties"]


def staged_source(synth: Synthesized, object_key: str) -> Path:
    asset = synth.assets_manifest()["files"][object_key.removesuffix(".zip")]
    return synth.outdir / asset["source"]["path"]


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_the_deployment_copies_web_staff_as_it_is_and_prunes_the_rest(synthesized):
    props = deployment(synthesized)
    assert props["DestinationBucketName"] == ref(bucket_id(synthesized))
    assert (props["Prune"], props["RetainOnDelete"]) == (True, False)
    assert props["SystemMetadata"] == {"cache-control": app_hosting.CACHE_CONTROL}
    assert "DistributionId" not in props  # nothing to invalidate: every file is revalidated
    files, config_file = props["SourceObjectKeys"]
    assert files_under(staged_source(synthesized, files)) == files_under(app_hosting.APP_DIR)
    assert files_under(staged_source(synthesized, config_file)) == [app_hosting.CONFIG_PATH.lstrip("/")]


def deployed_config(synth: Synthesized) -> dict:
    """/config.json as the deployment writes it: its markers (deploy-time values, JSON strings) as template values."""
    props = deployment(synth)
    _, config_file = props["SourceObjectKeys"]
    _, markers = props["SourceMarkers"]
    text = (staged_source(synth, config_file) / app_hosting.CONFIG_PATH.lstrip("/")).read_text()
    placeholders = {}
    for index, (marker, value) in enumerate(markers.items()):
        separator, parts = value["Fn::Join"]
        assert separator == "" and parts[0].startswith('"') and parts[-1].endswith('"'), value
        unquoted = [parts[0][1:], *parts[1:-1], parts[-1][:-1]] if len(parts) > 1 else [parts[0][1:-1]]
        placeholders[f"@{index}"] = {"Fn::Join": ["", [part for part in unquoted if part != ""]]}
        text = text.replace(marker, json.dumps(f"@{index}"))
    assert "<<marker" not in text

    def filled(value):
        if isinstance(value, dict):
            return {key: filled(inner) for key, inner in value.items()}
        return placeholders.get(value, value)

    return filled(json.loads(text))


def test_config_json_holds_the_staff_apis_url_the_sign_in_domain_and_the_apps_client(synthesized):
    written = deployed_config(synthesized)
    api_url = {"Fn::Join": ["", ["https://", *api_origin(synthesized)["Fn::Join"][1][1:], "/prod"]]}
    assert written == {
        "api_url": api_url,
        "auth": {
            "kind": "cognito",
            "domain": sign_in_origin(synthesized),
            "client_id": {"Fn::Join": ["", [ref(app_client_id(synthesized))]]},
        },
    }
    # What auth.js and api.js read, and the same shape as app_hosting declares.
    assert written.keys() == app_hosting.cognito_config(api_url="", domain="", client_id="").keys()
    # The staff API's own URL, whatever publicApiBaseUrl says (that is the senders' base).
    assert written["api_url"] == synthesized.stack.resolve(synthesized.stack.api.public_base_url)


# --- sign-in: the managed login and the app's client --------------------------------------------------


def test_the_apps_client_is_public_with_the_code_grant_only_back_to_the_apps_origin(synthesized):
    client = synthesized.json["Resources"][app_client_id(synthesized)]["Properties"]
    pool_id, _ = only(synthesized.resources("AWS::Cognito::UserPool"))
    assert client["UserPoolId"] == ref(pool_id)
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]  # no implicit grant: tokens never in a URL
    assert client["AllowedOAuthScopes"] == list(app_hosting.OAUTH_SCOPES)
    assert client["CallbackURLs"] == [app_origin_and(synthesized, app_hosting.SIGNED_IN_PATH)]
    assert client["LogoutURLs"] == [app_origin_and(synthesized, app_hosting.SIGNED_OUT_PATH)]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]  # no SRP, no password: the managed login only
    assert client["PreventUserExistenceErrors"] == "ENABLED" and client["EnableTokenRevocation"] is True
    assert synthesized.json["Outputs"]["StaffAppClientId"]["Value"] == ref(app_client_id(synthesized))


def test_the_managed_login_is_the_newer_one_on_the_pools_domain_styled_for_the_apps_client(synthesized):
    pool_id, _ = only(synthesized.resources("AWS::Cognito::UserPool"))
    domain_id, domain = only(synthesized.resources("AWS::Cognito::UserPoolDomain"))
    assert domain["Properties"]["UserPoolId"] == ref(pool_id)
    assert domain["Properties"]["ManagedLoginVersion"] == 2
    assert "CustomDomainConfig" not in domain["Properties"]
    # <the stack's name>-<the last group of its stack id's UUID>
    stack_uuid = {"Fn::Select": [2, {"Fn::Split": ["/", ref("AWS::StackId")]}]}
    assert domain["Properties"]["Domain"] == {
        "Fn::Join": ["-", ["leadline", {"Fn::Select": [4, {"Fn::Split": ["-", stack_uuid]}]}]]
    }
    _, branding = only(synthesized.resources("AWS::Cognito::ManagedLoginBranding"))
    assert branding["Properties"] == {
        "UserPoolId": ref(pool_id),
        "ClientId": ref(app_client_id(synthesized)),
        "UseCognitoProvidedValues": True,
    }
    assert domain_id in branding["DependsOn"]
    assert synthesized.json["Outputs"]["StaffSignInDomain"]["Value"] == sign_in_origin(synthesized)
    # MFA as the pool requires, for the managed login as for SRP.
    _, pool = only(synthesized.resources("AWS::Cognito::UserPool"))
    assert pool["Properties"]["MfaConfiguration"] == "ON"


@pytest.mark.parametrize(
    ("stack_name", "expected"),
    [
        ("Leadline", "leadline"),
        ("Leadline-Staging_2", "leadline-staging-2"),
        ("MyAwsCognitoAmazonStack", "my-stack"),
        ("AWS", "staff"),
        ("X" * 80, "x" * 30),
    ],
)
def test_sign_in_domain_names_are_lowercase_short_and_free_of_the_words_cognito_refuses(stack_name, expected):
    name = sign_in_domain_name(stack_name)
    assert name == expected
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", name)
    assert not [word for word in RESERVED_IN_DOMAIN if word in name]


# --- the staff API's CORS for the app's origin ---------------------------------------------------------


def preflights(synth: Synthesized) -> dict[str, dict]:
    paths = api_paths(synth)
    return {
        paths[m["Properties"]["ResourceId"]["Ref"]]: m["Properties"]
        for m in synth.resources("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == "OPTIONS" and m["Properties"]["Integration"]["Type"] == "MOCK"
    }


def test_each_staff_resource_has_a_preflight_without_authorizer_answering_the_apps_origin_only(synthesized):
    assert STAFF_PATHS == ["/v1/{proxy+}"]
    found = preflights(synthesized)
    assert sorted(found) == STAFF_PATHS
    origin = synthesized.stack.resolve(synthesized.stack.staff_app.origin)
    for path, method in found.items():
        assert method["AuthorizationType"] == "NONE" and "AuthorizerId" not in method, path
        [answer] = method["Integration"]["IntegrationResponses"]
        status = str(app_hosting.PREFLIGHT_STATUS)
        assert answer["StatusCode"] == status
        headers = {
            name.removeprefix("method.response.header."): value for name, value in answer["ResponseParameters"].items()
        }
        assert headers == {
            name: synthesized.stack.resolve(f"'{value}'")
            for name, value in app_hosting.preflight_headers(synthesized.stack.staff_app.origin).items()
        }
        assert headers[app_hosting.ALLOW_ORIGIN] == app_origin_and(synthesized, "", quote="'") != "'*'"
        assert origin == app_origin(synthesized)
        [declared] = method["MethodResponses"]
        assert declared == {
            "StatusCode": status,
            "ResponseParameters": dict.fromkeys(answer["ResponseParameters"], True),
        }
        assert json.loads(method["Integration"]["RequestTemplates"]["application/json"]) == {"statusCode": 204}


def test_the_gateways_own_4xx_and_5xx_carry_the_apps_origin_and_are_deployed(synthesized):
    responses = {
        r["Properties"]["ResponseType"]: (k, r)
        for k, r in synthesized.resources("AWS::ApiGateway::GatewayResponse").items()
    }
    assert sorted(responses) == ["DEFAULT_4XX", "DEFAULT_5XX"]
    _, deployment_ = only(synthesized.resources("AWS::ApiGateway::Deployment"))
    for logical_id_, response in responses.values():
        assert response["Properties"]["RestApiId"] == ref(rest_api_id(synthesized))
        assert response["Properties"]["ResponseParameters"] == {
            f"gatewayresponse.header.{app_hosting.ALLOW_ORIGIN}": app_origin_and(synthesized, "", quote="'")
        }
        assert logical_id_ in deployment_["DependsOn"]  # a change of them makes a new deployment of the stage


def test_the_local_gateway_answers_the_same_preflight_and_refusal():
    origin = "http://127.0.0.1:3001"
    functions = Functions(TOPOLOGY, lambda module: lambda event, context: {"statusCode": 200})
    gateway = Gateway(TOPOLOGY, functions, signing_key="k" * 32, cors_origins={STAFF_API.name: origin})
    assert gateway.handle("OPTIONS", "/v1/leads", {}, b"", "127.0.0.1") == (
        app_hosting.PREFLIGHT_STATUS,
        app_hosting.preflight_headers(origin),
        b"",
    )
    status, headers, _ = gateway.handle("GET", "/v1/leads", {}, b"", "127.0.0.1")
    assert status == 401 and headers[app_hosting.ALLOW_ORIGIN] == origin


# --- the app's origin and URL in the functions -------------------------------------------------------


@pytest.mark.parametrize("which", ["synthesized", "probe"])
def test_the_staff_api_answers_the_apps_origin_and_notifications_link_to_the_app(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    for spec in synth.topology.functions:
        variables = function_variables(synth, spec.name)
        assert variables.get(config.STAFF_APP_ORIGIN) == (app_origin(synth) if spec.has(SERVES_THE_STAFF_APP) else None)
        assert variables.get(config.APP_BASE_URL) == (app_origin(synth) if spec.has(SENDS_NOTIFICATIONS) else None)
    assert synth.json["Outputs"]["StaffAppUrl"]["Value"] == app_origin(synth)


# --- scanners ----------------------------------------------------------------------------------------


def test_the_staff_apps_cloudfront_suppressions_are_on_its_distribution_and_none_on_its_buckets(synthesized):
    rows = [r for r in synthesized.nag_report() if r["Compliance"] == "Suppressed"]
    cloudfront_rules = {r["Rule ID"]: r["Resource ID"] for r in rows if r["Rule ID"].startswith("AwsSolutions-CFR")}
    path = synthesized.stack.staff_app.distribution.node.default_child.node.path
    assert cloudfront_rules == dict.fromkeys(["AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-CFR4"], path)
    # Nothing about the buckets: S1 (access logs), S2 (public access), S10 (SSL) pass.
    buckets = {
        b.node.default_child.node.path
        for b in (synthesized.stack.staff_app.bucket, synthesized.stack.staff_app.log_bucket)
    }
    assert [r for r in rows if r["Resource ID"] in buckets] == []
