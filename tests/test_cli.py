"""The command line as users run it: exact output, JSON shape and exit codes."""

from __future__ import annotations

import json

from tests.conftest import FIXTURES, REPO

EXAMPLES = FIXTURES / "examples"
CORE = "AG101,AG201,AG501,AG502"


def test_text_output_is_exact(cli):
    result = cli("check", "--select", CORE, "fixtures/examples", cwd=REPO)
    assert result.code == 1
    assert result.out == (
        "fixtures/examples/orders-http-api/openapi.yaml:32:9: error AG201 integration timeout 45,000 ms is over "
        "the HTTP API maximum of 30,000 ms [integration-timeout-out-of-range]\n"
        "fixtures/examples/orders-http-api/openapi.yaml:35:5: error AG101 security scheme 'api_key' requires an "
        "API key (x-api-key header), used by GET /orders; HTTP APIs have no API keys or usage plans "
        "[api-key-on-http-api]\n"
        "fixtures/examples/payments-sam/template.yaml:13:9: error AG501 edge-optimized custom domain "
        "payments.example.com uses a certificate in eu-central-1; edge-optimized domains need an ACM certificate "
        "in us-east-1 [edge-certificate-not-in-us-east-1]\n"
        "fixtures/examples/payments-sam/template.yaml:32:17: error AG201 integration timeout 60,000 ms is over "
        "29,000 ms, the fixed maximum for edge-optimized REST APIs (EndpointConfiguration of PaymentsApi) "
        "[integration-timeout-out-of-range]\n"
        "Found 4 problems (4 errors, 0 warnings, 0 info) in 2 files.\n"
    )


def test_json_output_shape(cli):
    result = cli("check", "--select", CORE, "--format", "json", "fixtures/examples/orders-http-api/openapi.yaml",
                 cwd=REPO)
    assert result.code == 1
    data = result.json()
    first = data["findings"][0]
    assert first == {
        "file": "fixtures/examples/orders-http-api/openapi.yaml",
        "line": 32,
        "column": 9,
        "end_line": 32,
        "end_column": 31,
        "code": "AG201",
        "name": "integration-timeout-out-of-range",
        "severity": "error",
        "message": "integration timeout 45,000 ms is over the HTTP API maximum of 30,000 ms",
        "api": "fixtures/examples/orders-http-api/openapi.yaml",
        "path": ["paths", "/orders", "post", "x-amazon-apigateway-integration", "timeoutInMillis"],
    }
    assert data["summary"]["error"] == 2 and data["summary"]["total"] == 2
    assert data["apis"][0]["api_type"] == "http"


def test_names_and_codes_both_select(cli):
    by_name = cli("check", "--select", "integration-timeout-out-of-range", "--format", "json",
                  "fixtures/examples/orders-http-api/openapi.yaml", cwd=REPO).json()
    assert [f["code"] for f in by_name["findings"]] == ["AG201"]
    ignored = cli("check", "--select", CORE, "--ignore", "AG201,api-key-on-http-api", "--format", "json",
                  "fixtures/examples/orders-http-api/openapi.yaml", cwd=REPO)
    assert ignored.code == 0 and ignored.json()["findings"] == []


def test_fail_on_threshold(cli, tmp_path):
    regional = FIXTURES / "rules" / "AG201" / "bad-regional.yaml"
    warning_only = cli("check", "--select", "AG201", "--endpoint-type", "regional", str(regional))
    assert warning_only.code == 0 and "warning AG201" in warning_only.out
    failing = cli("check", "--select", "AG201", "--endpoint-type", "regional", "--fail-on", "warning", str(regional))
    assert failing.code == 1


def test_api_type_flag_overrides_inference(cli):
    rest = cli("check", "--select", "AG201", "--api-type", "rest", "--endpoint-type", "regional", "--format", "json",
               "fixtures/examples/orders-http-api/openapi.yaml", cwd=REPO).json()
    assert [(f["line"], f["severity"]) for f in rest["findings"]] == [(32, "warning")]


def test_verbose_says_why(cli):
    result = cli("check", "-v", "--select", CORE, "fixtures/examples/orders-http-api/openapi.yaml", cwd=REPO)
    assert "HTTP API (uses HTTP API features: payloadFormatVersion, x-amazon-apigateway-importexport-version)" in result.out


def test_inline_suppression(cli, tmp_path):
    text = (EXAMPLES / "orders-http-api" / "openapi.yaml").read_text()
    text = text.replace("        timeoutInMillis: 45000", "        timeoutInMillis: 45000\n        x-apilint-ignore: [AG201]")
    target = tmp_path / "openapi.yaml"
    target.write_text(text)
    result = cli("check", "--select", CORE, "--format", "json", str(target)).json()
    assert [f["code"] for f in result["findings"]] == ["AG101"]


def test_comment_suppression(cli, tmp_path):
    text = (EXAMPLES / "orders-http-api" / "openapi.yaml").read_text()
    text = text.replace("timeoutInMillis: 45000", "timeoutInMillis: 45000  # apilint-ignore: AG201")
    target = tmp_path / "openapi.yaml"
    target.write_text(text)
    result = cli("check", "--select", CORE, "--format", "json", str(target)).json()
    assert [f["code"] for f in result["findings"]] == ["AG101"]


def test_usage_errors_exit_2(cli, tmp_path):
    missing = cli("check", str(tmp_path / "nope.yaml"))
    assert missing.code == 2 and "no such file" in missing.err
    unknown_rule = cli("check", "--select", "AG999", str(EXAMPLES))
    assert unknown_rule.code == 2 and "AG999" in unknown_rule.err
    bad_flag = cli("check", "--no-such-flag", str(EXAMPLES))
    assert bad_flag.code == 2
    bad_format = cli("check", "--format", "xml", str(EXAMPLES))
    assert bad_format.code == 2


def test_config_file_sets_type_region_and_domains(cli, tmp_path):
    spec = tmp_path / "api.yaml"
    spec.write_text((EXAMPLES / "orders-http-api" / "openapi.yaml").read_text())
    (tmp_path / ".apilint.yaml").write_text(
        "region: eu-west-1\n"
        "ignore: [AG101]\n"
        "files:\n"
        "  - match: '*.yaml'\n"
        "    domains:\n"
        "      - name: api.example.com\n"
        "        certificate-arn: arn:aws:acm:us-east-1:123456789012:certificate/abc\n"
        "        endpoint-type: regional\n"
    )
    result = cli("check", "--select", CORE, "--format", "json", "api.yaml", cwd=tmp_path).json()
    codes = sorted((f["code"], f["file"], f["line"]) for f in result["findings"])
    assert codes == [("AG201", "api.yaml", 32), ("AG502", ".apilint.yaml", 7)]


def test_config_errors_name_file_line_and_key(cli, tmp_path):
    (tmp_path / ".apilint.yaml").write_text("region: eu-west-1\nfail-on: sometimes\n")
    (tmp_path / "api.yaml").write_text("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n")
    result = cli("check", "api.yaml", cwd=tmp_path)
    assert result.code == 2
    assert ".apilint.yaml:2:1: fail-on:" in result.err


def test_rules_and_rule_commands(cli):
    listing = cli("rules", "--format", "json")
    rules = json.loads(listing.out)
    assert {"AG001", "AG101", "AG201", "AG501", "AG502"} <= {r["code"] for r in rules}
    page = cli("rule", "integration-timeout-out-of-range")
    assert page.code == 0 and page.out.startswith("# AG201 integration-timeout-out-of-range")
    assert "## Why is this bad?" in page.out and "timeoutInMillis: 45000" in page.out
    assert cli("rule", "AG999").code == 2


def test_rule_page_rendered_for_a_terminal(cli):
    """``--format text`` renders the Markdown page (what a terminal gets by default): no Markdown marks,
    lines no wider than the 80 columns of an unknown terminal, no padding at their ends."""
    page = cli("rule", "AG201", "--format", "text")
    assert page.code == 0
    lines = page.out.splitlines()
    texts = {line.strip(" ┃") for line in lines}  # rich 13 frames the title and centres headings; later releases do not
    assert {"AG201 integration-timeout-out-of-range", "What it does", "Why is this bad?", "Example",
            "Use instead"} <= texts
    assert " • Default severity: error" in lines
    assert "         timeoutInMillis: 45000" in lines
    assert not any(line.startswith("#") or "**" in line or "`" in line for line in lines)
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)


def test_versions_stay_strings(cli, tmp_path):
    from apilint.load.fastyaml import load_yaml

    data = load_yaml("openapi: 3.0\ninfo:\n  version: 1.10\n  x-date: 2024-01-01\n").data
    assert data == {"openapi": "3.0", "info": {"version": "1.10", "x-date": "2024-01-01"}}


def test_output_file(cli, tmp_path):
    report = tmp_path / "report.json"
    result = cli("check", "--select", CORE, "--format", "json", "--output", str(report),
                 str(EXAMPLES / "orders-http-api" / "openapi.yaml"))
    assert result.code == 1 and result.out == ""
    assert json.loads(report.read_text())["summary"]["total"] == 2
