"""Every limit of docs/limits.md works, at the place it is crossed, in bounded time and memory.

The measured cases run apilint in a child process and bound its wall time and peak memory far
above what they take (a loaded CI machine is slow) and far below what the unbounded case would.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from apilint.load.limits import DEFAULT_MAX_FILE_BYTES, Limits
from tests.hostile.conftest import LOAD_RULES, check, findings, measured, messages

HEAD = 'openapi: 3.0.1\ninfo: {title: Limits, version: "1.0"}\npaths: {}\n'


def ag005(result) -> list[tuple[int, int, str]]:
    return [(line, column, message) for (line, column, code), message in
            zip(findings(result), (f["message"] for f in result.json()["findings"])) if code == "AG005"]


# --- YAML aliases ------------------------------------------------------------------------------------

def laughs(kind: str, levels: int = 10) -> str:
    """The "billion laughs": each level repeats the one before ten times."""
    lines = [HEAD.rstrip("\n"), "x-bomb:"]
    if kind == "list":
        lines.append('  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]')
        lines += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, levels)]
    else:
        lines.append("  l0: &l0 {" + ", ".join(f"k{j}: lol" for j in range(10)) + "}")
        lines += [f"  l{i}: &l{i} {{" + ", ".join(f"k{j}: *l{i - 1}" for j in range(10)) + "}"
                  for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind,position", [("list", (9, 47)), ("map", (9, 43))])
def test_billion_laughs_stops_at_the_alias_that_crosses_the_limit(tmp_path, kind, position):
    (tmp_path / "bomb.yaml").write_text(laughs(kind))
    run = measured("check", "--format", "json", "bomb.yaml", cwd=tmp_path)
    assert run.code == 1, run.err
    [finding] = json.loads(run.out)["findings"]
    assert (finding["code"], finding["line"], finding["column"]) == ("AG005", *position)
    assert "aliases repeat more than 100,000 nodes" in finding["message"]
    assert run.seconds < 20 and run.peak_mb < 200, (run.seconds, run.peak_mb)


def test_a_long_string_repeated_by_aliases(tmp_path):
    text = HEAD + 'x-big: &s "' + "x" * 1_000_000 + '"\nx-uses: [' + ", ".join(["*s"] * 40) + "]\n"
    (tmp_path / "api.yaml").write_text(text)
    result = check("--format", "json", "api.yaml", cwd=tmp_path)
    [(line, column, message)] = ag005(result)
    assert (line, column) == (5, 74) and "16,777,216 characters" in message  # the 17th use of 1 MB


def test_a_definition_whose_aliases_would_make_rules_walk_one_operation_again_and_again(tmp_path):
    operation = ('{responses: {"200": {description: ok}}, x-amazon-apigateway-integration: {type: http_proxy, '
                 'httpMethod: GET, uri: "https://example.com/", timeoutInMillis: 29000}}')
    lines = ['openapi: 3.0.1', 'info: {title: t, version: "1"}', "paths:", f"  /p0: &item {{get: {operation}}}"]
    lines += [f"  /p{i}: *item" for i in range(1, 20_000)]
    (tmp_path / "api.yaml").write_text("\n".join(lines) + "\n")
    run = measured("check", "--format", "json", "api.yaml", cwd=tmp_path)
    assert run.code == 1
    assert [f["code"] for f in json.loads(run.out)["findings"]] == ["AG005"]
    assert run.seconds < 20 and run.peak_mb < 200, (run.seconds, run.peak_mb)


def test_aliases_within_the_limits_are_read_as_shared_values(tmp_path):
    text = HEAD + "x-a: &a {k: [1, 2, 3]}\nx-b: [*a, *a]\nx-c: *a\n"
    (tmp_path / "api.yaml").write_text(text)
    assert findings(check("--select", LOAD_RULES, "--format", "json", "api.yaml", cwd=tmp_path)) == []


def test_an_alias_to_an_anchor_not_yet_defined(tmp_path):
    (tmp_path / "api.yaml").write_text(HEAD + "x-a: &a [*a]\nx-b: *nowhere\n")
    result = check("--format", "json", "api.yaml", cwd=tmp_path)
    assert findings(result) == [(4, 10, "AG001")] and "*a names no anchor" in messages(result, "AG001")[0]


# --- nesting depth -----------------------------------------------------------------------------------

N = 10_000


def deep(kind: str, levels: int = N) -> tuple[str, str]:
    """(file name, text) of a definition whose ``x-deep`` nests ``levels`` levels."""
    if kind == "yaml-flow-map":
        return "api.yaml", HEAD + "x-deep: " + "{a: " * levels + "1" + "}" * levels + "\n"
    if kind == "yaml-flow-list":
        return "api.yaml", HEAD + "x-deep: " + "[" * levels + "1" + "]" * levels + "\n"
    if kind == "yaml-block-map":
        return "api.yaml", HEAD + "x-deep:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(levels)) + \
            " " * (levels + 1) + "b: 1\n"
    if kind == "yaml-block-list":
        return "api.yaml", HEAD + "x-deep:\n" + "".join(" " * (i + 1) + "-\n" for i in range(levels)) + \
            " " * (levels + 1) + "- 1\n"
    if kind == "yaml-compact-list":
        return "api.yaml", HEAD + "x-deep:\n  " + "- " * levels + "1\n"
    if kind == "json-map":
        return "api.json", '{"openapi": "3.0.1", "paths": {}, "x-deep": ' + '{"a": ' * levels + "1" + "}" * levels + "}"
    if kind == "json-list":
        return "api.json", '{"openapi": "3.0.1", "paths": {}, "x-deep": ' + "[" * levels + "1" + "]" * levels + "}"
    raise ValueError(kind)


@pytest.mark.parametrize("kind,position", [
    ("yaml-flow-map", (4, 4005)),
    ("yaml-flow-list", (4, 1008)),
    ("yaml-block-map", (1004, 1001)),
    ("yaml-block-list", (1004, 1001)),
    ("yaml-compact-list", (5, 2001)),
    ("json-map", (1, 6039)),
    ("json-list", (1, 1044)),
])
def test_ten_thousand_levels_are_refused_where_level_1001_starts(tmp_path, kind, position):
    name, text = deep(kind)
    (tmp_path / name).write_text(text)
    # 10,000 levels of block mappings take 50 MB of indentation: over the default size limit
    result = check("--max-file-size", "64MB", "--format", "json", name, cwd=tmp_path)
    [(line, column, message)] = ag005(result)
    assert (line, column) == position
    assert message == "the document nests deeper than 1,000 levels here; the file is not checked"


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json", "deep.txt.yaml"])
def test_a_million_levels_take_no_longer_than_a_thousand(tmp_path, name):
    # an OpenAPI key makes it a definition: a named file that is neither kind passes the screen silently
    brackets = "[" * 1_000_000 + "]" * 1_000_000
    text = '{"openapi": "3.0.1", "x": ' + brackets + "}" if name.endswith(".json") else "openapi: 3.0.1\nx: " + brackets
    (tmp_path / name).write_text(text)
    run = measured("check", "--format", "json", name, cwd=tmp_path)
    assert run.code == 1, run.err
    assert [f["code"] for f in json.loads(run.out)["findings"]] == ["AG005"]
    assert run.seconds < 15 and run.peak_mb < 200, (run.seconds, run.peak_mb)


def test_libyaml_is_not_asked_to_compose_deep_documents(tmp_path):
    """PyYAML's C composer recurses once per level and crashes the process at some tens of thousands."""
    name, text = deep("yaml-flow-list", 200_000)
    (tmp_path / name).write_text(text)
    run = measured("check", name, cwd=tmp_path)
    assert run.code == 1 and "nests deeper than 1,000 levels" in run.out, (run.code, run.err[-500:])


def schema_chain(levels: int) -> str:
    """JSON text of a schema nesting ``2 * levels + 1`` levels (json.dumps itself recurses)."""
    return '{"type": "object", "properties": {"a": ' * levels + '{"type": "string"}' + "}}" * levels


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_definition_exactly_at_the_depth_limit_goes_through_every_rule(tmp_path, suffix):
    """Rules must not recurse: a document 1,000 levels deep is accepted and every rule runs on it."""
    # root, paths, /a, get, responses, 200, content, application/json: 8 levels before the schema
    schema = schema_chain((Limits.max_depth - 8 - 1) // 2)
    document = (
        '{"openapi": "3.0.1", "info": {"title": "Deep", "version": "1.0"}, "paths": {"/a": {"get": {'
        '"responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ' + schema +
        '}}}}, "x-amazon-apigateway-integration": {"type": "http_proxy", "uri": "https://example.com", '
        '"httpMethod": "GET", "timeoutInMillis": 1000}}}}}'
    )
    name = "api" + suffix
    (tmp_path / name).write_text(document)  # flow-style YAML is the same text
    result = check("--format", "json", name, cwd=tmp_path)
    assert ag005(result) == [] and result.code in (0, 1)


# --- size --------------------------------------------------------------------------------------------

def big_definition(path: Path, megabytes: int, dense: bool) -> None:
    """A definition of about ``megabytes`` MB: many small nodes (dense) or few long descriptions."""
    with open(path, "w") as out:
        out.write('{"openapi": "3.0.1", "info": {"title": "Big", "version": "1.0"}, "paths": {')
        written, index = 0, 0
        while written < megabytes * 1024 * 1024:
            description = "Lorem ipsum dolor sit amet. " * (4000 if not dense else 1)
            item = json.dumps({"get": {
                "summary": f"Operation {index}", "description": description,
                "parameters": [{"name": f"p{n}", "in": "query", "schema": {"type": "string"}} for n in range(6)],
                "responses": {"200": {"description": "OK"}, "404": {"description": "Not found"}},
                "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET",
                                                    "uri": f"https://example.com/{index}"}}})
            out.write(("," if index else "") + f'\n"/items/{index}": ' + item)
            written += len(item) + 20
            index += 1
        out.write("}}\n")


def test_a_50_mb_definition_is_refused_at_the_default_size_limit(tmp_path):
    big_definition(tmp_path / "big.json", 50, dense=True)
    run = measured("check", "--format", "json", "big.json", cwd=tmp_path)
    assert run.code == 1
    [finding] = json.loads(run.out)["findings"]
    assert (finding["code"], finding["line"], finding["column"]) == ("AG005", 1, 1)
    assert f"over the {DEFAULT_MAX_FILE_BYTES:,}-byte limit" in finding["message"]
    assert "--max-file-size" in finding["message"]
    assert run.seconds < 10 and run.peak_mb < 120, (run.seconds, run.peak_mb)


def test_a_dense_50_mb_definition_stops_at_the_node_limit_when_the_size_limit_is_raised(tmp_path):
    big_definition(tmp_path / "big.json", 50, dense=True)
    run = measured("check", "--max-file-size", "64MB", "--format", "json", "big.json", cwd=tmp_path)
    assert run.code == 1
    [finding] = json.loads(run.out)["findings"]
    assert finding["code"] == "AG005" and finding["line"] > 10_000
    assert f"more than {Limits.max_nodes:,} nodes" in finding["message"]
    assert run.seconds < 40 and run.peak_mb < 800, (run.seconds, run.peak_mb)


def test_a_50_mb_definition_of_long_texts_is_checked_when_the_size_limit_is_raised(tmp_path):
    description = "Lorem ipsum dolor sit amet. " * 4000
    with open(tmp_path / "big.yaml", "w") as out:
        out.write('openapi: 3.0.1\ninfo: {title: Big, version: "1.0"}\npaths:\n')
        out.writelines(f"  /items/{index}:\n    get:\n      summary: Operation {index}\n"
                      f"      description: {description}\n      responses:\n        '200': {{description: OK}}\n" for index in range(50 * 1024 * 1024 // len(description)))
    run = measured("check", "--max-file-size", "64MB", "--select", LOAD_RULES, "--format", "json", "big.yaml",
                   cwd=tmp_path)
    assert run.code == 0 and json.loads(run.out)["findings"] == [], run.err
    assert run.seconds < 40 and run.peak_mb < 800, (run.seconds, run.peak_mb)


def test_the_size_limit_is_checked_before_reading(tmp_path):
    (tmp_path / "api.yaml").write_text(HEAD + "x-pad: " + "a" * 1000 + "\n")
    size = (tmp_path / "api.yaml").stat().st_size
    result = check("--max-file-size", "1000", "--format", "json", "api.yaml", cwd=tmp_path)
    message = f"the file is {size:,} bytes, over the 1,000-byte limit; it is not read (raise the limit with --max-file-size)"
    assert ag005(result) == [(1, 1, message)]
    assert ag005(check("--max-file-size", "2000", "--format", "json", "api.yaml", cwd=tmp_path)) == []


# --- node count (a small limit for the test; the default is in docs/limits.md) -------------------------

@pytest.mark.parametrize("name,text,position", [
    # 13 nodes before the first item: the 101st node is item 88
    ("api.yaml", HEAD + "x-items:\n" + "- 1\n" * 200, (92, 3)),
    ("api.yaml", HEAD + "x-items: [" + "1, " * 200 + "]\n", (4, 272)),
    # JSON nodes are counted by the "[", "{", "," and ":" before them: here the comma before the item
    ("api.json", '{"openapi": "3.0.1", "paths": {}, "x-items": [' + "1, " * 200 + "1]}", (1, 321)),
])
def test_the_node_limit_stops_where_it_is_crossed(tmp_path, monkeypatch, name, text, position):
    monkeypatch.setattr(Limits, "max_nodes", 100)
    (tmp_path / name).write_text(text)
    [(line, column, message)] = ag005(check("--format", "json", name, cwd=tmp_path))
    assert (line, column) == position and message.startswith("the document has more than 100 nodes here")


def test_strings_full_of_structure_do_not_count_as_nodes(tmp_path, monkeypatch):
    monkeypatch.setattr(Limits, "max_nodes", 100)
    monkeypatch.setattr(Limits, "max_depth", 10)
    text = json.dumps({"openapi": "3.0.1", "paths": {}, "x-text": "[{:," * 5000, "x-escaped": '\\"[[[[[[[[[[[['})
    (tmp_path / "api.json").write_text(text)
    assert ag005(check("--format", "json", "api.json", cwd=tmp_path)) == []


def test_the_alias_limits_count_repeated_nodes_and_text(tmp_path, monkeypatch):
    monkeypatch.setattr(Limits, "max_alias_nodes", 50)
    text = HEAD + "x-a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nx-uses: [" + ", ".join(["*a"] * 6) + "]\n"
    (tmp_path / "api.yaml").write_text(text)
    [(line, column, message)] = ag005(check("--format", "json", "api.yaml", cwd=tmp_path))
    assert (line, column) == (5, 30) and "more than 50 nodes" in message


def test_the_reference_hop_limit_is_documented_in_the_loader():
    assert Limits.max_ref_hops == 64 and Limits.max_ref_files == 1000


def test_docs_limits_lists_every_number():
    text = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text()
    for number in (DEFAULT_MAX_FILE_BYTES, Limits.max_depth, Limits.max_nodes, Limits.max_alias_nodes,
                   Limits.max_alias_text, Limits.max_ref_hops, Limits.max_ref_files):
        assert f"{number:,}" in text, number
    assert textwrap.dedent("""\
        | 3 | internal error""").splitlines()[0] in text


class _ShallowLibyaml:
    """A stand-in for a libyaml build whose own nesting limit is 50 levels, far below apilint's."""

    def __init__(self, text: str) -> None:
        import yaml

        self._inner = yaml.CBaseLoader(text)
        self._depth = 0

    def get_event(self):
        import yaml

        event = self._inner.get_event()
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._depth += 1
            if self._depth > 50:
                raise yaml.scanner.ScannerError("while increasing flow level", None,
                                                "exceeded maximum nesting depth", event.start_mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._depth -= 1
        return event

    def dispose(self) -> None:
        self._inner.dispose()


@pytest.mark.parametrize("levels", [200, Limits.max_depth + 5])
def test_the_depth_limit_is_apilints_whatever_libyamls_own_limit(monkeypatch, levels):
    """A parser's nesting limit never decides the outcome: below apilint's limit the file is read,
    above it AG005 names level 1,001, as with a libyaml that has no limit of its own."""
    from apilint.load import yamlload

    monkeypatch.setattr(yamlload, "_base_loader", lambda: _ShallowLibyaml)
    document = yamlload.compose_yaml("[" * levels + "]" * levels)
    if levels <= Limits.max_depth:
        assert document.problems == [] and document.data is not None
    else:
        [problem] = document.problems
        assert problem.code == "AG005" and "deeper than 1,000 levels" in problem.message
        assert (problem.span.line, problem.span.column) == (1, Limits.max_depth + 1)
