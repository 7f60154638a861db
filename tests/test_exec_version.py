"""Exec results carry their own version, which follows the mock runtime."""

from __future__ import annotations

from pathlib import Path

from luaurft.scoring import score_source
from luaurft.scoring.execution import exec_score
from luaurft.scoring.registry import (
    card_version,
    exec_inputs,
    exec_version,
    hash_files,
    scorer_version,
)

CODE = 'local part = Instance.new("Part")\npart.Parent = workspace\nprint(part.Name)\n'


def test_exec_inputs_cover_the_runtime_and_the_sandbox() -> None:
    names = {name for name, _ in exec_inputs()}
    runtime = Path(__file__).resolve().parents[1] / "src" / "luaurft" / "roblox" / "runtime"
    for file in runtime.glob("*.luau"):
        assert f"roblox/runtime/{file.name}" in names
    assert {"luau/sandbox.py", "luau/prelude.luau", "roblox/mock.py"} <= names
    assert "scoring/execution.py" in names


def test_changing_any_input_changes_the_hash(tmp_path: Path) -> None:
    files = []
    for name in ("a.luau", "b.py"):
        path = tmp_path / name
        path.write_text(f"-- {name}\n")
        files.append((name, path))
    before = hash_files(files)
    assert hash_files(files) == before
    files[0][1].write_text("-- a.luau changed\n")
    assert hash_files(files) != before
    # Content moved between files is a change too.
    assert hash_files([("ab", tmp_path / "a.luau")]) != hash_files([("a", tmp_path / "a.luau")])


def test_cards_say_whether_code_ran() -> None:
    plain = score_source(CODE)
    ran = score_source(CODE, exec=True)
    assert plain.scorer_version == scorer_version() == card_version()
    assert ran.scorer_version == f"{scorer_version()}+exec.{exec_version()}"
    assert exec_version().startswith("1.") and exec_version() not in scorer_version()
    assert exec_score(CODE).version == exec_version()
    assert exec_score(CODE).to_dict()["version"] == exec_version()


def test_a_hybrid_reward_that_runs_code_keys_on_the_exec_version(monkeypatch) -> None:
    from luaurft.reward import HybridReward, RewardConfig
    from luaurft.rft.select import reward_key
    from luaurft.scoring import registry

    plain = HybridReward(RewardConfig(weights={"syntax": 0.5, "quality": 0.5}))
    running = HybridReward(RewardConfig(weights={"syntax": 0.5, "exec": 0.5}))
    keys = reward_key(plain), reward_key(running)
    # A runtime change: only the reward that runs code is scored again.
    monkeypatch.setattr(registry, "exec_version", lambda: "1.runtime-changed")
    assert reward_key(plain) == keys[0]
    assert reward_key(running) != keys[1]
