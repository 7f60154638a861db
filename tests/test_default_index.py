"""`default_index()` resolves where its dump lives once, yet still notices the file itself change.

Scoring asks for the index of every piece of code; the path resolution is
remembered per configuration (environment, `set_api_dump`), the file's stamp is
read on every call.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from luaurft.roblox import api


def _dump(spin_type: str) -> dict[str, Any]:
    return {
        "Version": 1,
        "Classes": [
            {"Name": "Instance", "Superclass": "<<<ROOT>>>", "Tags": ["NotCreatable"]},
            {
                "Name": "Gizmo",
                "Superclass": "Instance",
                "Members": [
                    {
                        "MemberType": "Property",
                        "Name": "Spin",
                        "Security": {"Read": "None", "Write": "None"},
                        "ValueType": {"Category": "DataType", "Name": spin_type},
                    }
                ],
            },
        ],
        "Enums": [],
    }


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(api.API_DUMP_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    api.set_api_dump(None)


def test_a_cached_dump_is_noticed_when_it_appears_changes_and_goes() -> None:
    assert api.default_index().fingerprint() == ""
    cached = api.cached_dump_path()
    cached.parent.mkdir(parents=True)
    cached.write_text(json.dumps(_dump("Vector3")))
    first = api.default_index()
    assert first.member("Gizmo", "Spin") is not None
    assert api.default_index() is first  # same file, same stamp: the loaded index again
    cached.write_text(json.dumps(_dump("CFrame")))
    os.utime(cached, ns=(1, 1))  # a new stamp even where the clock is coarse
    second = api.default_index()
    assert second.fingerprint() != first.fingerprint()
    cached.unlink()
    assert api.default_index().fingerprint() == ""


def test_the_environment_is_read_again_when_it_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(_dump("Vector3")))
    assert api.default_index().member("Gizmo", "Spin") is None
    monkeypatch.setenv(api.API_DUMP_ENV, str(dump))
    assert api.default_index().member("Gizmo", "Spin") is not None
    monkeypatch.setenv(api.API_DUMP_ENV, str(tmp_path / "gone.json"))
    with pytest.raises(api.ApiDumpError):
        api.default_index()  # a dump someone asked for and that is missing is an error
    monkeypatch.delenv(api.API_DUMP_ENV)
    assert api.default_index().member("Gizmo", "Spin") is None


def test_set_api_dump_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen.json"
    chosen.write_text(json.dumps(_dump("Vector3")))
    monkeypatch.setenv(api.API_DUMP_ENV, str(tmp_path / "gone.json"))
    try:
        api.set_api_dump(chosen)
        assert api.default_index().member("Gizmo", "Spin") is not None
    finally:
        api.set_api_dump(None)
