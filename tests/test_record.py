"""apilint.record's classes behave as the dataclasses they stand for, and a plain check imports neither
``dataclasses`` nor ``inspect``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apilint.record import Frozen, Record, replace

REPO = Path(__file__).resolve().parents[1]


class Point(Record):
    x: int
    tags: list[str]

    def __init__(self, x: int, tags: list[str] | None = None) -> None:
        self.x = x
        self.tags = [] if tags is None else tags


class Spot(Frozen, uncompared=("note",), hidden=("secret",)):
    x: int
    note: str
    secret: str

    def __init__(self, x: int, note: str = "", secret: str = "") -> None:
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "secret", secret)


class NamedSpot(Spot):
    name: str

    def __init__(self, x: int, note: str = "", secret: str = "", name: str = "") -> None:
        super().__init__(x, note, secret)
        object.__setattr__(self, "name", name)


def test_a_record_compares_and_shows_its_fields_and_is_not_hashable():
    assert Point(1, ["a"]) == Point(1, ["a"])
    assert Point(1, ["a"]) != Point(1, ["b"])
    assert repr(Point(1, ["a"])) == "Point(x=1, tags=['a'])"
    with pytest.raises(TypeError):
        hash(Point(1))
    point = Point(1)
    point.x = 2
    assert point == Point(2)


def test_a_frozen_record_hashes_its_compared_fields_and_cannot_be_changed():
    spot = Spot(1, note="first", secret="s")
    assert spot == Spot(1, note="second", secret="s") and hash(spot) == hash(Spot(1, note="second", secret="s"))
    assert spot != Spot(2, secret="s") and spot != Spot(1)  # a field not shown is still compared
    assert repr(spot) == "Spot(x=1, note='first')"
    with pytest.raises(AttributeError):
        spot.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del spot.note
    assert spot.x == 1


def test_a_subclass_adds_its_fields_after_its_bases_and_equals_only_its_own_class():
    named = NamedSpot(1, note="n", secret="s", name="a")
    assert NamedSpot._fields == ("x", "note", "secret", "name")
    assert repr(named) == "NamedSpot(x=1, note='n', name='a')"
    assert named == NamedSpot(1, secret="s", name="a") and named != NamedSpot(1, secret="s", name="b")
    assert named != Spot(1) and Spot(1) != named
    assert Point(1) != Spot(1) and Point(1).__eq__(object()) is NotImplemented


def test_replace_makes_a_new_record_with_the_changes():
    spot = NamedSpot(1, note="n", secret="s", name="a")
    other = replace(spot, name="b")
    assert type(other) is NamedSpot and (other.x, other.note, other.secret, other.name) == (1, "n", "s", "b")
    assert spot.name == "a"
    with pytest.raises(TypeError):
        replace(spot, nothing=1)


def test_a_record_that_holds_itself_is_shown_without_recursion():
    point = Point(1)
    point.tags.append(point)  # type: ignore[arg-type]
    assert repr(point) == "Point(x=1, tags=[...])"


def test_a_plain_check_imports_neither_dataclasses_nor_inspect(tmp_path):
    definition = tmp_path / "api.yaml"
    definition.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "from apilint.cli import main\n"
        "try:\n"
        "    main(['check', '--format', 'json', sys.argv[1]])\n"
        "except SystemExit as exit_:\n"
        "    code = exit_.code\n"
        "print(code, 'dataclasses' in sys.modules, 'inspect' in sys.modules, file=sys.stderr)\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe, str(definition)], capture_output=True, text=True,
                               cwd=REPO, timeout=60, check=False)
    assert completed.stderr.strip().splitlines()[-1] == "0 False False"
