"""The staff API: one resolver and its routers. Errors, bodies, 404 and 405 are the HTTP layer's
(leadline/api/http.py); an invalid input is a 422 here.

The routers' areas (`leadline/api/staff/routes/<area>.py`, each with the schemas and the domain it uses) are imported
at the first request for one of their paths, not at the function's init: `route_table.py` says which area serves
which path (written by `make openapi`, held equal to the routers by tests/unit/test_staff_route_table.py). Routing,
validation, 404 and 405 are as if every area had been there from the start, and the document loads them all."""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Collection, Mapping
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Route

from leadline import config
from leadline.api import http
from leadline.api.staff import auth, contract, route_table

# The areas, in the order their routes are matched (the order in which they were included when all were imported
# at init; static routes before dynamic ones, as Powertools matches).
AREAS = (
    "settings",
    "marketing",
    "operations",
    "people",
    "calls",
    "leads",
    "customers",
    "scl",
    "notifications",
    "bookings",
    "integrations",
    "dni",
    "reports",
)
ROUTES_PACKAGE = "leadline.api.staff.routes"
TABLE_HEADER = '''"""Which area of the staff API serves each route: (method, rule, area), the area being its module
under leadline/api/staff/routes/. Written by `make openapi` (resolver.write_route_table) from the routers themselves;
tests/unit/test_staff_route_table.py holds it equal to them. The resolver imports an area at the first request for
one of its paths."""

'''


class StaffResolver(http.Resolver):
    """The staff API's resolver, whose route areas are imported at the first request for one of their paths."""

    def __init__(self) -> None:
        super().__init__(
            invalid_input_status=HTTPStatus.UNPROCESSABLE_ENTITY,
            tenant_claim=auth.TENANT_CLAIM,
            enable_validation=True,
            cors_origin=config.staff_app_origin,
        )
        self.loaded_areas: set[str] = set()
        self._loading = threading.Lock()

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        # every area with a route at the path, whatever its method: a 405 names all of the path's methods
        self.load_areas(_areas_at(str(event.get("path") or "")))
        return super().resolve(event, context)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The document of every route: all areas are imported first."""
        self.load_areas(AREAS)
        return super().get_openapi_schema(*args, **kwargs)

    def load_areas(self, areas: Collection[str]) -> None:
        """Import these areas and include their routers, once each. The routes are kept in the route table's order
        (static ones first, as Powertools matches them), so that a request is routed as if all areas had been
        included at init in the order of AREAS, whatever order they come in."""
        if self.loaded_areas.issuperset(areas):
            return
        with self._loading:
            for area in [a for a in AREAS if a in areas and a not in self.loaded_areas]:
                self.include_router(importlib.import_module(f"{ROUTES_PACKAGE}.{area}").router)
                self.loaded_areas.add(area)
            self._static_routes.sort(key=_order)
            self._dynamic_routes.sort(key=_order)


@cache
def _table() -> tuple[tuple[re.Pattern, str], ...]:
    # compiled at the first request rather than at init; Powertools compiles the same rules when an area is
    # included, and re's cache answers it then
    return tuple((StaffResolver._compile_regex(rule), area) for _method, rule, area in route_table.ROUTES)


@cache
def _positions() -> dict[tuple[str, str], int]:
    return {(method, rule): index for index, (method, rule, _area) in enumerate(route_table.ROUTES)}


def _areas_at(path: str) -> set[str]:
    return {area for rule, area in _table() if rule.match(path)}


def _order(route: Route) -> int:
    """Where a route stands among the matched: the route table's order; the resolver's own routes first."""
    return _positions().get((route.method, route.path), -1)


def route_table_source() -> str:
    """route_table.py as the routers make it: each route's method, rule and area, in the order of AREAS and of each
    router's own routes."""
    rows = []
    for area in AREAS:
        router = importlib.import_module(f"{ROUTES_PACKAGE}.{area}").router
        for key in router._routes:  # Powertools keeps a router's routes only here: (rule, methods, ...)
            rule, methods = key[0], key[1]
            rows += [f"    ({_quoted(method.upper())}, {_quoted(rule)}, {_quoted(area)}),\n" for method in methods]
    return TABLE_HEADER + "ROUTES = (\n" + "".join(rows) + ")\n"


def _quoted(text: str) -> str:
    return json.dumps(text)  # a Python string literal in double quotes, as ruff formats it


def write_route_table(path: str | Path = "layers/shared/python/leadline/api/staff/route_table.py") -> None:
    Path(path).write_text(route_table_source(), encoding="utf-8")


app = StaffResolver()
contract.describe(app)


@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@app.get("/openapi.json", include_in_schema=False)
def openapi_json():  # no return annotation: Powertools would try to model Response
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=contract.document(app))
