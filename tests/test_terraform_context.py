"""What a Terraform module deploys around an API, read into the model's objects: stages and their
settings, usage plans, WAF associations, VPC links, domains and mappings, authorizers, policies, region."""

from __future__ import annotations

from pathlib import Path

import pytest

from apilint.apis import source_kind
from apilint.config import load_config, resolve_file_options
from apilint.engine import Engine, RunOptions
from apilint.model import Api, ApiType, EndpointType, Pointer
from tests.conftest import FIXTURES, run_cli

DOCS = FIXTURES / "terraform" / "provider-docs"


def _apis(folder: Path, name: str = "main.tf") -> list[Api]:
    engine = Engine(RunOptions(folder.resolve(), load_config(None), {}))
    source = engine.open_source(folder / name)
    _, apis = engine.build_apis(source, source_kind(source), resolve_file_options(engine.run.config, folder / name, {}))
    return apis


def _api(folder: str) -> Api:
    (api,) = _apis(DOCS / folder)
    return api


def _at(pointer: Pointer | None) -> str | None:
    if pointer is None:
        return None
    span = pointer.source.locate(pointer.path)
    return f"{pointer.source.display}:{span.line}:{span.column}"


#: What the documentation's examples give: no error and no warning. The REST example writes
#: payloadFormatVersion = "1.0", which a REST API ignores: AG105 says so, as information.
DOCS_FINDINGS = {"rest-openapi": ["main.tf:18:13 AG105 info"]}


@pytest.mark.parametrize("folder", sorted(p.name for p in DOCS.iterdir() if p.is_dir()))
def test_the_provider_documentation_examples_give_no_error_or_warning(folder):
    result = run_cli("check", "--format", "json", ".", cwd=DOCS / folder)
    assert result.code == 0, result.out
    found = [f"{f['file']}:{f['line']}:{f['column']} {f['code']} {f['severity']}" for f in result.json()["findings"]]
    assert found == DOCS_FINDINGS.get(folder, [])
    assert len(result.json()["apis"]) == 1


def test_rest_stage_with_access_logs_tracing_and_method_settings():
    api = _api("rest-openapi")
    assert (api.api_type, api.endpoint_type) == (ApiType.REST, EndpointType.REGIONAL)
    assert _at(api.endpoint_at) == "main.tf:28:14"
    (stage,) = api.stages
    assert (stage.kind, stage.label, stage.name_text, _at(stage.at)) == (
        "aws_api_gateway_stage", "stage live (aws_api_gateway_stage.live)", "live", "main.tf:49:1")
    assert stage.tracing_enabled.flag() is True and _at(stage.tracing_enabled.at) == "main.tf:53:3"
    assert _at(stage.access_log_at) == "main.tf:55:3"
    assert stage.access_log_destination.unknown
    assert stage.access_log_format.text() == '{"requestId":"$context.requestId","status":"$context.status"}'
    every, ranges = stage.route_settings
    assert (every.method_path, every.applies_to_all, every.logging_level.text(), _at(every.logging_level.at)) == (
        "*/*", True, "ERROR", "main.tf:68:5")
    assert (ranges.method_path, ranges.applies_to_all, ranges.throttling_burst.whole(), ranges.throttling_rate.number()) \
        == ("ranges/GET", False, 50, 100.0)
    assert _at(ranges.throttling_rate.at) == "main.tf:81:5"
    assert [r.name for r in api.related("aws_api_gateway_method_settings")] == [
        "aws_api_gateway_method_settings.every_method", "aws_api_gateway_method_settings.ranges"]


def test_usage_plan_stages_throttle_and_quota():
    api = _api("usage-plan")
    (plan,) = api.usage_plans
    assert (plan.kind, plan.label, _at(plan.at)) == (
        "aws_api_gateway_usage_plan", "usage plan aws_api_gateway_usage_plan.partners", "main.tf:44:1")
    assert [(s.stage.text(), _at(s.stage.at)) for s in plan.stages] == [
        ("development", "main.tf:50:5"), ("production", "main.tf:55:5")]
    assert (plan.throttle_burst.whole(), plan.throttle_rate.whole()) == (5, 10)
    assert (plan.quota_limit.whole(), plan.quota_period.text(), _at(plan.quota_period.at)) == (20, "WEEK", "main.tf:61:5")
    assert [s.name_text for s in api.stages] == ["development", "production"]


def test_waf_association_names_the_stage_it_protects():
    (waf,) = _api("waf").waf
    assert (waf.kind, waf.stage_name, waf.logical_id, _at(waf.at)) == (
        "aws_wafv2_web_acl_association", "public", "aws_wafv2_web_acl_association.public", "main.tf:49:1")
    assert waf.web_acl.unknown and _at(waf.web_acl.at) == "main.tf:51:3"


def test_vpc_links_the_api_uses_through_templatefile_variables_and_integrations():
    (link,) = _api("vpc-link").vpc_links
    assert (link.version, link.logical_id, link.name.text(), _at(link.target_arns.at)) == (
        "v1", "aws_api_gateway_vpc_link.internal", "internal", "main.tf:13:3")
    (v2,) = _api("http-domain").vpc_links
    assert (v2.version, v2.subnet_ids.value) == ("v2", ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"])


def test_http_stage_default_and_route_settings():
    api = _api("http-api")
    (stage,) = api.stages
    assert (stage.kind, stage.name_text, _at(stage.access_log_format.at)) == (
        "aws_apigatewayv2_stage", "$default", "main.tf:43:5")
    default, route = stage.route_settings
    assert (default.route_key, default.applies_to_all, default.throttling_burst.whole(), _at(default.at)) == (
        None, True, 100, "main.tf:46:3")
    assert (route.route_key, route.applies_to_all, route.throttling_rate.whole()) == ("GET /hello", False, 5)


def test_websocket_api_type_and_stage_settings():
    api = _api("websocket-api")
    assert api.api_type is ApiType.WEBSOCKET and api.api_type_reason == "protocol_type WEBSOCKET of aws_apigatewayv2_api.chat"
    (settings,) = api.stages[0].route_settings
    assert (settings.metrics_enabled.flag(), settings.logging_level.text(), settings.data_trace_enabled.flag()) == (
        True, "ERROR", False)


def test_domains_their_certificates_endpoint_types_and_mappings():
    api = _api("rest-domain")
    assert api.region == "eu-west-1"
    edge, regional = api.domains
    assert (edge.name, edge.endpoint_type, edge.certificate_arn, _at(edge.certificate_at)) == (
        "edge.shop.example.com", EndpointType.EDGE, "${aws_acm_certificate.edge.arn}", "main.tf:40:3")
    assert (regional.endpoint_type, _at(regional.certificate_at), _at(regional.endpoint_at), regional.security_policy) \
        == (EndpointType.REGIONAL, "main.tf:45:3", "main.tf:49:14", "TLS_1_2")
    assert [(m.kind, m.base_path.text(), m.stage.text(), m.logical_id) for m in regional.mappings] == [
        ("aws_api_gateway_base_path_mapping", "v1", "v1", "aws_api_gateway_base_path_mapping.regional")]
    (v2,) = _api("http-domain").domains
    assert (v2.endpoint_type, _at(v2.certificate_at), _at(v2.endpoint_at)) == (
        EndpointType.REGIONAL, "main.tf:37:5", "main.tf:38:5")
    assert [(m.kind, m.stage.text()) for m in v2.mappings] == [("aws_apigatewayv2_api_mapping", "$default")]


def test_resource_policy_in_its_own_resource_makes_the_private_api_reachable():
    api = _api("rest-policy")
    assert api.endpoint_type is EndpointType.PRIVATE
    (policy,) = api.resource_policies()
    assert (policy.origin, _at(policy.at)) == ("aws_api_gateway_rest_api_policy.private", "main.tf:34:3")


def test_policy_argument_written_with_jsonencode_is_read_as_the_policy_document(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_api_gateway_rest_api" "api" {\n'
        '  name = "api"\n'
        '  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*",\n'
        '    Action = "execute-api:Invoke", Resource = "*" }] })\n'
        "}\n", encoding="utf-8")
    (policy,) = _apis(tmp_path)[0].resource_policies()
    assert policy.document["Statement"][0]["Action"] == "execute-api:Invoke"
    assert _at(policy.at) == "main.tf:3:3"


def test_authorizers_of_the_api(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_apigatewayv2_api" "api" {\n  name = "api"\n  protocol_type = "HTTP"\n}\n'
        'resource "aws_apigatewayv2_authorizer" "jwt" {\n'
        "  api_id           = aws_apigatewayv2_api.api.id\n"
        '  authorizer_type  = "JWT"\n'
        '  identity_sources = ["$request.header.Authorization"]\n'
        '  name             = "cognito"\n'
        "}\n", encoding="utf-8")
    (authorizer,) = _apis(tmp_path)[0].authorizers
    assert (authorizer.name, authorizer.kind, authorizer.identity_source.value, _at(authorizer.at)) == (
        "cognito", "jwt", ["$request.header.Authorization"], "main.tf:5:1")


def test_resources_in_other_files_of_the_module_and_terraform_json_count(tmp_path):
    (tmp_path / "api.tf").write_text('resource "aws_api_gateway_rest_api" "api" {\n  name = "api"\n}\n',
                                     encoding="utf-8")
    (tmp_path / "stage.tf.json").write_text(
        '{"resource": {"aws_api_gateway_stage": {"prod": {"rest_api_id": "${aws_api_gateway_rest_api.api.id}",\n'
        ' "stage_name": "prod", "access_log_settings": {"destination_arn": "arn:x", "format": "$context.status"}}}}}',
        encoding="utf-8")
    (tmp_path / "providers.tf").write_text('provider "aws" {\n  region = "ap-south-1"\n}\n', encoding="utf-8")
    (api,) = _apis(tmp_path, "api.tf")
    (stage,) = api.stages
    assert (stage.name_text, _at(stage.at), stage.access_log_format.text(), _at(stage.access_log_format.at)) == (
        "prod", "stage.tf.json:1:41", "$context.status", "stage.tf.json:2:76")
    assert api.region == "ap-south-1"


def test_a_resource_of_another_api_or_an_aliased_provider_is_not_this_apis(tmp_path):
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-1"\n}\n'
        'provider "aws" {\n  alias  = "virginia"\n  region = "us-east-1"\n}\n'
        'resource "aws_api_gateway_rest_api" "one" {\n  provider = aws.virginia\n}\n'
        'resource "aws_api_gateway_rest_api" "two" {\n}\n'
        'resource "aws_api_gateway_stage" "two" {\n  rest_api_id = aws_api_gateway_rest_api.two.id\n'
        '  stage_name = "two"\n}\n', encoding="utf-8")
    one, two = _apis(tmp_path)
    assert (one.region, one.stages) == ("us-east-1", [])
    assert (two.region, [s.name_text for s in two.stages]) == ("eu-west-1", ["two"])


def test_literal_locals_are_known_values_variables_are_not(tmp_path):
    (tmp_path / "api.yaml").write_text((FIXTURES / "terraform" / "yamldecode" / "legacy.yaml").read_text(),
                                       encoding="utf-8")
    (tmp_path / "main.tf").write_text(
        'variable "region" {\n  default = "us-west-2"\n}\n'
        'locals {\n  spec     = "${path.module}/api.yaml"\n  endpoint = "REGIONAL"\n  region = "eu-north-1"\n'
        '  computed = "${var.region}-x"\n}\n'
        'provider "aws" {\n  region = local.region\n}\n'
        'resource "aws_api_gateway_rest_api" "api" {\n  body = file(local.spec)\n'
        '  endpoint_configuration {\n    types = [local.endpoint]\n  }\n  description = local.computed\n}\n'
        'resource "aws_api_gateway_rest_api" "other" {\n  body = file(var.region)\n}\n', encoding="utf-8")
    api, other = _apis(tmp_path)
    assert (api.endpoint_type, _at(api.endpoint_at), api.region) == (EndpointType.REGIONAL, "main.tf:16:14", "eu-north-1")
    assert api.document is not None and api.source.display == "api.yaml"
    assert api.properties["description"] == "${local.computed}"
    assert other.document is None


def test_a_module_file_without_the_api_named_alone_reports_its_own_findings_once(tmp_path):
    """The pre-commit hook names only what changed: a stage.tf without the API resource is checked as the
    module's API deploys it and shows the findings in stage.tf; with main.tf in the run too, main.tf
    reports them and stage.tf adds nothing."""
    (tmp_path / "main.tf").write_text('resource "aws_api_gateway_rest_api" "pets" {\n  name = "pets"\n}\n')
    (tmp_path / "stage.tf").write_text(
        'resource "aws_api_gateway_stage" "prod" {\n  rest_api_id   = aws_api_gateway_rest_api.pets.id\n'
        '  deployment_id = "abc123"\n  stage_name    = "prod"\n\n  canary_settings {\n'
        '    deployment_id   = "def456"\n    percent_traffic = 150\n  }\n}\n')

    def found(*names: str) -> list[tuple[str, str, int, int]]:
        result = run_cli("check", "--select", "AG213", "--format", "json", *names, cwd=tmp_path)
        assert result.code in (0, 1), result.err
        return [(f["file"], f["code"], f["line"], f["column"]) for f in result.json()["findings"]]

    assert found("stage.tf") == [("stage.tf", "AG213", 8, 5)]
    assert found("main.tf", "stage.tf") == [("stage.tf", "AG213", 8, 5)]
    assert found(".") == [("stage.tf", "AG213", 8, 5)]
    assert found("main.tf") == [("stage.tf", "AG213", 8, 5)]


def test_a_module_file_without_an_api_is_skipped_whichever_file_of_the_module_was_read_first():
    """providers.tf declares no API Gateway resource: checked for its own sake it is skipped, also
    after api.tf read it as the module's context (with two processes, either order happens)."""
    folder = (FIXTURES / "terraform" / "project" / "infra").resolve()

    def kinds(order: list[str]) -> dict[str, str | None]:
        engine = Engine(RunOptions(folder, load_config(None), {}))
        return {name: engine.check_file(folder / name).kind for name in order}

    assert kinds(["api.tf", "providers.tf"]) == {"api.tf": "terraform", "providers.tf": None}
    assert kinds(["providers.tf", "api.tf"]) == {"providers.tf": None, "api.tf": "terraform"}
    assert kinds(["stage.tf", "api.tf", "providers.tf"])["providers.tf"] is None


def _module_with_a_domain(folder: Path, providers: str) -> None:
    """A REST API in api.tf, its Regional domain with a us-east-1 certificate in domain.tf, and
    ``providers`` as providers.tf."""
    (folder / "api.tf").write_text('resource "aws_api_gateway_rest_api" "orders" {\n  name = "orders"\n'
                                   '  endpoint_configuration {\n    types = ["REGIONAL"]\n  }\n}\n')
    (folder / "domain.tf").write_text(
        'resource "aws_api_gateway_domain_name" "orders" {\n  domain_name              = "orders.example.com"\n'
        '  regional_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/1"\n'
        '  endpoint_configuration {\n    types = ["REGIONAL"]\n  }\n}\n')
    (folder / "providers.tf").write_text(providers)


def _findings(folder: Path, *args: str) -> list[tuple[str, str, int, int]]:
    result = run_cli("check", "--format", "json", *args, cwd=folder)
    assert result.code in (0, 1), result.err
    return [(f["file"], f["code"], f["line"], f["column"]) for f in result.json()["findings"]]


def test_a_providers_file_named_alone_is_checked_through_the_modules_api_files(tmp_path):
    """A commit that only moves the provider to eu-west-1 makes domain.tf's us-east-1 certificate wrong
    for its Regional domain (AG502): the hook names providers.tf alone, and the module is checked as if
    its API Gateway files had been named; each finding once, whatever else is named with it."""
    _module_with_a_domain(tmp_path, 'provider "aws" {\n  region = "eu-west-1"\n}\n')
    mismatch = [("domain.tf", "AG502", 3, 3)]
    assert _findings(tmp_path, "providers.tf") == mismatch
    assert _findings(tmp_path, "providers.tf", "domain.tf") == mismatch
    assert _findings(tmp_path, "domain.tf", "providers.tf", "api.tf") == mismatch
    result = run_cli("check", "--verbose", "providers.tf", cwd=tmp_path)
    assert "providers.tf: note: declares no API Gateway resource; the APIs that read its provider or locals (its " \
           "module's and those of the modules it calls) are checked through api.tf, domain.tf" in result.out
    assert result.out.endswith("Found 1 problem (1 error, 0 warnings, 0 info) in 2 files.\n"
                               "Skipped 1 file that is neither OpenAPI definitions nor templates.\n")

    (tmp_path / "providers.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n')
    assert _findings(tmp_path, "providers.tf") == []


def test_a_named_terraform_file_that_sets_neither_provider_nor_locals_stays_skipped(tmp_path):
    """versions.tf (required providers only), a providers.tf beside no API Gateway resource, and a
    providers.tf for another cloud are not checked through anything."""
    _module_with_a_domain(tmp_path, 'provider "google" {\n  region = "europe-west1"\n}\n')
    (tmp_path / "versions.tf").write_text('terraform {\n  required_providers {\n    aws = {\n'
                                          '      source = "hashicorp/aws"\n    }\n  }\n}\n')
    (tmp_path / "network").mkdir()
    (tmp_path / "network" / "providers.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n')
    (tmp_path / "network" / "vpc.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    for named in ("versions.tf", "providers.tf", "network/providers.tf"):
        result = run_cli("check", named, cwd=tmp_path)
        expected = f'No API definition or template found in "{named}": nothing was checked.\n'
        assert (result.code, result.out) == (0, expected), named


def test_locals_in_a_file_of_their_own_check_the_module_through_the_api_that_reads_them(tmp_path):
    """locals.tf points the API's body at another definition: naming locals.tf alone checks that one."""
    (tmp_path / "api.tf").write_text('resource "aws_apigatewayv2_api" "http" {\n  name          = "orders"\n'
                                     '  protocol_type = "HTTP"\n  body          = file(local.spec)\n}\n')
    (tmp_path / "locals.tf").write_text('locals {\n  spec = "${path.module}/orders.yaml"\n}\n')
    (tmp_path / "orders.yaml").write_text(
        'openapi: 3.0.1\ninfo:\n  title: orders\n  version: "1"\npaths:\n  /orders:\n    get:\n'
        '      responses:\n        "200":\n          description: ok\n'
        '      x-amazon-apigateway-integration:\n        type: HTTP_PROXY\n        httpMethod: GET\n'
        '        uri: https://example.com/orders\n        payloadFormatVersion: "1.0"\n'
        '        timeoutInMillis: 45000\n')
    assert _findings(tmp_path, "locals.tf", "--select", "AG201") == [("orders.yaml", "AG201", 16, 9)]


def test_a_providers_file_is_not_checked_through_excluded_files(tmp_path):
    """--exclude (or the configuration's exclude) still applies to the files a provider file is checked
    through; an excluded file is still read as the module's context, as in a walk of the folder."""
    _module_with_a_domain(tmp_path, 'provider "aws" {\n  region = "eu-west-1"\n}\n')
    result = run_cli("check", "--exclude", "api.tf", "--exclude", "domain.tf", "providers.tf", cwd=tmp_path)
    assert result.code == 0
    assert result.out == 'No API definition or template found in "providers.tf": nothing was checked.\n'
    assert _findings(tmp_path, "--exclude", "api.tf", "providers.tf") == [("domain.tf", "AG502", 3, 3)]
    assert _findings(tmp_path, "--exclude", "domain.tf", "providers.tf") == [("domain.tf", "AG502", 3, 3)]
