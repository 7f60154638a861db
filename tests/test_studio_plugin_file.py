"""The installable plugin file, its installation, and the `luaurft studio` commands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from luaurft.cli import app
from luaurft.luau import compile_luau
from luaurft.studio import PluginInstallError
from luaurft.studio.plugin_file import (
    PLUGIN_FILE_NAME,
    _cdata,
    build_plugin,
    install_plugin,
    plugin_sources,
    studio_plugins_dir,
)

PLUGIN_DIR = Path(__file__).resolve().parents[1] / "src" / "luaurft" / "studio" / "plugin"
ROOT = Path(__file__).resolve().parents[1]


def _items(path: Path) -> dict[str, tuple[str, str]]:
    root = ET.parse(path).getroot()
    assert root.tag == "roblox" and root.get("version") == "4"
    found = {}
    for item in root.iter("Item"):
        props = item.find("Properties")
        assert props is not None
        name = props.find("string[@name='Name']")
        source = props.find("ProtectedString[@name='Source']")
        assert name is not None and source is not None
        found[name.text or ""] = (item.get("class") or "", source.text or "")
    return found


def test_plugin_file_parses_as_xml_with_every_source_inside(tmp_path: Path) -> None:
    built = build_plugin(tmp_path / "out" / "luaurft.rbxmx")
    items = _items(built)
    root = ET.parse(built).getroot()
    (entry,) = list(root)
    assert entry.get("class") == "Script"
    assert items["luaurft"] == (
        "Script",
        (PLUGIN_DIR / "Main.server.luau").read_text(encoding="utf-8"),
    )
    modules = sorted(p for p in PLUGIN_DIR.glob("*.luau") if p.name != "Main.server.luau")
    assert len(modules) >= 6
    for module in modules:
        # Each module is a child of the entry Script, which requires it as script.<Name>.
        assert entry.find(f"Item/Properties/string[.='{module.stem}']") is not None
        assert items[module.stem] == ("ModuleScript", module.read_text(encoding="utf-8"))


def test_build_into_a_folder_and_refuse_other_extensions(tmp_path: Path) -> None:
    assert build_plugin(tmp_path) == tmp_path / PLUGIN_FILE_NAME
    with pytest.raises(PluginInstallError, match=r"\.rbxmx"):
        build_plugin(tmp_path / "plugin.txt")


def test_cdata_survives_its_own_terminator() -> None:
    tricky = 'local s = "]]>" .. [[<Item>&amp;]] -- ]]]]>'
    element = ET.fromstring(f"<x>{_cdata(tricky)}</x>")
    assert element.text == tricky


def test_every_plugin_source_compiles_and_requires_only_shipped_modules() -> None:
    entry, modules = plugin_sources()
    names = {m.name for m in modules}
    for source in [entry, *modules]:
        verdict = compile_luau(source.source)
        assert verdict.ok, (source.name, verdict.error)
        for required in re.findall(r"require\(script(?:\.Parent)?\.(\w+)\)", source.source):
            assert required in names, (source.name, required)


def test_install_locations_per_platform(tmp_path: Path) -> None:
    windows = studio_plugins_dir("win32", {"LOCALAPPDATA": str(tmp_path / "AppData" / "Local")})
    assert windows == tmp_path / "AppData" / "Local" / "Roblox" / "Plugins"
    mac = studio_plugins_dir("darwin", {"HOME": str(tmp_path / "home")})
    assert mac == tmp_path / "home" / "Documents" / "Roblox" / "Plugins"
    with pytest.raises(PluginInstallError, match="only on Windows and macOS"):
        studio_plugins_dir("linux", {})
    with pytest.raises(PluginInstallError, match="LOCALAPPDATA"):
        studio_plugins_dir("win32", {})


def test_install_copies_the_built_file(tmp_path: Path) -> None:
    built = build_plugin(tmp_path / "luaurft.rbxmx")
    installed = install_plugin(
        built, platform="win32", environ={"LOCALAPPDATA": str(tmp_path / "local")}
    )
    assert installed == tmp_path / "local" / "Roblox" / "Plugins" / PLUGIN_FILE_NAME
    assert installed.read_bytes() == built.read_bytes()


def test_cli_plugin_out_and_install(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "dist" / "luaurft.rbxmx"
    result = runner.invoke(
        app,
        [
            "studio",
            "plugin",
            "--out",
            str(out),
            "--install",
            "--plugins-dir",
            str(tmp_path / "Plugins"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        out.is_file() and (tmp_path / "Plugins" / PLUGIN_FILE_NAME).read_bytes() == out.read_bytes()
    )
    assert "luaurft" in _items(out)


def test_cli_plugin_needs_a_destination() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "luaurft", "studio", "plugin"],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
        timeout=60,
    )
    assert result.returncode == 2
    assert "--out PATH, --install" in result.stderr


@pytest.mark.timeout(60)
def test_cli_serve_prints_a_token_that_opens_the_bridge() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "luaurft",
            "studio",
            "serve",
            "--port",
            "0",
            "--format",
            "json",
            "--poll-timeout",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["url"].startswith("http://127.0.0.1:")
        with httpx.Client(base_url=info["url"], timeout=10) as client:
            assert client.get("/api/hello").status_code == 401
            hello = client.get("/api/hello", headers={"X-Luaurft-Token": info["token"]})
            assert hello.status_code == 200 and hello.json()["sessionId"] == info["session_id"]
            assert hello.json()["limits"]["pollTimeoutSeconds"] == 1
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0
