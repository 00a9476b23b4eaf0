"""The rules reference in docs/rules is generated from the rule files; it must not be stale."""

from __future__ import annotations

from apilint import docs
from apilint.rules import INDEX_NAME, REQUIRED_DOC_SECTIONS, index_json, load_rules, read_rules
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


def test_rule_index_is_current():
    path = REPO / "rules" / INDEX_NAME
    assert path.is_file() and path.read_text(encoding="utf-8") == index_json(), (
        "rules/index.json is stale; run `python -m apilint.docs` and commit the result"
    )


def test_rules_from_the_index_equal_rules_from_the_files():
    from_files = [rule.to_dict() for rule in read_rules(use_index=False)]
    from_index = [rule.to_dict() for rule in read_rules()]
    assert from_index == from_files
    assert [r.file for r in read_rules()] == [r.file for r in read_rules(use_index=False)]


def test_a_stale_index_is_not_used(tmp_path, monkeypatch, request):
    import shutil

    from apilint import rules as rules_module

    request.addfinalizer(rules_module._index.cache_clear)

    folder = tmp_path / "rules"
    shutil.copytree(REPO / "rules", folder)
    monkeypatch.setattr(rules_module, "rules_dir", lambda: folder)
    edited = folder / "AG201.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("severity: error", "severity: info", 1),
                      encoding="utf-8")
    rules_module._index.cache_clear()
    assert rules_module._index() is None
    by_code = {rule.code: rule for rule in read_rules()}
    assert str(by_code["AG201"].severity) == "info"
    (folder / INDEX_NAME).write_text("{not json", encoding="utf-8")
    rules_module._index.cache_clear()
    assert {r.code for r in read_rules()} == set(by_code)


def test_features_from_the_index_equal_the_feature_table():
    from apilint.rules import FEATURES_FILE, data_file, rules_dir

    path = rules_dir() / FEATURES_FILE
    assert data_file(path) == data_file(path, use_index=False)
