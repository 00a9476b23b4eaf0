"""Every rule's good and bad fixtures: the bad ones give the rule's code at the documented positions,
the good ones none of it. Fixtures are discovered from ``fixtures/rules/<CODE>/``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from apilint.rules import load_rules
from tests.conftest import FIXTURES, run_cli

RULES_FIXTURES = FIXTURES / "rules"


def _cases() -> list[tuple[str, Path, list[str], list[str]]]:
    cases = []
    for rule in load_rules():
        folder = RULES_FIXTURES / rule.code
        spec_file = folder / "cases.yaml"
        spec = yaml.safe_load(spec_file.read_text()) if spec_file.is_file() else {}
        for path in sorted(folder.glob("*")):
            if path.name == "cases.yaml" or not path.is_file():
                continue
            entry = spec.get(path.name)
            if isinstance(entry, dict):
                args, expect = list(entry.get("args", [])), list(entry.get("expect", []))
            else:
                args, expect = [], list(entry or [])
            cases.append((rule.code, path, args, expect))
    return cases


CASES = _cases()


def test_every_rule_has_good_and_bad_fixtures_with_expectations():
    for rule in load_rules():
        folder = RULES_FIXTURES / rule.code
        names = sorted(p.name for p in folder.glob("*")) if folder.is_dir() else []
        assert any(n.startswith("bad") for n in names), f"{rule.code} has no bad fixture"
        assert any(n.startswith("good") for n in names), f"{rule.code} has no good fixture"
        assert "cases.yaml" in names, f"{rule.code} has no cases.yaml"
        spec = yaml.safe_load((folder / "cases.yaml").read_text()) or {}
        for name in names:
            if name != "cases.yaml":
                assert name in spec, f"{rule.code}/{name} has no expected positions in cases.yaml"
        for kind in ("bad", "good"):
            example = rule.docs["example"][kind]
            assert (folder / example).is_file(), f"{rule.code}: documented example {example} is missing"


@pytest.mark.parametrize("code,path,args,expect", CASES, ids=[f"{c[0]}/{c[1].name}" for c in CASES])
def test_fixture_positions(code, path, args, expect):
    result = run_cli("check", "--select", code, "--format", "json", *args, str(path))
    assert result.code in (0, 1), result.err
    found = sorted(f"{f['line']}:{f['column']}" for f in result.json()["findings"] if f["code"] == code)
    assert found == sorted(expect)
    if path.name.startswith("bad"):
        assert expect, f"{path} is a bad example but expects no finding"
    else:
        assert not expect, f"{path} is a good example but expects findings"
