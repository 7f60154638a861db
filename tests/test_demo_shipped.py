"""The demo's shipped base: built with a recipe, checked on use; progress lines off a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from luaurft.cli._progress import StageLines
from luaurft.demo.config import DemoPreset, demo_preset

pytest.importorskip("torch")


def tiny_preset(steps: int = 2) -> DemoPreset:
    return demo_preset(
        suite={"train_per_family": 2, "rft_per_family": 1, "eval_per_family": 1,
               "eval_per_combination": 0, "families": ["part", "walkspeed"], "combinations": []},
        model={"hidden_size": 16, "layers": 1, "heads": 2, "kv_heads": 1,
               "intermediate_size": 32, "vocab_size": 300},
        pretrain={"steps": steps, "batch_size": 2, "drills_per_step": 1},
        threads=1,
    )  # fmt: skip


def test_a_built_base_is_checked_against_its_recipe_before_use(tmp_path: Path) -> None:
    from luaurft.demo.pipeline import sft_rows, suite_spec
    from luaurft.demo.shipped import RECIPE, BaseModelError, build_base, check_base, install_base
    from luaurft.demo.suite import build_suite

    preset = tiny_preset()
    recipe = build_base(tmp_path / "base", preset)
    rows = sft_rows(build_suite(suite_spec(preset)).train, preset.settings.model.system_prompt)
    assert json.loads((tmp_path / "base" / RECIPE).read_text()) == recipe
    assert {"model.safetensors", "config.json", "tokenizer.json"} <= set(recipe["files"])
    assert check_base(tmp_path / "base", preset, rows) == recipe
    install_base(tmp_path / "base", tmp_path / "run" / "base", preset, rows)
    assert (tmp_path / "run" / "base" / "model.safetensors").is_file()

    # Another pre-training recipe, or other train data: not this base.
    with pytest.raises(BaseModelError, match="pretrain"):
        check_base(tmp_path / "base", tiny_preset(steps=3), rows)
    with pytest.raises(BaseModelError, match="train_rows_sha256"):
        check_base(tmp_path / "base", preset, rows[1:])
    # A file that changed after the build.
    weights = tmp_path / "base" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + b"\0")
    with pytest.raises(BaseModelError, match="checksum"):
        check_base(tmp_path / "base", preset, rows)
    with pytest.raises(BaseModelError, match="build-base"):
        check_base(tmp_path / "nothing", preset, rows)


def test_stage_lines_when_output_is_not_a_terminal() -> None:
    now = [0.0]
    lines: list[str] = []
    progress = StageLines(lines.append, every=10.0, clock=lambda: now[0])
    progress("pre-train base", 0, 100)
    for step in range(1, 101):
        now[0] += 1.0
        progress("pre-train base", step, 100)
    progress("pre-train base", 100, 100)
    now[0] += 5
    progress("SFT (LoRA)", 60, 60)
    assert lines[0] == "[00:00] pre-train base: started (0/100)\n"
    periodic = [line for line in lines if line.endswith("/100\n")]
    # One every 10 s while the stage runs: at 10, 20, ... 90 steps.
    assert [line.split(": ")[1] for line in periodic] == [f"{n}/100\n" for n in range(10, 100, 10)]
    assert lines[-3] == "[01:40] pre-train base: done 100/100 in 100 s\n"
    assert lines[-2:] == ["[01:45] SFT (LoRA): started (60/60)\n",
                          "[01:45] SFT (LoRA): done 60/60 in 0 s\n"]  # fmt: skip
    assert sum("done" in line for line in lines) == 2


def test_the_shipped_base_fits_the_default_preset() -> None:
    from luaurft.demo.pipeline import sft_rows, suite_spec
    from luaurft.demo.shipped import SHIPPED_DIR, check_base
    from luaurft.demo.suite import build_suite

    preset = demo_preset()
    assert preset.demo.base == "shipped"
    rows = sft_rows(build_suite(suite_spec(preset)).train, preset.settings.model.system_prompt)
    recipe = check_base(SHIPPED_DIR, preset, rows)
    assert recipe["command"] == "luaurft demo build-base"
    size = sum(p.stat().st_size for p in SHIPPED_DIR.iterdir())
    assert size < 4_000_000


def test_practice_combinations_are_sft_data_the_shipped_base_never_saw() -> None:
    from luaurft.demo.pipeline import sft_rows, suite_spec
    from luaurft.demo.shipped import SHIPPED_DIR, check_base
    from luaurft.demo.suite import build_suite

    preset = demo_preset(suite={"practice_combinations": 2})
    suite = build_suite(suite_spec(preset))
    assert len(suite.practice) > 0
    system = preset.settings.model.system_prompt
    # The base's recipe hashes the train split alone, so practice tasks leave it usable.
    check_base(SHIPPED_DIR, preset, sft_rows(suite.train, system))
