"""``apilint cost diff`` on two commits of a real git repository: the second adds a 0.5 GB stage cache
and moves GET /orders/{id} from the REST API to a new HTTP API.

Hand-checked against the us-east-1 prices (docs/cost.md, pricing.md): every route answers 10 KB.

- Before: orders (REST) 432M calls = 333M x $3.50 + 99M x $2.80 = $1,442.70; 4,119.87 GB out x $0.09 =
  $370.79; $1,813.49.
- After: orders (REST) 390M calls = $1,165.50 + 57M x $2.80 = $1,325.10; cache 730 h x $0.020 = $14.60;
  3,719.33 GB x $0.09 = $334.74; $1,674.44 (-$139.05). orders-http (HTTP) 42M x $1.00 = $42.00 and
  400.54 GB x $0.09 = $36.05; $78.05. Together $1,752.49: -$61.00 a month.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

INTEGRATION = """\
x-amazon-apigateway-integration:
  type: aws_proxy
  httpMethod: POST
  uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations
"""


def _operation(indent: int) -> str:
    return textwrap.indent(INTEGRATION, " " * indent)


BASE_TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrdersApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: orders
      EndpointConfiguration:
        Types: [REGIONAL]
      Body:
        openapi: 3.0.1
        info: {{title: orders, version: "1"}}
        paths:
          /orders:
            get:
{_operation(14)}            post:
{_operation(14)}          /orders/{{id}}:
            get:
{_operation(14)}  OrdersDeployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref OrdersApi
  OrdersProd:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref OrdersApi
      DeploymentId: !Ref OrdersDeployment
      StageName: prod
"""

HEAD_TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrdersApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: orders
      EndpointConfiguration:
        Types: [REGIONAL]
      Body:
        openapi: 3.0.1
        info: {{title: orders, version: "1"}}
        paths:
          /orders:
            get:
{_operation(14)}            post:
{_operation(14)}  OrdersDeployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref OrdersApi
  OrdersProd:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref OrdersApi
      DeploymentId: !Ref OrdersDeployment
      StageName: prod
      CacheClusterEnabled: true
      CacheClusterSize: "0.5"
  OrdersHttpApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
      Body:
        openapi: 3.0.1
        info: {{title: orders-http, version: "1"}}
        paths:
          /orders/{{id}}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                payloadFormatVersion: "2.0"
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations
"""

BASE_USAGE = """\
region: us-east-1
apis:
  - name: orders
    definition: template.yaml#OrdersApi
    request_size_kb: 1
    response_size_kb: 10
    routes:
      - {route: GET /orders, requests: 300M}
      - {route: POST /orders, requests: 90M}
      - {route: "GET /orders/{id}", requests: 42M}
"""

HEAD_USAGE = """\
region: us-east-1
apis:
  - name: orders
    definition: template.yaml#OrdersApi
    request_size_kb: 1
    response_size_kb: 10
    routes:
      - {route: GET /orders, requests: 300M}
      - {route: POST /orders, requests: 90M}
  - name: orders-http
    definition: template.yaml#OrdersHttpApi
    request_size_kb: 1
    response_size_kb: 10
    routes:
      - {route: "GET /orders/{id}", requests: 42M}
"""


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the base commit, the head commit on top, and the head checked out."""
    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "dev@example.com")
    _git(root, "config", "user.name", "dev")
    (root / "infra" / "template.yaml").write_text(BASE_TEMPLATE)
    (root / "infra" / "usage.yaml").write_text(BASE_USAGE)
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "orders API")
    _git(root, "tag", "base")
    (root / "infra" / "template.yaml").write_text(HEAD_TEMPLATE)
    (root / "infra" / "usage.yaml").write_text(HEAD_USAGE)
    _git(root, "commit", "-q", "-am", "cache, and GET /orders/{id} on an HTTP API")
    return root


def _snapshot(repo: Path) -> dict[str, str]:
    files = {str(p.relative_to(repo)): p.read_bytes().hex() for p in repo.rglob("*") if p.is_file()}
    return {**files, "HEAD": _git(repo, "rev-parse", "HEAD"), "status": _git(repo, "status", "--porcelain")}


def _diff(repo: Path, *args: str):
    result = run_cli("cost", "diff", "--base", "base", "--usage", "infra/usage.yaml", *args, cwd=repo)
    assert (result.code, result.err) == (0, ""), result.err
    return result


def test_json_gives_every_api_and_line_item(repo: Path) -> None:
    before = _snapshot(repo)
    report = json.loads(_diff(repo, "--format", "json").out)
    assert _snapshot(repo) == before  # nothing checked out or written
    assert (report["before"], report["after"]) == ("base", "working tree")
    assert (report["monthly_usd_before"], report["monthly_usd_after"], report["monthly_usd_change"]) == (
        1813.49,
        1752.49,
        -61.00,
    )
    assert report["headline"] == "Monthly cost -$61.00 (-3.4%): $1,813.49 → $1,752.49 a month"
    orders, http = report["apis"]
    assert (orders["name"], orders["status"], orders["type_before"], orders["type_after"]) == (
        "orders",
        "changed",
        "rest",
        "rest",
    )
    assert (orders["monthly_usd_before"], orders["monthly_usd_after"], orders["monthly_usd_change"]) == (
        1813.49,
        1674.44,
        -139.05,
    )
    assert [(i["label"], i["usd_before"], i["usd_after"], i["usd_change"]) for i in orders["line_items"]] == [
        ("REST API requests", 1442.70, 1325.10, -117.60),
        ("data transfer out", 370.79, 334.74, -36.05),
        ("cache (0.5 GB)", None, 14.60, 14.60),
    ]
    assert [(b["api_type"], b["feature"], b["file"], b["line"]) for b in orders["blockers_appeared"]] == [
        ("http", "caching", "infra/template.yaml", 34),
        ("websocket", "caching", "infra/template.yaml", 34),
    ]
    assert orders["blockers_gone"] == []
    assert (http["name"], http["status"], http["type_before"], http["type_after"]) == (
        "orders-http",
        "added",
        None,
        "http",
    )
    assert (http["monthly_usd_before"], http["monthly_usd_after"], http["monthly_usd_change"]) == (None, 78.05, 78.05)
    assert [(i["label"], i["usd_after"]) for i in http["line_items"]] == [
        ("HTTP API requests", 42.00),
        ("data transfer out", 36.05),
    ]


def test_text_shows_the_headline_and_the_line_items(repo: Path) -> None:
    lines = _diff(repo).out.splitlines()
    assert lines[:22] == [
        "apilint cost diff: base → working tree, us-east-1 (US East (N. Virginia)), prices as of 2026-08-21",
        "",
        "Monthly cost -$61.00 (-3.4%): $1,813.49 → $1,752.49 a month",
        "",
        "API                type       before      after    change",
        "-----------------  ------  ---------  ---------  --------",
        "orders             REST    $1,813.49  $1,674.44  -$139.05",
        "orders-http (new)  HTTP            –     $78.05   +$78.05",
        "",
        "orders (REST):",
        "  line item             before      after    change",
        "  REST API requests  $1,442.70  $1,325.10  -$117.60",
        "  data transfer out    $370.79    $334.74   -$36.05",
        "  cache (0.5 GB)             –     $14.60   +$14.60",
        "  + blocker: HTTP: caching (infra/template.yaml:34)",
        "  + blocker: WebSocket: caching (infra/template.yaml:34)",
        "  cheapest available type: HTTP → REST",
        "",
        "orders-http (HTTP):",
        "  line item            before    after    change",
        "  HTTP API requests         –   $42.00   +$42.00",
        "  data transfer out         –   $36.05   +$36.05",
    ]


def test_markdown_is_a_pull_request_comment(repo: Path) -> None:
    markdown = _diff(repo, "--format", "markdown").out
    lines = markdown.splitlines()
    assert lines[:6] == [
        "### API Gateway cost: Monthly cost -$61.00 (-3.4%): $1,813.49 → $1,752.49 a month",
        "",
        "| API | Type | Before | After | Change |",
        "| :--- | :--- | ---: | ---: | ---: |",
        "| `orders` | REST | $1,813.49 | $1,674.44 | **-$139.05** |",
        "| `orders-http` (new) | HTTP | – | $78.05 | **+$78.05** |",
    ]
    assert [line for line in lines if line.startswith("- ")][:3] == [
        "- Blocker added: `orders` HTTP: caching (infra/template.yaml:34)",
        "- Blocker added: `orders` WebSocket: caching (infra/template.yaml:34)",
        "- `orders`: cheapest available type: HTTP → REST",
    ]
    details = lines.index("<details><summary>Line items</summary>")
    assert details < lines.index("| cache (0.5 GB) | – | $14.60 | +$14.60 |")
    assert markdown.count("<details>") == markdown.count("</details>") == 2


def test_two_revisions_and_two_usage_files(repo: Path, tmp_path: Path) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    (repo / "infra" / "template.yaml").write_text(BASE_TEMPLATE)  # the working tree is not read
    result = run_cli(
        "cost", "diff", "--base", "base", "--head", head, "--usage", "infra/usage.yaml", "-f", "json", cwd=repo
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["monthly_usd_change"] == -61.00
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(BASE_USAGE.replace("template.yaml#OrdersApi", "repo/infra/template.yaml#OrdersApi"))
    new.write_text(HEAD_USAGE.replace("definition: template.yaml#OrdersHttpApi\n", "type: http\n")
                   .replace("template.yaml#OrdersApi", "repo/infra/template.yaml#OrdersApi"))
    files = run_cli("cost", "diff", "old.yaml", "new.yaml", "-f", "json", cwd=tmp_path)
    assert files.code == 0, files.err
    report = json.loads(files.out)
    assert (report["before"], report["after"]) == ("old.yaml", "new.yaml")
    # The working tree's template is the base one again: no cache, so only the route moved.
    assert report["monthly_usd_change"] == -75.60


def test_bad_revisions_and_arguments_are_usage_errors(repo: Path) -> None:
    result = run_cli("cost", "diff", "--base", "no-such-branch", "--usage", "infra/usage.yaml", cwd=repo)
    assert (result.code, result.out, result.err) == (2, "", "apilint: error: unknown revision 'no-such-branch'\n")
    result = run_cli("cost", "diff", "--usage", "infra/usage.yaml", cwd=repo)
    assert result.code == 2
    assert result.err.startswith("apilint: error: give --base REVISION")


def test_docs_show_the_comment_as_it_renders(repo: Path) -> None:
    """docs/cost.md quotes the Markdown of this very change; it must be what the command prints."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "cost.md").read_text()
    start = docs.index("> ### API Gateway cost:")
    quoted = []
    for line in docs[start:].splitlines():
        if not line.startswith(">"):
            break
        quoted.append(line[2:] if line.startswith("> ") else "")
    assert "\n".join(quoted) + "\n" == _diff(repo, "--format", "markdown").out


def test_help_names_the_command_as_typed() -> None:
    result = run_cli("cost", "diff", "--help")
    assert result.code == 0
    assert "Usage: apilint cost diff [OPTIONS] [PATHS]..." in result.out
