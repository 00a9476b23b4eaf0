"""The release artefacts: ``python -m build`` makes an sdist and, from it, a wheel that install and run.

Built once per test session without network access (``--no-isolation``: the test extra installs
``build``, ``hatchling`` and ``twine``). The wheel goes into a fresh virtualenv with ``--no-deps``;
the packages it depends on are taken from this environment through a path file, so no download is
needed, and the test checks that the apilint that runs is the installed one.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from apilint import __version__
from tests.conftest import REPO
from tests.test_release import PYPROJECT


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    # Without --sdist/--wheel, build makes the sdist and then the wheel from the sdist, so a file the
    # sdist leaves out is missing from the wheel too.
    completed = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_artefacts_carry_the_single_sourced_version_and_pass_twine_check(dist):
    assert dist["wheel"].name == f"apilint-{__version__}-py3-none-any.whl"
    assert dist["sdist"].name == f"apilint-{__version__}.tar.gz"
    completed = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dist["wheel"]), str(dist["sdist"])],
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.count("PASSED") == 2


def test_wheel_metadata_declares_what_pyproject_declares(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = email.message_from_bytes(wheel.read(f"apilint-{__version__}.dist-info/METADATA"))
    assert metadata["Version"] == __version__
    assert metadata["Description-Content-Type"] == "text/markdown"
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    assert urls == PYPROJECT["project"]["urls"]
    def key(text: str) -> tuple[str, str, str]:
        requirement = Requirement(text)
        return canonicalize_name(requirement.name), str(requirement.specifier), str(requirement.marker)

    runtime = {key(r) for r in metadata.get_all("Requires-Dist") if "extra ==" not in r}
    assert runtime == {key(r) for r in PYPROJECT["project"]["dependencies"]}
    rule_files = {p.name for p in (REPO / "rules").glob("AG*.yaml")}
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("apilint/_rules/AG")} == rule_files
    assert {"apilint/_rules/index.json", "apilint/_rules/features.yaml", "apilint/data/usage.schema.json",
            "apilint/_fixtures/rules/AG201/bad.yaml"} <= names


def test_sdist_holds_what_the_tests_and_the_action_need(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "constraints.txt", "action.yml", ".pre-commit-hooks.yaml",
            ".ci/minimum_constraints.py", "tests/data/sarif-2.1.0.schema.json", "tests/test_build.py",
            "rules/provenance.yaml", "docs/rules/AG201.md"} <= names


def test_the_wheel_installs_in_a_fresh_virtualenv_and_runs(dist, tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", "--disable-pip-version-check", str(dist["wheel"])], check=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies, from this environment: a path line adds a folder, it runs no other path file in it.
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(site, "test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    (work / "api.yaml").write_bytes((REPO / "fixtures" / "rules" / "AG201" / "bad.yaml").read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "APILINT_CONFIG")} | {"NO_COLOR": "1"}
    apilint = python.parent / ("apilint.exe" if os.name == "nt" else "apilint")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(apilint), *args], cwd=work, env=env, capture_output=True, text=True, timeout=120,
                              check=False)

    where = subprocess.run([str(python), "-c", "import apilint; print(apilint.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    assert run("--version").stdout == f"{__version__}\n"
    check = run("check", "--select", "AG201", "api.yaml")
    assert check.returncode == 1, check.stderr
    assert check.stdout.splitlines()[0].startswith("api.yaml:15:9: error AG201 integration timeout")
    rule = run("rule", "AG201")
    assert rule.returncode == 0 and "timeoutInMillis: 45000" in rule.stdout  # the example, from the wheel
    rules = run("rules", "--format", "json")
    assert rules.returncode == 0 and '"code": "AG201"' in rules.stdout
