"""apilint over every real definition in the shared corpus: no crash, no internal error."""

from __future__ import annotations

from tests.conftest import run_cli


def test_corpus_runs_without_internal_errors(corpus):
    result = run_cli("check", "--format", "json", "--jobs", "1", str(corpus / "openapi"), str(corpus / "templates"))
    assert result.code in (0, 1), result.err
    assert "internal error" not in result.err
    data = result.json()
    assert data["summary"]["files"] >= 380
    # the one YAML file broken by accident is reported at its position
    broken = [f for f in data["findings"] if f["code"] == "AG001" and "apigw-custom-domain-edge" in f["file"]]
    assert [(f["line"], f["column"]) for f in broken] == [(35, 9)]
