"""The pre-commit hook, run by the real pre-commit against a throwaway repository.

``pre-commit run`` installs apilint from a git repository into a virtualenv of its own, as users'
machines do, from the repository and rev a ``.pre-commit-config.yaml`` names. The test copies this
working tree (what the package build needs, plus ``.pre-commit-hooks.yaml``) into a temporary
repository and commits it. The first run downloads apilint's dependencies from the package index.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.integrations.conftest import DATA

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                                reason="pre-commit is not installed (pip install 'apilint[test]')")

#: What ``pip install .`` of apilint needs, and the hook definitions.
PACKAGE_PATHS = ("pyproject.toml", "README.md", "apilint", "rules", "fixtures", ".pre-commit-hooks.yaml")
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "apilint tests", "GIT_AUTHOR_EMAIL": "tests@apilint.invalid",
                "GIT_COMMITTER_NAME": "apilint tests", "GIT_COMMITTER_EMAIL": "tests@apilint.invalid"}


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT", "GIT_"))}
    env.update(GIT_IDENTITY)
    env["PRE_COMMIT_HOME"] = str(home)
    env["NO_COLOR"] = "1"
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A git repository holding this working tree's package, committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("hook")
    env = _environment(base / "pre-commit-home")
    clone = base / "apilint"
    clone.mkdir()
    for name in PACKAGE_PATHS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, clone / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, clone / name)
    _git(clone, env, "init", "-q")
    _git(clone, env, "add", "-A")
    _git(clone, env, "commit", "-q", "-m", "apilint working tree")
    return clone, env


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, dict[str, str]]) -> Path:
    _, env = hook_repo
    for name in ("good-http-api.yaml", "bad-http-api.yaml", "not-an-api.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not YAML\n", encoding="utf-8")
    # pre-commit tags .tf and .tfvars files "terraform"; without API Gateway resources they pass silently.
    (tmp_path / "network.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n',
                                         encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('region = "eu-west-1"\n', encoding="utf-8")
    # Only the rules these tests are about, so that new rules do not change the expectations.
    (tmp_path / ".apilint.yaml").write_text("select: [AG001, AG101, AG201]\n", encoding="utf-8")
    _git(tmp_path, env, "init", "-q")
    _git(tmp_path, env, "add", "-A")
    return tmp_path


def _try_repo(hook_repo: tuple[Path, dict[str, str]], project: Path, *files: str) -> subprocess.CompletedProcess:
    """``pre-commit run`` on ``files`` with the hook from the committed package, as a team's
    ``.pre-commit-config.yaml`` names it (repository and rev). pre-commit keeps the hook's environment
    per repository and rev, so only the first run of the module installs apilint."""
    clone, env = hook_repo
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, env=env, check=True, capture_output=True,
                         text=True).stdout.strip()
    config = {"repos": [{"repo": str(clone), "rev": rev, "hooks": [{"id": "apilint"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git(project, env, "add", ".pre-commit-config.yaml")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "apilint", "--verbose", "--files", *files],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False,
    )


def test_hook_definition_runs_apilint_on_yaml_json_toml_and_terraform():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["apilint"]
    hook = hooks[0]
    assert hook["entry"] == "apilint check" and hook["language"] == "python"
    assert hook["types_or"] == ["yaml", "json", "toml", "terraform"]
    assert hook.get("pass_filenames", True) is True


def test_hook_passes_on_a_good_definition_and_fails_on_a_bad_one(hook_repo, project: Path):
    good = _try_repo(hook_repo, project, "good-http-api.yaml", "not-an-api.yaml", "notes.txt", "network.tf",
                     "terraform.tfvars")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "apilint" in good.stdout and "Passed" in good.stdout
    assert "No problems found in 1 file." in good.stdout

    bad = _try_repo(hook_repo, project, "good-http-api.yaml", "bad-http-api.yaml", "not-an-api.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    reported = [line.split(" [")[0] for line in bad.stdout.splitlines() if line.startswith("bad-http-api.yaml:")]
    assert [" ".join(line.split()[:3]) for line in reported] == [
        "bad-http-api.yaml:19:9: error AG201",
        "bad-http-api.yaml:30:9: error AG201",
        "bad-http-api.yaml:42:9: error AG201",
        "bad-http-api.yaml:45:5: error AG101",
    ]
    assert "not-an-api.yaml" not in bad.stdout


def test_hook_passes_files_that_are_not_apis_and_fails_a_broken_definition(hook_repo, tmp_path: Path):
    """A repository as teams have them: configuration files, a lockfile over the size limit, manifests,
    Ansible variables and a Helm chart beside the API definitions, every one of them staged."""
    from tests.test_walked_files import NOT_APIS

    _, env = hook_repo
    for name, text in NOT_APIS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "openapi.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: Orders, version: '1.0'\npaths: {}\n", encoding="utf-8")
    (tmp_path / ".apilint.yaml").write_text("max-file-size: 100000\n", encoding="utf-8")
    _git(tmp_path, env, "init", "-q")
    _git(tmp_path, env, "add", "-A")

    clean = _try_repo(hook_repo, tmp_path, *NOT_APIS)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout and "nothing was checked." in clean.stdout

    broken = _try_repo(hook_repo, tmp_path, *NOT_APIS, "api/openapi.yaml")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    reported = [line for line in broken.stdout.splitlines() if ": error " in line or ": warning " in line]
    assert [" ".join(line.split()[:3]) for line in reported] == ["api/openapi.yaml:3:1: error AG001"]


def test_hook_checks_the_module_when_only_its_provider_file_changed(hook_repo, tmp_path: Path):
    """The commit moves the aws provider to eu-west-1 and stages providers.tf alone: the module's
    Regional domain keeps a us-east-1 certificate, which AWS refuses for a Regional domain in another
    region, and the hook fails on it."""
    from tests.test_terraform_context import _module_with_a_domain

    _, env = hook_repo
    infra = tmp_path / "infra"
    infra.mkdir()
    _module_with_a_domain(infra, 'provider "aws" {\n  region = "us-east-1"\n}\n')
    _git(tmp_path, env, "init", "-q")
    _git(tmp_path, env, "add", "-A")
    _git(tmp_path, env, "commit", "-q", "-m", "the API in us-east-1")

    (infra / "providers.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n', encoding="utf-8")
    _git(tmp_path, env, "add", "infra/providers.tf")
    moved = _try_repo(hook_repo, tmp_path, "infra/providers.tf")
    assert moved.returncode == 1, moved.stdout + moved.stderr
    reported = [line for line in moved.stdout.splitlines() if ": error " in line or ": warning " in line]
    assert [" ".join(line.split()[:3]) for line in reported] == ["infra/domain.tf:3:3: error AG502"]
    assert "but the API is in eu-west-1" in reported[0]


def test_hook_checks_the_template_when_only_its_samconfig_changed(hook_repo, tmp_path: Path):
    """sam deploy --guided moved the stack to eu-west-1 and rewrote samconfig.toml, the only staged
    file: the template's Regional domain keeps a us-east-1 certificate and the hook fails on it. A
    commit of pyproject.toml alone (TOML too) passes."""
    from tests.test_deploy_region import TEMPLATE

    _, env = hook_repo
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "samconfig.toml").write_text('version = 0.1\n[default.deploy.parameters]\nregion = "us-east-1"\n',
                                             encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "orders"\nversion = "1.0"\n', encoding="utf-8")
    _git(tmp_path, env, "init", "-q")
    _git(tmp_path, env, "add", "-A")
    _git(tmp_path, env, "commit", "-q", "-m", "the stack in us-east-1")

    (tmp_path / "samconfig.toml").write_text('version = 0.1\n[default.deploy.parameters]\nregion = "eu-west-1"\n',
                                             encoding="utf-8")
    _git(tmp_path, env, "add", "samconfig.toml")
    moved = _try_repo(hook_repo, tmp_path, "samconfig.toml")
    assert moved.returncode == 1, moved.stdout + moved.stderr
    reported = [line for line in moved.stdout.splitlines() if ": error " in line or ": warning " in line]
    assert [" ".join(line.split()[:3]) for line in reported] == ["template.yaml:8:9: error AG502"]

    other = _try_repo(hook_repo, tmp_path, "pyproject.toml")
    assert other.returncode == 0, other.stdout + other.stderr
    assert "nothing was checked." in other.stdout
