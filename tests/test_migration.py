"""Blocking features per API type and per route, from the feature table applied to definitions."""

from __future__ import annotations

import textwrap

from tests.conftest import run_cli

REST_API = textwrap.dedent("""\
    openapi: 3.0.1
    info: {title: orders, version: "1"}
    paths:
      /orders:
        get:
          responses: {"200": {description: ok}}
          x-amazon-apigateway-integration:
            type: aws_proxy
            httpMethod: POST
            uri: arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:list/invocations
        post:
          responses: {"200": {description: ok}}
          x-amazon-apigateway-integration:
            type: aws
            httpMethod: POST
            uri: arn:aws:apigateway:eu-west-1:sqs:path/123456789012/orders
            requestTemplates:
              application/json: "Action=SendMessage&MessageBody=$input.body"
            responses:
              default: {statusCode: "200"}
    """)


def test_routes_with_rest_only_features_stay_and_others_can_move(tmp_path, monkeypatch):
    from apilint.migration import blockers_for_paths

    (tmp_path / "api.yaml").write_text(REST_API)
    monkeypatch.chdir(tmp_path)
    from pathlib import Path

    result = blockers_for_paths([Path("api.yaml")])["api.yaml"]
    assert result["current_type"] == "rest"
    assert result["routes"]["GET /orders"] == []
    post = {(b["feature"], b["line"]) for b in result["routes"]["POST /orders"]}
    assert ("mapping-templates", 17) in post
    assert {b["feature"] for b in result["api_types"]["http"]} >= {"mapping-templates"}
    assert result["api_types"]["rest"] == []


def test_cost_reports_the_split_from_a_definition(tmp_path):
    (tmp_path / "api.yaml").write_text(REST_API)
    (tmp_path / "usage.yaml").write_text(textwrap.dedent("""\
        region: us-east-1
        apis:
          - name: orders
            definition: api.yaml
            routes:
              - {route: GET /orders, requests: 300M}
              - {route: POST /orders, requests: 10M}
        """))
    result = run_cli("cost", "--usage", "usage.yaml", "api.yaml", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.err
    report = result.json()
    http = next(e for e in report["estimates"] if e["api_type"] == "http")
    assert http["available"] is False
    assert "mapping-templates" in {b["feature"] for b in http["blocked_by"]}
