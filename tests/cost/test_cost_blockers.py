"""Blocking features and template facts through the command, on real definitions and templates.

Nothing here stands in for the check engine: each test runs ``apilint cost`` on files, and the
definitions are modelled as ``apilint check`` models them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.conftest import run_cli
from tests.cost.cost_support import estimate_of, items, run_cost

TEMPLATES = "fixtures/cost/templates"
ORDERS = "fixtures/cost/usage/orders.yaml"
VALIDATION = "Request validation exists only on REST APIs; an HTTP API passes invalid requests to the backend."
CACHING = "Response caching exists only on REST API stages."


def blockers(estimate: dict) -> list[tuple[str, str | None, int | None]]:
    return [(b["feature"], b["file"], b["line"]) for b in estimate["blocked_by"]]


def test_without_definitions_nothing_is_blocked() -> None:
    report = run_cost("--requests", "5M", "-f", "json").json()
    assert [e["available"] for e in report["estimates"]] == [True, True, True]
    assert report["assumptions"][:2] == [
        "No region given (--region, usage file, AWS_REGION): us-east-1 is priced.",
        "No definition given: blocking features were not checked; every API type counts as available.",
    ]


def test_real_definition_blocks_http_with_positions() -> None:
    """API keys and the edge-optimized endpoint (the API's and its custom domain's) on the SAM example's
    REST API keep it from moving to an HTTP API."""
    report = run_cost(
        "--requests", "5M", "--region", "us-east-1", "fixtures/examples/payments-sam/template.yaml", "-f", "json"
    ).json()
    by_type = {e["api_type"]: e for e in report["estimates"]}
    assert by_type["rest"]["available"] is True
    assert by_type["http"]["available"] is False
    template = "fixtures/examples/payments-sam/template.yaml"
    assert blockers(by_type["http"]) == [("edge-endpoint", template, 10), ("edge-endpoint", template, 14),
                                          ("api-keys", template, 35)]


def test_template_stage_cache_is_priced_and_blocks_the_types_without_one() -> None:
    """10M calls on a REST API whose stage provisions 0.5 GB: $35.00 + $14.60, no flag needed."""
    template = f"{TEMPLATES}/rest-cache.yaml"
    report = run_cost("--requests", "10M", template, "-f", "json").json()
    rest, http, websocket = (estimate_of(report, t) for t in ("rest", "http", "websocket"))
    assert items(rest) == {"requests": 35.00, "cache (0.5 GB)": 14.60}
    assert rest["monthly_usd"] == 49.60 and rest["available"] is True
    assert blockers(http) == [("caching", template, 30)]
    assert http["blocked_by"][0]["message"] == CACHING
    assert blockers(websocket) == [("caching", template, 30), ("openapi-definition", template, 11)]
    assert (report["cheapest"], report["savings"]) == ("rest", {"api_type": "rest", "monthly_usd": 0.0})
    assert (
        f"rest-cache.yaml: stage cache of 0.5 GB, as the template declares ({template}:30); "
        "--cache-size-gb or cache_size_gb overrides it."
    ) in report["assumptions"]
    brief = run_cost("--requests", "10M", template, "--brief")
    assert brief.stdout == (
        "REST       $49.60  current; cheapest available\n"
        "HTTP       $10.00  blocked by caching\n"
        "WebSocket  $22.50  blocked by caching, openapi-definition\n"
    )


def test_a_cache_size_flag_overrides_the_template() -> None:
    report = run_cost("--requests", "10M", "--cache-size-gb", "1.6", f"{TEMPLATES}/rest-cache.yaml", "-f", "json")
    assert items(estimate_of(report.json(), "rest")) == {"requests": 35.00, "cache (1.6 GB)": 27.74}


def test_a_web_acl_blocks_http_and_websocket() -> None:
    template = f"{TEMPLATES}/rest-waf.yaml"
    report = run_cost("--requests", "10M", template, "-f", "json").json()
    assert blockers(estimate_of(report, "http")) == [("waf", template, 38)]
    assert [b[0] for b in blockers(estimate_of(report, "websocket"))] == ["waf", "openapi-definition"]
    assert report["cheapest"] == "rest"


def test_a_feature_the_current_type_lacks_blocks_the_current_type_too() -> None:
    template = f"{TEMPLATES}/rest-payload-2.yaml"
    report = run_cost("--requests", "10M", template, "-f", "json").json()
    rest = estimate_of(report, "rest")
    assert report["current_type"] == "rest"
    assert blockers(rest) == [("payload-format-version", template, 20)]
    assert rest["blocked_by"][0]["message"] == (
        "Payload format 2.0 events exist only on HTTP APIs; REST and WebSocket APIs send other event shapes, "
        "so functions written for 2.0 must change."
    )
    assert (report["cheapest"], report["savings"]) == ("http", {"api_type": "http", "monthly_usd": 25.00})


def test_a_folder_is_taken_as_apilint_check_takes_it() -> None:
    """Every API in the folder, priced as one API: their blockers and caches together."""
    report = run_cost("--requests", "10M", TEMPLATES, "-f", "json").json()
    # Two caching stages are two cache clusters, each billed by the hour: not one 2.1 GB (6.1 GB) cache.
    assert items(estimate_of(report, "rest")) == {"requests": 35.00, "cache (0.5 GB)": 14.60, "cache (1.6 GB)": 27.74}
    assert {b[0] for b in blockers(estimate_of(report, "http"))} == {"caching", "waf", "usage-plans"}


def test_config_is_honoured(tmp_path: Path) -> None:
    """--config sets the current type of a bare definition, as it does for apilint check."""
    config = tmp_path / "settings.yaml"
    config.write_text("api-type: http\n")
    report = run_cost("--requests", "10M", ORDERS, "--config", str(config), "-f", "json").json()
    assert report["current_type"] == "http"
    assert "orders.yaml: current type HTTP, as its definition says." in report["assumptions"]
    missing = run_cost("--requests", "10M", ORDERS, "--config", str(tmp_path / "none.yaml"))
    assert (missing.exit_code, missing.stderr) == (
        2, f"apilint: error: {tmp_path / 'none.yaml'}: configuration file not found\n"
    )


def test_the_usage_file_definition_is_read_without_naming_it_again() -> None:
    """The root-level validator map blocks no route: the two GET routes move, POST stays ($789.90)."""
    report = run_cost("--usage", "fixtures/cost/usage/review.yaml", "-f", "json").json()
    orders, notifications = report["apis"]
    assert blockers(estimate_of(orders, "http")) == [
        ("request-validation", ORDERS, 5),
        ("request-validation", ORDERS, 17),
        ("caching", None, None),
    ]
    split = orders["route_split"]
    assert split["movable_routes"] == ["GET /orders", "GET /orders/{id}"]
    assert split["staying_routes"] == [
        {
            "route": "POST /orders",
            "blocked_by": [{"feature": "request-validation", "message": VALIDATION, "file": ORDERS, "line": 17}],
        }
    ]
    assert (split["rest_only_monthly_usd"], split["split_monthly_usd"], split["savings_monthly_usd"]) == (
        2566.85,
        1776.95,
        789.90,
    )
    assert notifications["route_split"] is None
    assert (
        "notifications: no definition named (definition:), so its blocking features were not checked."
        in report["assumptions"]
    )


def test_routes_with_rest_only_features_stay_and_others_can_move(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(textwrap.dedent("""\
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
        """))
    (tmp_path / "usage.yaml").write_text(textwrap.dedent("""\
        region: us-east-1
        apis:
          - name: orders
            definition: api.yaml
            routes:
              - {route: GET /orders, requests: 300M}
              - {route: POST /orders, requests: 10M}
        """))
    result = run_cli("cost", "--usage", "usage.yaml", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.err
    orders = result.json()["apis"][0]
    assert orders["route_split"]["movable_routes"] == ["GET /orders"]
    staying = orders["route_split"]["staying_routes"]
    assert [r["route"] for r in staying] == ["POST /orders"]
    assert ("mapping-templates", 17) in {(b["feature"], b["line"]) for b in staying[0]["blocked_by"]}
    assert "mapping-templates" in {b["feature"] for b in estimate_of(orders, "http")["blocked_by"]}
    assert estimate_of(orders, "rest")["blocked_by"] == []


def test_a_missing_definition_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "usage.yaml").write_text("apis:\n  - {name: orders, definition: gone.yaml, requests: 5M}\n")
    result = run_cli("cost", "--usage", "usage.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "apilint: error: usage.yaml: the definition gone.yaml of API orders does not exist\n"
    )


def test_sam_globals_cache_and_usage_plan_from_the_deployment_model() -> None:
    """A SAM API whose 1.6 GB stage cache comes from Globals and whose usage plan from Auth.UsagePlan."""
    template = f"{TEMPLATES}/sam-globals-cache.yaml"
    report = run_cost("--requests", "10M", template, "-f", "json").json()
    rest, http, websocket = (estimate_of(report, t) for t in ("rest", "http", "websocket"))
    # 10M x $3.50/M + 730 h x $0.038 = $35.00 + $27.74.
    assert items(rest) == {"requests": 35.00, "cache (1.6 GB)": 27.74}
    assert rest["monthly_usd"] == 62.74 and rest["available"] is True
    assert blockers(http) == [("usage-plans", template, 16), ("caching", template, 6)]
    assert blockers(websocket) == [("caching", template, 6), ("openapi-definition", template, 22)]
    assert report["cheapest"] == "rest"


def test_check_with_usage_prices_the_apis_the_check_built(tmp_path: Path, monkeypatch) -> None:
    """``apilint check --usage`` hands the cost summary the APIs it built: the template's 0.5 GB cache is
    priced and blocks HTTP, and the files are not modelled a second time."""
    import apilint.workspace

    def no_second_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cost summary built the APIs again")

    template = tmp_path / "template.yaml"
    template.write_bytes((Path(TEMPLATES) / "rest-cache.yaml").read_bytes())
    (tmp_path / "usage.yaml").write_text(
        "region: us-east-1\napis:\n  - name: orders\n    definition: template.yaml#OrdersApi\n    requests: 10M\n")
    monkeypatch.setattr(apilint.workspace, "collect_apis", no_second_build)
    result = run_cli("check", "--select", "AG201", "--format", "markdown", "--usage", "usage.yaml", "template.yaml",
                     cwd=tmp_path)
    assert result.code == 0, result.err
    cost = result.out.partition("## API Gateway cost estimate: us-east-1\n")[2]
    assert "| REST (current) |    $49.60 | yes         |      current |" in cost
    assert "| HTTP           |    $10.00 | **no**      |      -$39.60 |" in cost
    assert CACHING in cost


def test_terraform_stage_cache_waf_and_usage_plan_are_priced_as_a_template_s() -> None:
    """A Terraform REST API whose aws_api_gateway_stage keeps a 0.5 GB cache, with a WAF association and
    a usage plan in the module: the cache line and the blockers at their Terraform lines, whether the
    module or only the definition it deploys is named."""
    folder = "fixtures/cost/terraform"
    for named in (folder, f"{folder}/orders.yaml"):
        report = run_cost("--requests", "10M", "--region", "us-east-1", named, "-f", "json").json()
        rest, http, websocket = (estimate_of(report, t) for t in ("rest", "http", "websocket"))
        assert items(rest) == {"requests": 35.00, "cache (0.5 GB)": 14.60}, named
        assert rest["monthly_usd"] == 49.60 and rest["available"] is True
        main = f"{folder}/main.tf"
        # the feature table finds them in the deployment model, as in a template: the WAF association at its
        # resource_arn, the usage plan, the stage's cache_cluster_enabled
        assert blockers(http) == [("waf", main, 43), ("usage-plans", main, 47), ("caching", main, 38)]
        assert blockers(websocket) == [("waf", main, 43), ("caching", main, 38),
                                       ("openapi-definition", f"{folder}/orders.yaml", 1)]
        assert any(line.endswith(f"stage cache of 0.5 GB, as the template declares ({main}:38); --cache-size-gb "
                                 "or cache_size_gb overrides it.") for line in report["assumptions"])


def test_the_region_a_terraform_provider_states_is_priced_without_region_flag() -> None:
    """The module's aws provider says eu-west-1: that region is priced, and said to be the source. The
    bundled eu-west-1 prices have no REST request price, so REST is not priced rather than guessed."""
    report = run_cost("--requests", "10M", "fixtures/cost/terraform", "-f", "json").json()
    assert report["region"] == "eu-west-1"
    assert "Region eu-west-1 taken from the deployment of the definitions." in report["assumptions"]
    assert items(estimate_of(report, "http")) == {"requests": 11.10}
    assert estimate_of(report, "rest")["monthly_usd"] is None
    flagged = run_cost("--requests", "10M", "--region", "us-east-2", "fixtures/cost/terraform", "-f", "json").json()
    assert flagged["region"] == "us-east-2"


def test_a_definition_named_alone_is_priced_as_the_sam_template_deploys_it(tmp_path: Path) -> None:
    (tmp_path / "orders.yaml").write_text(Path("fixtures/cost/terraform/orders.yaml").read_text(), encoding="utf-8")
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Resources:
          OrdersApi:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              CacheClusterEnabled: true
              DefinitionUri: orders.yaml
        """), encoding="utf-8")
    result = run_cli("cost", "--requests", "10M", "orders.yaml", "-f", "json", cwd=tmp_path)
    assert result.code == 0, result.err
    report = result.json()
    assert items(estimate_of(report, "rest")) == {"requests": 35.00, "cache (0.5 GB)": 14.60}
    assert blockers(estimate_of(report, "http")) == [("edge-endpoint", "template.yaml", 2),
                                                     ("caching", "template.yaml", 6)]
