"""Packaging: declared minimums, the pinned releases the action and the hook install, the version."""

from __future__ import annotations

import datetime
import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _ci_module(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / ".ci" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_minimum_constraints_pin_every_declared_dependency_to_its_lower_bound():
    lines = _ci_module("minimum_constraints").minimum_constraints()
    pinned = {Requirement(line).name.lower(): Requirement(line) for line in lines}
    declared = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]
                + PYPROJECT["project"]["optional-dependencies"]["test"]]
    assert sorted(pinned) == sorted(r.name.lower() for r in declared)
    for requirement in declared:
        pin = pinned[requirement.name.lower()]
        (version,) = [s.version for s in pin.specifier]
        assert requirement.specifier.contains(Version(version)), (requirement, version)
        assert str(pin.marker) == str(requirement.marker) if requirement.marker else pin.marker is None
    assert "PyYAML==6.0.1" in lines and "tomli==1.1 ; python_version < '3.11'" in lines


def test_minimum_constraints_refuse_a_dependency_without_lower_bound(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["PyYAML>=6.0.1", "requests"]\n', encoding="utf-8")
    try:
        _ci_module("minimum_constraints").minimum_constraints(tmp_path / "pyproject.toml")
    except ValueError as error:
        assert str(error) == "no lower bound declared for: requests"
    else:
        raise AssertionError("a requirement without a lower bound was accepted")


def _constraints() -> dict[str, Requirement]:
    pins = _ci_module("sync_hook_pins").pins((REPO / "constraints.txt").read_text(encoding="utf-8"))
    return {Requirement(line).name.lower().replace("_", "-"): Requirement(line) for line in pins}


def test_constraints_pin_every_runtime_dependency_within_what_apilint_declares():
    constraints = _constraints()
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        pin = constraints[requirement.name.lower().replace("_", "-")]
        (specifier,) = pin.specifier
        assert specifier.operator == "==", pin
        assert requirement.specifier.contains(Version(specifier.version)), (requirement, pin)
    assert all(len(pin.specifier) == 1 and next(iter(pin.specifier)).operator == "=="
               for pin in constraints.values())


def test_the_pre_commit_hook_installs_the_pinned_releases():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    pins = _ci_module("sync_hook_pins").pins((REPO / "constraints.txt").read_text(encoding="utf-8"))
    assert hook["additional_dependencies"] == pins
    assert hook["entry"] == "apilint check"


def test_the_action_installs_with_the_constraints_file():
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    install = next(step for step in action["runs"]["steps"] if step.get("id") == "install")
    assert install["run"].count('-c "${ACTION_PATH}/constraints.txt"') == 2


def test_documentation_pins_the_current_release():
    """Examples users copy (uses: apilint/apilint@vX, rev: vX) name the version being released."""
    from apilint import __version__

    bump = _ci_module("bump_version")
    assert bump.current() == __version__
    pins = {}
    for name in bump.PINNED_IN:
        text = (REPO / name).read_text(encoding="utf-8")
        pins[name] = set(re.findall(r"(?:apilint/apilint@v|rev: v|# v)(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)", text))
    assert pins["docs/ci.md"] == {__version__}
    assert all(found <= {__version__} for found in pins.values()), pins


def test_one_command_sets_the_version_everywhere(tmp_path: Path):
    bump = _ci_module("bump_version")
    for name in ("apilint/__init__.py", "CHANGELOG.md", *bump.PINNED_IN):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())
    old = bump.current(tmp_path)
    changed = bump.bump("9.8.7", tmp_path, today=datetime.date(2027, 1, 31))
    assert {p.relative_to(tmp_path).as_posix() for p in changed} >= {"apilint/__init__.py", "CHANGELOG.md",
                                                                     "docs/ci.md", "action.yml"}
    assert bump.current(tmp_path) == "9.8.7"
    ci = (tmp_path / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "uses: apilint/apilint@v9.8.7" in ci and "rev: v9.8.7" in ci and f"v{old}" not in ci
    changelog = (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]\n\n## [9.8.7] - 2027-01-31\n" in changelog
    assert f"[9.8.7]: https://github.com/apilint/apilint/compare/v{old}...v9.8.7" in changelog
    with pytest.raises(ValueError, match="not a release version: 'v1'"):
        bump.bump("v1", tmp_path)
