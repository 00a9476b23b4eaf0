"""The cycle collector is kept out of a load and out of the loaded data afterwards."""

from __future__ import annotations

import gc

from apilint.load.collector import collector_paused
from apilint.load.source import parse_text


def test_a_load_pauses_the_collector_and_freezes_what_it_made(tmp_path):
    gc.unfreeze()
    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            data = [{"key": [index]} for index in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= 2000  # the dicts and lists made inside, and what was alive before
        assert data[999]["key"] == [999]
    finally:
        gc.unfreeze()


def test_a_paused_collector_stays_paused(tmp_path):
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_yaml_and_json_loads_leave_their_data_to_reference_counting_alone(tmp_path):
    gc.unfreeze()
    try:
        for name, text in (("api.yaml", "openapi: 3.0.1\npaths: {}\n"), ("api.json", '{"openapi": "3.0.1", "paths": {}}')):
            before = gc.get_freeze_count()
            document = parse_text(tmp_path / name, name, text)
            assert document.data == {"openapi": "3.0.1", "paths": {}}
            assert gc.get_freeze_count() > before
            assert gc.isenabled()
    finally:
        gc.unfreeze()
