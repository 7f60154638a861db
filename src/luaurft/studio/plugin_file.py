"""Builds the installable Studio plugin file (.rbxmx) from the Luau sources shipped in this package.

The model is one Script (the entry, ``Main.server.luau``) holding one
ModuleScript per other ``.luau`` file, which it requires as ``script.<Name>``.
Studio loads any .rbxmx/.rbxm placed in its Plugins folder.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

from luaurft.studio.errors import PluginInstallError

PLUGIN_NAME: Final = "luaurft"
PLUGIN_FILE_NAME: Final = "luaurft.rbxmx"
ENTRY_FILE: Final = "Main.server.luau"

# XML 1.0 forbids these characters even inside CDATA.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class PluginSource:
    """One script of the plugin: instance name, class and Source."""

    name: str
    class_name: str
    source: str


def plugin_sources() -> tuple[PluginSource, list[PluginSource]]:
    """The entry Script and the ModuleScripts, read from the package data."""
    folder = resources.files("luaurft.studio").joinpath("plugin")
    entry: PluginSource | None = None
    modules: list[PluginSource] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".luau"):
            continue
        text = item.read_text(encoding="utf-8")
        if item.name == ENTRY_FILE:
            entry = PluginSource(PLUGIN_NAME, "Script", text)
        else:
            modules.append(PluginSource(item.name.removesuffix(".luau"), "ModuleScript", text))
    if entry is None:
        raise PluginInstallError(
            f"the luaurft package is missing plugin/{ENTRY_FILE}; reinstall luaurft"
        )
    return entry, modules


def _cdata(text: str) -> str:
    # "]]>" would end the section early, so it is split across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _item(source: PluginSource, referent: int, children: str = "", indent: str = "  ") -> str:
    if _XML_FORBIDDEN.search(source.source):
        raise PluginInstallError(f"{source.name}: Source holds a character XML cannot carry")
    return (
        f'{indent}<Item class="{source.class_name}" referent="RBX{referent}">\n'
        f"{indent}  <Properties>\n"
        f'{indent}    <string name="Name">{escape(source.name)}</string>\n'
        f'{indent}    <ProtectedString name="Source">{_cdata(source.source)}</ProtectedString>\n'
        f"{indent}  </Properties>\n"
        f"{children}"
        f"{indent}</Item>\n"
    )


def render_plugin() -> str:
    """The plugin as .rbxmx XML text."""
    entry, modules = plugin_sources()
    children = "".join(
        _item(module, index, indent="    ") for index, module in enumerate(modules, start=1)
    )
    return (
        '<roblox xmlns:xmime="http://www.w3.org/2005/05/xmlmime" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="http://www.roblox.com/roblox.xsd" version="4">\n'
        + _item(entry, 0, children)
        + "</roblox>\n"
    )


def build_plugin(out: Path) -> Path:
    """Write the plugin file to `out` (a file path, or a folder to put luaurft.rbxmx in)."""
    target = out / PLUGIN_FILE_NAME if out.is_dir() else out
    if target.suffix.lower() != ".rbxmx":
        raise PluginInstallError(f"{target}: the plugin file must end in .rbxmx so Studio loads it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_plugin(), encoding="utf-8")
    except OSError as exc:
        raise PluginInstallError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def studio_plugins_dir(
    platform: str | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """Roblox Studio's local Plugins folder on this machine (Windows or macOS)."""
    platform = platform or sys.platform
    env = os.environ if environ is None else environ
    if platform == "win32":
        local = env.get("LOCALAPPDATA")
        if not local:
            raise PluginInstallError(
                "LOCALAPPDATA is not set, so the Studio Plugins folder cannot be found; "
                "use --out and copy the file into %LOCALAPPDATA%\\Roblox\\Plugins yourself"
            )
        return Path(local) / "Roblox" / "Plugins"
    if platform == "darwin":
        home = env.get("HOME")
        base = Path(home) if home else Path.home()
        return base / "Documents" / "Roblox" / "Plugins"
    raise PluginInstallError(
        f"Roblox Studio runs only on Windows and macOS, and this machine is {platform}: "
        "there is no Plugins folder to install into. Build the file with --out and copy it to "
        "%LOCALAPPDATA%\\Roblox\\Plugins (Windows) or ~/Documents/Roblox/Plugins (macOS)"
    )


def install_plugin(
    plugin_file: Path,
    *,
    plugins_dir: Path | None = None,
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Copy a built plugin file into Studio's Plugins folder; returns the installed path."""
    folder = plugins_dir or studio_plugins_dir(platform, environ)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        installed = folder / PLUGIN_FILE_NAME
        shutil.copyfile(plugin_file, installed)
    except OSError as exc:
        raise PluginInstallError(f"cannot install into {folder}: {exc.strerror or exc}") from exc
    return installed
