"""The committed staff API document (docs/openapi.json) is usable by a client generator: openapi-python-client makes
a typed client of it without a warning, offline, in a second or two; the client compiles and imports; and against
the local runtime it creates a customer and a lead, lists the lead as its own typed models (not dicts), and reads an
error answer into the generated error model."""

from __future__ import annotations

import compileall
import datetime
import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.api import new_tenant

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs/openapi.json"
PACKAGE = "leadline_staff_client"
# No post hooks: by default the generator runs ruff over what it made, which only reformats it.
CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client's package, generated once for the module from the committed document; a warning fails it."""
    root = tmp_path_factory.mktemp("generated-client")
    config = root / "config.yml"
    config.write_text(CONFIG, encoding="utf-8")
    package = root / PACKAGE
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(DOCUMENT)]
    command += ["--meta", "none", "--output-path", str(package), "--config", str(config), "--fail-on-warning"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=root, timeout=120)
    said = result.stdout + result.stderr
    assert result.returncode == 0 and "Warning" not in said, f"openapi-python-client on docs/openapi.json:\n{said}"
    return package


@pytest.fixture(scope="module")
def client(generated: Path) -> Iterator[ModuleType]:
    """The generated package, importable while the module's tests run."""
    sys.path.insert(0, str(generated.parent))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(generated.parent))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_client_has_a_function_for_every_operation_and_compiles(generated):
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    operations = sum(len(item) for item in document["paths"].values())
    functions = [p for p in (generated / "api").rglob("*.py") if p.name != "__init__.py"]
    assert len(functions) == operations
    assert compileall.compile_dir(generated, quiet=1), "the generated client does not compile"


def test_every_module_of_the_client_imports(client):
    names = [info.name for info in pkgutil.walk_packages(client.__path__, prefix=f"{PACKAGE}.")]
    for name in names:
        importlib.import_module(name)
    assert f"{PACKAGE}.api.leads.list_leads" in names and f"{PACKAGE}.models.lead_page" in names


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_the_generated_client_creates_and_lists_a_lead_as_typed_models(runtime, client):
    # Given a company's admin, with the generated client on their token
    company = new_tenant(runtime.api_url, runtime.signing_key)
    token = company.admin.session.headers["Authorization"].removeprefix("Bearer ")
    api = client.AuthenticatedClient(base_url=runtime.api_url, token=token, raise_on_unexpected_status=True)
    models = _module("models")
    # When they create a customer and a lead for them, and list the company's leads
    customer = _module("api.customers.create_customer").sync(client=api, body=models.CustomerIn(name="Pat Doe"))
    assert isinstance(customer, models.CustomerWithLocations), customer
    body = models.LeadIn(
        customer_id=customer.customer_id,
        summary="AC blows warm air",
        priority=models.LeadInPriorityType0.HIGH,
        tags=["ac"],
    )
    created = _module("api.leads.create_lead").sync(client=api, body=body)
    assert isinstance(created, models.Lead), created
    page = _module("api.leads.list_leads").sync(client=api)
    # Then the page and its lead are the generated models, holding the lead's fields typed
    assert isinstance(page, models.LeadPage) and page.next_token is None
    assert len(page.items) == 1 and isinstance(page.items[0], models.LeadListed)
    lead = page.items[0]
    assert lead.customer_name == "Pat Doe"
    assert lead.lead_id == created.lead_id and lead.customer_id == customer.customer_id
    assert (lead.summary, lead.tags) == ("AC blows warm air", ["ac"])
    assert lead.status is models.LeadListedStatus.OPEN and lead.priority is models.LeadListedPriorityType0.HIGH
    assert isinstance(lead.created_at, datetime.datetime) and lead.created_at.tzinfo is not None
    assert lead.notes == [] and all(isinstance(entry, models.HistoryEntry) for entry in lead.history)


def test_an_error_answer_is_read_into_the_generated_error_model(runtime, client):
    company = new_tenant(runtime.api_url, runtime.signing_key)
    token = company.admin.session.headers["Authorization"].removeprefix("Bearer ")
    api = client.AuthenticatedClient(base_url=runtime.api_url, token=token)
    models = _module("models")
    answer = _module("api.leads.get_lead").sync_detailed(client=api, lead_id="ld-no-such-lead")
    assert answer.status_code == 404
    assert isinstance(answer.parsed, models.Error), answer.parsed
    assert answer.parsed.code == "not_found" and "lead" in answer.parsed.message and answer.parsed.errors == []
    invalid = _module("api.leads.list_leads").sync(client=api, limit=0)
    assert isinstance(invalid, models.Error) and invalid.code == "invalid_input"
    assert [(e.field, type(e)) for e in invalid.errors] == [("limit", models.FieldError)]
