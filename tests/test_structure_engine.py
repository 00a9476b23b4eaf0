"""The fast structural validator reports the same problems as openapi-spec-validator on the corpus.

The fast engine validates against the schema files openapi-spec-validator ships, with a compiled
validator, plus the path-parameter check openapi-spec-validator adds; this test holds the two to the
same answers on every bare OpenAPI file of the corpus (and on a few broken documents of our own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apilint.apis import kind_of
from apilint.checks.structure import _duplicate_parameters, _path_parameters, schema_problems
from apilint.load.refs import RefResolver
from apilint.load.source import read_source
from apilint.model import Api, ApiType, Pointer


def _version(document: dict) -> str:
    if "swagger" in document:
        return "2.0"
    return "3.1" if str(document.get("openapi", "")).startswith("3.1") else "3.0"


def _fast(source) -> tuple[set[str], int]:
    document = source.data
    paths = {"/".join(map(str, path)) for path, _ in schema_problems(document, _version(document))}
    api = Api(label="t", source=source, doc_at=Pointer(source, ()), document=document, api_type=ApiType.REST,
              api_type_reason="", resolver=RefResolver(source.path.parent, lambda p: read_source(p, p.name)))
    return paths, len(list(_path_parameters(api))) + len(list(_duplicate_parameters(api)))


def _reference(document: dict) -> tuple[set[str], int]:
    from openapi_spec_validator import (
        OpenAPIV2SpecValidator,
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    cls = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}[_version(document)]
    paths: set[str] = set()
    unresolved = 0
    for error in cls(document).iter_errors():
        if type(error).__name__ in {"UnresolvableParameterError", "ParameterDuplicateError"}:
            unresolved += 1
        else:
            paths.add("/".join(map(str, error.absolute_path)))
    return paths, unresolved


def _same(fast: tuple[set[str], int], reference: tuple[set[str], int]) -> bool:
    """Equal answers; openapi-spec-validator gives 3.1 schema-object paths relative to the schema,
    where apilint gives them from the document root, so a reference path may be a suffix."""
    fast_paths, fast_count = fast
    reference_paths, reference_count = reference
    if fast_count != reference_count or len(fast_paths) != len(reference_paths):
        return False
    return all(any(f == r or f.endswith("/" + r) for f in fast_paths) for r in reference_paths)


def _documents(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "openapi").iterdir() if p.is_file())


def test_fast_engine_matches_reference_on_corpus(corpus):
    compared = 0
    for path in _documents(corpus):
        source = read_source(path, path.name)
        if kind_of(source.data) != "openapi":
            continue
        try:
            expected = _reference(source.data)
        except Exception:  # noqa: BLE001, S112 - the reference validator gives up on some inputs
            continue
        assert _same(_fast(source), expected), path.name
        compared += 1
    assert compared >= 100


@pytest.mark.parametrize(
    "text",
    [
        "openapi: 3.0.1\ninfo: {version: '1'}\npaths: {}\n",
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: []\n",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Item:\n      definitions:\n        kind: {type: {enum: [a]}}\n",
    ],
)
def test_fast_engine_matches_reference_on_broken_documents(tmp_path, text):
    path = tmp_path / "api.yaml"
    path.write_text(text)
    source = read_source(path, "api.yaml")
    assert _same(_fast(source), _reference(source.data))
