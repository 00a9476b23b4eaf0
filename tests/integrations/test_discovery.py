"""``apilint check .`` on a repository: which files it reads, which it skips and why."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from apilint.discover import compile_pattern, discover_files, is_ignored, resolve_all
from tests.conftest import run_cli
from tests.integrations.conftest import CORE, DATA

GOOD = (DATA / "good-http-api.yaml").read_text(encoding="utf-8")
BAD = (DATA / "bad-http-api.yaml").read_text(encoding="utf-8")

GITIGNORE = """\
# build output anywhere
build/
*.generated.yaml
!keep.generated.yaml
/top-only.yaml
docs/**/draft-*.json
"""
NESTED_GITIGNORE = """\
scratch.yaml
!/build-notes.yaml
"""

TREE = {
    "api.yaml": BAD,
    "top-only.yaml": BAD,                      # ignored: anchored pattern at the top
    "nested/top-only.yaml": GOOD,              # kept: the anchored pattern does not reach here
    "build/api.yaml": BAD,                     # ignored folder
    "services/build/api.yaml": BAD,            # ignored folder at any depth
    "services/orders.generated.yaml": BAD,     # ignored glob
    "services/keep.generated.yaml": GOOD,      # re-included by negation
    "services/scratch.yaml": BAD,              # ignored by the nested .gitignore
    "services/deep/scratch.yaml": BAD,         # nested patterns without a slash reach deeper folders
    "docs/v1/beta/draft-api.json": BAD,        # ignored by a ** pattern
    "docs/v1/final-api.json": GOOD,
    "vendor/third-party.yaml": BAD,            # left out by --exclude below
    "node_modules/pkg/openapi.yaml": BAD,      # dependency folder, never walked
    ".github/workflows/ci.yaml": "name: ci\n",  # hidden folder, never walked
    "config/settings.yaml": "debug: true\n",   # YAML that is neither OpenAPI nor a template
    "config/compose.yml": "services: {web: {image: nginx}}\n",
    "README.md": "# not YAML\n",
}
EXPECTED = ["api.yaml", "docs/v1/final-api.json", "nested/top-only.yaml", "services/keep.generated.yaml",
            "vendor/third-party.yaml", "config/compose.yml", "config/settings.yaml"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name, text in TREE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(yaml.safe_load(text)) if name.endswith(".json") else text, encoding="utf-8")
    (tmp_path / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    (tmp_path / "services" / ".gitignore").write_text(NESTED_GITIGNORE, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    return tmp_path


def _relative(files: list[Path], base: Path) -> list[str]:
    return sorted(f.relative_to(base).as_posix() for f in files)


def test_walk_honours_gitignore_hidden_and_dependency_folders(repo: Path):
    found = discover_files([repo])
    assert _relative(found.files, repo) == sorted(EXPECTED)
    # build/, services/build/, top-only.yaml, two generated or scratch files, the draft.
    assert found.gitignored == 7


def test_walk_matches_git_itself(repo: Path):
    """The same candidate files as ``git ls-files --others --exclude-standard`` (when git is here)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.rmtree(repo / ".git")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=repo, check=True,
                            capture_output=True, text=True).stdout.split()
    candidates = sorted(name for name in listed if name.endswith((".yaml", ".yml", ".json"))
                        and not name.startswith((".", "node_modules/")))
    assert _relative(discover_files([repo]).files, repo) == candidates


def test_walk_from_a_subfolder_uses_the_gitignore_files_above(repo: Path):
    found = discover_files([repo / "services"])
    assert _relative(found.files, repo) == ["services/keep.generated.yaml"]


def test_named_files_are_checked_even_if_ignored(repo: Path):
    found = discover_files([repo / "build" / "api.yaml"])
    assert _relative(found.files, repo) == ["build/api.yaml"]


def test_exclude_globs_apply_to_files_and_folders(repo: Path):
    found = discover_files([repo], ["vendor", "*/final-*.json"])
    assert "vendor/third-party.yaml" not in _relative(found.files, repo)
    assert "docs/v1/final-api.json" not in _relative(found.files, repo)
    assert found.excluded == 2


def test_check_dot_reports_only_definitions_and_counts_what_it_skipped(repo: Path):
    result = run_cli("check", "--select", CORE, "--exclude", "vendor", ".", cwd=repo)
    assert result.code == 1
    lines = result.out.splitlines()
    assert [line.split(" [")[0].split(" integration")[0].split(" security")[0] for line in lines[:-1]] == [
        "api.yaml:19:9: error AG201",
        "api.yaml:30:9: error AG201",
        "api.yaml:42:9: error AG201",
        "api.yaml:45:5: error AG101",
    ]
    assert lines[-1] == "Found 4 problems (4 errors, 0 warnings, 0 info) in 4 files."
    verbose = run_cli("check", "--select", CORE, "--exclude", "vendor", "-v", ".", cwd=repo)
    assert "Skipped 2 files that are neither OpenAPI definitions nor templates." in verbose.out
    assert "Left out 8 paths ignored by .gitignore or --exclude." in verbose.out
    assert "config/settings.yaml" not in verbose.out.replace("Skipped", "")


def test_files_that_are_not_apis_are_skipped_silently(repo: Path):
    result = run_cli("check", "config/settings.yaml", "config/compose.yml", cwd=repo)
    assert result.code == 0 and result.err == ""
    assert result.out == ('No API definition or template found in "config/settings.yaml", "config/compose.yml": '
                          "nothing was checked.\n")
    verbose = run_cli("check", "-v", "--format", "json", "config/settings.yaml", cwd=repo)
    assert "skipped 1 that are neither OpenAPI definitions nor templates" in verbose.err


@pytest.mark.parametrize(
    "pattern, path, is_folder, ignored",
    [
        ("*.yaml", "a/b/c.yaml", False, True),
        ("/c.yaml", "c.yaml", False, True),
        ("/c.yaml", "a/c.yaml", False, False),
        ("a/*.yaml", "a/c.yaml", False, True),
        ("a/*.yaml", "a/b/c.yaml", False, False),
        ("a/**/c.yaml", "a/c.yaml", False, True),
        ("a/**/c.yaml", "a/x/y/c.yaml", False, True),
        ("**/gen", "x/gen", True, True),
        ("gen/", "x/gen", False, False),
        ("gen/", "x/gen", True, True),
        ("a/**", "a/x/y.yaml", False, True),
        ("c?.yaml", "c1.yaml", False, True),
        ("c[0-9].yaml", "cx.yaml", False, False),
        ("c[!0-9].yaml", "cx.yaml", False, True),
        ("\\#hash.yaml", "#hash.yaml", False, True),
        ("# comment", "# comment", False, False),
    ],
)
def test_gitignore_patterns(tmp_path: Path, pattern, path, is_folder, ignored):
    compiled = compile_pattern(pattern, tmp_path)
    patterns = [compiled] if compiled is not None else []
    assert is_ignored(tmp_path / path, is_folder, patterns) is ignored


def test_later_negation_wins(tmp_path: Path):
    patterns = [compile_pattern(p, tmp_path) for p in ("*.yaml", "!keep.yaml")]
    assert is_ignored(tmp_path / "keep.yaml", False, patterns) is False
    assert is_ignored(tmp_path / "drop.yaml", False, patterns) is True


def test_files_are_resolved_as_path_resolve_resolves_them(tmp_path: Path, monkeypatch):
    """Each folder is resolved once; files and folders reached through links land where they lead."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "api.yaml").write_text("openapi: 3.0.0\n")
    (tmp_path / "real" / "other.yaml").write_text("openapi: 3.0.0\n")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "alias.yaml").symlink_to(tmp_path / "real" / "api.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    monkeypatch.chdir(tmp_path)
    files = [Path("real/api.yaml"), Path("linked/other.yaml"), tmp_path / "linked" / "alias.yaml",
             Path("missing.yaml"), Path("loop.yaml")]
    resolved = resolve_all(files)
    assert resolved == {file: file.resolve() for file in files[:4]}
    assert resolved[Path("linked/other.yaml")] == tmp_path.resolve() / "real" / "other.yaml"
    assert resolved[files[2]] == tmp_path.resolve() / "real" / "api.yaml"
    found = discover_files([Path("real/api.yaml"), files[2], Path("linked/other.yaml")])
    assert found.files == [Path("real/api.yaml"), Path("linked/other.yaml")]  # the link to api.yaml is the same file


def test_files_named_from_another_repository_are_read_in_their_own(tmp_path: Path):
    """Checked from inside one repository, a definition of another folder has its $refs followed
    there (the schema file is read: the pointer into it is what is missing; the reference used to be
    refused as outside the root), and a link of this repository that points out of it is still not
    read."""
    here = tmp_path / "here"
    (here / ".git").mkdir(parents=True)
    there = tmp_path / "there"
    there.mkdir()
    (there / "api.yaml").write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: './schemas.yaml#/Missing'}\n", encoding="utf-8")
    (there / "schemas.yaml").write_text("Thing: {type: object}\n", encoding="utf-8")
    result = run_cli("check", str(there / "api.yaml"), cwd=here)
    assert (result.code, result.out) == (1, (
        "../there/api.yaml:11:24: error AG006 $ref './schemas.yaml#/Missing' points at nothing "
        "[unresolved-reference]\n"
        "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file.\n"))
    (here / "linked.yaml").symlink_to(there / "api.yaml")
    linked = run_cli("check", "linked.yaml", cwd=here)
    assert linked.code == 2 and "symbolic link to a file outside" in linked.err
