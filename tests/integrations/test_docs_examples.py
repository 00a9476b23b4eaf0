"""What docs/ci.md and docs/suppressing.md show works: suppressions silence exactly their finding, and
the pre-commit entry and the workflow name hooks, inputs and outputs that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.conftest import FIXTURES, REPO, run_cli
from tests.integrations.conftest import BAD_HTTP_API, CORE

DOCS = REPO / "docs"


def _code_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", markdown, flags=re.DOTALL)


def _positions(result) -> list[tuple]:
    return [(f["file"], f["line"], f["column"], f["code"]) for f in result.json()["findings"]]


EXPECTED_BAD = [(f, line, col, code) for f, line, col, code, _ in BAD_HTTP_API]


def test_x_apilint_ignore_on_the_operation_covers_its_integration(project: Path):
    definition = project / "apis" / "bad-http-api.yaml"
    text = definition.read_text(encoding="utf-8").replace(
        "      operationId: listOrders\n",
        "      operationId: listOrders\n      # The backend needs 45 s.\n      x-apilint-ignore: [AG201]\n")
    definition.write_text(text, encoding="utf-8")
    result = run_cli("check", "--select", CORE, "--format", "json", "apis/bad-http-api.yaml", cwd=project)
    # The GET timeout is silenced; the others moved down by the two added lines.
    assert _positions(result) == [(f, line + 2, col, code) for f, line, col, code in EXPECTED_BAD[1:]]


def test_x_apilint_ignore_in_json_by_rule_name(project: Path):
    document = yaml.safe_load((project / "apis" / "bad-http-api.yaml").read_text(encoding="utf-8"))
    document["paths"]["/orders"]["post"]["x-apilint-ignore"] = ["integration-timeout-out-of-range"]
    (project / "apis" / "orders.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    result = run_cli("check", "--select", CORE, "--format", "json", "apis/orders.json", cwd=project)
    codes_and_paths = [(f["code"], f["path"][:3]) for f in result.json()["findings"]]
    assert ("AG201", ["paths", "/orders", "post"]) not in codes_and_paths
    assert [code for code, _ in codes_and_paths] == ["AG201", "AG201", "AG101"]


def test_comment_on_the_line_silences_it(project: Path):
    definition = project / "apis" / "bad-http-api.yaml"
    lines = definition.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[29] = lines[29].rstrip("\n") + "  # apilint-ignore: AG201\n"  # line 30: timeoutInMillis: 20
    definition.write_text("".join(lines), encoding="utf-8")
    result = run_cli("check", "--select", CORE, "--format", "json", "apis/bad-http-api.yaml", cwd=project)
    assert _positions(result) == [EXPECTED_BAD[0], *EXPECTED_BAD[2:]]


def test_template_resource_metadata(tmp_path: Path):
    template = (FIXTURES / "examples" / "payments-sam" / "template.yaml").read_text(encoding="utf-8")
    silenced = template.replace("    Type: AWS::Serverless::Api\n",
                                "    Type: AWS::Serverless::Api\n    Metadata:\n      apilint:\n        ignore: [AG201]\n")
    (tmp_path / "template.yaml").write_text(silenced, encoding="utf-8")
    result = run_cli("check", "--select", "AG201,AG501", "--format", "json", "template.yaml", cwd=tmp_path)
    assert _positions(result) == [("template.yaml", 16, 9, "AG501")]


def test_per_path_ignores_in_the_configuration(project: Path):
    (project / ".apilint.yaml").write_text(
        'files:\n  - match: "apis/bad-*.yaml"\n    ignore: [api-key-on-http-api]\n', encoding="utf-8")
    (project / "apis" / "other.yaml").write_text((project / "apis" / "bad-http-api.yaml").read_text(encoding="utf-8"),
                                                 encoding="utf-8")
    result = run_cli("check", "--select", CORE, "--format", "json", "apis/bad-http-api.yaml", "apis/other.yaml",
                     cwd=project)
    assert ("apis/bad-http-api.yaml", 45, 5, "AG101") not in _positions(result)
    assert ("apis/other.yaml", 45, 5, "AG101") in _positions(result)


def test_suppression_page_examples_parse():
    page = (DOCS / "suppressing.md").read_text(encoding="utf-8")
    for block in _code_blocks(page, "yaml"):
        yaml.safe_load(block)
    for block in _code_blocks(page, "json"):
        json.loads(block)


def test_precommit_entry_in_the_docs_names_the_shipped_hook():
    page = (DOCS / "ci.md").read_text(encoding="utf-8")
    entry = next(yaml.safe_load(b) for b in _code_blocks(page, "yaml") if b.startswith("repos:"))
    hook_ids = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert [hook["id"] for repo in entry["repos"] for hook in repo["hooks"]] == ["apilint"]
    assert hook_ids == {"apilint"}


def test_workflow_in_the_docs_uses_the_actions_inputs_and_outputs():
    page = (DOCS / "ci.md").read_text(encoding="utf-8")
    workflow = next(yaml.safe_load(b) for b in _code_blocks(page, "yaml") if b.startswith("name: apilint"))
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["apilint"]["steps"]
    ours = next(step for step in steps if step.get("id") == "apilint")
    assert set(ours["with"]) <= set(action["inputs"])
    used_outputs = set(re.findall(r"steps\.apilint\.outputs\.([\w-]+)", yaml.safe_dump(workflow)))
    assert used_outputs and used_outputs <= set(action["outputs"])
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert "always()" in upload["if"] and "head.repo.full_name" in upload["if"]
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["apilint"]["permissions"]["security-events"] == "write"
    assert "pull_request_target" not in page.split("```yaml\nname: apilint")[1].split("```")[0]
