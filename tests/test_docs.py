"""The rules reference in docs/rules is generated from the rule files; it must not be stale."""

from __future__ import annotations

from apilint import docs
from apilint.rules import REQUIRED_DOC_SECTIONS, load_rules
from tests.conftest import REPO


def test_generated_rule_docs_are_current():
    target = REPO / "docs" / "rules"
    expected = docs.generated_files()
    actual = {p.name: p.read_text(encoding="utf-8") for p in target.glob("*.md")} if target.is_dir() else {}
    stale = sorted(name for name in expected if actual.get(name) != expected[name])
    extra = sorted(set(actual) - set(expected))
    assert not stale and not extra, (
        f"docs/rules is stale ({stale + extra}); run `python -m apilint.docs` and commit the result"
    )


def test_every_rule_documents_every_section():
    for rule in load_rules():
        for section in REQUIRED_DOC_SECTIONS:
            assert rule.docs.get(section), f"{rule.code} lacks {section}"
        for reference in rule.docs["references"]:
            assert reference.get("title") and reference.get("url"), f"{rule.code} has an incomplete reference"
