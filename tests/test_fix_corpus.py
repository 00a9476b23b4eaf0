"""A property of ``--fix`` on real files: real definitions and templates from the shared corpus, with
fixable mistakes put in at random places, still parse after the fixes, and hold the same data as
before the fixes apart from exactly the changes the fixes stand for; and what was fixed is no longer
reported."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from apilint.fix import apply_changes
from apilint.fixer import fix_text
from apilint.load.source import parse_text
from apilint.workspace import CheckRequest, run_options
from tests.conftest import CORPUS

#: Mistakes the fixes repair: (pattern, replacement) on the text of a file.
MUTATIONS = [
    (re.compile(r"\bpassthroughBehavior(?=\"?\s*:)"), "passthroughBehaviour"),
    (re.compile(r"\btimeoutInMillis(?=\"?\s*:)"), "timeoutInMilis"),
    (re.compile(r"\bconnectionType(?=\"?\s*:)"), "connectiontype"),
    (re.compile(r"(\bhttpMethod\"?: *\"?)POST\b"), r"\1GET"),
    (re.compile(r"(\btype\"?: *\"?)aws_proxy\b", re.IGNORECASE), r"\1Aws_Proxy"),
    (re.compile(r"(\bpassthroughBehavior\"?: *\"?)when_no_match\b", re.IGNORECASE), r"\1When_No_Match"),
    (re.compile(r"\bx-amazon-apigateway-binary-media-types\b"), "x-amazon-apigateway-binary-media-type"),
]
MAX_BYTES = 40_000


def _files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    found = []
    for folder in ("openapi", "templates"):
        for path in sorted((CORPUS / folder).glob("*")):
            if path.suffix.lower() not in (".yaml", ".yml", ".json") or path.stat().st_size > MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(pattern.search(text) for pattern, _ in MUTATIONS):
                found.append(path)
    return found


FILES = _files()


@pytest.mark.skipif(not FILES, reason="the shared corpus is not available")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fixes_on_mutated_corpus_files_change_nothing_else(data, tmp_path):
    path = data.draw(st.sampled_from(FILES), label="file")
    text = path.read_text(encoding="utf-8")
    original = parse_text(path, path.name, text)
    if not original.data or any(p.code == "AG001" for p in original.problems):
        return  # does not parse (some are broken on purpose): --fix never touches it (tested elsewhere)
    mutated = text
    applicable = [m for m in MUTATIONS if m[0].search(text)]
    for pattern, replacement in data.draw(st.lists(st.sampled_from(applicable), min_size=1, max_size=3,
                                                   unique_by=lambda m: m[1]), label="mutations"):
        matches = list(pattern.finditer(mutated))
        if not matches:
            continue
        match = matches[data.draw(st.integers(0, len(matches) - 1), label="occurrence")]
        mutated = mutated[:match.start()] + match.expand(replacement) + mutated[match.end():]
    target = tmp_path / path.name
    target.write_text(mutated, encoding="utf-8")
    run = run_options(CheckRequest(paths=[target], root=tmp_path), config_start=tmp_path)
    outcome = fix_text(run, target, mutated)
    if isinstance(outcome, str):
        pytest.fail(f"{path.name}: {outcome}")
    fixed, findings = outcome
    event(f"fixed {min(len(findings), 3)}{'+' if len(findings) > 3 else ''} finding(s)")
    fixed_source = parse_text(target, target.name, fixed)
    assert not [p for p in fixed_source.problems if p.code == "AG001"], "the fixed text does not parse"
    expected = copy.deepcopy(parse_text(target, target.name, mutated).data)
    for finding in findings:
        assert finding.fix is not None
        apply_changes(expected, finding.fix.changes)
    assert fixed_source.data == expected
    # what was fixed is not reported again
    rechecked, _ = fix_text(run, target, fixed) if fixed != mutated else (fixed, [])
    assert rechecked == fixed  # nothing more to fix: fixing twice changes nothing
