"""Which templates and Terraform modules inside the root deploy a definition file.

A definition named on its own (what a pre-commit hook passes when only it changed), or reached by
a walk that does not include its template, is checked as the template (or the Terraform module)
deploys it: API type, endpoint type, authorizers, policies and stages come from there. Finding the
deployer must cost little when there is none: the root's files are screened as bytes, and only a
file that looks like a template naming a local file, or a Terraform file that may declare an API
Gateway resource or a local value, and that holds the definition's file name, is parsed.
"""

from __future__ import annotations

from pathlib import Path

from apilint.apis import is_terraform_path
from apilint.discover import discover_files
from apilint.load.source import DEFAULT_MAX_FILE_BYTES, ReadError, _read_bytes

#: A template names its definition through one of these keys (``Location`` of ``AWS::Include``).
_LOCATION_KEYS = (b"DefinitionUri", b"BodyS3Location", b"Location")
#: A Terraform file may deploy a definition when it declares an API Gateway resource, or names the
#: definition in a ``locals`` block that an API resource of its module reads (``file(local.spec)``).
_TERRAFORM_KEYS = (b"aws_api_gateway_", b"aws_apigatewayv2_", b"locals")


class DeployerIndex:
    """The root's files that may deploy a local definition, found once per run and process."""

    def __init__(self, root: Path, exclude: tuple[str, ...] = (), max_bytes: int = DEFAULT_MAX_FILE_BYTES):
        self.root = root
        self.exclude = exclude
        self.max_bytes = max_bytes
        self._candidates: list[tuple[Path, bytes]] | None = None

    def candidates(self) -> list[tuple[Path, bytes]]:
        """Templates (by their text) that name some file, and Terraform files that may deploy one: each
        with its text, for the name search."""
        if self._candidates is None:
            found: list[tuple[Path, bytes]] = []
            for path in discover_files([self.root], self.exclude).files:
                try:  # the loader's reader: never blocks on a FIFO, never reads past the size limit
                    raw = _read_bytes(path, str(path), self.max_bytes)
                except ReadError:
                    continue
                if raw is None:
                    continue
                if is_terraform_path(path):
                    if any(key in raw for key in _TERRAFORM_KEYS):
                        found.append((path.resolve(), raw))
                elif b"Resources" in raw and any(key in raw for key in _LOCATION_KEYS):
                    found.append((path.resolve(), raw))
            self._candidates = found
        return self._candidates

    def templates_naming(self, definition: Path) -> list[Path]:
        """Candidate templates and Terraform files whose text holds the definition's file name (to be
        confirmed by parsing)."""
        name = definition.name.encode("utf-8")
        return [path for path, raw in self.candidates() if path != definition and name in raw]


__all__ = ["DeployerIndex"]
