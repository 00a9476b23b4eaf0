"""The configuration's JSON Schema ships with the package, is the one apilint validates with, and
every configuration example in the documentation passes it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from apilint.config import CONFIG_SCHEMA_FILE, ConfigError, config_schema, load_config
from tests.conftest import REPO

_BLOCK = re.compile(r"```yaml\n(# \.apilint\.yaml\n.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    found = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        for index, match in enumerate(_BLOCK.finditer(path.read_text(encoding="utf-8"))):
            found.append((f"{path.relative_to(REPO)}#{index + 1}", match.group(1)))
    return found


EXAMPLES = _examples()


def test_the_schema_is_a_valid_json_schema_inside_the_package():
    assert CONFIG_SCHEMA_FILE.parent.parent == Path(__import__("apilint").__file__).resolve().parent
    schema = json.loads(CONFIG_SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert all("description" in value for value in schema["properties"].values())


def test_the_documentation_has_configuration_examples():
    assert {name.split("#")[0] for name, _ in EXAMPLES} >= {
        "README.md", "docs/configuration.md", "docs/suppressing.md"}


@pytest.mark.parametrize("name,text", EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_documented_examples_pass_the_schema_and_load(name, text, tmp_path):
    data = yaml.safe_load(text)
    jsonschema.Draft202012Validator(config_schema()).validate(data)
    path = tmp_path / ".apilint.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_config(path).top == data


def test_what_the_schema_rejects_apilint_rejects(tmp_path):
    path = tmp_path / ".apilint.yaml"
    path.write_text("fail-on: sometimes\n", encoding="utf-8")
    assert not jsonschema.Draft202012Validator(config_schema()).is_valid({"fail-on": "sometimes"})
    with pytest.raises(ConfigError, match="fail-on"):
        load_config(path)
