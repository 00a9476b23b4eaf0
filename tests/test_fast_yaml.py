"""The fast YAML path reads every text exactly as apilint's own loop does, or leaves it to the loop.

``fast_load`` either returns None (the loop reads the file) or data identical to what
``compose_yaml`` builds: same types, same key order, keys and versions as written, and no problem
the loop would report. Hand-picked texts, generated documents in every PyYAML style and every YAML
file of the corpus hold it to that.
"""

from __future__ import annotations

import codecs
import math
import subprocess
import sys
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apilint.load import fastyaml
from apilint.load.fastyaml import fast_load, load_yaml
from apilint.load.limits import Limits
from apilint.load.source import decode, parse_text, read_source
from apilint.load.yamlload import compose_yaml

pytestmark = pytest.mark.skipif(fastyaml._parser() is None, reason="yaml_rs is not installed")


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _check(text: str) -> bool:
    """Assert the fast path agrees with the loop; True when the fast path took the text."""
    fast = fast_load(text)
    if fast is None:
        return False
    composed = compose_yaml(text)
    assert composed.problems == [], (text, composed.problems)
    assert _same(fast.data, composed.data), (text, fast.data, composed.data)
    return True


# Texts the loop must read: the fast path would lose something apilint reports or keeps.
TO_THE_LOOP = [
    "a: !Ref Foo\n",
    "a:\n  !Ref Foo\n",
    "a: [b, !GetAtt X.Y]\n",
    "a: {b: !Sub x}\n",
    "- !If [c, a, b]\n",
    "a: 1\na: 2\n",
    "a: {b: 1, b: 2}\n",
    "200: a\n'200': b\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "? [a, b]\n: c\n",
    "? a\n: b\n",
    "<<: {a: 1}\n",
    "a: 0x1F\n",
    "a: -0o17\n",
    "a: 0b101\n",
    "a: 1_000\n",
    "a: .Inf\n",
    "a: [.NaN]\n",
    "0200: a\n",
    "+200: a\n",
    "1.50: a\n",
    "true: a\n",
    "~: a\n",
    "null: a\n",
    "openapi: 3.00\n",
    "info:\n  version: 1.10\n",
    "info:\n  version:\n    1.10\n",
    "info: {version: 1e3}\n",
    "a: 'x'\r\nb: y\r\n",
    "a:\tb\n",
    "a: b\x85c\n",
    "a: b\u2028c\n",
    "a: \x01\n",
    "a: " + "9" * 5000 + "\n",
    "a:\n" + "".join(" " * level + "b:\n" for level in range(1, 400)) + " " * 400 + "c\n",
    "[" * 400 + "]" * 400 + "\n",
]

# Texts the fast path takes, with the data the loop builds for them.
FAST = [
    "openapi: 3.0.1\ninfo: {title: t, version: '1.0'}\npaths: {}\n",
    "openapi: 3.0\n",  # str(3.0) is what is written: the version stays "3.0"
    "openapi: '3.1.0'\ninfo:\n  version: 2\n  x-api-version: 10\n",
    "responses:\n  200:\n    description: ok\n  404: {description: missing}\n",
    "a: 012\nb: 1e3\nc: -.5\nd: .inf\ne: ~\nf: yes\ng: 2024-01-01\nh: True\n",
    "a: 123456789012345678901234567890\n",
    "---\na: 1\n",
    "# comment\n---\na: 1\n",
    "a: b # !Ref c\n",
    "description: 'Hello !world [!NOTE], a?b'\n",
    "description: \"x, !y\"\n",
    "description: >\n  !important\n  text\n",
    "description: |\n  * bullet\n  ? maybe\n  !bang\n",
    "description: text that\n  !goes on\n",
    "a: &anchor {b: 1}\n",
    "a: see *note\nb: 1\n",  # a * in a scalar's text where an alias could start: no alias, read as written
    "query: user_email:*@example.com\n",
    "a: it's [!x]\n",
    "list: [a, 'b, !c', \"d\"]\n",
    "a: 0x\nb: x0x1\nc: 1.0.0\nd: v1_2\n",
    "- - a\n  - b\n- c\n",
    "",
    "# only a comment\n",
    "a: \u00e9t\u00e9 \u2603 \U0001f600\n",
]


@pytest.mark.parametrize("text", TO_THE_LOOP)
def test_what_only_the_loop_reads_as_apilint_means_goes_to_the_loop(text):
    assert fast_load(text) is None
    assert type(load_yaml(text)).__name__ == "YamlDocument"


@pytest.mark.parametrize("text", FAST)
def test_plain_definitions_take_the_fast_path_with_the_same_data(text):
    if not text.strip():
        assert load_yaml(text).data is None
        return
    assert _check(text), text


def _shared_alike(a: Any, b: Any) -> bool:
    """The same data, with the same collections shared (one object in one wherever one in the other)."""
    pairs: dict[int, int] = {}
    back: dict[int, int] = {}
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if not isinstance(x, (dict, list)) or not x:
            if not _same(x, y):
                return False
            continue
        if type(x) is not type(y) or pairs.setdefault(id(x), id(y)) != id(y) or back.setdefault(id(y), id(x)) != id(x):
            return False
        if isinstance(x, dict):
            if list(x) != list(y):
                return False
            stack.extend((x[key], y[key]) for key in x)
        else:
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
    return True


# Aliases the fast path shares as the loop does: a value written at each alias is its anchored value itself.
SHARED = [
    "a: &x {b: 1}\nc: *x\n",
    "a: &x 1\nb: *x\n",
    "a: &x\n  k: v\n  n:\n  - 1\nb:\n- &y\n  k: v\n- &s text\n- *s\n- *y\nc: *x\nd: &z text  # c\n",
    "a: &x\n  b: &y\n    c: 1\nd: *y\ne: *x\nf: &y [2]\ng: *y\n",  # an anchor named again
    ("paths:\n  /a:\n    get:\n      responses: &id001\n        '200':\n          description: ok\n"
     "  /b:\n    get:\n      responses: *id001\n    post:\n      responses: *id001\n"),
]

# Aliases the text cannot say enough about: the loop reads them.
ALIASES_TO_THE_LOOP = [
    "a: &x {b: 1}\nc: [*x]\n",  # in a flow collection
    "a: &x k\n*x : 1\n",  # as a key
    "a: &x {b: 1}\nc:\n  *x\n",  # on the line below its key
    "a: &x {b: 1}\nd: 'Tom &x is'\nc: *x\n",  # an ``&x`` in text is nearer than the anchor
    "a: &x {b: 1}\nc: *x\nd: see *this\n",  # a ``*`` in text where an alias may start
    "a: &x.1 {b: 1}\nc: *x.1\n",  # a name libyaml reads otherwise
    "a: &x {b: 1}\nc: *y\n",  # no such anchor
]


@pytest.mark.parametrize("text", SHARED)
def test_aliases_share_the_anchored_value_as_the_loop_does(text):
    fast, composed = fast_load(text), compose_yaml(text)
    assert fast is not None and composed.problems == []
    assert _shared_alike(fast.data, composed.data), (fast.data, composed.data)


@pytest.mark.parametrize("text", ALIASES_TO_THE_LOOP)
def test_aliases_the_text_cannot_place_go_to_the_loop(text):
    assert fast_load(text) is None


def test_what_aliases_repeat_is_bounded_as_in_the_loop(monkeypatch):
    text = "a: &x [1, 2, 3]\nb: *x\nc: *x\n"
    monkeypatch.setattr(Limits, "max_alias_nodes", 8)  # two aliases repeat 4 nodes each
    assert fast_load(text) is not None
    monkeypatch.setattr(Limits, "max_alias_nodes", 7)
    assert fast_load(text) is None
    assert [problem.code for problem in compose_yaml(text).problems] == ["AG005"]


def test_a_long_text_aliased_many_times_is_not_copied(monkeypatch):
    """The parser never copies an anchored value: 2,000 aliases of a 1 MB text would be 2 GB."""
    import tracemalloc

    text = "a: &x " + "y" * 1_000_000 + "\n" + "".join(f"b{i}: *x\n" for i in range(2000))
    tracemalloc.start()
    try:
        assert fast_load(text) is None  # over the limit on repeated text: the loop reports it
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000
    assert [problem.code for problem in compose_yaml(text).problems] == ["AG005"]


def test_versions_and_integer_keys_become_the_strings_written():
    data = fast_load("openapi: 3.0\ninfo:\n  version: 2\nresponses:\n  200: {}\n  '201': {}\n")
    assert data is not None
    assert data.data == {"openapi": "3.0", "info": {"version": "2"}, "responses": {"200": {}, "201": {}}}


def test_positions_are_found_when_asked_for():
    text = "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n"
    document = load_yaml(text)
    assert document is not None and document.data["paths"]["/a"]["get"]
    span, matched = document.locate(("paths", "/a", "get", "x-amazon-apigateway-integration", "type"))
    assert (span.line, span.column, matched) == (6, 9, 5)
    assert document.locate(("paths", "/b")) == compose_yaml(text).locate(("paths", "/b"))


@pytest.mark.parametrize("bom,encoding", [(b"", "utf-8"), (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")])
def test_the_parser_reads_the_bytes_of_the_file(monkeypatch, tmp_path, bom, encoding):
    """A UTF-8 file's bytes go to the parser as read (without a byte-order mark), not encoded again."""
    text = "openapi: 3.0.1\ninfo: {title: Café ☕, version: '1'}\npaths:\n  /a: {get: {}}\n"
    raw = bom + text.encode(encoding)
    given: list[bytes] = []
    plain_enough = fastyaml._plain_enough
    monkeypatch.setattr(fastyaml, "_plain_enough", lambda t, b, limits: given.append(b) or plain_enough(t, b, limits))
    source = read_source(tmp_path / "api.yaml", "api.yaml", read_bytes=lambda path, display, limit: raw)
    assert type(source.document).__name__ == "FastYamlDocument"
    assert source.data == parse_text(tmp_path / "api.yaml", "api.yaml", text).data
    assert source.data["info"]["title"] == "Café ☕"
    assert given[0] == text.encode("utf-8")
    if not bom:
        assert given[0] is raw
    assert source.locate(("paths", "/a", "get")) == compose_yaml(text).locate(("paths", "/a", "get"))[0]


def test_the_loop_reads_everything_without_the_compiled_parser(monkeypatch):
    monkeypatch.setattr(fastyaml, "_parser", lambda: None)
    document = load_yaml("a: 1\n")
    assert type(document).__name__ == "YamlDocument" and document.data == {"a": 1}


def test_pyyaml_is_imported_only_when_the_loop_runs():
    """A small file the fast path reads needs no PyYAML, even for a position in block style."""
    script = (
        "import sys\n"
        "from apilint.load.fastyaml import load_yaml\n"
        "document = load_yaml('openapi: 3.0.0\\npaths:\\n  /a: {}\\n')\n"
        "print(type(document).__name__, 'yaml' in sys.modules)\n"
        "print(document.locate(('paths', '/a'))[0].line, 'yaml' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[:2] == ["FastYamlDocument False", "3 False"]


def test_small_limits_leave_every_text_to_the_loop(monkeypatch):
    monkeypatch.setattr(Limits, "max_depth", 10)
    assert fast_load("a: 1\n") is None


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=True),
    st.sampled_from(["", "~", "null", "yes", "012", "0x1F", "1_000", ".Inf", "1.10", "3.0", "2024-01-01",
                     "!Ref x", "&a", "*a", "? q", "- d", "a: b", "# c", "[!NOTE]", "x, !y", "'", '"', "\\",
                     "multi\nline", "  lead", "trail  ", "\u00e9", "0o17", "+1", "-0", "1e3", ".5"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)
_KEYS = st.one_of(st.sampled_from(["openapi", "version", "x-version", "200", "a", "b b", "!k", "&k", "true",
                                   "1.50", "0200", "?", "-"]), st.text(max_size=6))
_DATA = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=_DATA, flow=st.sampled_from([None, False, True]), style=st.sampled_from([None, "'", '"', "|", ">"]),
       width=st.sampled_from([20, 80, 1000]))
def test_generated_documents_read_the_same_in_every_style(data, flow, style, width):
    text = yaml.dump(data, default_flow_style=flow, default_style=style, width=width, allow_unicode=True,
                     sort_keys=False)
    _check(text)


def test_pyyaml_dumps_of_a_definition_take_the_fast_path():
    """What large public definitions look like (dumped by PyYAML): the fast path must take them."""
    definition = {
        "openapi": "3.0.1",
        "info": {"title": "Orders", "version": "1.0", "description": "Say [!NOTE] and a?b, !c"},
        "paths": {f"/orders/{n}": {"get": {"responses": {"200": {"description": "ok"}},
                                           "parameters": [{"name": "id", "in": "path", "required": True}]}}
                  for n in range(20)},
    }
    assert _check(yaml.dump(definition, default_flow_style=False, sort_keys=False, width=40))
    _check(yaml.dump(definition, default_flow_style=None, sort_keys=False, width=40))  # may go to the loop
    del definition["info"]["description"]
    assert _check(yaml.dump(definition, default_flow_style=None, sort_keys=False, width=40))


def test_every_corpus_yaml_file_reads_the_same(corpus):
    taken = 0
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            continue
        text, _ = decode(path.read_bytes())
        if text is None or not text.strip():
            continue
        taken += _check(text)
    assert taken > 100  # most of the corpus takes the fast path
