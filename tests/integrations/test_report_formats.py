"""Every report format on the same run: SARIF (validated against the 2.1.0 schema), GitHub
annotations, JUnit XML, Markdown, and several formats written at once."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from apilint import __version__
from apilint.finding import Finding, Severity
from apilint.report import ReportContext, report_pieces, reporter, rule_docs_url
from apilint.report.github import annotation
from apilint.rules import load_rules
from tests.conftest import REPO, run_cli
from tests.integrations.conftest import ALL_FINDINGS_IN_APIS as ALL_FINDINGS
from tests.integrations.conftest import BAD_HTTP_API, BROKEN, CORE, REGIONAL, USAGE

#: The OASIS SARIF 2.1.0 schema (errata 01), kept as test data so the SARIF tests run everywhere.
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-2.1.0.schema.json"


def _sarif_validator():
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _sarif_positions(document: dict) -> list[tuple]:
    run = document["runs"][0]
    found = []
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        region = location["region"]
        level = {"error": "error", "warning": "warning", "note": "info"}[result["level"]]
        found.append((location["artifactLocation"]["uri"], region["startLine"], region["startColumn"],
                      result["ruleId"], level))
    return found


@pytest.mark.parametrize(
    "files, expected",
    [
        (["apis/good-http-api.yaml"], []),
        (["apis/bad-http-api.yaml"], BAD_HTTP_API),
        (["apis/broken.yaml"], BROKEN),
        (["apis"], ALL_FINDINGS),
    ],
    ids=["clean", "many-findings", "parse-error", "whole-folder"],
)
def test_sarif_is_valid_and_places_every_finding(project: Path, files, expected):
    validator = _sarif_validator()
    result = run_cli("check", "--select", CORE, "--format", "sarif", *files, cwd=project)
    assert result.code == (1 if any(e[4] == "error" for e in expected) else 0), result.err
    document = json.loads(result.out)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert len(document["runs"]) == 1
    assert _sarif_positions(document) == expected


def test_sarif_describes_rules_from_their_documentation(project: Path):
    document = json.loads(run_cli("check", "--format", "sarif", "apis/bad-http-api.yaml", cwd=project).out)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    timeout = by_id["AG201"]
    assert timeout["name"] == "integration-timeout-out-of-range"
    assert timeout["helpUri"] == rule_docs_url("AG201") == (
        f"https://github.com/apilint/apilint/blob/v{__version__}/docs/rules/AG201.md")
    assert timeout["help"]["markdown"].startswith("# AG201 integration-timeout-out-of-range")
    assert "## Why is this bad?" in timeout["help"]["markdown"]
    assert timeout["defaultConfiguration"]["level"] == "error"
    assert timeout["shortDescription"]["text"] and timeout["fullDescription"]["text"]
    assert timeout["properties"] == {"tags": ["http", "rest", "websocket"], "problem.severity": "error"}
    # Security rules are ranked by GitHub code scanning: a security tag and a security-severity score.
    security = {code: rule["properties"] for code, rule in by_id.items() if code.startswith("AG3")}
    assert security and all(p["tags"][0] == "security" for p in security.values())
    assert {code: p["security-severity"] for code, p in security.items()} == {
        rule.code: {"error": "8.0", "warning": "5.0", "info": "2.0"}[str(rule.severity)]
        for rule in load_rules() if rule.code.startswith("AG3")}
    assert (by_id["AG302"]["properties"]["security-severity"], by_id["AG301"]["properties"]["security-severity"]) == (
        "8.0", "5.0")
    assert not any("security-severity" in rule["properties"] or "security" in rule["properties"]["tags"]
                   for code, rule in by_id.items() if not code.startswith("AG3"))
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": "apis/bad-http-api.yaml", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 19, "startColumn": 9, "endLine": 19, "endColumn": 31}


def test_sarif_fingerprints_survive_lines_inserted_above(project: Path):
    def fingerprints() -> list[tuple[str, int, str]]:
        document = json.loads(run_cli("check", "--select", CORE, "--format", "sarif", "apis/bad-http-api.yaml",
                                      cwd=project).out)
        return [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["partialFingerprints"]["apilintFinding/v1"]) for r in document["runs"][0]["results"]]

    before = fingerprints()
    definition = project / "apis" / "bad-http-api.yaml"
    definition.write_text("# added\n# lines\n" + definition.read_text(encoding="utf-8"), encoding="utf-8")
    after = fingerprints()
    assert [(code, line + 2, fp) for code, line, fp in before] == after
    assert len({fp for _, _, fp in after}) == len(after)


def test_github_annotations_are_exact(project: Path):
    result = run_cli("check", "--select", CORE, "--format", "github", "apis/bad-http-api.yaml",
                     "apis/regional-rest-api.yaml", cwd=project)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == (
        "::error file=apis/bad-http-api.yaml,line=19,col=9,endLine=19,endColumn=30,"
        "title=AG201 integration-timeout-out-of-range::integration timeout 45,000 ms is over the HTTP API maximum "
        "of 30,000 ms"
    )
    assert [line.split(" ", 1)[1].split(",title=")[0] for line in lines[:5]] == [
        "file=apis/bad-http-api.yaml,line=19,col=9,endLine=19,endColumn=30",
        "file=apis/bad-http-api.yaml,line=30,col=9,endLine=30,endColumn=27",
        "file=apis/bad-http-api.yaml,line=42,col=9,endLine=42,endColumn=30",
        "file=apis/bad-http-api.yaml,line=45,col=5,endLine=49,endColumn=1",
        "file=apis/regional-rest-api.yaml,line=17,col=9,endLine=17,endColumn=30",
    ]
    assert lines[4].startswith("::warning ")
    assert lines[5] == "apilint: 5 problem(s) (4 error(s), 1 warning(s), 0 info) in 2 file(s)"


def test_github_format_is_the_default_inside_github_actions(project: Path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    inside = run_cli("check", "--select", CORE, "apis/broken.yaml", cwd=project)
    assert inside.out.splitlines()[0].startswith("::error file=apis/broken.yaml,line=8,col=1,")
    explicit = run_cli("check", "--select", CORE, "--format", "text", "apis/broken.yaml", cwd=project)
    assert explicit.out.startswith("apis/broken.yaml:8:1: error AG001 ")
    to_file = run_cli("check", "--select", CORE, "-o", "report.txt", "apis/broken.yaml", cwd=project)
    assert (project / "report.txt").read_text(encoding="utf-8").startswith("apis/broken.yaml:8:1: error AG001 ")
    assert to_file.out == ""
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    outside = run_cli("check", "--select", CORE, "apis/broken.yaml", cwd=project)
    assert outside.out.startswith("apis/broken.yaml:8:1: error AG001 ")


def test_github_annotations_escape_messages_and_properties():
    finding = Finding("dir,with:odd%name.yaml", 3, 5, 3, 9, "AG201", "integration-timeout-out-of-range",
                      Severity.INFO, "100% over\r\nthe limit: see a, b", ())
    assert annotation(finding) == (
        "::notice file=dir%2Cwith%3Aodd%25name.yaml,line=3,col=5,endLine=3,endColumn=8,"
        "title=AG201 integration-timeout-out-of-range::100%25 over%0D%0Athe limit: see a, b"
    )


def test_junit_has_a_suite_per_file_and_a_case_per_rule(project: Path):
    result = run_cli("check", "--select", CORE, "--format", "junit", "apis", cwd=project)
    assert result.code == 1
    root = ET.fromstring(result.out)
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert sorted(suites) == ["apis/bad-http-api.yaml", "apis/broken.yaml", "apis/good-http-api.yaml",
                              "apis/regional-rest-api.yaml"]
    failures = []
    for name, suite in suites.items():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        for case in cases:
            assert case.get("file") == name
            failure = case.find("failure")
            if failure is not None:
                failures.append((name, case.get("name").split()[0], int(case.get("line")), failure.get("type"),
                                 failure.text.splitlines()))
    messages = {(f["file"], f["line"], f["column"]): f"{f['severity']} {f['code']} {f['message']}"
                for f in run_cli("check", "--select", CORE, "--format", "json", "apis", cwd=project).json()["findings"]}

    def lines_of(*positions: tuple) -> list[str]:
        return [f"{file}:{line}:{col}: {messages[(file, line, col)]}" for file, line, col, _, _ in positions]

    assert sorted(failures) == [
        ("apis/bad-http-api.yaml", "AG101", 45, "error", lines_of(BAD_HTTP_API[3])),
        ("apis/bad-http-api.yaml", "AG201", 19, "error", lines_of(*BAD_HTTP_API[:3])),
        ("apis/broken.yaml", "AG001", 8, "error", lines_of(*BROKEN)),
        ("apis/regional-rest-api.yaml", "AG201", 17, "warning", lines_of(*REGIONAL)),
    ]
    good = {case.get("name") for case in suites["apis/good-http-api.yaml"].findall("testcase")}
    assert good == {"AG001 parse-error", "AG101 api-key-on-http-api", "AG201 integration-timeout-out-of-range"}
    assert int(root.get("failures")) == 4


def test_markdown_summary_counts_links_and_lists(project: Path):
    result = run_cli("check", "--select", CORE, "--format", "markdown", "apis", cwd=project)
    text = result.out
    assert text.startswith("## apilint\n\n**Failed**: 6 problems (5 errors, 1 warning, 0 info) in 4 files; ")
    assert "| error      |       5 |" in text and "| warning    |       1 |" in text
    rule_rows = [line for line in text.splitlines() if line.startswith("| [AG")]
    assert rule_rows[0].startswith(f"| [AG201]({rule_docs_url('AG201')}) | integration-timeout-out-of-range ")
    assert rule_rows[0].rstrip(" |").endswith("4")
    finding_rows = [line.split("|")[1:5] for line in text.splitlines() if line.startswith(("| error ", "| warning "))]
    locations = [(row[1].strip(), row[2].strip().split("]")[0][1:]) for row in finding_rows if "`" in row[1]]
    assert locations == [(f"`{f}:{line}:{col}`", code) for f, line, col, code, _ in ALL_FINDINGS]
    assert "### Cost" not in text


def test_markdown_cost_section_comes_from_the_cost_engine(project: Path):
    (project / "usage.yaml").write_text(USAGE, encoding="utf-8")
    result = run_cli("check", "--select", CORE, "--format", "markdown", "--usage", "usage.yaml",
                     "apis/good-http-api.yaml", cwd=project)
    assert result.code == 0, result.err
    head, _, cost = result.out.partition("## API Gateway cost estimate: eu-west-1\n")
    assert head == "## apilint\n\n**Passed**: no problems found in 1 file.\n\n"
    assert "### inventory" in cost and "HTTP (current)" in cost

    (project / "usage.yaml").write_text("apis: []\n", encoding="utf-8")
    rejected = run_cli("check", "--select", CORE, "--format", "markdown", "--usage", "usage.yaml", "apis/bad-http-api.yaml",
                       cwd=project)
    assert rejected.code == 1, "the lint result decides the exit code, not the cost section"
    assert "\n### Cost\n\nNo cost summary: " in rejected.out and "usage.yaml" in rejected.out
    assert "apilint: warning: no cost summary: " in rejected.err
    missing = run_cli("check", "--format", "markdown", "--usage", "nope.yaml", "apis", cwd=project)
    assert missing.code == 2 and "nope.yaml: usage file not found" in missing.err


def test_several_formats_in_one_run(project: Path):
    result = run_cli("check", "--select", CORE, "--format", "github", "--format", "sarif=out/apilint.sarif",
                     "--format", "junit=out/junit.xml", "--format", "markdown=summary.md", "apis", cwd=project)
    assert result.code == 1
    assert result.out.splitlines()[0].startswith("::error file=apis/bad-http-api.yaml,line=19,col=9,")
    sarif = json.loads((project / "out" / "apilint.sarif").read_text(encoding="utf-8"))
    assert _sarif_positions(sarif) == ALL_FINDINGS
    junit = ET.parse(project / "out" / "junit.xml").getroot()
    assert len(junit.findall("testsuite")) == 4
    assert (project / "summary.md").read_text(encoding="utf-8").startswith("## apilint\n\n**Failed**: 6 problems")


def test_output_dir_takes_every_format_without_a_path(project: Path):
    result = run_cli("check", "--select", CORE, "--output-dir", "reports", "--format", "sarif", "--format", "junit",
                     "--format", "markdown", "--format", "json", "apis/bad-http-api.yaml", cwd=project)
    assert result.code == 1 and result.out == ""
    written = sorted(p.name for p in (project / "reports").iterdir())
    assert written == ["apilint-junit.xml", "apilint.json", "apilint.md", "apilint.sarif"]
    data = json.loads((project / "reports" / "apilint.json").read_text(encoding="utf-8"))
    assert [(f["line"], f["column"], f["code"]) for f in data["findings"]] == [
        (line, col, code) for _, line, col, code, _ in BAD_HTTP_API]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "sarif", "--format", "junit"], "only one report can go to standard output, not sarif, junit"),
        (["--format", "yaml"], "unknown format 'yaml'"),
        (["--format", "sarif="], "no path after '='"),
        (["--format", "sarif=a.out", "--format", "junit=a.out"], "two reports would be written to"),
        (["--output", "x", "--output-dir", "y"], "--output and --output-dir cannot be used together"),
    ],
)
def test_format_mistakes_are_usage_errors(project: Path, args, message):
    result = run_cli("check", *args, "apis/good-http-api.yaml", cwd=project)
    assert result.code == 2
    assert message in result.err


def test_reporters_are_pure_functions_of_findings_and_context():
    finding = Finding("a.yaml", 2, 3, 2, 8, "AG201", "integration-timeout-out-of-range", Severity.WARNING, "m", ())
    context = ReportContext(files_checked=1, files=["a.yaml"], rules_by_file={"a.yaml": ["AG201"]})
    for name in ("text", "json", "sarif", "github", "junit", "markdown"):
        render = reporter(name)
        assert render([finding], context) == render([finding], context)


def test_sarif_and_annotations_name_files_from_the_repository_root(project: Path):
    """Run from a sub-folder: text keeps paths short, SARIF and annotations need repository paths."""
    (project / ".git").mkdir()
    apis = project / "apis"
    text = run_cli("check", "--select", CORE, "broken.yaml", cwd=apis)
    assert text.out.startswith("broken.yaml:8:1: error AG001 ")
    github = run_cli("check", "--select", CORE, "--format", "github", "broken.yaml", cwd=apis)
    assert github.out.startswith("::error file=apis/broken.yaml,line=8,col=1,")
    sarif = json.loads(run_cli("check", "--select", CORE, "--format", "sarif", "broken.yaml", cwd=apis).out)
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    assert _sarif_positions(sarif) == BROKEN


def test_the_json_report_is_written_in_pieces_exactly_as_one_document(project: Path):
    """Findings and APIs go out one at a time; the text is what json.dumps writes for the whole document."""
    result = run_cli("check", "--format", "json", "--jobs", "1", "apis", cwd=project)
    document = json.loads(result.out)
    assert len(document["findings"]) > 5 and len(document["apis"]) > 2
    assert result.out == json.dumps(document, indent=2) + "\n"
    empty = "".join(report_pieces("json")([], ReportContext(files_checked=0)))
    assert json.loads(empty)["findings"] == [] and json.loads(empty)["apis"] == []
    assert empty == json.dumps(json.loads(empty), indent=2) + "\n"
    written = run_cli("check", "--format", f"json={project / 'out' / 'report.json'}", "--jobs", "1", "apis", cwd=project)
    assert written.code == result.code
    assert (project / "out" / "report.json").read_text(encoding="utf-8") == result.out


@pytest.mark.parametrize("level", [0, 1, 3])
def test_each_json_entry_is_written_as_json_dumps_writes_it(level: int):
    """Escapes, non-ASCII text, big and negative numbers, floats, constants, empty and nested
    containers, tuples, keys that are not strings and subclasses of str and int, at any depth."""
    from apilint.report.jsonfmt import indented_json

    class Code(str):
        pass

    class Count(int):
        pass

    values = [
        {"message": 'a "quoted" \\ back\nslash\ttab \u00e9 \U0001f600 \x00', "line": 12, "column": 0},
        {"n": -3, "big": 2**70, "f": 1.5, "z": -0.0, "e": 1e-7, "huge": 1e300, "nan": float("nan"),
         "inf": float("-inf"), "t": True, "no": False, "none": None},
        {"empty": {}, "list": [], "nested": [{"a": [1, [2, {}], {"b": []}]}, "x"], "tuple": (1, "two")},
        {1: "int key", None: "null key", 2.5: "float key", False: "bool key"},
        {"code": Code("AG201"), "count": Count(3), "codes": [Code("AG001")]},
        [], {}, "text", 7, None,
    ]
    for value in values:
        assert indented_json(value, level) == json.dumps(value, indent=2).replace("\n", "\n" + "  " * level)
        unicode = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
        assert indented_json(value, level, ascii_only=False) == unicode


def test_a_report_path_under_a_file_names_the_file_in_the_way(tmp_path: Path):
    """``--output-dir`` or ``--output`` below a file: exit code 2 and which file is in the way."""
    in_the_way = tmp_path / "reports"
    in_the_way.write_text("", encoding="utf-8")
    example = str(REPO / "fixtures" / "examples" / "payments-sam")
    by_folder = run_cli("check", example, "--output-dir", str(in_the_way))
    assert (by_folder.code, by_folder.out) == (2, "")
    assert by_folder.err == (f"apilint: error: cannot write {in_the_way / 'apilint.txt'}: {in_the_way} is a file, "
                             "not a folder\n")
    deeper = in_the_way / "ci" / "apilint.sarif"
    by_path = run_cli("check", example, "-f", "sarif", "-o", str(deeper))
    assert by_path.code == 2
    assert by_path.err == f"apilint: error: cannot write {deeper}: {in_the_way} is a file, not a folder\n"
