"""The staff API's route table (leadline/api/staff/route_table.py), from which its resolver imports a route area at
the first request for one of its paths: equal to the routers' own routes, and the lazily loaded resolver routing,
validating and refusing (404, 405 with Allow) as if every area had been imported at init. That the document loads
every area is held by test_openapi_document.py and test_openapi_contract.py (the served document is the committed
one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.runtime import local_environment
from leadline.api.staff import resolver, route_table

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "layers/shared/python/leadline/api/staff/route_table.py"


def test_the_route_table_is_the_routers_routes():
    assert TABLE.read_text(encoding="utf-8") == resolver.route_table_source(), (
        "leadline/api/staff/route_table.py is not the routers' routes: write it again with `make openapi`"
    )


def test_every_route_area_is_in_the_table():
    areas = {p.stem for p in (TABLE.parent / "routes").glob("*.py") if not p.stem.startswith("_")}
    assert areas == set(resolver.AREAS) == {area for _method, _rule, area in route_table.ROUTES}


# A new process: the resolver as a cold start has it, before any request.
FRESH = """
import json, sys
from functions.staff_api.handler import app
from leadline.api.staff import resolver

def answer(method, path, body=None, content_type=None):
    headers = {"Content-Type": content_type} if content_type else {}
    event = {"httpMethod": method, "path": path, "headers": headers, "body": body, "requestContext": {"requestId": "r"}}
    result = app.resolve(event, None)
    return {"status": result["statusCode"], "allow": (result.get("multiValueHeaders") or {}).get("Allow"),
            "code": json.loads(result["body"]).get("code"), "loaded": sorted(app.loaded_areas)}

found = {"at_init": sorted(app.loaded_areas), "imported_at_init": sorted(sys.modules)}
found["unknown_path"] = answer("GET", "/v1/no-such-thing")
found["other_method"] = answer("DELETE", "/v1/leads/lead-1/")
found["no_body"] = answer("POST", "/v1/campaigns")
found["form_body"] = answer("POST", "/v1/customers", "name=Pat", "application/x-www-form-urlencoded")
# the remaining areas in reverse: routing must not depend on the order areas come in
app.load_areas(list(reversed(resolver.AREAS)))
found["routes"] = [[route.method, route.path] for route in app._static_routes + app._dynamic_routes]
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def fresh() -> dict:
    env = {**os.environ, **local_environment(), "POWERTOOLS_LOG_LEVEL": "WARNING"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers/shared/python"), str(ROOT)])
    done = subprocess.run(
        [sys.executable, "-c", FRESH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_area_is_imported_at_init_and_a_request_imports_only_its_path_s_areas(fresh):
    found = fresh  # what the new process found, in the order it found it
    assert found["at_init"] == []
    # nor pydantic: the areas' schemas and Powertools' validation come with the first request
    assert "pydantic" not in found["imported_at_init"]
    staff = [m for m in found["imported_at_init"] if m.startswith("leadline.api.staff.")]
    assert staff == [
        "leadline.api.staff.auth",
        "leadline.api.staff.contract",
        "leadline.api.staff.resolver",
        "leadline.api.staff.route_table",
    ]
    assert found["unknown_path"] == {"status": 404, "allow": None, "code": "no_such_route", "loaded": []}
    assert found["other_method"] == {
        "status": 405,
        "allow": ["GET, PATCH"],
        "code": "method_not_allowed",
        "loaded": ["leads"],
    }
    # the areas' validation, with the HTTP layer's body reader (Powertools' own would read the form)
    assert found["no_body"] == {"status": 422, "allow": None, "code": "invalid_input", "loaded": ["leads", "marketing"]}
    assert found["form_body"]["status"] == 415 and found["form_body"]["code"] == "unsupported_media_type"
    assert found["form_body"]["loaded"] == ["customers", "leads", "marketing"]


def test_areas_loaded_in_any_order_are_routed_in_the_order_of_the_eager_resolver(fresh):
    routes = [tuple(route) for route in fresh["routes"]]
    own, areas = routes[:3], routes[3:]
    assert sorted(own) == [("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/swagger")]
    table = [(method, rule) for method, rule, _area in route_table.ROUTES]
    static, dynamic = [r for r in table if "<" not in r[1]], [r for r in table if "<" in r[1]]
    assert areas == static + dynamic
