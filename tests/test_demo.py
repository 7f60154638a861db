"""`luaurft demo` end to end on a micro preset: run folder, table, resume; pre-training resumes
from its checkpoint to the same weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from luaurft.demo.config import DemoPreset, demo_preset
from luaurft.demo.report import REFERENCE_RESULTS, ROWS

pytest.importorskip("torch")
pytest.importorskip("trl")


class Stop(RuntimeError):
    """Injected to kill a run part-way."""


def micro_preset() -> DemoPreset:
    preset = demo_preset(
        suite={"train_per_family": 6, "rft_per_family": 2, "eval_per_family": 1,
               "eval_per_combination": 1, "families": ["part", "leaderstats", "kill-brick"],
               "combinations": ["part+kill-brick"],
               "rft_more_per_family": 0, "rft_per_combination": 0},
        model={"hidden_size": 32, "layers": 1, "heads": 2, "kv_heads": 1,
               "intermediate_size": 64, "vocab_size": 400},
        pretrain={"steps": 6, "batch_size": 4, "checkpoint_every": 3},
        sft_steps=2, rft_steps=2, generation_batch=4,
        eval={"samples": 2, "max_new_tokens": 32}, base="pretrain",
    )  # fmt: skip
    settings = preset.settings.model_copy(deep=True)
    settings.sampling.n = 2
    settings.sampling.max_new_tokens = 32
    # An untrained micro model never reaches the real threshold nor passes a check; keeping
    # everything makes the RFT round train, which is what this test exercises.
    settings.rft.keep_threshold = 0.0
    settings.reward.require_checks = False
    return preset.model_copy(update={"settings": settings})


@pytest.mark.slow
def test_demo_runs_resumes_and_leaves_its_run_folder(tmp_path: Path) -> None:
    from luaurft.demo.pipeline import run_demo
    from luaurft.runs.store import RunStore

    run = tmp_path / "demo"
    preset = micro_preset()
    seen: list[str] = []

    def stop_in_candidates(stage: str, done: int, total: int) -> None:
        seen.append(stage)
        if stage.startswith("RFT candidates") and 0 < done < total:
            raise Stop("killed mid-candidates")

    with pytest.raises(Stop):
        run_demo(run, preset, progress=stop_in_candidates)
    with RunStore.in_dir(run, kind="rft", on_config_change="ignore") as store:
        partial = store.count_candidates(1)
    assert 0 < partial < 6 * 2

    stages: list[str] = []
    result = run_demo(run, preset, progress=lambda s, d, t: stages.append(s))
    # Resumed: the base and the SFT adapter were not trained again.
    assert not [s for s in stages if s in ("pre-train base", "SFT (LoRA)")]

    for path in ("run.sqlite", "base/config.json", "base/tokenizer.json", "data/sft.jsonl",
                 "adapters/sft/adapter_config.json", "adapters/round-1/adapter_config.json",
                 "tasks/train.toml", "tasks/rft.toml", "tasks/eval.toml", "eval/sft/run.sqlite",
                 "eval/rft/run.sqlite", "report/demo.md", "report/demo.json",
                 "report/report.md", "report/report.html", "report/comparison.json"):  # fmt: skip
        assert (run / path).is_file(), path
    with RunStore.in_dir(run, kind="rft", on_config_change="ignore") as store:
        candidates = store.candidates(round=1)
        assert len(candidates) == 6 * 2
        assert len({(c.task_id, c.index) for c in candidates}) == len(candidates)
        assert all(store.stage_done(name) for name in ("suite", "sft-data", "pretrain", "report"))
        assert store.stage_done("train", 0) and store.stage_done("train", 1)

    table = result.table
    assert [r.metric for r in table.rows] == [m for m, _ in ROWS]
    assert table.tasks == 4 and table.samples == 2
    for row in table.rows:
        assert row.sft is not None and row.rft is not None
        assert 0.0 <= row.sft <= 1.0 and 0.0 <= row.rft <= 1.0
        assert row.delta == pytest.approx(row.rft - row.sft, abs=1e-3)
        assert row.reference == REFERENCE_RESULTS.get(row.metric)
    saved = json.loads((run / "report" / "demo.json").read_text())
    assert saved["rows"][4]["reference"] == {"sft": 0.87, "rft": 0.92, "delta": 0.05}
    assert saved["splits"] == {"train": 18, "rft": 6, "validation": 0, "eval": 4}
    markdown = (run / "report" / "demo.md").read_text()
    assert "| Composite |" in markdown and "0.87 → 0.92" in markdown

    # A finished run resumes to the same table without sampling or training anything.
    again: list[str] = []
    second = run_demo(run, preset, progress=lambda s, d, t: again.append(s))
    assert second.table.to_dict() == table.to_dict()
    assert not [s for s in again if "(LoRA)" in s or s == "pre-train base"]


def test_pretraining_resumes_from_its_checkpoint_to_the_same_weights(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    from luaurft.demo.model import ModelSpec, PretrainSpec, pretrain
    from luaurft.demo.pipeline import sft_rows
    from luaurft.demo.suite import SuiteSpec, build_suite

    torch.set_num_threads(2)
    suite = build_suite(SuiteSpec(train_per_family=2, families=("part", "walkspeed")))
    rows = sft_rows(suite.train, "system")
    model = ModelSpec(vocab_size=300, hidden_size=16, layers=1, heads=2, kv_heads=1,
                      intermediate_size=32)  # fmt: skip
    spec = PretrainSpec(steps=5, batch_size=2, checkpoint_every=2)
    whole = pretrain(
        tmp_path / "whole", rows, model_spec=model, spec=spec, work_dir=tmp_path / "w1"
    )

    def stop_at_three(done: int, total: int) -> None:
        if done == 3:
            raise Stop

    with pytest.raises(Stop):
        pretrain(tmp_path / "split", rows, model_spec=model, spec=spec, work_dir=tmp_path / "w2",
                 progress=stop_at_three)  # fmt: skip
    assert (tmp_path / "w2" / "pretrain-checkpoint.pt").is_file()
    resumed = pretrain(tmp_path / "split", rows, model_spec=model, spec=spec,
                       work_dir=tmp_path / "w2")  # fmt: skip
    assert resumed.resumed_from == 2
    assert not (tmp_path / "w2").exists()
    assert resumed.losses == pytest.approx(whole.losses)
    a = load_file(str(tmp_path / "whole" / "model.safetensors"))
    b = load_file(str(tmp_path / "split" / "model.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key
    assert whole.losses[-1] < whole.losses[0]
