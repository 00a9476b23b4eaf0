"""Positions read from the text along a path are exactly the loop's, or not given at all.

``BlockSpans.locate`` either returns None (the document is then composed by the loop) or the span
and match count :meth:`YamlDocument.locate` gives on the composed document. Every node of every YAML
file of the corpus and the fixtures that takes the fast path, the paths the corpus findings point
at, hand-picked texts and generated documents in every PyYAML style hold it to that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apilint.load import fastyaml
from apilint.load.blockspans import BlockSpans
from apilint.load.fastyaml import fast_load, load_yaml
from apilint.load.source import decode
from apilint.load.yamlload import compose_yaml
from tests.conftest import REPO, run_cli
from tests.test_fast_yaml import _DATA, SHARED, _shared_alike

pytestmark = pytest.mark.skipif(fastyaml._parser() is None, reason="yaml_rs is not installed")

MISSING = "no such key"


def _paths(data: Any) -> list[tuple[Any, ...]]:
    """Every key and item of the data, and beside each container a missing key, a step past a
    scalar and an index out of range."""
    paths: list[tuple[Any, ...]] = [(), (MISSING,), (0,)]
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            paths.append((*path, MISSING))
            for key, value in node.items():
                paths += [(*path, key), (*path, key, MISSING), (*path, key, 0)]
                stack.append(((*path, key), value))
        elif isinstance(node, list):
            paths += [(*path, len(node)), (*path, -1)]
            for index, value in enumerate(node):
                paths += [(*path, index), (*path, index, MISSING)]
                stack.append(((*path, index), value))
    return paths


def _agree(text: str, paths: list[tuple[Any, ...]] | None = None) -> tuple[int, int]:
    """Assert that every position the text gives is the loop's; how many it gave, of how many."""
    composed = compose_yaml(text)
    assert composed.problems == [], (text, composed.problems)
    spans = BlockSpans(text, composed.data)
    if paths is None:
        paths = _paths(composed.data)
        paths = paths[::len(paths) // 5000 + 1]  # an even sample of the largest files
    answered = 0
    for path in paths:
        found = spans.locate(path)
        if found is not None:
            assert found == composed.locate(path), (text, path)
            answered += 1
    return answered, len(paths)


TEXTS = [
    "a: 1\nb:\n  c: 2\n  d:\n  - x\n  - y\ne: 3\n",
    "a:\n- 1\n- 2\n",
    "a:\n- 1\n-\n- - 2\n  - 3\n-   b: 4\n    c: 5\n",
    "a:\nb: ~\nc: null\nd:\n  null\n",
    "a:   # comment\n  b: 1\n# c\n   # d\nc: 2",
    "a: 1\nb:",
    "a: 1\nb:\n",
    "a: |\n  text\n  more\n\n# comment\nb: 2\n",
    "x:\n  a: |\n    text\n\n  b: >-\n    folded\n    more\n  # c\n",
    "x:\n  a: |\n    text\n  # c\ny: 1\n",
    "x:\n  a: |\n    text\n      # not a comment\n  b: 1\n",
    "'a': 1\n\"b\": 2\n'c''d': 3\n\"e\\\"f\": 4\n",
    "a: \"x\n  y\"\nb: 'p\n\n  q'\n",
    "a: \"x\nb: y\"\nc: 1\n",
    "a: 'x\nb: y'\nb: 1\n",
    "a:\n  b: 'x\n  c: y'\n  c: 1\n",
    "a:\n  b: \"x\n c: y\"\n  c: 1\n",
    "a: plain\n  continued\n  more\nb: 1\n",
    "a: [1,\n  2]\nb: {c: 1,\n d: 2}\n",
    "a: [1,\n2]\nb: 2\n",
    "a:\n  b: [1,\n 2]\n  c: 3\n",
    "a: {}\nb: []\nc: { }\nd: [ ]\n",
    "- a\n- b: 1\n  c: 2\n- - x\n  - y\n-\n",
    "---\na: 1\n",
    "--- # c\na: 1\n",
    "# c\n\n---\n\n# d\na:\n  b: 1\n",
    "  a: 1\n  b:\n    c: 2\n",
    "a: b # c\nd: 'e' # f\ng: \"h\"  \n",
    "a: -1\nb: -.5\nc: :x\nd: ?y\ne: -z\n",
    "a: 1   \nb:   2\n   \n",
    "a: &x\n  b: 1\nc: &y 2\n",
    "a: \u00e9t\u00e9 \u2603 \U0001f600\nb:\n  \u00e9: \U0001f600x\n",
    "a:\n  - b: 1\n    c:\n      - d\n  - e: |\n      t\n",
    "a:\n  -\n    b: 1\n  -\n    - c\n",
    "a:\n    b: 1\n    c:\n        d: 2\n",
    "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n",
    "a: 'it''s'\nb: \"\\u00e9\\t\"\nc: \"\\x41\"\n",
    "a: 1\nb: 2\n...\n",
    "a: x #y\nb: x#y\n",
    "a: 2001-01-01\nb: 1.10\nversion: 2\nc: 0o7\nd: 200\n",
    "a:\n\n\n  b: 1\n\n\nc: 2\n\n\n",
    "a: >\n  x\nb: |+\n  y\n\nc: |-\n  z\n",
    "a: |\n  x\n",
    "a: |\n  x",
    "a: |\n  x\n\n\n",
    "a:\n  b: |\n    x\n",
    "- |\n  x\n- y\n",
    "a:\n  - |\n    x\n  - y\nb:\n  - |\n    x\n",
    "key with spaces: 1\n'quoted key' : 2\n",
    "a: !Ref x\nb:\n  c: !Sub |\n    text\nd: 1\n",
    "a: !GetAtt x.y\nb: [!Ref c]\n",
    "{a: 1, b: {c: 2}}\n",
    "[1, [2, 3]]\n",
    "just a scalar\n",
    "a:\n  b:\n    - {c: 1}\n    - [d]\n  e: 2\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_positions_from_the_text_are_the_loops(text):
    _agree(text)
    document = load_yaml(text)
    composed = compose_yaml(text)
    for path in _paths(composed.data):
        assert document.locate(path) == composed.locate(path), (text, path)


@pytest.mark.parametrize("text", SHARED)
def test_positions_through_aliases_are_the_loops(text):
    """A node inside an aliased value is where its anchor wrote it; the alias itself where it is written."""
    document, composed = fast_load(text), compose_yaml(text)
    assert document is not None
    for path in _paths(composed.data):
        assert document.locate(path) == composed.locate(path), (text, path)
    if "{" not in text and "[" not in text:
        assert document._composed is None  # block style: the text alone vouched for them


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(shared=_DATA, other=_DATA, flow=st.sampled_from([None, False]), indent=st.sampled_from([2, 4]))
def test_generated_aliases_read_and_place_as_in_the_loop(shared, other, flow, indent):
    """PyYAML writes an anchor and aliases for a value used more than once (as the generator of a
    large definition did); the fast path reads them as the loop does, or leaves them to it."""
    data = {"a": shared, "b": [shared, other, {"c": shared}], "d": {"e": other, "f": shared}}
    text = yaml.dump(data, default_flow_style=flow, allow_unicode=True, sort_keys=False, indent=indent)
    composed = compose_yaml(text)
    document = fast_load(text)
    if document is None or composed.problems:
        return
    assert _shared_alike(document.data, composed.data), text
    for path in _paths(composed.data):
        assert document.locate(path) == composed.locate(path), (text, path)


@pytest.mark.parametrize("text", [
    "a: 1\nb:\n  c: 2\n  d:\n  - x\n  - y\ne: 3\n",
    "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n",
    "a:\n  - b: 1\n    c:\n      - d\n  - e: -1\n",
    "a: {}\nb: []\nc: ~\nd:\n",
])
def test_block_style_is_read_from_the_text_alone(text):
    answered, asked = _agree(text)
    assert answered == asked


@pytest.mark.parametrize("text, path", [
    ("a: \"x\nb: y\"\nc: 1\n", ("c",)),  # a line in a quoted scalar looks like a key
    ("a: 'x\nb: y'\nb: 1\n", ("b",)),
    ("a: [1,\n2]\nb: 2\n", ("b",)),  # a flow collection goes on left of the mapping
    ("{a: 1, b: {c: 2}}\n", ("b", "c")),
    ("&x a: 1\n", ("a",)),
])
def test_what_the_text_cannot_vouch_for_is_left_to_the_loop(text, path):
    assert BlockSpans(text, compose_yaml(text).data).locate(path) is None


def test_lines_of_one_entry_are_composed_once_and_no_more_than_the_file():
    entries = "".join(f"  /p{n}: {{get: {{x: {n}}}}}\n" for n in range(50))
    text = "openapi: 3.0.1\npaths:\n" + entries
    document = fast_load(text)
    assert document is not None
    spans = BlockSpans(text, document.data)
    composed = compose_yaml(text)
    for n in range(50):
        path = ("paths", f"/p{n}", "get", "x")
        assert spans.locate(path) == composed.locate(path)
        assert spans.locate(path) == composed.locate(path)
    assert spans._composed_length <= len(text)
    flow = "openapi: 3.0.1\npaths: {" + ", ".join(f"/p{n}: {{get: {{x: {n}}}}}" for n in range(50)) + "}\n"
    spans, composed = BlockSpans(flow, compose_yaml(flow).data), compose_yaml(flow)
    for n in range(50):
        path = ("paths", f"/p{n}", "get", "x")
        assert spans.locate(path) == composed.locate(path)
    assert spans._composed_length == len(flow) - len("openapi: 3.0.1\n")


def test_pyyaml_is_not_imported_for_block_style_positions():
    script = (
        "import sys\n"
        "from apilint.load.fastyaml import load_yaml\n"
        "document = load_yaml('openapi: 3.0.0\\npaths:\\n  /a:\\n    get: {}\\n  /b: {x: [1]}\\n')\n"
        "print(document.locate(('paths', '/a', 'get'))[0].line, 'yaml' in sys.modules)\n"
        "print(document.locate(('paths', '/b', 'x', 0))[0].column, 'yaml' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[:2] == ["4 False", "12 True"]


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=_DATA, flow=st.sampled_from([None, False, True]), style=st.sampled_from([None, "'", '"', "|", ">"]),
       width=st.sampled_from([20, 80, 1000]), indent=st.sampled_from([2, 4]))
def test_generated_documents_give_the_loops_positions(data, flow, style, width, indent):
    text = yaml.dump(data, default_flow_style=flow, default_style=style, width=width, allow_unicode=True,
                     sort_keys=False, indent=indent)
    if compose_yaml(text).problems == []:
        _agree(text)


def _fast_texts(*folders: Path) -> dict[Path, str]:
    texts = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
                continue
            text, _ = decode(path.read_bytes())
            if text is not None and text.strip() and fast_load(text) is not None:
                texts[path] = text
    return texts


def test_every_node_of_every_fast_yaml_file_is_where_the_loop_puts_it(corpus):
    answered = asked = 0
    for text in _fast_texts(corpus, REPO / "fixtures").values():
        found, paths = _agree(text)
        answered, asked = answered + found, asked + paths
    assert asked > 50_000
    assert answered > 0.95 * asked  # the text vouches for nearly every position


def test_the_corpus_findings_are_where_the_loop_puts_them(corpus):
    result = run_cli("check", "--format", "json", "--jobs", "1", "openapi", "templates", cwd=corpus)
    assert result.code in (0, 1), result.err
    texts = _fast_texts(corpus / "openapi", corpus / "templates")
    paths: dict[Path, list[tuple[Any, ...]]] = {}
    for finding in result.json()["findings"]:
        file = (corpus / finding["file"]).resolve()
        if file in texts:
            paths.setdefault(file, []).append(tuple(finding["path"]))
    assert sum(map(len, paths.values())) > 100
    for file, file_paths in paths.items():
        _agree(texts[file], file_paths)
        document, composed = load_yaml(texts[file]), compose_yaml(texts[file])
        assert [document.locate(path) for path in file_paths] == [composed.locate(path) for path in file_paths]
