"""AG112 (root-level security ignored in REST APIs) is retired: AWS applies root-level security."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES, run_cli

RULES = FIXTURES / "rules"


def _findings(*args: str) -> list[dict]:
    result = run_cli("check", "--format", "json", *args)
    assert result.code in (0, 1), result.err
    return result.json()["findings"]


def test_a_retired_rule_still_selects_and_ignores_nothing(tmp_path: Path):
    definition = tmp_path / "api.yaml"
    shutil.copy(RULES / "AG301" / "bad.yaml", definition)
    result = run_cli("check", "--format", "json", "--ignore", "AG112", "--select", "AG301,rest-root-security-ignored",
                     str(definition))
    assert result.code in (0, 1), result.err
    assert {f["code"] for f in result.json()["findings"]} == {"AG301"}
    retired = run_cli("rule", "AG112")
    assert retired.code == 2
    assert "AG112 (rest-root-security-ignored) was retired" in retired.err


def test_root_level_security_is_applied_to_rest_operations(tmp_path: Path):
    """A REST operation without its own security inherits the root requirement, as AWS's importer applies it."""
    definition = tmp_path / "api.yaml"
    definition.write_text(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\nsecurity:\n  - users: []\n"
        "securityDefinitions:\n  users:\n    type: apiKey\n    name: Authorization\n    in: header\n"
        "    x-amazon-apigateway-authtype: cognito_user_pools\n    x-amazon-apigateway-authorizer:\n"
        "      type: cognito_user_pools\n"
        "      providerARNs: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc]\n"
        "paths:\n  /pets:\n    get:\n      responses: {'200': {description: OK}}\n"
        "      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{}'}}\n"
        "    post:\n      responses: {'200': {description: OK}}\n"
        "      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: POST\n"
        "        uri: https://pets.example.com/pets\n")
    assert _findings("--select", "AG301", str(definition)) == []
