"""The Roblox API index: the curated table, its agreement with Roblox's own dump, the
dump loader and merge, and `luaurft roblox-api` (offline: local servers and closed ports)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from luaurft.cli import main
from luaurft.roblox import api
from luaurft.roblox.api import (
    ApiDumpError,
    MemberKind,
    curated_index,
    download_api_dump,
    load_index,
    read_dump,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "roblox-api"
FULL_DUMP = SHARED / "Full-API-Dump.json"
PLAIN_DUMP = SHARED / "API-Dump.json"
needs_dump = pytest.mark.skipif(
    not FULL_DUMP.is_file(), reason=f"no Roblox API dump at {FULL_DUMP} to cross-check against"
)

_KINDS = {"Property": "property", "Function": "method", "Event": "event", "Callback": "callback"}


@pytest.fixture(autouse=True)
def _no_user_dump(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Tests must not pick up a dump from the developer's environment or cache.
    monkeypatch.delenv(api.API_DUMP_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def dump() -> dict[str, Any]:
    return json.loads(FULL_DUMP.read_bytes())


def _tags(entry: dict[str, Any]) -> set[str]:
    return {t for t in entry.get("Tags") or () if isinstance(t, str)}


def _read_security(member: dict[str, Any]) -> str:
    sec = member.get("Security")
    return sec["Read"] if isinstance(sec, dict) else str(sec)


# -- the curated table on its own -------------------------------------------------------


def test_curated_table_has_the_common_facts() -> None:
    index = curated_index()
    assert index.is_service("Players") and index.is_service("DataStoreService")
    assert not index.is_service("Part")
    assert index.is_creatable("Part") and index.is_creatable("LinearVelocity")
    assert not index.is_creatable("BasePart") and not index.is_creatable("Players")
    assert index.ancestry("Part")[:3] == ["Part", "FormFactorPart", "BasePart"]
    assert index.is_a("Part", "Instance") and not index.is_a("Part", "Model")
    assert index.members_complete("Part") and not index.members_complete("AdService")

    load = index.member("Humanoid", "LoadAnimation")
    assert load and load.deprecated and load.replacement == "Animator:LoadAnimation"
    animator_load = index.member("Animator", "LoadAnimation")
    assert animator_load and not animator_load.deprecated
    velocity = index.member("Part", "Velocity")
    assert velocity and velocity.replacement == "AssemblyLinearVelocity"
    assert index.member("Model", "SetPrimaryPartCFrame").replacement == "PivotTo"  # type: ignore[union-attr]
    assert index.member("Workspace", "FindPartOnRay").replacement == "WorldRoot:Raycast"  # type: ignore[union-attr]
    assert index.member("Part", "remove").replacement == "Destroy"  # type: ignore[union-attr]
    assert index.get_class("BodyVelocity").replacement == "LinearVelocity"  # type: ignore[union-attr]

    players = index.member("Players", "GetPlayers")
    assert players and players.element_type == "Player"
    added = index.member("Players", "PlayerAdded")
    assert added and added.kind is MemberKind.EVENT and added.params == ("Player",)

    vector = index.datatype("Vector3")
    assert vector and vector.complete and vector.members["magnitude"].replacement == "Magnitude"
    assert index.datatype("CFrame").members["p"].replacement == "Position"  # type: ignore[union-attr]
    signal = index.datatype("RBXScriptSignal")
    assert signal and signal.members["connect"].replacement == "Connect"

    assert index.side_by_member_name("FireServer")[1].side == "client"  # type: ignore[index]
    assert index.side_by_member_name("OnServerEvent")[1].side == "server"  # type: ignore[index]
    # GetAsync is on HttpService (server-only) and on data stores: not recognisable by name.
    assert index.side_by_member_name("GetAsync") is None
    assert index.fingerprint() == ""


def test_curated_replacements_point_at_real_members() -> None:
    """A replacement written as a bare member name must exist on the same class chain."""
    index = curated_index()
    problems = []
    for info in index.classes.values():
        for member in info.members.values():
            rep = member.replacement
            if not member.deprecated or not rep or not rep.isidentifier():
                continue
            if index.member(info.name, rep) is None and not index.is_class(rep):
                problems.append(f"{info.name}.{member.name} -> {rep}")
    for dt in index.datatypes.values():
        for member in dt.members.values():
            if member.deprecated and member.replacement not in dt.members:
                problems.append(f"{dt.name}.{member.name} -> {member.replacement}")
    assert not problems


# -- agreement with Roblox's dump ----------------------------------------------------------


@needs_dump
def test_curated_services_classes_and_enums_exist_in_the_dump(dump: dict[str, Any]) -> None:
    index = curated_index()
    classes = {c["Name"]: c for c in dump["Classes"]}
    dump_services = {n for n, c in classes.items() if "Service" in _tags(c)}
    assert set(index.service_names()) == dump_services

    creatable = {n for n, c in classes.items() if not {"NotCreatable", "Service"} & _tags(c)}
    assert {n for n in index.classes if index.is_creatable(n)} == creatable

    deprecated = {n for n, c in classes.items() if "Deprecated" in _tags(c)}
    assert {n for n, c in index.classes.items() if c.deprecated} == deprecated

    assert set(index.enums) == {e["Name"] for e in dump["Enums"]}
    dump_enums = {e["Name"]: e for e in dump["Enums"]}
    for name, enum in index.enums.items():
        if enum.items is None:
            continue
        items = dump_enums[name]["Items"]
        # Legacy names still reach their item (`Blacklist` is `Exclude`): deprecated items.
        legacy = {n for i in items for n in i.get("LegacyNames", ()) if n.isidentifier()}
        assert enum.items == {i["Name"] for i in items} | legacy, name
        deprecated_items = {i["Name"] for i in items if "Deprecated" in _tags(i)}
        assert enum.deprecated_items == deprecated_items | legacy, name


@needs_dump
def test_curated_classes_agree_with_the_dump(dump: dict[str, Any]) -> None:
    """Every curated class exists with the same superclass, service and creatable flags;
    `sealed` classes have no subclass; every curated member exists with the same kind and
    deprecation; and no member a script can reach is missing (so none is called unknown)."""
    index = curated_index()
    classes = {c["Name"]: c for c in dump["Classes"]}
    subclassed = {c["Superclass"] for c in dump["Classes"]}
    problems: list[str] = []
    for name, info in index.classes.items():
        if not info.complete:
            continue
        raw = classes.get(name)
        if raw is None:
            problems.append(f"class {name} is not in the dump")
            continue
        tags = _tags(raw)
        superclass = None if raw["Superclass"] == "<<<ROOT>>>" else raw["Superclass"]
        if info.superclass != superclass:
            problems.append(f"{name}: superclass {info.superclass} != {superclass}")
        if info.service != ("Service" in tags):
            problems.append(f"{name}: service flag disagrees")
        if info.creatable != (not {"NotCreatable", "Service"} & tags):
            problems.append(f"{name}: creatable flag disagrees")
        if info.sealed and name in subclassed:
            problems.append(f"{name}: marked sealed but has subclasses")
        dumped = {m["Name"]: m for m in raw["Members"]}
        for member in info.members.values():
            found = dumped.get(member.name)
            if found is None:
                problems.append(f"{name}.{member.name} is not in the dump")
                continue
            if _KINDS[found["MemberType"]] != member.kind.value:
                problems.append(f"{name}.{member.name}: kind disagrees")
            if member.deprecated != ("Deprecated" in _tags(found)):
                problems.append(f"{name}.{member.name}: deprecation disagrees")
            if member.kind is MemberKind.PROPERTY and member.readonly != (
                "ReadOnly" in _tags(found)
            ):
                problems.append(f"{name}.{member.name}: read-only flag disagrees")
        for member_name, found in dumped.items():
            reachable = "NotScriptable" not in _tags(found) and _read_security(found) in (
                "None",
                "PluginSecurity",
            )
            if reachable and member_name not in info.members:
                problems.append(f"{name}.{member_name} is missing from the curated table")
    assert not problems, "\n".join(problems[:40])


@needs_dump
def test_side_facts_name_real_members() -> None:
    index = load_index(FULL_DUMP)
    for (cls, member), _ in index.side_members.items():
        assert index.member(cls, member) is not None, f"{cls}.{member}"
    for service in (*index.client_only_services, *index.server_only_services):
        assert index.is_service(service), service
    for name in index.name_only_methods:
        owners = index.members_named(name)
        assert owners and all(m.deprecated for m in owners), name
    for child, cls in index.child_hints.items():
        assert index.is_class(cls), (child, cls)


# -- loading a dump -----------------------------------------------------------------------


@needs_dump
def test_full_dump_merges_over_the_curated_table() -> None:
    index = load_index(FULL_DUMP)
    assert index.has_dump and index.fingerprint()
    assert index.counts()["classes_with_members"] > curated_index().counts()["classes_with_members"]
    # A class the curated table only names is complete once the dump is loaded.
    assert not curated_index().members_complete("AdService")
    assert index.members_complete("AdService")
    # Curated annotations survive the merge.
    assert index.member("Humanoid", "LoadAnimation").replacement == "Animator:LoadAnimation"  # type: ignore[union-attr]
    assert index.member("Players", "GetPlayers").element_type == "Player"  # type: ignore[union-attr]
    # Dump-only facts arrive, with the dump's preferred replacement.
    color = index.member("Part", "brickColor")
    assert color and color.deprecated and color.replacement == "BrickColor"
    assert index.is_sealed("Humanoid") and not index.is_sealed("BasePart")
    # A legacy item name still reaches its item, as a deprecated one.
    filter_type = index.enum("RaycastFilterType")
    assert filter_type and filter_type.items and "Blacklist" in filter_type.items
    assert (
        "Blacklist" in filter_type.deprecated_items
        and "Exclude" not in filter_type.deprecated_items
    )


@pytest.mark.skipif(not PLAIN_DUMP.is_file(), reason=f"no plain API dump at {PLAIN_DUMP}")
def test_plain_dump_without_preferred_names_loads() -> None:
    index = load_index(PLAIN_DUMP)
    assert index.has_dump
    member = index.member("Humanoid", "LoadAnimation")
    assert member and member.deprecated and member.replacement == "Animator:LoadAnimation"


def _tiny_dump(version: int = 1) -> dict[str, Any]:
    return {
        "Version": version,
        "Classes": [
            {
                "Name": "Instance",
                "Superclass": "<<<ROOT>>>",
                "Tags": ["NotCreatable"],
                "Members": [
                    {"MemberType": "Function", "Name": "Destroy", "Security": "None"},
                ],
            },
            {
                "Name": "Gizmo",
                "Superclass": "Instance",
                "Members": [
                    {
                        "MemberType": "Property",
                        "Name": "Spin",
                        "Security": {"Read": "None", "Write": "None"},
                        "ValueType": {"Category": "DataType", "Name": "Vector3"},
                        "Tags": ["Deprecated", {"PreferredDescriptorName": "Spin2"}],
                    }
                ],
            },
        ],
        "Enums": [{"Name": "GizmoMode", "Items": [{"Name": "On", "Value": 0}]}],
    }


def test_a_dump_from_the_environment_is_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(_tiny_dump()))
    monkeypatch.setenv(api.API_DUMP_ENV, str(path))
    index = load_index()
    spin = index.member("Gizmo", "Spin")
    assert spin and spin.deprecated and spin.replacement == "Spin2" and spin.type == "Vector3"
    assert index.is_creatable("Gizmo") and index.enum("GizmoMode").items == {"On"}  # type: ignore[union-attr]
    # Classes the dump does not mention keep their curated facts.
    assert index.is_service("Players")
    # Without the environment variable, the curated table alone.
    assert load_index(use_environment=False).member("Gizmo", "Spin") is None


def test_the_cached_dump_is_used_and_a_changed_file_is_reloaded(tmp_path: Path) -> None:
    cached = api.cached_dump_path()
    assert str(cached).startswith(str(tmp_path))
    assert load_index().fingerprint() == ""
    cached.parent.mkdir(parents=True)
    cached.write_text(json.dumps(_tiny_dump(1)))
    first = load_index()
    assert first.member("Gizmo", "Spin") is not None
    cached.write_text(json.dumps(_tiny_dump(22)))
    second = load_index()
    assert second.fingerprint() != first.fingerprint()


def test_bad_dumps_fail_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ApiDumpError, match="no API dump at"):
        read_dump(tmp_path / "missing.json")
    not_dump = tmp_path / "other.json"
    not_dump.write_text('{"hello": 1}')
    with pytest.raises(ApiDumpError, match="not a Roblox API dump"):
        load_index(not_dump)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{nope")
    with pytest.raises(ApiDumpError, match="cannot read"):
        read_dump(garbage)
    monkeypatch.setenv(api.API_DUMP_ENV, str(tmp_path / "gone.json"))
    with pytest.raises(ApiDumpError):
        load_index()


# -- downloading, against local servers only ---------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _FakeCdn(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"not found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_cdn() -> Iterator[tuple[str, dict[str, bytes]]]:
    files: ClassVar[dict[str, bytes]] = {}
    handler = type("Handler", (_FakeCdn,), {"files": files})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", files
    finally:
        server.shutdown()
        server.server_close()


def test_download_fails_clearly_when_the_cdn_is_unreachable(tmp_path: Path) -> None:
    dest = tmp_path / "dump.json"
    with pytest.raises(ApiDumpError, match="could not reach") as info:
        download_api_dump(dest, base_url=f"http://127.0.0.1:{_closed_port()}", timeout=2)
    assert "--api-dump" in str(info.value)
    assert not dest.exists()


def test_download_saves_the_full_dump_and_falls_back_to_the_plain_one(
    tmp_path: Path, fake_cdn: tuple[str, dict[str, bytes]]
) -> None:
    url, files = fake_cdn
    files["/versionQTStudio"] = b"version-0123abcd\n"
    files["/version-0123abcd-API-Dump.json"] = json.dumps(_tiny_dump()).encode()
    got = download_api_dump(tmp_path / "a.json", base_url=url, timeout=5)
    assert got.version == "version-0123abcd" and got.url.endswith("-API-Dump.json")
    assert load_index(got.path).member("Gizmo", "Spin") is not None

    files["/version-0123abcd-Full-API-Dump.json"] = json.dumps(_tiny_dump(7)).encode()
    full = download_api_dump(base_url=url, timeout=5)
    assert full.path == api.cached_dump_path() and full.url.endswith("-Full-API-Dump.json")
    assert json.loads(full.path.read_text())["Version"] == 7


def test_download_rejects_answers_that_are_not_a_dump(
    tmp_path: Path, fake_cdn: tuple[str, dict[str, bytes]]
) -> None:
    url, files = fake_cdn
    with pytest.raises(ApiDumpError, match="HTTP 404"):
        download_api_dump(tmp_path / "x.json", base_url=url, timeout=5)
    files["/versionQTStudio"] = b"<html>maintenance</html>"
    with pytest.raises(ApiDumpError, match="did not answer with a Roblox version"):
        download_api_dump(tmp_path / "x.json", base_url=url, timeout=5)
    files["/versionQTStudio"] = b"version-feed"
    with pytest.raises(ApiDumpError, match="no API dump for version-feed"):
        download_api_dump(tmp_path / "x.json", base_url=url, timeout=5)
    files["/version-feed-Full-API-Dump.json"] = b'{"Enums": []}'
    with pytest.raises(ApiDumpError, match="no 'Classes' list"):
        download_api_dump(tmp_path / "x.json", base_url=url, timeout=5)
    assert not (tmp_path / "x.json").exists()


# -- the command line ---------------------------------------------------------------------


def test_cli_update_failure_is_an_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(SystemExit) as exit_info:
        main(
            ["roblox-api", "update", "--url", url, "--timeout", "2", "--dest", str(tmp_path / "d")]
        )
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "could not reach" in err and "Traceback" not in err


def test_cli_info_reports_sources_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(_tiny_dump(3)))
    with pytest.raises(SystemExit) as exit_info:
        main(["roblox-api", "info", "--format", "json", "--api-dump", str(path)])
    assert exit_info.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["kind"] for s in out["sources"]] == ["curated", "dump"]
    assert out["sources"][1]["version"] == "3" and out["dump_origin"] == "--api-dump"
    assert out["counts"]["services"] >= 300

    with pytest.raises(SystemExit):
        main(["roblox-api", "info"])
    text = capsys.readouterr().out
    assert "curated table" in text and "roblox-api update" in text


def test_set_api_dump_drives_the_default_index(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(_tiny_dump(5)))
    try:
        api.set_api_dump(path)
        assert api.default_index().member("Gizmo", "Spin") is not None
        with pytest.raises(ApiDumpError):
            api.set_api_dump(tmp_path / "missing.json")
    finally:
        api.set_api_dump(None)
    assert api.default_index().member("Gizmo", "Spin") is None
