"""What an API computes once and every check shares (its operations, its integrations, the extension
values of its document): the checks find the same whether they ask first or after others, nothing
they share can be changed, and nothing outlives the API."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import pytest

from apilint.apis import ApiBuilder, FileSettings, kind_of
from apilint.checks.extensions import extension_values, schema_errors
from apilint.engine import RuleRun
from apilint.load.source import read_source
from apilint.model import Api
from apilint.record import replace
from apilint.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]

DEFINITION = """\
openapi: 3.0.1
info: {title: orders, version: "1"}
x-amazon-apigateway-unknown-thing: true
paths:
  /orders:
    $ref: "#/x-paths/orders"
  /orders/{id}:
    get:
      $ref: "#/x-operations/order"
    delete:
      x-amazon-apigateway-integration:
        type: HTTP_PROXY
        httpMethod: DELETE
        uri: http://example.com/orders/{id}
        timeoutInMillis: 45000
        connectionTyp: INTERNET
  /missing:
    $ref: "#/x-paths/missing"
x-paths:
  orders:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxyy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: mock
x-operations:
  order:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    x-amazon-apigateway-integration:
      type: http
      httpMethod: GET
      uri: http://example.com/orders/{id}
      requestParameters:
        integration.request.path.id: method.request.path.id
"""

#: Rule fixtures whose checks follow references through operations and integrations.
FIXTURES = ["AG006/bad.yaml", "AG105/bad-template.yaml", "AG201/bad-components.yaml", "AG403/bad-components.yaml",
            "AG416/bad.yaml"]


def _apis(path: Path) -> list[Api]:
    """The APIs of one file, built afresh (their own reference resolver, nothing computed yet)."""
    source = read_source(path, path.name)
    builder = ApiBuilder(path.parent, lambda p: read_source(p, p.name))
    if kind_of(source.data) == "openapi":
        return [builder.from_openapi(source, FileSettings())]
    return builder.from_template(source, FileSettings())


def _found(api: Api, rule: Any) -> set[tuple[Any, ...]]:
    return {(v.at.source.display, v.at.path, v.message) for v in rule.check(api, RuleRun(rule, rule.options))}


def _problems(api: Api) -> set[tuple[Any, ...]]:
    """The reference problems the API's resolver holds: the engine reports them under AG006, whichever
    check came across them first (AG006 itself yields only those no check found before it)."""
    assert api.resolver is not None
    return {(p.at.source.display, p.at.path, p.message) for p in api.resolver.problems}


def _rules(api: Api) -> list[Any]:
    return [rule for rule in load_rules() if rule.scope != "load" and rule.applies_to(api.api_type)
            and not (rule.scope == "document" and api.document is None)]


def _definition(tmp_path: Path) -> Path:
    path = tmp_path / "api.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["definition", *FIXTURES])
def test_every_check_finds_the_same_whether_it_runs_first_or_after_the_others(tmp_path, name):
    path = _definition(tmp_path) if name == "definition" else ROOT / "fixtures" / "rules" / name
    for index, api in enumerate(_apis(path)):
        # every check in the engine's order on one API, each after the others computed what they share
        after_others = {rule.code: _found(api, rule) for rule in _rules(api)}
        references = after_others.pop("AG006", set()) | _problems(api)
        # each check alone on an API of its own, the first to ask
        alone: set[tuple[Any, ...]] = set()
        for rule in _rules(api):
            first = _apis(path)[index]
            found = _found(first, rule)
            if rule.code == "AG006":
                alone |= found
            else:
                assert found == after_others[rule.code], rule.code
            alone |= _problems(first)
        assert alone == references


def test_the_definition_exercises_what_is_shared(tmp_path):
    [api] = _apis(_definition(tmp_path))
    assert [op.label for op in api.operations()] == [
        "POST /orders", "ANY /orders", "GET /orders/{id}", "DELETE /orders/{id}"]
    assert [view.label for view in api.all_integrations()] == [
        "POST /orders", "ANY /orders", "GET /orders/{id}", "DELETE /orders/{id}"]
    codes = {rule.code for rule in _rules(api) if any(rule.check(api, RuleRun(rule, rule.options)))}
    assert {"AG201", "AG401", "AG402", "AG403"} <= codes


def test_operations_and_integrations_are_found_once_and_read_the_same_every_time(tmp_path):
    [api] = _apis(_definition(tmp_path))
    operations = api.operations()
    first = next(operations)  # a check that stops early
    nested = [(outer.label, inner.label) for outer in api.operations() for inner in api.operations()]
    assert [first, *operations] == list(api.operations())
    assert len(nested) == 16
    again = list(api.operations())
    assert all(a is b for a, b in zip(again, api.operations()))
    integrations = list(api.integrations())
    assert all(a is b for a, b in zip(integrations, api.integrations()))
    views = list(api.all_integrations())
    assert all(a is b for a, b in zip(views, api.all_integrations()))
    assert [view.at for view in views] == [integration.at for integration in integrations]
    assert [view.operation for view in views] == again
    extensions = extension_values(api)
    assert extension_values(api) is extensions and schema_errors(api) is schema_errors(api)
    assert sorted(e.at.path for e in extensions) == [
        ("paths", "/orders/{id}", "delete", "x-amazon-apigateway-integration"),
        ("x-amazon-apigateway-unknown-thing",),
        ("x-operations", "order", "x-amazon-apigateway-integration"),
        ("x-paths", "orders", "post", "x-amazon-apigateway-integration"),
        ("x-paths", "orders", "x-amazon-apigateway-any-method"),
        ("x-paths", "orders", "x-amazon-apigateway-any-method", "x-amazon-apigateway-integration")]
    # the broken reference is reported once, however often the operations are read
    assert api.resolver is not None
    assert [p.message for p in api.resolver.problems] == ["$ref '#/x-paths/missing' points at nothing"]


def test_what_checks_share_cannot_be_changed(tmp_path):
    [api] = _apis(_definition(tmp_path))
    operation = next(api.operations())
    view = next(api.all_integrations())
    with pytest.raises(AttributeError):
        operation.label = "GET /elsewhere"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        view.at = operation.at  # type: ignore[misc]
    copy = list(api.operations())
    copy.clear()
    assert len(list(api.operations())) == 4


def test_nothing_computed_outlives_the_api(tmp_path):
    path = _definition(tmp_path)
    [api] = _apis(path)
    for rule in _rules(api):
        list(rule.check(api, RuleRun(rule, rule.options)))
    source = weakref.ref(api.source)
    gone = weakref.ref(api)
    operation = weakref.ref(next(api.operations()))
    del api
    # no reference cycle keeps the API, what it computed or its file alive until a collection
    assert gone() is None and operation() is None and source() is None
    # another API of the same file computes its own
    [again] = _apis(path)
    assert [op.label for op in again.operations()] == [
        "POST /orders", "ANY /orders", "GET /orders/{id}", "DELETE /orders/{id}"]


def test_an_api_changed_with_replace_computes_afresh(tmp_path):
    [api] = _apis(_definition(tmp_path))
    list(api.operations())
    other = replace(api, document={"openapi": "3.0.1", "paths": {"/x": {"get": {}}}})
    assert [op.label for op in other.operations()] == ["GET /x"]
    assert len(list(api.operations())) == 4


REFERENCES = """\
openapi: 3.0.1
info: {title: orders, version: "1"}
paths:
  /a/{id}:
    get:
      parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/gone"}]
  /b/{id}:
    get:
      parameters: [{$ref: "#/components/parameters/id"}, {$ref: "#/components/parameters/gone"}]
components:
  parameters:
    id: {$ref: "#/components/parameters/key"}
    key: {name: id, in: path, required: true, schema: {type: string}}
"""


def test_a_local_reference_is_followed_once_and_a_broken_one_reported_wherever_it_is(tmp_path, monkeypatch):
    path = tmp_path / "api.yaml"
    path.write_text(REFERENCES, encoding="utf-8")
    [api] = _apis(path)
    assert api.resolver is not None and api.doc_at is not None
    followed: list[str] = []
    follow = api.resolver.follow
    monkeypatch.setattr(api.resolver, "follow", lambda value, at, doc: followed.append(value["$ref"]) or follow(value, at, doc))
    results = []
    for route in ("/a/{id}", "/b/{id}"):
        parameters = api.document["paths"][route]["get"]["parameters"]
        at = api.doc_at.child("paths", route, "get", "parameters")
        results.append([api.deref(parameter, at.child(index)) for index, parameter in enumerate(parameters)])
    (id_a, gone_a), (id_b, gone_b) = results
    assert id_a == id_b and id_a[0]["name"] == "id" and id_a[1].path == ("components", "parameters", "key")
    assert gone_a[1].path == ("paths", "/a/{id}", "get", "parameters", 1) and gone_b[1].path[1] == "/b/{id}"
    assert followed == ["#/components/parameters/id", "#/components/parameters/gone", "#/components/parameters/gone"]
    assert sorted(p.at.path[1] for p in api.resolver.problems) == ["/a/{id}", "/b/{id}"]
