"""The staff API's document as the local runtime serves it: the same as docs/openapi.json, the same in Swagger UI,
whose "Try it out" reaches the API, and the errors the API answers have the shape the document gives them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import requests
from aws_lambda_powertools.event_handler.openapi import swagger_ui

from tests.support.api import Api, Tenant, new_tenant
from tests.support.browser import run

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs/openapi.json"
WRITE_IT = (
    "make openapi"
    if re.search(r"^openapi:", (ROOT / "Makefile").read_text(), re.M)
    else "PYTHONPATH=layers/shared/python .venv/bin/python -c "
    "'from leadline.api.staff import contract, resolver; contract.write(resolver.app, \"docs/openapi.json\")'"
)


@pytest.fixture(scope="module")
def served(runtime) -> requests.Response:
    response = requests.get(f"{runtime.api_url}/openapi.json", timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response


def test_the_served_document_is_the_committed_one(served):
    assert COMMITTED.exists(), f"docs/openapi.json is missing: write it with\n  {WRITE_IT}"
    if served.text != COMMITTED.read_text(encoding="utf-8"):
        changed = _changed_operations(json.loads(COMMITTED.read_text(encoding="utf-8")), served.json())
        pytest.fail(
            "docs/openapi.json is not the document the API serves"
            + (f" (operations that differ: {', '.join(changed)})" if changed else "")
            + f": write it again with\n  {WRITE_IT}\nand commit it with the change.",
            pytrace=False,
        )


def _changed_operations(committed: dict, served: dict) -> list[str]:
    labels = set()
    for path in set(committed["paths"]) | set(served["paths"]):
        before, after = committed["paths"].get(path, {}), served["paths"].get(path, {})
        labels |= {f"{m.upper()} {path}" for m in set(before) | set(after) if before.get(m) != after.get(m)}
    return sorted(labels)


def test_swagger_ui_shows_the_same_document(runtime, served):
    page = requests.get(f"{runtime.api_url}/swagger", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in page.text and '"operationId": "convertLead"' in page.text
    assert 'updateUrl(currentUrl.pathname + "?format=json")' in page.text  # the URL the servers are resolved against
    as_json = requests.get(f"{runtime.api_url}/swagger", params={"format": "json"}, timeout=30)
    assert as_json.json() == served.json()


def test_try_it_out_reaches_the_local_api(runtime, served, company, tmp_path):
    """Swagger UI itself (Powertools' copy, in headless Chromium) builds an operation's request with the document's
    first server, from the /swagger page locally and from the stage's in AWS; the local one, sent with a token, is
    answered by the API."""
    aws = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod"
    contexts = {"local": f"{runtime.api_url}/swagger?format=json", "aws": f"{aws}/swagger?format=json"}
    built = _built_by_swagger_ui(served.text, contexts, "getMe", tmp_path)
    assert built == {"local": f"{runtime.api_url}/v1/me", "aws": f"{aws}/v1/me"}
    answer = company.admin.session.get(built["local"], timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.json()["tenant_id"] == company.tenant_id


def _built_by_swagger_ui(document: str, contexts: dict[str, str], operation_id: str, folder: Path) -> dict[str, str]:
    bundle = Path(swagger_ui.__file__).parent / "swagger-ui-bundle.min.js"
    page = folder / "try-it-out.html"
    spec = document.replace("</", "<\\/")  # inside a <script>: nothing in it may close the tag
    page.write_text(
        f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="ui"></div><pre id="built"></pre>
<script src="{bundle.as_uri()}"></script>
<script>
  const ui = SwaggerUIBundle({{dom_id: "#ui", spec: {spec}}});
  const spec = ui.specSelectors.specJson().toJS();
  const server = spec.servers[0].url;
  const built = {{}};
  for (const [name, contextUrl] of Object.entries({json.dumps(contexts)})) {{
    built[name] = ui.fn.buildRequest({{spec, operationId: "{operation_id}", contextUrl, server, serverVariables: {{}},
                                       parameters: {{}}}}).url;
  }}
  document.getElementById("built").textContent = JSON.stringify(built);
</script></body></html>""",
        encoding="utf-8",
    )
    result = run(page.as_uri(), folder / "profile", "--allow-file-access-from-files", "--dump-dom")
    found = re.search(r'<pre id="built">(.*?)</pre>', result.stdout, re.S)
    assert found and found.group(1), f"Swagger UI built nothing:\n{result.stderr[-3000:]}"
    return json.loads(found.group(1).replace("&amp;", "&"))


# --- the errors as the API answers them ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def company(runtime) -> Tenant:
    return new_tenant(runtime.api_url, runtime.signing_key)


@dataclass(frozen=True)
class Provoked:
    """A request that gets an error of an operation, and who sends it (a company's admin, its CSR, or nobody)."""

    operation_id: str
    status: int
    who: str
    method: str
    path: str
    options: dict = field(default_factory=dict)


PROVOKED = [
    Provoked("getMe", 401, "nobody", "GET", "/v1/me"),
    Provoked("updateSettings", 403, "csr", "PATCH", "/v1/settings", {"json": {"name": "Renamed"}}),
    Provoked("getLead", 404, "admin", "GET", "/v1/leads/ld-no-such-lead"),
    Provoked(
        "addLeadDismissReason", 409, "admin", "POST", "/v1/lead-dismiss-reasons",
        {"json": {"code": "price_too_high", "label": "Too dear"}},
    ),
    Provoked(
        "createCampaign", 415, "admin", "POST", "/v1/campaigns",
        {"data": "name=Radio", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    ),
    Provoked("createCampaign", 422, "admin", "POST", "/v1/campaigns", {"json": {"name": ""}}),
    Provoked("listLeads", 422, "admin", "GET", "/v1/leads", {"params": {"limit": "0"}}),
    Provoked("getTrackingNumber", 422, "admin", "GET", "/v1/tracking-numbers/not-a-number"),
]  # fmt: skip


@pytest.mark.parametrize("case", PROVOKED, ids=lambda case: f"{case.operation_id}-{case.status}")
def test_an_error_answered_is_documented_for_its_operation_in_its_shape(runtime, company, served, case):
    api = {"admin": company.admin, "csr": company.csr, "nobody": Api(runtime.api_url)}[case.who]
    response = api.request(case.method, case.path, **case.options)
    assert response.status_code == case.status, response.text[:500]
    document = served.json()
    operation = next(
        op for item in document["paths"].values() for op in item.values() if op["operationId"] == case.operation_id
    )
    documented = operation["responses"].get(str(case.status))
    assert documented, f"{case.operation_id} answers {case.status}, which it does not document"
    schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**schema, "components": document["components"]})
    assert response.json()["message"].strip()
