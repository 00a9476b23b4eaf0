"""Packaging: declared minimums, the pinned releases the action and the hook install, the version."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
