"""Configuration: ``.apilint.yaml`` found upward from the working directory, or ``[tool.apilint]``.

Every error names the file, the line and the key, and says what was expected.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apilint.finding import Severity
from apilint.load.source import ReadError, parse_text
from apilint.model import ApiType, Domain, EndpointType, Pointer
from apilint.record import Record

CONFIG_NAMES = (".apilint.yaml", ".apilint.yml")

#: The JSON Schema of the configuration, shipped in the package so that editors can complete and
#: validate ``.apilint.yaml`` (``yaml-language-server: $schema=...``) with the rules apilint applies.
CONFIG_SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "apilint-config.schema.json"


def config_schema() -> dict[str, Any]:
    """The configuration's JSON Schema."""
    with open(CONFIG_SCHEMA_FILE, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


class ConfigError(Exception):
    """An invalid configuration; the message names file, line and key."""


class Scope(Record):
    """Settings of one ``files`` entry (or the top level, which matches every file)."""

    patterns: list[str]
    values: dict[str, Any]
    at: Pointer | None

    def __init__(self, patterns: list[str], values: dict[str, Any], at: Pointer | None) -> None:
        self.patterns = patterns
        self.values = values
        self.at = at


class Config(Record):
    """A loaded configuration; empty when no file was found."""

    path: Path | None
    base: Path
    top: dict[str, Any]
    scopes: list[Scope]
    source: Any

    def __init__(
        self,
        path: Path | None = None,
        base: Path | None = None,
        top: dict[str, Any] | None = None,
        scopes: list[Scope] | None = None,
        source: Any = None,
    ) -> None:
        self.path = path
        self.base = Path.cwd() if base is None else base
        self.top = {} if top is None else top
        self.scopes = [] if scopes is None else scopes
        self.source = source

    def get(self, key: str, default: Any = None) -> Any:
        return self.top.get(key, default)

    def scopes_for(self, file: Path) -> list[Scope]:
        """The ``files`` entries that match a file, in order (later ones win)."""
        if not self.scopes:
            return []
        try:
            relative = file.resolve().relative_to(self.base.resolve()).as_posix()
        except ValueError:
            relative = file.as_posix()
        matched = []
        for scope in self.scopes:
            if any(fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(file.name, pattern)
                   for pattern in scope.patterns):
                matched.append(scope)
        return matched

    def domains(self, values: dict[str, Any], at: Pointer | None) -> list[Domain]:
        result = []
        for index, entry in enumerate(values.get("domains", [])):
            entry_at = at.child("domains", index) if at is not None else Pointer(self.source, ())
            endpoint = EndpointType(entry.get("endpoint-type", "edge"))
            result.append(
                Domain(
                    name=entry["name"],
                    certificate_arn=entry["certificate-arn"],
                    endpoint_type=endpoint,
                    at=entry_at,
                    certificate_at=entry_at.child("certificate-arn"),
                    endpoint_at=entry_at.child("endpoint-type") if "endpoint-type" in entry else None,
                    mutual_tls=bool(entry.get("mutual-tls", False)),
                    mutual_tls_at=entry_at.child("mutual-tls") if "mutual-tls" in entry else None,
                    security_policy=entry.get("security-policy"),
                    security_policy_at=entry_at.child("security-policy") if "security-policy" in entry else None,
                    kind="config",
                )
            )
        return result


def find_config(start: Path) -> Path | None:
    """The nearest ``.apilint.yaml`` or ``pyproject.toml`` with ``[tool.apilint]`` upward from ``start``."""
    current = start.resolve()
    for directory in (current, *current.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.apilint" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
        if (directory / ".git").exists():
            break
    return None


def load_config(path: Path | None) -> Config:
    """Load and validate a configuration file (None: no configuration)."""
    if path is None:
        return Config()
    from apilint.load.source import display_path

    display = display_path(path, Path.cwd())
    if path.name == "pyproject.toml":
        data, source = _from_pyproject(path)
    else:
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{display}: cannot read configuration ({error})") from None
        source = parse_text(path, display, raw)
        if source.problems:
            problem = source.problems[0]
            raise ConfigError(f"{display}:{problem.span.line}:{problem.span.column}: {problem.message}")
        data = source.data if source.data is not None else {}
    _validate(data, source, display)
    config = Config(path=path, base=path.parent, top=data, source=source)
    root = Pointer(source, ()) if source is not None else None
    for index, entry in enumerate(data.get("files", [])):
        patterns = entry["match"] if isinstance(entry["match"], list) else [entry["match"]]
        values = {k: v for k, v in entry.items() if k != "match"}
        config.scopes.append(Scope(patterns, values, root.child("files", index) if root else None))
    return config


def _from_pyproject(path: Path) -> tuple[dict[str, Any], Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read [tool.apilint] ({error})") from None
    except RecursionError:  # arrays or inline tables nested thousands deep: the TOML reader recurses
        raise ConfigError(f"{path}: cannot read [tool.apilint] (the file nests deeper than Python's TOML "
                          "reader can follow)") from None
    data = document.get("tool", {}).get("apilint", {})
    # TOML has no positions in the standard parser; point errors at the table header line.
    text = path.read_text(encoding="utf-8")
    line = next((i + 1 for i, l in enumerate(text.splitlines()) if l.strip().startswith("[tool.apilint")), 1)
    return data, _TableSource(path, line)


class _TableSource:
    """Positions for configuration read from TOML: the ``[tool.apilint]`` header line."""

    def __init__(self, path: Path, line: int):
        self.path = path
        self.display = str(path)
        self.line = line
        self.data = None

    def locate(self, path: tuple[Any, ...]) -> Any:
        from apilint.finding import Span

        return Span(self.line, 1, self.line, 1)


def _validate(data: Any, source: Any, display: str) -> None:
    import jsonschema_rs

    if not isinstance(data, dict):
        raise ConfigError(f"{display}:1:1: the configuration must be a mapping of settings")

    def fail(path: tuple[Any, ...], message: str) -> ConfigError:
        span = source.locate(path) if source is not None else None
        where = f"{display}:{span.line}:{span.column}" if span else display
        key = ".".join(str(p) for p in path) or "(top level)"
        return ConfigError(f"{where}: {key}: {message}")

    validator = jsonschema_rs.validator_for(config_schema())
    for error in validator.iter_errors(json.loads(json.dumps(data, default=str))):
        path = tuple(error.instance_path)
        unexpected = getattr(error.kind, "unexpected", None)
        if type(error.kind).__name__ == "AdditionalProperties" and unexpected:
            raise fail(path + (str(unexpected[0]),), f"unknown setting ({error.message})")
        raise fail(path, error.message)
    globs: list[tuple[tuple[Any, ...], Any]] = [(("exclude", i), g) for i, g in enumerate(data.get("exclude", []))]
    for index, entry in enumerate(data.get("files", [])):
        match = entry["match"]
        patterns = match if isinstance(match, list) else [match]
        at = ("files", index, "match")
        globs += [(at + (i,), g) for i, g in enumerate(patterns)] if isinstance(match, list) else [(at, match)]
    for path, pattern in globs:
        problem = glob_problem(pattern)
        if problem is not None:
            raise fail(path, f"{pattern!r} is not a valid glob: {problem}")
    layers: list[tuple[tuple[Any, ...], Any]] = [(("options",), data.get("options"))]
    layers += [(("files", index, "options"), entry.get("options")) for index, entry in enumerate(data.get("files", []))]
    for at, options in layers:
        if options:
            for path, message in _rule_option_problems(options):
                raise fail(at + path, message)


def _rule_option_problems(configured: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Problems of one ``options`` mapping: keys that name no rule, values its options schema refuses
    (checked with the rule's defaults under them, as the rule will read them)."""
    from apilint.features import unknown_feature_ids
    from apilint.rules import find_rule, merge_options, option_problems, retired_rule

    for key, values in configured.items():
        rule = find_rule(str(key))
        if rule is None and retired_rule(str(key)) is not None:
            continue  # a removed rule's options are kept and read by nothing, as its selectors are
        if rule is None:
            yield (key,), f"no rule {key!r} (`apilint rules` lists codes and names)"
            continue
        for path, message in option_problems(rule, merge_options(rule.options, values)):
            yield (key, *path), message
        features = values.get("features")
        if isinstance(features, list):
            unknown = unknown_feature_ids(features)
            if unknown:
                yield (key, "features", features.index(unknown[0])), (
                    f"unknown feature id(s) {', '.join(unknown)} (the ids are in rules/features.yaml)")


def glob_problem(pattern: str) -> str | None:
    """Why a glob pattern is malformed (empty, a NUL, a ``[`` never closed), or None."""
    if not pattern:
        return "it is empty"
    if "\x00" in pattern:
        return "it contains a NUL character"
    index = 0
    while index < len(pattern):
        if pattern[index] == "[":
            close = index + 1
            if close < len(pattern) and pattern[close] in "!^":
                close += 1
            if close < len(pattern) and pattern[close] == "]":
                close += 1  # a "]" right after "[" or "[!" is part of the set
            close = pattern.find("]", close)
            if close == -1:
                return f"the '[' at character {index + 1} is never closed"
            index = close
        index += 1
    return None


class FileOptions(Record):
    """Everything the configuration and flags decide for one file."""

    api_type: ApiType | None
    endpoint_type: EndpointType | None
    region: str | None
    domains: list[Domain]
    select: list[str]
    ignore: list[str]
    severity: dict[str, Severity]
    rule_options: dict[str, dict[str, Any]]
    #: Rules added to the selection (``extend-select``), opt-in rules included.
    extend_select: list[str]

    def __init__(
        self,
        api_type: ApiType | None,
        endpoint_type: EndpointType | None,
        region: str | None,
        domains: list[Domain],
        select: list[str],
        ignore: list[str],
        severity: dict[str, Severity],
        rule_options: dict[str, dict[str, Any]],
        extend_select: list[str] | None = None,
    ) -> None:
        self.api_type = api_type
        self.endpoint_type = endpoint_type
        self.region = region
        self.domains = domains
        self.select = select
        self.ignore = ignore
        self.severity = severity
        self.rule_options = rule_options
        self.extend_select = [] if extend_select is None else extend_select


def resolve_file_options(config: Config, file: Path, flags: dict[str, Any]) -> FileOptions:
    """Merge top-level settings, matching ``files`` entries and command-line flags (flags win)."""
    from apilint.rules import merge_options

    layers: list[tuple[dict[str, Any], Pointer | None]] = [(config.top, Pointer(config.source, ()) if config.source is not None and not isinstance(config.source, _TableSource) else None)]
    layers += [(scope.values, scope.at) for scope in config.scopes_for(file)]
    api_type = endpoint = region = None
    domains: list[Domain] = []
    select: list[str] = []
    extend: list[str] = []
    ignore: list[str] = []
    severity: dict[str, Severity] = {}
    rule_options: dict[str, dict[str, Any]] = {}
    for values, at in layers:
        api_type = values.get("api-type", api_type)
        endpoint = values.get("endpoint-type", endpoint)
        region = values.get("region", region)
        if "domains" in values and at is not None:
            domains += config.domains(values, at)
        if "select" in values:
            select, extend = list(values["select"]), []
        extend += values.get("extend-select", [])
        ignore += values.get("ignore", [])
        for key, level in values.get("severity", {}).items():
            severity[key] = Severity.parse(level)
        for key, options in values.get("options", {}).items():
            rule_options[key] = merge_options(rule_options.get(key, {}), options)
    if flags.get("api_type"):
        api_type = flags["api_type"]
    if flags.get("endpoint_type"):
        endpoint = flags["endpoint_type"]
    if flags.get("region"):
        region = flags["region"]
    if flags.get("select"):
        select, extend = list(flags["select"]), []
    ignore += flags.get("ignore") or []
    return FileOptions(
        api_type=ApiType(api_type) if api_type else None,
        endpoint_type=EndpointType(endpoint) if endpoint else None,
        region=region,
        domains=domains,
        select=select,
        ignore=ignore,
        severity=severity,
        rule_options=rule_options,
        extend_select=extend,
    )


def check_config_path(path: Path) -> Path:
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    return path


__all__ = ["Config", "ConfigError", "FileOptions", "ReadError", "find_config", "load_config", "resolve_file_options"]
