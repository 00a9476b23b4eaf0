"""The region ``sam deploy`` deploys a template to, from the SAM CLI configuration file beside it.

The SAM CLI reads ``samconfig.toml`` from the project folder (the template's), or, when there is none,
``samconfig.yaml`` or ``samconfig.yml``; ``sam deploy`` takes the ``default`` environment's
``deploy.parameters``, then its ``global.parameters``, as if they were written on its command line.
The template it deploys is the one those parameters name (``template_file`` or ``template``), else
``template.yaml`` or ``template.yml`` in that folder. ``sam deploy --guided`` writes the region
there, so most SAM projects state it.

(AWS SAM Developer Guide, "AWS SAM CLI configuration file": the default name is ``samconfig``, at the
root of the project beside ``template.yaml``; TOML is looked for first, then YAML.)

Only that region is read: an environment chosen with ``--config-env``, a file chosen with
``--config-file`` and ``parameter_overrides`` are not.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from apilint.record import Record

#: The configuration files the SAM CLI looks for in the project folder, in its order.
CONFIG_NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
#: The templates ``sam deploy`` takes from the project folder when the configuration names none.
DEFAULT_TEMPLATES = ("template.yaml", "template.yml")
#: The sections of the ``default`` environment ``sam deploy`` reads, in their precedence.
_SECTIONS = ("deploy", "global")
#: A configuration file larger than this is not read (they are a few hundred bytes).
_MAX_BYTES = 256 * 1024


class SamRegion(Record):
    """A region the SAM CLI configuration states: the value, the file and the section it is in."""

    region: str
    file: Path
    section: str

    def __init__(self, region: str, file: Path, section: str) -> None:
        self.region = region
        self.file = file
        self.section = section

    def describe(self) -> str:
        return f"{self.file.name} [default.{self.section}.parameters]"


def deploy_region(template: Path) -> SamRegion | None:
    """The region ``sam deploy`` deploys ``template`` to by the configuration file of its folder, when
    that file states one and deploys this template; None otherwise (no file, another template, a file
    that cannot be read)."""
    deployed, region = _stated(template.parent)
    try:
        if deployed is None or deployed.resolve() != template.resolve():
            return None
    except (OSError, RuntimeError):
        return None
    return region


def template_deployed_by(config: Path) -> Path | None:
    """The template a SAM CLI configuration file deploys, when it is the file ``sam deploy`` reads in
    its folder (``samconfig.toml`` before ``samconfig.yaml``) and states a region; else None."""
    if config.name not in CONFIG_NAMES or _config_file(config.parent) != config:
        return None
    deployed, region = _stated(config.parent)
    return deployed if region is not None and deployed is not None and deployed.is_file() else None


def _config_file(folder: Path) -> Path | None:
    """The configuration file ``sam deploy`` reads in ``folder``: the first of :data:`CONFIG_NAMES`."""
    return next((folder / name for name in CONFIG_NAMES if (folder / name).is_file()), None)


def _stated(folder: Path) -> tuple[Path | None, SamRegion | None]:
    """The template ``sam deploy`` deploys from ``folder`` and the region its configuration states."""
    config = _config_file(folder)
    if config is None:
        return None, None
    parameters = _default_parameters(config)
    region = next((SamRegion(values["region"].strip(), config, section) for section, values in parameters
                   if isinstance(values.get("region"), str) and values["region"].strip()), None)
    return _deployed_template(folder, parameters), region


def _default_parameters(config: Path) -> list[tuple[str, dict[str, Any]]]:
    """The ``default`` environment's ``deploy`` and ``global`` parameters, in that order."""
    try:
        raw = config.read_bytes() if config.stat().st_size <= _MAX_BYTES else b""
        data = _parse(config, raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):  # nested thousands deep: not SAM's
        return []
    environment = data.get("default") if isinstance(data, dict) else None
    found = []
    for section in _SECTIONS:
        command = environment.get(section) if isinstance(environment, dict) else None
        values = command.get("parameters") if isinstance(command, dict) else None
        if isinstance(values, dict):
            found.append((section, values))
    return found


def _parse(config: Path, text: str) -> Any:
    if config.suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        return tomllib.loads(text)  # TOMLDecodeError is a ValueError
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from None


def _deployed_template(folder: Path, parameters: list[tuple[str, dict[str, Any]]]) -> Path | None:
    for _, values in parameters:
        for key in ("template_file", "template"):
            named = values.get(key)
            if isinstance(named, str) and named.strip():
                return folder / named.strip()
    return next((folder / name for name in DEFAULT_TEMPLATES if (folder / name).is_file()), None)


__all__ = ["CONFIG_NAMES", "SamRegion", "deploy_region", "template_deployed_by"]
