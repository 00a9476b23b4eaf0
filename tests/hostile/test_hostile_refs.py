"""``$ref`` that loops, dangles, leaves the repository or points at the network: reported, never followed."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tests.hostile.conftest import check, messages


def api(responses: str, components: str = "") -> str:
    """An OpenAPI document whose GET /a has the given responses (YAML flow entries, one per line)."""
    body = "".join(f"        {line}\n" for line in responses.strip().splitlines())
    return (
        'openapi: 3.0.1\ninfo: {title: Refs, version: "1.0"}\npaths:\n  /a:\n    get:\n      responses:\n'
        + body + (("components:\n" + textwrap.indent(textwrap.dedent(components), "  ")) if components else "")
    )


def ag006(tmp_path: Path, name: str = "api.yaml") -> list[tuple[int, str]]:
    result = check("--select", "AG006", "--format", "json", name, cwd=tmp_path)
    assert result.code in (0, 1)
    return [(f["line"], f["message"]) for f in result.json()["findings"] if f["file"] == name]


def test_a_reference_to_itself(tmp_path):
    (tmp_path / "api.yaml").write_text(api('"200": {$ref: "#/paths/~1a/get/responses/200"}'))
    [(line, message)] = ag006(tmp_path)
    assert line == 7 and message.startswith("circular $ref")


def test_a_loop_inside_the_document(tmp_path):
    (tmp_path / "api.yaml").write_text(api('"200": {$ref: "#/components/responses/A"}', """\
        responses:
          A: {$ref: "#/components/responses/B"}
          B: {$ref: "#/components/responses/A"}
        """))
    reported = ag006(tmp_path)
    assert [line for line, _ in reported] == [10, 11]
    assert all(message.startswith("circular $ref") for _, message in reported)


def test_a_local_loop_is_reported_once_another_reference_fails(tmp_path):
    (tmp_path / "api.yaml").write_text(api('"200": {$ref: "#/components/responses/A"}\n"404": {$ref: "#/nothing"}', """\
        responses:
          A: {$ref: "#/components/responses/B"}
          B: {$ref: "#/components/responses/A"}
        """))
    reported = ag006(tmp_path)
    assert [(line, message[:14]) for line, message in reported] == [
        (8, "$ref '#/nothin"), (11, "circular $ref:"), (12, "circular $ref:")]


def test_a_loop_through_several_files(tmp_path):
    (tmp_path / "api.yaml").write_text(api('"200": {$ref: "one.yaml#/R"}'))
    (tmp_path / "one.yaml").write_text('R: {$ref: "two.yaml#/R"}\n')
    (tmp_path / "two.yaml").write_text('R: {$ref: "sub/three.yaml#/R"}\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "three.yaml").write_text('R: {$ref: "../one.yaml#/R"}\n')
    result = check("--select", "AG006", "--format", "json", "api.yaml", cwd=tmp_path)
    assert [(f["file"], f["message"][:14]) for f in result.json()["findings"]] == [("one.yaml", "circular $ref:")]


def test_a_chain_longer_than_the_limit(tmp_path):
    links = "\n".join(f'L{i}: {{$ref: "#/components/links/L{i + 1}"}}' for i in range(80))
    (tmp_path / "api.yaml").write_text(
        api('"200": {$ref: "#/components/links/L0"}', "links:\n" + textwrap.indent(links + "\nL80: {}\n", "  ")))
    reported = ag006(tmp_path)
    assert reported and any("longer than 64 steps" in message for _, message in reported)


@pytest.mark.parametrize("ref,expected", [
    ("missing.yaml", "cannot be followed: missing.yaml: cannot read"),
    ("#/components/schemas/Missing", "points at nothing"),
    ("#/paths/~1a/get/responses/99999999999999999999999999999999999", "points at nothing"),
    ("#no-slash", "malformed JSON pointer"),
    ("other.yaml#/no/such/pointer", "points at nothing"),
    ("https://example.com/api.yaml#/R", "remote $ref"),
    ("http://169.254.169.254/latest/meta-data/", "remote $ref"),
    ("//example.com/api.yaml", "remote $ref"),
    ("file:///etc/passwd", "remote $ref"),
    ("../../../../../../../../../etc/passwd", "lies outside"),
    ("/etc/passwd", "lies outside"),
    ("%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/hostname", "lies outside"),
    ("folder", "is a directory"),
    ("folder.yaml", "is a directory"),
    (".git/config", "hidden"),
    (".env.yaml", "hidden"),
    ("notes.txt", "only .yaml, .yml and .json files"),
    ("empty.yaml", "cannot be followed: empty.yaml"),
    ("broken.yaml", "cannot be followed: broken.yaml:2:1: YAML syntax error"),
])
def test_references_that_cannot_be_followed(tmp_path, ref, expected):
    (tmp_path / "api.yaml").write_text(api(f'"200": {{$ref: "{ref}"}}'))
    (tmp_path / "other.yaml").write_text("a: 1\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text('[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n')
    (tmp_path / ".env.yaml").write_text("TOKEN: secret-token\n")
    (tmp_path / "notes.txt").write_text("a: 1\n")
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "broken.yaml").write_text("a: [\n")
    [(line, message)] = ag006(tmp_path)
    assert line == 7 and expected in message, message


def test_a_refused_file_is_neither_read_nor_shown(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2-do-not-print\n")
    (project / "link.yaml").symlink_to(secret)
    (project / "api.yaml").write_text(api('"200": {$ref: "../secret.yaml#/password"}\n'
                                          '"201": {$ref: "link.yaml#/password"}'))
    result = check("--format", "json", "api.yaml", cwd=project)
    assert "hunter2" not in result.out + result.err
    refused = messages(result, "AG006")
    assert len(refused) == 2 and all("lies outside" in message for message in refused)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symbolic_link_loop_as_a_reference_target(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    (tmp_path / "api.yaml").write_text(api('"200": {$ref: "a.yaml#/R"}'))
    [(line, message)] = ag006(tmp_path)
    assert line == 7 and "symbolic link loop" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_as_a_reference_target_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "api.yaml").write_text(api('"200": {$ref: "pipe.yaml#/R"}'))
    [(_, message)] = ag006(tmp_path)
    assert "named pipe" in message


def test_template_definitions_from_remote_locations_are_not_fetched(tmp_path):
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionBody:
                Fn::Transform:
                  Name: AWS::Include
                  Parameters: {Location: "https://example.com/api.yaml"}
          Outside:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionUri: ../../../../etc/passwd
        """))
    result = check("-v", "template.yaml", cwd=tmp_path)
    assert result.code == 0
    assert "https://example.com/api.yaml is not a local file" in result.out
    assert "lies outside" in result.out


def test_template_definitions_in_hidden_folders_are_not_read(tmp_path):
    (tmp_path / ".secrets").mkdir()
    (tmp_path / ".secrets" / "token.json").write_text('{"openapi": "hunter2-token", "paths": {}}')
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionUri: .secrets/token.json
        """))
    result = check("-v", "template.yaml", cwd=tmp_path)
    assert "hunter2" not in result.out + result.err
    assert ".secrets/token.json is not read: it is a hidden file" in result.out


def test_many_referenced_files_stop_at_the_limit(tmp_path, monkeypatch):
    from apilint.load.limits import Limits

    monkeypatch.setattr(Limits, "max_ref_files", 3)
    lines = "\n".join(f'"{200 + i}": {{$ref: "r{i}.yaml#/R"}}' for i in range(5))
    for index in range(5):
        (tmp_path / f"r{index}.yaml").write_text("R: {description: ok}\n")
    (tmp_path / "api.yaml").write_text(api(lines))
    reported = ag006(tmp_path)
    assert len(reported) == 2 and all("3 files, apilint's limit" in message for _, message in reported)
