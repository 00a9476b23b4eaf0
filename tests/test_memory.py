"""Memory stays flat in the number of files: each file's source is released once its findings are out."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest

from apilint import engine as engine_module
from apilint.config import load_config
from apilint.engine import Engine, RunOptions
from apilint.load.cache import SourceCache
from apilint.load.source import Source
from apilint.parallel import check_files

DEFINITION = """\
openapi: 3.0.1
info: {{title: t{number}, version: '1'}}
paths:
  /items:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: common.yaml#/Item
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f{number}/invocations
        timeoutInMillis: {timeout}
"""


def _tree(tmp_path: Path, count: int) -> list[Path]:
    (tmp_path / "common.yaml").write_text("Item:\n  type: object\n")
    paths = []
    for number in range(count):
        path = tmp_path / f"api{number:02d}.yaml"
        # every third definition has a timeout API Gateway refuses: a finding to report
        path.write_text(DEFINITION.format(number=number, timeout=45_000 if number % 3 == 0 else 29_000))
        paths.append(path)
    return paths


@pytest.fixture
def read_log(monkeypatch):
    """Every source read, as a weak reference, by resolved path."""
    log: list[tuple[Path, weakref.ref[Source]]] = []
    read = engine_module.read_source

    def logged(path, *args, **kwargs):
        source = read(path, *args, **kwargs)
        log.append((Path(path), weakref.ref(source)))
        return source

    monkeypatch.setattr(engine_module, "read_source", logged)
    return log


def test_each_checked_source_is_released_when_its_findings_are_out(tmp_path, read_log):
    paths = _tree(tmp_path, 12)
    engine = Engine(RunOptions(tmp_path, load_config(None)))
    timeouts = []
    for number, path in enumerate(paths):
        result = engine.check_file(path)
        assert [f.file for f in result.findings] == [path.name] * len(result.findings)
        timeouts.append([(f.code, f.line) for f in result.findings if f.code == "AG201"])
        # nothing outlives the check of a file but the shared components file: not even the file
        # just checked (what its API computed for the checks to share dies with the API)
        alive = [p.name for p, ref in read_log if ref() is not None]
        assert alive == ["common.yaml"], (number, alive)
    # findings come out as before: the refused timeout on the line it is written, every third file
    assert timeouts == [[("AG201", 17)] if number % 3 == 0 else [] for number in range(12)]
    # the shared file was read once for all twelve definitions
    assert [p.name for p, _ in read_log].count("common.yaml") == 1
    assert len(engine._sources) == 1


def test_results_keep_the_order_of_the_files(tmp_path, read_log):
    paths = _tree(tmp_path, 9)
    run = RunOptions(tmp_path, load_config(None))
    results = check_files(run, list(reversed(paths)), jobs=1)
    assert [r.file for r in results] == [p.name for p in reversed(paths)]
    refused = [any(f.code == "AG201" for f in r.findings) for r in results]
    assert refused == [int(p.stem[3:]) % 3 == 0 for p in reversed(paths)]
    alive = {p.name for p, ref in read_log if ref() is not None}
    assert alive == set()  # the engine is gone with its cache, and no check keeps an API it saw


def _source(name: str, size: int) -> Source:
    return Source(Path(name), name, "x" * size, None, [])


def test_shared_sources_are_bounded_by_their_text_oldest_evicted_first():
    cache = SourceCache(max_text=100)
    for name in "abc":
        cache.put(Path(name), _source(name, 40))
    assert Path("a") not in cache and Path("b") in cache and Path("c") in cache
    cache.get(Path("b"))  # read again: now the newest
    cache.put(Path("d"), _source("d", 40))
    assert Path("c") not in cache and Path("b") in cache and Path("d") in cache


def test_the_file_being_checked_is_never_evicted_and_one_large_source_stays():
    cache = SourceCache(max_text=100)
    cache.pinned = Path("checked")
    cache.put(Path("checked"), _source("checked", 90))
    cache.put(Path("big"), _source("big", 500))
    assert Path("checked") in cache and Path("big") in cache
    cache.release(Path("checked"))
    assert Path("checked") not in cache and cache.pinned is None
    cache.put(Path("small"), _source("small", 10))
    assert Path("big") not in cache and Path("small") in cache
