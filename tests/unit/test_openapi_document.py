"""The staff API's OpenAPI document says what the API does: readable and unique operation ids, summaries and
descriptions in words, a described tag for each area, servers that reach the API wherever the document is served,
and error responses in the one error shape, each where the code behind the operation can give it.

What an operation's code can give is read from the code itself: from the route's handler, every function of
`leadline` it names (called or passed on, through modules, objects and `self`) is followed, and the domain errors
that can leave each one (those caught on the way do not) are collected with the permissions it requires. The walk
follows every branch, so it over-reaches in two known ways, which the tests name where they matter: a list read
without a next_token still "reaches" the token's check (422), and the caller's own records (the company's
settings, their employee record) still "reach" their 404."""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import re
import sys
import types
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urljoin

import pytest
from openapi_spec_validator import validate

from leadline.api.staff import contract, resolver
from leadline.errors import DomainError
from leadline.permissions import Permission

DOCUMENT = json.loads(contract.document(resolver.app))
OPERATIONS = {
    (method.upper(), path): operation for path, item in DOCUMENT["paths"].items() for method, operation in item.items()
}
BY_ID = {operation["operationId"]: (key, operation) for key, operation in OPERATIONS.items()}
READABLE_ID = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")  # lower camel case: a verb, then what it acts on


# --- reading the code ------------------------------------------------------------------------------------------

MISSING = object()


@cache
def _module_tree(module_name: str) -> ast.Module:
    return ast.parse(inspect.getsource(sys.modules[module_name]))


def _definitions(fn: types.FunctionType) -> list[ast.AST]:
    """The function's definition in its module's source (a lambda: every lambda on its line)."""
    first = fn.__code__.co_firstlineno
    found = []
    for node in ast.walk(_module_tree(fn.__module__)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == fn.__name__:
            if min([node.lineno, *(d.lineno for d in node.decorator_list)]) == first:
                found.append(node)
        elif isinstance(node, ast.Lambda) and fn.__name__ == "<lambda>" and node.lineno == first:
            found.append(node)
    return found


def _local_names(node: ast.AST) -> set[str]:
    arguments = node.args
    names = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    names |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a}
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store | ast.Del):
            names.add(inner.id)
        elif isinstance(inner, ast.ExceptHandler) and inner.name:
            names.add(inner.name)
    return names


def _attribute(obj: Any, name: str) -> Any:
    """`obj.name` without running a property or any other descriptor; a method bound as Python binds it."""
    try:
        raw = inspect.getattr_static(obj, name)
    except AttributeError:
        return MISSING
    if isinstance(raw, staticmethod):
        return raw.__func__
    if isinstance(raw, classmethod):
        return types.MethodType(raw.__func__, obj if isinstance(obj, type) else type(obj))
    if isinstance(raw, property):
        return MISSING
    bindable = isinstance(raw, types.FunctionType) and not isinstance(obj, type | types.ModuleType)
    if bindable and name not in getattr(obj, "__dict__", {}):
        return types.MethodType(raw, obj)
    return raw


def _ours(obj: Any) -> bool:
    return (getattr(obj, "__module__", None) or "").startswith("leadline")


class _Scope:
    """The names one function's code sees: its globals, its closure, and `self` or `cls` when it was bound."""

    def __init__(self, fn: types.FunctionType, node: ast.AST, bound_to: Any):
        self.globals = fn.__globals__
        cells = (cell.cell_contents for cell in fn.__closure__ or ())
        self.closure = dict(zip(fn.__code__.co_freevars, cells, strict=True))
        self.locals = _local_names(node)
        positional = node.args.posonlyargs + node.args.args
        self.bound = (positional[0].arg, bound_to) if bound_to is not MISSING and positional else None

    def resolve(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return MISSING if base is MISSING else _attribute(base, node.attr)
        if not isinstance(node, ast.Name):
            return MISSING
        if self.bound and node.id == self.bound[0]:
            return self.bound[1]
        if node.id in self.locals:
            return MISSING
        if node.id in self.closure:
            return self.closure[node.id]
        return self.globals.get(node.id, getattr(builtins, node.id, MISSING))

    def caught(self, node: ast.AST | None) -> list[type]:
        if node is None:
            return [BaseException]
        found = []
        for part in node.elts if isinstance(node, ast.Tuple) else [node]:
            value = self.resolve(part)
            if isinstance(value, type) and issubclass(value, BaseException):
                found.append(value)
        return found


def _reraises(handler: ast.ExceptHandler) -> bool:
    return any(
        isinstance(node, ast.Raise)
        and (node.exc is None or (isinstance(node.exc, ast.Name) and node.exc.id == handler.name))
        for node in ast.walk(handler)
    )


@dataclass
class Reach:
    """What can come out of a function: the domain errors, and the permissions it requires on the way."""

    permissions: set[str] = field(default_factory=set)
    _done: dict[tuple, frozenset[type[DomainError]]] = field(default_factory=dict)
    _doing: set[tuple] = field(default_factory=set)

    def errors(self, target: Any) -> frozenset[type[DomainError]]:
        bound_to = MISSING
        if isinstance(target, types.MethodType):
            target, bound_to = target.__func__, target.__self__
        target = inspect.unwrap(target)
        if not isinstance(target, types.FunctionType) or not _ours(target):
            return frozenset()
        key = (target, id(bound_to))
        if key in self._done:
            return self._done[key]
        if key in self._doing:  # a recursion: what it raises is collected where it started
            return frozenset()
        self._doing.add(key)
        found: set[type[DomainError]] = set()
        for default in (*(target.__defaults__ or ()), *(target.__kwdefaults__ or {}).values()):
            found |= self._of_value(default)
        for node in _definitions(target):
            body = node.body if isinstance(node.body, list) else [node.body]
            found |= self._of_statements(body, _Scope(target, node, bound_to))
        self._doing.discard(key)
        self._done[key] = frozenset(found)
        return self._done[key]

    def _of_value(self, value: Any) -> set[type[DomainError]]:
        if isinstance(value, type):
            if issubclass(value, DomainError):
                return {value}
            if not _ours(value):
                return set()
            return set(self.errors(_attribute(value, "__init__"))) | set(
                self.errors(_attribute(value, "__post_init__"))
            )
        if isinstance(value, types.FunctionType | types.MethodType):
            return set(self.errors(value))
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list | tuple | set | frozenset):
            return {error for item in value for error in self._of_value(item)}
        return set()

    def _of_statements(self, statements: list[ast.AST], scope: _Scope) -> set[type[DomainError]]:
        return {error for statement in statements for error in self._of_node(statement, scope)}

    def _of_node(self, node: ast.AST, scope: _Scope) -> set[type[DomainError]]:
        if isinstance(node, ast.Try):
            escaping = self._of_statements(node.body, scope)
            found = self._of_statements(node.orelse, scope) | self._of_statements(node.finalbody, scope)
            for handler in node.handlers:
                kinds = scope.caught(handler.type)
                caught = {error for error in escaping if any(issubclass(error, kind) for kind in kinds)}
                escaping -= caught
                found |= self._of_statements(handler.body, scope) | (caught if _reraises(handler) else set())
            return found | escaping
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "require":
            for argument in node.args:
                value = scope.resolve(argument)
                if isinstance(value, Permission):
                    self.permissions.add(value.value)
        if isinstance(node, ast.Name | ast.Attribute):
            value = scope.resolve(node)
            if value is not MISSING:
                return self._of_value(value)
        return {error for child in ast.iter_child_nodes(node) for error in self._of_node(child, scope)}


@dataclass(frozen=True)
class Code:
    """What the code behind one operation can answer."""

    statuses: frozenset[int]
    permissions: frozenset[str]
    handler: types.FunctionType


@cache
def _code() -> dict[str, Code]:
    found = {}
    for route in resolver.app._static_routes + resolver.app._dynamic_routes:  # Powertools keeps them only here
        if not route.include_in_schema:
            continue
        reach = Reach()
        statuses = frozenset(error.status for error in reach.errors(route.func))
        found[route.operation_id] = Code(statuses, frozenset(reach.permissions), route.func)
    return found


def _documented(operation_id: str) -> set[int]:
    return {int(status) for status in BY_ID[operation_id][1]["responses"] if int(status) >= 400}


def _shape(operation: dict) -> tuple[list[str], bool, bool]:
    parameters = operation.get("parameters", [])
    path_ids = [p["name"] for p in parameters if p["in"] == "path"]
    return path_ids, any(p["in"] == "query" for p in parameters), "requestBody" in operation


# --- the document as a whole -----------------------------------------------------------------------------------


def test_the_document_is_valid_openapi():
    validate(DOCUMENT)


def test_the_document_is_sorted_indented_and_ends_with_a_newline():
    text = contract.document(resolver.app)
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_description_says_what_the_api_is_for_and_how_to_use_it():
    description = DOCUMENT["info"]["description"]
    for topic in ("## Authentication", "Bearer", "custom:tenant_id", "## Lists and paging", "next_token", "limit"):
        assert topic in description
    for topic in ("UTC", "ISO 8601", "## Errors", '"code"', '"message"', '"errors"', "E.164"):
        assert topic in description
    assert "Set-up records of" not in description


def test_every_operation_is_checked_in_the_code():
    assert set(_code()) == set(BY_ID), "operations the document and the resolver disagree on"


# --- operation ids, summaries, descriptions, tags --------------------------------------------------------------


def test_operation_ids_are_unique_and_readable():
    ids = [operation["operationId"] for operation in OPERATIONS.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    unreadable = sorted(i for i in ids if not READABLE_ID.match(i) or len(i) > 40)
    assert not unreadable, f"operation ids that are not a verb and a name in lower camel case: {unreadable}"


def test_every_route_sets_its_operation_id():
    """Powertools' own ids (`list_campaigns_v1_campaigns_get`) change with the path and the function's name."""
    generated = sorted(
        f"{route.method} {route.openapi_path}"
        for route in resolver.app._static_routes + resolver.app._dynamic_routes
        if route.include_in_schema and route.operation_id == route._generate_operation_id()
    )
    assert not generated, f"routes without operation_id=: {generated}"


def test_summaries_and_descriptions_say_what_an_operation_does():
    bad = []
    for (method, path), operation in OPERATIONS.items():
        summary, description = operation.get("summary", ""), operation.get("description", "")
        if not summary or "/" in summary or len(summary) > 80:  # a path has slashes
            bad.append(f"{method} {path}: summary {summary!r}")
        if len(description) < 30 or description.startswith(summary):
            bad.append(f"{method} {path}: description {description!r}")
    assert not bad, "summaries (a short phrase, not the path) and descriptions (what it does):\n" + "\n".join(bad)


def test_each_operation_has_one_tag_and_every_tag_a_description():
    described = {tag["name"]: tag.get("description", "") for tag in DOCUMENT["tags"]}
    used = {tag for operation in OPERATIONS.values() for tag in operation["tags"]}
    assert all(len(operation["tags"]) == 1 for operation in OPERATIONS.values())
    assert used == set(described), (
        f"tags used but not described: {used - set(described)}; unused: {set(described) - used}"
    )
    assert all(len(text) > 20 for text in described.values())


# --- servers ---------------------------------------------------------------------------------------------------

LOCAL = "http://127.0.0.1:3000"
AWS = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod"


@pytest.mark.parametrize("base", [LOCAL, AWS])
def test_the_first_server_reaches_the_api_wherever_the_document_is_served(base):
    """Swagger UI resolves a relative server URL against the document's URL, as RFC 3986 does (the /swagger page
    gives its own, /swagger?format=json); then drops the trailing slash and adds the operation's path."""
    server = DOCUMENT["servers"][0]["url"]
    for served_at in (f"{base}/openapi.json", f"{base}/swagger?format=json"):
        assert urljoin(served_at, server).rstrip("/") + "/v1/leads" == f"{base}/v1/leads"


# --- success responses -----------------------------------------------------------------------------------------


def _typed(schema: dict) -> bool:
    """A schema that says what the answer holds: a model by reference, an object with its properties, or any one of
    several such."""
    if "anyOf" in schema:
        return all(_typed(each) for each in schema["anyOf"])
    return "$ref" in schema or bool(schema.get("properties"))


def test_every_operation_has_a_typed_success_response():
    """One success response per operation, under the status its route answers (its status_code), naming what it
    holds: JSON as a model, never a bare object; a CSV file as a string."""
    answered = {
        route.operation_id: str(route.status_code)
        for route in resolver.app._static_routes + resolver.app._dynamic_routes
        if route.include_in_schema
    }
    wrong = []
    for operation_id, (_key, operation) in BY_ID.items():
        successes = {status: response for status, response in operation["responses"].items() if int(status) < 400}
        if list(successes) != [answered[operation_id]]:
            wrong.append(f"{operation_id}: documents {sorted(successes)}, its route answers {answered[operation_id]}")
            continue
        content = successes[answered[operation_id]].get("content", {})
        if not content:
            wrong.append(f"{operation_id}: its success response has no content")
        for media, described in content.items():
            schema = described.get("schema", {})
            typed = schema.get("type") == "string" if media == "text/csv" else _typed(schema)
            if not typed:
                wrong.append(f"{operation_id}: {media} {json.dumps(schema)}")
    assert not wrong, "success responses without a model (contract.returns):\n" + "\n".join(wrong)


# --- error responses -------------------------------------------------------------------------------------------


def test_the_error_shape_is_defined_once_and_referenced():
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["Error"]["required"] == ["code", "message", "errors"]
    assert schemas["Error"]["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldError"}
    assert schemas["FieldError"]["required"] == ["field", "message"]
    assert schemas["GatewayError"]["required"] == ["message"]
    text = json.dumps(DOCUMENT)
    assert "HTTPValidationError" not in text and "ValidationError" not in text, "Powertools' 422 shape is not sent"


def test_every_error_response_has_the_one_shape():
    error = {"$ref": "#/components/schemas/Error"}
    for key, operation in OPERATIONS.items():
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            expected = {"anyOf": [{"$ref": "#/components/schemas/GatewayError"}, error]} if status == "401" else error
            assert schema == expected, (key, status)
            assert len(response["description"]) > 10, (key, status)


def test_errors_follow_the_shape_of_the_operation():
    wrong = []
    for operation_id, ((_method, path), operation) in BY_ID.items():
        path_ids, has_query, has_body = _shape(operation)
        documented = _documented(operation_id)
        expected = {401, 403} if path.startswith("/v1/") else set()
        expected |= {415} if has_body else set()
        expected |= {422}  # an unknown query parameter, if nothing else
        expected |= {404} if path_ids else set()
        expected |= {409} if operation_id in contract.CONFLICTS else set()
        if documented != expected:
            wrong.append(f"{operation_id}: documents {sorted(documented)}, its shape says {sorted(expected)}")
    assert not wrong, "\n".join(wrong)


def test_no_operation_documents_an_error_its_code_cannot_give():
    """Some come before the code: 401 on /v1 is API Gateway's; 415 for a body and 422 for a body, a parameter or
    a query parameter the operation does not take are the validation's; and 404 for a path id with characters no
    route takes (Powertools matches no route)."""
    wrong = []
    for operation_id, code in _code().items():
        path_ids, _has_query, has_body = _shape(BY_ID[operation_id][1])
        validated = {401, 422} | ({415} if has_body else set())
        validated |= {404} if path_ids else set()
        extra = _documented(operation_id) - code.statuses - validated
        if extra:
            wrong.append(f"{operation_id}: documents {sorted(extra)}, which its code never raises")
    assert not wrong, "\n".join(wrong)


def test_every_error_the_code_can_give_is_documented():
    """But for an over-reach of reading every branch: 404 without a path id (the caller's own records). (422 is
    every operation's: a query parameter it does not take.)"""
    missing = []
    for operation_id, code in _code().items():
        path_ids, _has_query, _has_body = _shape(BY_ID[operation_id][1])
        unproven = set() if path_ids else {404}
        undocumented = code.statuses - _documented(operation_id) - unproven
        if undocumented:
            missing.append(f"{operation_id}: can answer {sorted(undocumented)}, which it does not document")
    assert not missing, "\n".join(missing)


def test_every_conflict_raising_operation_documents_409_and_no_other_does():
    raising = {operation_id for operation_id, code in _code().items() if 409 in code.statuses}
    assert sorted(raising - set(contract.CONFLICTS)) == [], "can answer 409: add to contract.CONFLICTS"
    assert sorted(set(contract.CONFLICTS) - raising) == [], "contract.CONFLICTS names operations that never 409"


def test_the_operations_said_never_to_look_up_their_path_id_are_those_that_do_not():
    for operation_id, code in _code().items():
        path_ids, _has_query, _has_body = _shape(BY_ID[operation_id][1])
        if path_ids:
            assert (404 in code.statuses) == (operation_id not in contract.NOT_LOOKED_UP), operation_id


def test_the_permissions_named_are_those_the_code_requires():
    required = {operation_id: code.permissions for operation_id, code in _code().items() if code.permissions}
    listed = {operation_id: frozenset(p.value for p in needs) for operation_id, needs in contract.PERMISSIONS.items()}
    assert listed == required
    for operation_id, instead in contract.OR_INSTEAD.items():
        source = inspect.getsource(_code()[operation_id].handler)
        assert f"Permission.{instead.name}" in source, f"{operation_id} does not look at {instead.value}"
    for operation_id, needs in contract.PERMISSIONS.items():
        (_key, operation) = BY_ID[operation_id]
        assert all(p.value in operation["responses"]["403"]["description"] for p in needs)
        assert all(f"`{p.value}`" in operation["description"] for p in needs)


def test_a_checked_path_value_is_passed_to_a_check_that_refuses_it():
    """An operation whose handler passes a path parameter to a function that itself raises InvalidInput (as
    `to_e164` does) lists it in CHECKED_PATH_VALUES, and only those do."""
    checking = set()
    for operation_id, code in _code().items():
        path_ids, _has_query, _has_body = _shape(BY_ID[operation_id][1])
        for node in ast.walk(_definitions(code.handler)[0]):
            if not isinstance(node, ast.Call) or not any(
                isinstance(a, ast.Name) and a.id in path_ids for a in node.args
            ):
                continue
            callee = code.handler.__globals__.get(node.func.id) if isinstance(node.func, ast.Name) else None
            if callee is not None and _ours(callee) and _raises_invalid_input_itself(callee):
                checking.add(operation_id)
    assert checking == set(contract.CHECKED_PATH_VALUES)


def _raises_invalid_input_itself(fn: types.FunctionType) -> bool:
    for node in ast.walk(_definitions(fn)[0]):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name):
            raised = fn.__globals__.get(node.exc.func.id)
            if isinstance(raised, type) and issubclass(raised, DomainError) and raised.status == 422:
                return True
    return False


def test_the_reading_of_the_code_finds_what_it_should():
    """The walk itself: a conflict two calls and a transaction step deep, one caught on the way, and a permission
    required by a helper of the route."""
    code = _code()
    assert 409 in code["convertLead"].statuses  # leads.service._refuse_unless_open, inside a nested apply()
    assert 409 in code["updateBusinessUnit"].statuses  # SimpleRecords.update (bound to business_units) -> store.save
    assert 409 not in code["updateIntegration"].statuses  # integrations.put catches the Conflict of its create
    assert code["listSecondChanceLeads"].permissions == {"view_second_chance_leads"}  # through _reviewer()
    assert code["convertBooking"].permissions == {"manage_leads", "book_jobs"}
    assert 403 in code["getMe"].statuses  # principal(): a deactivated employee
