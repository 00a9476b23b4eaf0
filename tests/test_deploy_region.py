"""The region an API is judged in: --region and the configuration, else what the deployment states (a
Terraform provider, the SAM CLI configuration beside a template), else AWS_REGION / AWS_DEFAULT_REGION.

``terraform apply`` and ``sam deploy`` deploy to the region their configuration states whatever the
environment says; a CI job that configures AWS credentials sets AWS_REGION for every step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apilint.apis import environment_region
from apilint.samconfig import SamRegion, deploy_region
from tests.conftest import run_cli
from tests.test_terraform_context import _findings, _module_with_a_domain

#: A SAM template with a Regional custom domain whose certificate is in us-east-1 (line 8).
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666
        EndpointConfiguration: REGIONAL
"""
MISMATCH = ("template.yaml", "AG502", 8, 9)


@pytest.fixture(autouse=True)
def _no_region_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)


def _found(folder: Path, *args: str) -> list[tuple[str, str, int, int]]:
    return _findings(folder, "--select", "AG502", *args)


def _sam_project(folder: Path, config: str, name: str = "samconfig.toml") -> None:
    (folder / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (folder / name).write_text(config, encoding="utf-8")


def test_the_environment_gives_the_region_only_when_nothing_states_one():
    assert environment_region({"AWS_REGION": " eu-west-1 ", "AWS_DEFAULT_REGION": "us-east-2"}) == ("eu-west-1",
                                                                                                   "AWS_REGION")
    assert environment_region({"AWS_REGION": "", "AWS_DEFAULT_REGION": "us-east-2"}) == ("us-east-2",
                                                                                       "AWS_DEFAULT_REGION")
    assert environment_region({}) is None


def test_a_terraform_providers_region_wins_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The provider says eu-west-1: the us-east-1 certificate of the Regional domain is wrong there, even in a
    job whose AWS_REGION is us-east-1; --region still decides when given."""
    _module_with_a_domain(tmp_path, 'provider "aws" {\n  region = "eu-west-1"\n}\n')
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert _found(tmp_path, ".") == [("domain.tf", "AG502", 3, 3)]
    assert _found(tmp_path, "--region", "us-east-1", ".") == []


def test_the_environment_gives_the_region_of_a_module_without_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _module_with_a_domain(tmp_path, "")
    assert _found(tmp_path, ".") == []  # no region known: AG502 stays silent
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert _found(tmp_path, ".") == [("domain.tf", "AG502", 3, 3)]
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert _found(tmp_path, ".") == []


def test_sam_deploy_region_from_samconfig_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _sam_project(tmp_path, 'version = 0.1\n[default.deploy.parameters]\nstack_name = "api"\nregion = "eu-west-1"\n')
    assert _found(tmp_path, ".") == [MISMATCH]
    assert _found(tmp_path, "template.yaml") == [MISMATCH]
    monkeypatch.setenv("AWS_REGION", "us-east-1")  # sam deploy takes samconfig's region over it
    assert _found(tmp_path, ".") == [MISMATCH]
    assert _found(tmp_path, "--region", "us-east-1", ".") == []
    verbose = run_cli("check", "--select", "AG502", "--verbose", ".", cwd=tmp_path)
    assert ("template.yaml: note: region eu-west-1 from samconfig.toml [default.deploy.parameters], where sam "
            "deploy takes it") in verbose.out


def test_sam_deploy_region_from_global_parameters_and_yaml(tmp_path: Path):
    _sam_project(tmp_path, "version: 0.1\ndefault:\n  global:\n    parameters:\n      region: eu-west-1\n",
                 "samconfig.yaml")
    assert deploy_region(tmp_path / "template.yaml") == SamRegion("eu-west-1", tmp_path / "samconfig.yaml", "global")
    assert _found(tmp_path, ".") == [MISMATCH]


def test_deploy_parameters_win_over_global_ones_and_toml_over_yaml(tmp_path: Path):
    _sam_project(tmp_path, 'version = 0.1\n[default.global.parameters]\nregion = "us-east-1"\n'
                           '[default.deploy.parameters]\nregion = "eu-west-1"\n')
    (tmp_path / "samconfig.yml").write_text("default:\n  deploy:\n    parameters:\n      region: us-east-1\n",
                                            encoding="utf-8")
    assert deploy_region(tmp_path / "template.yaml") == SamRegion("eu-west-1", tmp_path / "samconfig.toml", "deploy")


def test_samconfig_applies_only_to_the_template_sam_deploys(tmp_path: Path):
    """``template_file`` names another template: template.yaml is not what sam deploy deploys. Other
    environments than ``default`` are not read; a file that cannot be read states nothing."""
    _sam_project(tmp_path, '[default.deploy.parameters]\ntemplate_file = "prod.yaml"\nregion = "eu-west-1"\n')
    assert deploy_region(tmp_path / "template.yaml") is None
    assert _found(tmp_path, ".") == []
    (tmp_path / "prod.yaml").write_text(TEMPLATE, encoding="utf-8")
    assert _found(tmp_path, "prod.yaml") == [("prod.yaml", "AG502", 8, 9)]

    (tmp_path / "samconfig.toml").write_text('[prod.deploy.parameters]\nregion = "eu-west-1"\n', encoding="utf-8")
    assert deploy_region(tmp_path / "template.yaml") is None
    (tmp_path / "samconfig.toml").write_text('[default.deploy.parameters\nregion = "eu-west-1"\n', encoding="utf-8")
    assert deploy_region(tmp_path / "template.yaml") is None
    assert _found(tmp_path, ".") == []


def test_a_definition_named_alone_is_judged_in_its_templates_samconfig_region(tmp_path: Path):
    """The hook names only openapi.yaml: its template deploys it, and sam deploy puts that template in
    eu-west-1, where the domain's us-east-1 certificate cannot serve a Regional domain. The finding is in
    the template, so the definition's own check shows none; the cost of the definition is priced there."""
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.0.1\ninfo:\n  title: orders\n  version: '1'\npaths:\n  /orders:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n      x-amazon-apigateway-integration:\n        type: HTTP_PROXY\n"
        "        httpMethod: GET\n        uri: https://example.com/orders\n        payloadFormatVersion: '1.0'\n",
        encoding="utf-8")
    _sam_project(tmp_path, '[default.deploy.parameters]\nregion = "eu-west-1"\n')
    (tmp_path / "template.yaml").write_text(TEMPLATE + "      DefinitionUri: openapi.yaml\n", encoding="utf-8")
    assert _found(tmp_path, "openapi.yaml") == []
    assert _found(tmp_path, "template.yaml") == [MISMATCH]
    cost = run_cli("cost", "openapi.yaml", "--requests", "1M", cwd=tmp_path)
    assert cost.code == 0, cost.err
    assert "Region eu-west-1 taken from the deployment of the definitions." in cost.out


def test_a_samconfig_named_alone_checks_the_template_it_deploys(tmp_path: Path):
    """Only samconfig.toml changed (sam deploy --guided moved the stack to eu-west-1): naming it alone
    checks template.yaml as sam deploy will deploy it. A samconfig.yaml beside a samconfig.toml is not
    the file sam deploy reads, and a samconfig without a region changes nothing: both stay skipped."""
    _sam_project(tmp_path, '[default.deploy.parameters]\nregion = "eu-west-1"\n')
    assert _found(tmp_path, "samconfig.toml") == [MISMATCH]
    verbose = run_cli("check", "--select", "AG502", "--verbose", "samconfig.toml", cwd=tmp_path)
    assert ("samconfig.toml: note: states the region sam deploy deploys the template to; the template is checked "
            "through template.yaml") in verbose.out
    assert _found(tmp_path, "samconfig.toml", "template.yaml") == [MISMATCH]

    (tmp_path / "samconfig.yaml").write_text("default:\n  deploy:\n    parameters:\n      region: eu-west-1\n",
                                             encoding="utf-8")
    (tmp_path / "samconfig.toml").write_text('[default.deploy.parameters]\nstack_name = "api"\n', encoding="utf-8")
    for named in ("samconfig.yaml", "samconfig.toml"):
        result = run_cli("check", named, cwd=tmp_path)
        expected = f'No API definition or template found in "{named}": nothing was checked.\n'
        assert (result.code, result.out) == (0, expected), named


def _child_module(root: Path) -> Path:
    """modules/api: a REST API and its Regional domain with a us-east-1 certificate, no provider block."""
    child = root / "modules" / "api"
    child.mkdir(parents=True)
    _module_with_a_domain(child, "")
    (child / "providers.tf").unlink()
    return child


def _caller(root: Path, name: str, text: str) -> None:
    folder = root / "envs" / name
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(text, encoding="utf-8")


CALL = 'module "api" {\n  source = "../../modules/api"\n}\n'


def test_a_child_module_is_judged_in_the_region_its_caller_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """modules/api declares no provider: Terraform gives it the calling root module's. envs/prod's provider
    says eu-west-1, so the us-east-1 certificate is wrong (AG502), whether the child is named or walked."""
    _child_module(tmp_path)
    _caller(tmp_path, "prod", 'provider "aws" {\n  region = "eu-west-1"\n}\n' + CALL)
    mismatch = [("modules/api/domain.tf", "AG502", 3, 3)]
    assert _found(tmp_path, "modules/api/api.tf") == mismatch
    assert _found(tmp_path, "modules/api/domain.tf") == mismatch
    assert _found(tmp_path, ".") == mismatch
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert _found(tmp_path, ".") == mismatch


def test_callers_that_pass_different_regions_or_cannot_say_leave_it_unknown(tmp_path: Path):
    _child_module(tmp_path)
    _caller(tmp_path, "prod", 'provider "aws" {\n  region = "eu-west-1"\n}\n' + CALL)
    _caller(tmp_path, "dev", 'provider "aws" {\n  region = "us-east-1"\n}\n' + CALL)
    assert _found(tmp_path, ".") == []  # deployed to both regions: only --region can say which is meant
    assert _found(tmp_path, "--region", "eu-west-1", ".") == [("modules/api/domain.tf", "AG502", 3, 3)]

    (tmp_path / "envs" / "dev" / "main.tf").write_text('variable "region" {}\nprovider "aws" {\n'
                                                       '  region = var.region\n}\n' + CALL, encoding="utf-8")
    assert _found(tmp_path, ".") == []


def test_the_provider_a_caller_passes_by_alias_and_a_caller_of_a_caller(tmp_path: Path):
    _child_module(tmp_path)
    _caller(tmp_path, "prod", 'provider "aws" {\n  region = "us-east-1"\n}\nprovider "aws" {\n  alias  = "ireland"\n'
                              '  region = "eu-west-1"\n}\nmodule "api" {\n  source    = "../../modules/api"\n'
                              '  providers = {\n    aws = aws.ireland\n  }\n}\n')
    assert _found(tmp_path, ".") == [("modules/api/domain.tf", "AG502", 3, 3)]

    (tmp_path / "envs" / "prod" / "main.tf").write_text(CALL, encoding="utf-8")  # no provider: its caller's
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\nmodule "prod" {\n'
                                      '  source = "./envs/prod"\n}\n', encoding="utf-8")
    assert _found(tmp_path, ".") == [("modules/api/domain.tf", "AG502", 3, 3)]
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\nmodule "prod" {\n'
                                      '  source = "./envs/prod"\n}\n', encoding="utf-8")
    assert _found(tmp_path, ".") == []


def test_a_child_module_with_its_own_provider_block_does_not_inherit(tmp_path: Path):
    child = _child_module(tmp_path)
    (child / "providers.tf").write_text('variable "region" {}\nprovider "aws" {\n  region = var.region\n}\n',
                                        encoding="utf-8")
    _caller(tmp_path, "prod", 'provider "aws" {\n  region = "eu-west-1"\n}\n' + CALL)
    assert _found(tmp_path, ".") == []


def test_a_root_modules_provider_file_named_alone_checks_the_modules_it_calls(tmp_path: Path):
    """The commit moves envs/prod's provider to eu-west-1 and stages envs/prod/providers.tf alone: the
    API of modules/api, which envs/prod calls, is checked and its us-east-1 certificate reported."""
    _child_module(tmp_path)
    _caller(tmp_path, "prod", CALL)
    (tmp_path / "envs" / "prod" / "providers.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n',
                                                              encoding="utf-8")
    assert _found(tmp_path, "envs/prod/providers.tf") == [("modules/api/domain.tf", "AG502", 3, 3)]
    verbose = run_cli("check", "--select", "AG502", "--verbose", "envs/prod/providers.tf", cwd=tmp_path)
    assert "are checked through ../../modules/api/api.tf, ../../modules/api/domain.tf" in verbose.out
