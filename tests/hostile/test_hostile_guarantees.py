"""What apilint promises whatever it reads: no writes, no network, and the exit-code contract."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli
from tests.hostile.conftest import assert_contract, check

REMOTE_TEMPLATE = textwrap.dedent("""\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Included:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionBody:
            Fn::Transform:
              Name: AWS::Include
              Parameters: {Location: "https://example.com/api.yaml"}
      ShortIncluded:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionBody: !Transform {Name: AWS::Include, Parameters: {Location: "s3://bucket/api.yaml"}}
      FromUri:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionUri: https://example.com/api.yaml
      FromS3:
        Type: AWS::ApiGateway::RestApi
        Properties:
          BodyS3Location: {Bucket: bucket, Key: api.yaml}
      Local:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionUri: api.yaml
    """)
REMOTE_API = textwrap.dedent("""\
    openapi: 3.0.1
    info: {title: Remote, version: "1.0"}
    paths:
      /a:
        $ref: "https://example.com/paths.yaml#/a"
      /b:
        get:
          responses:
            "200": {$ref: "http://169.254.169.254/latest/meta-data/iam/security-credentials/"}
            "201": {$ref: "//example.com/r.yaml"}
            "202": {$ref: "ftp://example.com/r.yaml"}
          x-amazon-apigateway-integration:
            $ref: "https://example.com/integration.json"
    components:
      schemas:
        S: {$ref: "https://json-schema.org/draft/2020-12/schema"}
    """)


def project(tmp_path: Path) -> Path:
    """A folder of definitions: remote references, remote templates, and every rule's fixtures."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "rules", root / "rules")
    shutil.copytree(FIXTURES / "examples", root / "examples")
    (root / "template.yaml").write_text(REMOTE_TEMPLATE)
    (root / "api.yaml").write_text(REMOTE_API)
    return root


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file below ``root``: content hash, modification time and mode."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            info = path.stat()
            state[str(path.relative_to(root))] = (hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime_ns,
                                                  info.st_mode)
    return state


@pytest.fixture
def offline(monkeypatch):
    """Every way out to the network raises (and is recorded)."""
    attempts: list[str] = []

    def refuse(name):
        def refused(*args, **kwargs):
            attempts.append(f"{name}{args[1:2] if name.startswith('socket.') else args[:1]}")
            raise OSError(f"apilint tried the network: {name}")
        return refused

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    return attempts


def test_checking_writes_nothing_and_opens_no_connection(tmp_path, offline):
    root = project(tmp_path)
    before = snapshot(root)
    for args in (["--format", "json", "."], ["--verbose", "."], ["--format", "sarif", "."], ["api.yaml"],
                 ["template.yaml"], ["--jobs", "1", "--select", "AG006", "."]):
        result = run_cli("check", *args, cwd=root)
        assert_contract(result)
        assert result.code in (0, 1)
    assert snapshot(root) == before
    assert offline == []


def test_remote_references_are_reported_as_not_followed(tmp_path, offline):
    root = project(tmp_path)
    result = check("--select", "AG006", "--format", "json", "api.yaml", cwd=root)
    remote = [f["line"] for f in result.json()["findings"] if f["message"].startswith("remote $ref")]
    assert remote == [5, 9, 10, 11, 13, 16]
    assert offline == []


def test_remote_template_locations_are_named_and_not_fetched(tmp_path, offline):
    root = project(tmp_path)
    result = check("--verbose", "template.yaml", cwd=root)
    assert "https://example.com/api.yaml is not a local file" in result.out
    assert offline == []


def test_the_engine_runs_offline_even_with_several_workers(tmp_path, offline):
    root = project(tmp_path)
    result = run_cli("check", "--jobs", "2", "--format", "json", ".", cwd=root)
    assert_contract(result)
    assert offline == []


# --- exit codes ------------------------------------------------------------------------------------

def test_exit_codes_for_clean_failing_and_misused_runs(tmp_path):
    (tmp_path / "good.yaml").write_text((FIXTURES / "rules" / "AG001" / "good.yaml").read_text())
    (tmp_path / "bad.yaml").write_text("openapi: 3.0.1\ninfo: [\n")
    assert check("--select", "AG001", "good.yaml", cwd=tmp_path).code == 0
    assert check("--select", "AG001", "bad.yaml", cwd=tmp_path).code == 1
    for usage in (["missing.yaml"], ["--select", "AG999", "good.yaml"], ["--format", "nope", "good.yaml"],
                  ["--no-such-flag", "good.yaml"], ["--fail-on", "fatal", "good.yaml"], []):
        result = run_cli("check", *usage, cwd=tmp_path)
        assert_contract(result, codes=(2,))


@pytest.fixture
def broken_rule(monkeypatch):
    """A rule whose check raises, as a bug in apilint would."""
    from apilint.rules import find_rule

    rule = find_rule("AG006")

    def boom(api, run):
        raise ZeroDivisionError("a bug in a check")

    monkeypatch.setattr(rule, "_check", boom)
    return rule


def test_an_internal_error_is_reported_as_a_bug_with_exit_code_3(broken_rule):
    result = run_cli("check", str(FIXTURES / "rules" / "AG006" / "good.yaml"))
    assert result.code == 3
    assert "Traceback" not in result.err
    assert result.err.startswith("apilint: internal error: ZeroDivisionError: a bug in a check\n")
    assert "This is a bug in apilint. Please report it" in result.err
    assert "--debug" in result.err


def test_debug_shows_the_traceback_of_an_internal_error(broken_rule):
    result = run_cli("check", "--debug", str(FIXTURES / "rules" / "AG006" / "good.yaml"))
    assert result.code == 3
    assert "Traceback (most recent call last)" in result.err and "ZeroDivisionError" in result.err


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symbolic_link_loop_among_the_files(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert check(".", cwd=tmp_path).code in (0, 2)
    assert check("a.yaml", cwd=tmp_path).code == 2


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symbolic_link_out_of_the_root_is_not_read(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "secret.yaml").write_text("dup: 1\ndup: hunter2-do-not-print\n")
    (root / "leak.yaml").symlink_to(tmp_path / "secret.yaml")
    result = check("--format", "json", ".", cwd=root)
    assert "dup" not in result.out and result.json()["findings"] == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_named_symbolic_link_out_of_the_root_is_not_read(tmp_path):
    """CI names files; a pull request can turn one of them into a link to a secret outside the checkout."""
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "secret.yaml").write_text("dup: 1\ndup: hunter2-do-not-print\n")
    (root / "openapi.yaml").symlink_to(tmp_path / "secret.yaml")
    result = run_cli("check", "--format", "json", "openapi.yaml", cwd=root)
    assert_contract(result)
    assert "dup" not in result.out + result.err and result.code in (0, 2)


@pytest.mark.parametrize("size", ["abc", "1e999", "nan", "-5"])
def test_a_malformed_size_limit_is_a_usage_error(tmp_path, size):
    (tmp_path / "api.yaml").write_text("openapi: 3.0.1\n")
    result = run_cli("check", f"--max-file-size={size}", "api.yaml", cwd=tmp_path)
    assert_contract(result, codes=(2,))
