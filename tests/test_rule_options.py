"""Rule options: every rule file says which options it takes (``options_schema``), its defaults satisfy
that schema, and a configuration that sets an option wrongly stops the run before any check with a
message at the configuration's line."""

from __future__ import annotations

import jsonschema
import pytest

from apilint.features import unknown_feature_ids
from apilint.rules import RuleFileError, _rule_from, load_rules, merge_options, option_problems
from tests.conftest import FIXTURES, run_cli

RULES_WITH_OPTIONS = [rule for rule in load_rules() if rule.options]


def test_rules_with_options_are_many_enough_to_matter():
    assert {"AG102", "AG201", "AG418"} <= {rule.code for rule in RULES_WITH_OPTIONS}


@pytest.mark.parametrize("rule", RULES_WITH_OPTIONS, ids=lambda rule: rule.code)
def test_the_defaults_satisfy_the_rule_files_options_schema(rule):
    jsonschema.Draft202012Validator.check_schema(rule.options_schema)
    assert option_problems(rule, rule.options) == []
    assert unknown_feature_ids(rule.options.get("features", [])) == []


def test_a_rule_file_with_options_and_no_schema_is_refused(tmp_path):
    data = {"code": "AG998", "name": "x", "severity": "error", "api_types": ["rest"], "summary": "s",
            "check": "m.f", "options": {"limit": 3},
            "docs": {"what": "w", "why": "y", "example": {"bad": "b", "good": "g"}, "references": []}}
    with pytest.raises(RuleFileError, match="options_schema"):
        _rule_from(data, tmp_path / "AG998.yaml")


def test_a_misspelled_option_is_named_with_the_rule_s_options():
    rule = next(rule for rule in load_rules() if rule.code == "AG102")
    assert option_problems(rule, {"featurs": ["x"]}) == [
        (("featurs",), "AG102 has no option 'featurs' (options of AG102: features)")]


def test_configured_mappings_merge_into_the_defaults_key_by_key():
    defaults = {"rest": {"min": 50, "max": 29000}, "http": {"min": 50}, "names": ["a"]}
    merged = merge_options(defaults, {"rest": {"max": 20000}, "names": ["b"]})
    assert merged == {"rest": {"min": 50, "max": 20000}, "http": {"min": 50}, "names": ["b"]}
    assert defaults["rest"] == {"min": 50, "max": 29000}


CASES = [
    ("options:\n  AG102:\n    featurs: [x]\n",
     ".apilint.yaml:3:5: options.AG102.featurs: AG102 has no option 'featurs' (options of AG102: features)"),
    ("options:\n  AG999:\n    a: 1\n",
     ".apilint.yaml:2:3: options.AG999: no rule 'AG999' (`apilint rules` lists codes and names)"),
    ("options:\n  AG418:\n    standalone: \"yes\"\n",
     '.apilint.yaml:3:5: options.AG418.standalone: "yes" is not of type "boolean"'),
    ("options:\n  integration-timeout-out-of-range:\n    rest: {maxx: 20000}\n",
     ".apilint.yaml:3:12: options.integration-timeout-out-of-range.rest.maxx: AG201 has no option 'maxx'"),
    ("files:\n  - match: \"*.yaml\"\n    options:\n      AG102: {features: [nope]}\n",
     ".apilint.yaml:4:26: files.0.options.AG102.features.0: unknown feature id(s) nope (the ids are in rules/features.yaml)"),
    ("options:\n  AG303: {x: 1}\n", ".apilint.yaml:2:3: options.AG303: AG303 takes no options"),
]


@pytest.mark.parametrize(("config", "message"), CASES, ids=[message.split(": ")[1] for _, message in CASES])
def test_a_wrong_option_in_the_configuration_stops_the_run(tmp_path, config, message):
    (tmp_path / ".apilint.yaml").write_text(config)
    (tmp_path / "api.yaml").write_bytes((FIXTURES / "rules" / "AG102" / "bad.yaml").read_bytes())
    result = run_cli("check", "api.yaml", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", f"apilint: error: {message}\n")


def test_a_configured_limit_keeps_the_other_limits_of_its_api_type(tmp_path):
    """``rest: {max: 20000}`` lowers the REST maximum and keeps its minimum of 50 ms."""
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\nx-amazon-apigateway-endpoint-configuration:\n"
        "  types: [REGIONAL]\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
        "      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: GET\n"
        "        uri: https://example.com/a\n        timeoutInMillis: 25000\n"
        "  /b:\n    get:\n      responses: {'200': {description: ok}}\n"
        "      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: GET\n"
        "        uri: https://example.com/b\n        timeoutInMillis: 10\n")
    (tmp_path / ".apilint.yaml").write_text("options:\n  AG201:\n    rest: {max: 20000}\n")
    found = run_cli("check", "--select", "AG201", "-f", "json", "api.yaml", cwd=tmp_path).json()["findings"]
    assert [(f["line"], f["column"]) for f in found] == [(13, 9), (21, 9)]
    assert found[0]["message"].startswith("integration timeout 25,000 ms is over 20,000 ms")
    assert found[1]["message"] == "integration timeout 10 ms is below the minimum of 50 ms"
