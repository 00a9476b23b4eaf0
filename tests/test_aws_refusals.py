"""Rules for what AWS refuses at import and deploy: cases the per-rule fixtures cannot express
(rule options, messages, what must stay silent)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES, run_cli

RULES = FIXTURES / "rules"


def _findings(*args: str, cwd: Path | None = None) -> list[dict]:
    result = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    return result.json()["findings"]


def test_intrinsics_in_a_definition_checked_alone_need_the_standalone_option(tmp_path: Path):
    definition = tmp_path / "api.yaml"
    shutil.copy(RULES / "AG418" / "bad-definition.yaml", definition)
    assert _findings("--select", "AG418", str(definition), cwd=tmp_path) == []
    (tmp_path / ".apilint.yaml").write_text("options:\n  AG418:\n    standalone: true\n")
    found = _findings("--select", "AG418", str(definition), cwd=tmp_path)
    assert [(f["line"], f["column"], f["severity"]) for f in found] == [(14, 9, "error")]
    assert found[0]["message"].startswith("Fn::Sub is a CloudFormation function, but the definition is imported as "
                                          "it is (rule option standalone)")


def test_intrinsics_read_through_definition_uri_name_the_property():
    found = _findings("--select", "AG418", str(RULES / "AG418" / "bad-template.yaml"))
    assert len(found) == 1
    assert found[0]["file"].endswith("AG418/bad-definition.yaml")
    assert found[0]["message"].startswith("Fn::Sub is a CloudFormation function, but the definition is read "
                                          "through DefinitionUri, which CloudFormation does not process")


def test_aws_proxy_to_another_service_quotes_aws():
    found = [f for f in _findings("--select", "AG409", str(RULES / "AG409" / "bad.yaml")) if f["line"] == 51]
    assert len(found) == 1
    assert "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream" in (
        found[0]["message"])


def test_integration_method_missing_is_an_error_except_for_aws_proxy():
    found = _findings("--select", "AG419", str(RULES / "AG419" / "bad.yaml"))
    assert [(f["line"], f["severity"]) for f in found] == [(11, "error"), (19, "warning")]
    assert "Enumeration value for HttpMethod must be non-empty" in found[0]["message"]


def test_model_names_in_sam_and_template_resources():
    found = _findings("--select", "AG416", str(RULES / "AG416" / "bad-template.yaml"))
    assert [f["message"] for f in found] == [
        ("SAM model 'order-input' becomes a model of the REST API, and model names must be alphanumeric "
        "(for example 'orderinput')"),
        ("model OrderModel is named 'order_model'; API Gateway refuses model names that are not alphanumeric "
        "(for example 'ordermodel')"),
    ]



def test_sam_refusals_quote_sam():
    found = _findings("--select", "AG602", str(RULES / "AG602" / "bad-template.yaml"))
    assert [f["message"] for f in found][-1] == (
        "SAM refuses the API: \"Tenant Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'.\"")
    assert all(f["severity"] == "error" for f in found)


def test_a_rest_default_authorizer_without_authorizers_is_left_to_sam(tmp_path: Path):
    template = tmp_path / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
                        "    Properties:\n      StageName: prod\n      Auth:\n        DefaultAuthorizer: Users\n")
    assert _findings("--select", "AG601", str(template)) == []
