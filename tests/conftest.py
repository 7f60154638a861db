from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from luaurft.luau.kind import ScriptKind
from luaurft.roblox.scaffold import infer_placement

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"

# A small real script that scores well: trivial code such as `print('hello')`
# scores low by design, so tests that need a passing script use this one.
LEADERSTATS_SCRIPT = """local Players = game:GetService("Players")

local function onPlayerAdded(player)
\tlocal leaderstats = Instance.new("Folder")
\tleaderstats.Name = "leaderstats"
\tlocal coins = Instance.new("IntValue")
\tcoins.Name = "Coins"
\tcoins.Value = 0
\tcoins.Parent = leaderstats
\tleaderstats.Parent = player
end

Players.PlayerAdded:Connect(onPlayerAdded)
"""

os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


def planned_classes(scaffold: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(parent path, name) -> class of each instance a scaffold plan builds."""
    return {(item["parent"], item["name"]): item["class"] for item in scaffold}


def planned(code: str, kind: ScriptKind = ScriptKind.SCRIPT) -> dict[tuple[str, str], str]:
    """`planned_classes` of the placement `code` gets as a script of `kind`."""
    return planned_classes(infer_placement(code, kind).scaffold)


def load_benchmark(name: str) -> ModuleType:
    """Import benchmarks/NAME.py, which is a script folder, not a package."""
    benchmarks = ROOT / "benchmarks"
    sys.path.insert(0, str(benchmarks))
    try:
        spec = importlib.util.spec_from_file_location(name, benchmarks / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(benchmarks))


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.suffix in {".lua", ".luau"})
