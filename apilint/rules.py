"""Rules are data: one YAML file per rule in ``rules/``, discovered from the folder.

Each file names its code, name, default severity, the API types it applies to, its documentation
sections and the check function that judges it. Nothing is registered by hand.

Reading the 58 rule files and the feature table as YAML costs more than checking a small file, so
``rules/index.json`` holds the same data as JSON, written by ``python -m apilint.docs``. It is used
only while it matches those files (a checksum of every file's name and content); after an edit the
YAML files are read again, so a stale index can never change what a run reports.
"""

from __future__ import annotations

import importlib
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apilint.finding import Severity
from apilint.model import ApiType, Pointer
from apilint.record import Frozen, Record

if TYPE_CHECKING:
    from apilint.fix import Fix

PACKAGE_DIR = Path(__file__).resolve().parent
REQUIRED_DOC_SECTIONS = ("what", "why", "example", "references")
INDEX_NAME = "index.json"


def data_dir(name: str) -> Path:
    """A folder shipped in the wheel as ``apilint/_<name>`` and kept at the top level in a checkout."""
    installed = PACKAGE_DIR / f"_{name}"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / name


def rules_dir() -> Path:
    return data_dir("rules")


def fixtures_dir() -> Path:
    """``fixtures/`` (only the per-rule examples are shipped in the wheel)."""
    installed = PACKAGE_DIR / "_fixtures"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / "fixtures"


class Violation(Frozen):
    """What a check reports: where, what, and optionally a severity other than the rule's."""

    at: Pointer
    message: str
    severity: Severity | None
    extra: dict[str, Any] | None
    #: A change that repairs the mistake without changing what the file means, when there is one.
    fix: Fix | None

    def __init__(
        self,
        at: Pointer,
        message: str,
        severity: Severity | None = None,
        extra: dict[str, Any] | None = None,
        fix: Fix | None = None,
    ) -> None:
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "extra", extra)
        object.__setattr__(self, "fix", fix)


Check = Callable[..., Iterable[Violation]]


class Rule(Record, hidden=("_check",)):
    """One rule, as its file describes it."""

    code: str
    name: str
    severity: Severity
    api_types: frozenset[ApiType]
    summary: str
    check_name: str
    scope: str
    options: dict[str, Any]
    docs: dict[str, Any]
    file: Path
    #: The JSON Schema that the options, as configured, must satisfy (``options_schema`` in the file).
    options_schema: dict[str, Any]
    #: What ``--fix`` changes for this rule's findings (empty: the rule has no fix).
    fix: str
    #: Off unless selected (``--select``, ``select``/``extend-select``): a rule that would fire on most
    #: projects for a choice many make on purpose.
    opt_in: bool
    _check: Check | None

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        api_types: frozenset[ApiType],
        summary: str,
        check_name: str,
        scope: str,
        options: dict[str, Any],
        docs: dict[str, Any],
        file: Path,
        options_schema: dict[str, Any] | None = None,
        fix: str = "",
        opt_in: bool = False,
        _check: Check | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.api_types = api_types
        self.summary = summary
        self.check_name = check_name
        self.scope = scope
        self.options = options
        self.docs = docs
        self.file = file
        self.options_schema = {} if options_schema is None else options_schema
        self.fix = fix
        self.opt_in = opt_in
        self._check = _check

    @property
    def check(self) -> Check:
        """The check function, imported on first use."""
        if self._check is None and not self.check_name:
            self._check = _reported_while_loading
        if self._check is None:
            module_name, _, function = self.check_name.rpartition(".")
            module = importlib.import_module(f"apilint.checks.{module_name}")
            self._check = getattr(module, function)
        return self._check

    def applies_to(self, api_type: ApiType) -> bool:
        return api_type in self.api_types

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "api_types": sorted(t.value for t in self.api_types),
            "scope": self.scope,
            "summary": self.summary,
            "options": self.options,
            "fix": self.fix,
            "opt_in": self.opt_in,
            "docs": self.docs,
        }


def merge_options(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``; a mapping on both sides merges key by key, so that configuring
    ``rest: {max: 20000}`` keeps the other limits of ``rest``. Lists and scalars replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_options(merged[key], value)
        else:
            merged[key] = value
    return merged


def options_for(rule: Rule, configured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A rule's options: its defaults, then what the configuration sets by code, then by name."""
    by_code, by_name = configured.get(rule.code), configured.get(rule.name)
    if not by_code and not by_name:
        return rule.options
    return merge_options(merge_options(rule.options, by_code or {}), by_name or {})


def option_problems(rule: Rule, options: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Where and why ``options`` do not satisfy the rule's ``options_schema``: (path, message) pairs."""
    import jsonschema_rs

    problems: list[tuple[tuple[Any, ...], str]] = []
    validator = jsonschema_rs.validator_for(rule.options_schema or {"type": "object", "maxProperties": 0})
    for error in validator.iter_errors(json.loads(json.dumps(options, default=str))):
        path = tuple(error.instance_path)
        unexpected = getattr(error.kind, "unexpected", None)
        if type(error.kind).__name__ == "AdditionalProperties" and unexpected:
            known = sorted((rule.options_schema.get("properties") or {}) if not path else ())
            hint = f" (options of {rule.code}: {', '.join(known)})" if known else ""
            problems.append((path + (str(unexpected[0]),), f"{rule.code} has no option {unexpected[0]!r}{hint}"))
        elif type(error.kind).__name__ == "MaxProperties" and not path:
            problems.append((path, f"{rule.code} takes no options"))
        else:
            problems.append((path, error.message))
    return problems


def _reported_while_loading(api: Any, run: Any) -> Iterable[Violation]:
    """Rules of scope ``load`` are reported by the reader, before any check runs."""
    return ()


class RuleFileError(Exception):
    """A rule file that does not say what every rule must say."""


def _rule_from(data: Any, path: Path) -> Rule:
    if not isinstance(data, dict):
        raise RuleFileError(f"{path}: a rule file is a mapping")
    missing = [key for key in ("code", "name", "severity", "api_types", "summary", "docs") if key not in data]
    if data.get("scope") != "load" and "check" not in data:
        missing.append("check")
    if data.get("options") and not isinstance(data.get("options_schema"), dict):
        missing.append("options_schema (a rule with options says which it takes)")
    if missing:
        raise RuleFileError(f"{path}: missing {', '.join(missing)}")
    docs = data["docs"]
    missing_docs = [section for section in REQUIRED_DOC_SECTIONS if not docs.get(section)]
    if missing_docs:
        raise RuleFileError(f"{path}: documentation section(s) missing: {', '.join(missing_docs)}")
    for number, reference in enumerate(docs["references"]):
        if not isinstance(reference, dict) or set(reference) != {"title", "url"}:
            raise RuleFileError(f"{path}: reference {number + 1} must have exactly a title and a url (provenance "
                                "tags go to rules/provenance.yaml)")
    return Rule(
        code=str(data["code"]),
        name=str(data["name"]),
        severity=Severity.parse(str(data["severity"])),
        api_types=frozenset(ApiType(t) for t in data["api_types"]),
        summary=str(data["summary"]).strip(),
        check_name=str(data.get("check") or ""),
        scope=str(data.get("scope", "apigw")),
        options=dict(data.get("options") or {}),
        docs=docs,
        file=path,
        options_schema=dict(data.get("options_schema") or {}),
        fix=" ".join(str(data.get("fix") or "").split()),
        opt_in=data.get("opt_in") is True,
    )


FEATURES_FILE = "features.yaml"


def _rule_files(folder: Path | None = None) -> list[Path]:
    """The rule files (``AG*.yaml``) of ``folder`` (the rules folder), in order of their names."""
    folder = rules_dir() if folder is None else folder
    return [folder / name for name in sorted(os.listdir(folder)) if name.startswith("AG") and name.endswith(".yaml")]


def _indexed_files() -> list[Path]:
    """The files the index stands for: every rule file and the feature table."""
    folder = rules_dir()
    return [*_rule_files(folder), folder / FEATURES_FILE]


def _checksum(paths: list[Path]) -> str:
    """A checksum of the files' names and contents, in order (a missing file counts as empty)."""
    crc, size = 0, 0
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        crc = zlib.crc32(data, zlib.crc32(path.name.encode("utf-8"), crc))
        size += len(data)
    return f"{crc:08x}-{size}-{len(paths)}"


def read_yaml(path: Path) -> Any:
    """A data file of apilint's own, read with libyaml when PyYAML has it."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def _index() -> dict[str, Any] | None:
    """File name -> content from the index, or None when it is missing or does not match the files."""
    paths = _indexed_files()
    try:
        index = json.loads((rules_dir() / INDEX_NAME).read_text(encoding="utf-8"))
        if index["checksum"] != _checksum(paths) or list(index["files"]) != [p.name for p in paths]:
            return None
        return dict(index["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def data_file(path: Path, use_index: bool = True) -> Any:
    """The content of a rule file or the feature table: from the index when it is current."""
    index = _index() if use_index and path.parent == rules_dir() else None
    if index is not None and path.name in index:
        return index[path.name]
    return read_yaml(path)


def index_json() -> str:
    """The content of ``rules/index.json`` for the files as they are now."""
    paths = _indexed_files()
    index = {
        "comment": "Generated from rules/AG*.yaml and rules/features.yaml by `python -m apilint.docs`; do not edit.",
        "checksum": _checksum(paths),
        "files": {p.name: read_yaml(p) for p in paths if p.exists()},
    }
    return json.dumps(index, indent=1, ensure_ascii=False) + "\n"


def read_rules(use_index: bool = True) -> tuple[Rule, ...]:
    """All rules, sorted by code: from the index when it matches the rule files, else from the files."""
    index = _index() if use_index else None
    rules = [_rule_from(index[path.name] if index is not None and path.name in index else read_yaml(path), path)
             for path in _rule_files()]
    codes = [r.code for r in rules]
    names = [r.name for r in rules]
    for label, values in (("code", codes), ("name", names)):
        duplicates = {v for v in values if values.count(v) > 1}
        if duplicates:
            raise RuleFileError(f"duplicate rule {label}(s): {', '.join(sorted(duplicates))}")
    return tuple(sorted(rules, key=lambda r: r.code))


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    """All rules, sorted by code (read once per process)."""
    return read_rules()


def rule_index() -> dict[str, Rule]:
    """Rules by code and by name (both are accepted everywhere)."""
    index: dict[str, Rule] = {}
    for rule in load_rules():
        index[rule.code.upper()] = rule
        index[rule.name.lower()] = rule
    return index


def find_rule(key: str) -> Rule | None:
    index = rule_index()
    return index.get(key.strip().upper()) or index.get(key.strip().lower())


#: Rules that were removed, by code and name, with why: selecting or ignoring one matches nothing, so
#: configurations and inline ignores that still name it keep working.
RETIRED_RULES = {
    "AG112": ("rest-root-security-ignored",
              ("REST API imports recorded against AWS in 2025 applied root-level security (a Lambda REQUEST "
              "authorizer, and a Cognito authorizer with its scopes) to operations without their own; AG301 "
              "counts root-level security as applied")),
}


def retired_rule(key: str) -> tuple[str, str, str] | None:
    """(code, name, why) of a removed rule that ``key`` names, or None."""
    key = key.strip()
    for code, (name, why) in RETIRED_RULES.items():
        if key.upper() == code or key.lower() == name:
            return code, name, why
    return None


def match_rules(selectors: Iterable[str]) -> tuple[set[str], list[str]]:
    """Codes that selectors name (code, name, a code prefix such as ``AG1``, or ``ALL``) and unknown ones.
    A retired rule is neither: it matches nothing."""
    codes: set[str] = set()
    unknown: list[str] = []
    all_rules = load_rules()
    for selector in selectors:
        key = selector.strip()
        if not key:
            continue
        rule = find_rule(key)
        if rule is not None:
            codes.add(rule.code)
            continue
        if retired_rule(key) is not None:
            continue
        if key.upper() == "ALL":
            codes.update(r.code for r in all_rules)
            continue
        prefixed = [r.code for r in all_rules if r.code.startswith(key.upper())]
        if prefixed and key.upper().startswith("AG"):
            codes.update(prefixed)
        else:
            unknown.append(key)
    return codes, unknown


def iter_rules_for(api_type: ApiType, enabled: set[str]) -> Iterator[Rule]:
    for rule in load_rules():
        if rule.code in enabled and rule.applies_to(api_type):
            yield rule
