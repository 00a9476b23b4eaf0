"""Shared set-up for the integration tests: a small project of definitions in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
#: The rules these tests exercise; selecting them keeps the expectations independent of new rules.
CORE = "AG001,AG101,AG201"
#: Where apilint reports the problems in ``data/`` (file, line, column, code, severity).
BAD_HTTP_API = [
    ("apis/bad-http-api.yaml", 19, 9, "AG201", "error"),
    ("apis/bad-http-api.yaml", 30, 9, "AG201", "error"),
    ("apis/bad-http-api.yaml", 42, 9, "AG201", "error"),
    ("apis/bad-http-api.yaml", 45, 5, "AG101", "error"),
]
BROKEN = [("apis/broken.yaml", 8, 1, "AG001", "error")]
REGIONAL = [("apis/regional-rest-api.yaml", 17, 9, "AG201", "warning")]
#: A usage file for the cost section of the Markdown report.
USAGE = """\
region: eu-west-1
apis:
  - name: inventory
    type: http
    definition: apis/good-http-api.yaml
    requests: 5M
"""
CONFIG = """\
files:
  - match: "apis/regional-*.yaml"
    endpoint-type: regional
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with good, bad, broken and unrelated YAML files under ``apis/`` and a configuration."""
    apis = tmp_path / "apis"
    apis.mkdir()
    for name in ("good-http-api.yaml", "bad-http-api.yaml", "broken.yaml", "regional-rest-api.yaml",
                 "not-an-api.yaml"):
        shutil.copy(DATA / name, apis / name)
    (tmp_path / ".apilint.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path
#: Every finding in ``apis/`` of the project, in report order.
ALL_FINDINGS_IN_APIS = sorted(BAD_HTTP_API + BROKEN + REGIONAL)
