"""Text shown to users carries readable titles and links, never the provenance tags rules are researched with.

The tags (``[DGcur:api-gateway-execution-service-limits-table]``, ``BOTO1:Shape.member``, ...) live in
``rules/provenance.yaml`` for developers. Users see ``apilint rule``, ``apilint rules --format json``,
SARIF rule help, the generated ``docs/rules`` pages and the other documentation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from apilint.docs import rule_markdown
from apilint.report import ReportContext
from apilint.report.sarif import render as sarif
from apilint.rules import RuleFileError, _rule_from, load_rules
from tests.conftest import REPO, run_cli

TAG = re.compile(r"\b(?:DG23|DGcur|BOTO1|BOTO2|CFNLINT|CFN|WN|GH):[^\s\])]")


def _tags(text: str) -> list[str]:
    return [text[max(m.start() - 1, 0):m.end() + 40].split("\n")[0] for m in TAG.finditer(text)]


def test_the_tag_pattern_finds_the_tags_it_is_meant_to_find():
    text = ("- [Quotas](https://docs.aws.amazon.com/x.html) [DGcur:api-gateway-execution-service-limits-table]\n"
            'source: ["BOTO2:Api.ProtocolType", "CFN:AWS::ApiGateway::RestApi"] GH:aws/sam#5 [WN:https://aws]\n'
            "Resources of type AWS::ApiGateway::RestApi; [default: error]; see docs/ci.md")
    assert [m.group().split(":")[0] for m in TAG.finditer(text)] == ["DGcur", "BOTO2", "CFN", "GH", "WN"]


@pytest.mark.parametrize("rule", load_rules(), ids=lambda rule: rule.code)
def test_rule_documentation_has_links_and_no_tags(rule):
    page = rule_markdown(rule)
    assert _tags(page) == []
    references = page.split("## References\n", 1)[1].strip().splitlines()
    assert references and all(re.fullmatch(r"- \[[^\]]+\]\(https://[^)\s]+\)", line) for line in references), references


def test_sarif_rule_help_and_the_rules_listing_have_no_tags():
    document = sarif([], ReportContext(rules=load_rules(), tool_version="0.1.0"))
    assert _tags(document) == []
    listing = run_cli("rules", "--format", "json")
    assert listing.code == 0 and _tags(listing.out) == [] and json.loads(listing.out)


def test_documentation_files_have_no_tags():
    files = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").rglob("*.md"))]
    found = {str(path.relative_to(REPO)): _tags(path.read_text(encoding="utf-8")) for path in files}
    assert {path: tags for path, tags in found.items() if tags} == {}


def test_rule_files_keep_provenance_out_of_references(tmp_path: Path):
    """A rule file's reference is a title and a URL; a tag beside it is refused with where it goes."""
    data = yaml.safe_load((REPO / "rules" / "AG201.yaml").read_text(encoding="utf-8"))
    data["docs"]["references"][0]["source"] = "[DGcur:http-api-quotas]"
    with pytest.raises(RuleFileError, match=r"reference 1 must have exactly a title and a url \(provenance tags go "
                                            r"to rules/provenance\.yaml\)"):
        _rule_from(data, tmp_path / "AG201.yaml")
    provenance = yaml.safe_load((REPO / "rules" / "provenance.yaml").read_text(encoding="utf-8"))
    codes = {rule.code for rule in load_rules()}
    assert set(provenance) <= codes and provenance["AG201"][0] == {
        "url": "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html",
        "source": "[DGcur:api-gateway-execution-service-limits-table]"}
