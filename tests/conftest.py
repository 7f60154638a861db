from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.suffix in {".lua", ".luau"})
