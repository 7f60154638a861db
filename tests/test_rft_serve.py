"""`luaurft serve --dry-run` and `luaurft export` (merging an adapter into the tiny model)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.cli import app
from luaurft.errors import ConfigError
from luaurft.rft.serve import adapters_of_run, max_lora_rank, parse_adapters, vllm_serve_command
from luaurft.runs.store import RunStore


def fake_adapter(path: Path, r: int = 64, base: str = "mistralai/Mistral-7B-Instruct-v0.3") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "adapter_config.json").write_text(
        json.dumps({"r": r, "base_model_name_or_path": base, "peft_type": "LORA"})
    )
    return path


def test_serve_dry_run_prints_the_vllm_command_with_named_adapters(tmp_path: Path) -> None:
    sft = fake_adapter(tmp_path / "sft")
    rft = fake_adapter(tmp_path / "rft")
    result = CliRunner().invoke(
        app,
        ["serve", "mistralai/Mistral-7B-Instruct-v0.3", "--adapter", f"sft={sft}",
         "--adapter", f"rft={rft}", "--port", "8001", "--dry-run"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    argv = shlex.split(result.output.strip())
    assert argv[:3] == ["vllm", "serve", "mistralai/Mistral-7B-Instruct-v0.3"]
    i = argv.index("--lora-modules")
    assert argv[i + 1 : i + 3] == [f"sft={sft.resolve()}", f"rft={rft.resolve()}"]
    assert "--enable-lora" in argv
    assert argv[argv.index("--max-lora-rank") + 1] == "64"
    assert argv[argv.index("--port") + 1] == "8001"
    assert argv[argv.index("--host") + 1] == "127.0.0.1"


def test_max_lora_rank_covers_the_largest_adapter(tmp_path: Path) -> None:
    small = fake_adapter(tmp_path / "a", r=8)
    large = fake_adapter(tmp_path / "b", r=100)
    assert max_lora_rank({"a": small}) == 64
    assert max_lora_rank({"a": small, "b": large}) == 128
    argv = vllm_serve_command("base", {"a": small}, rank=16)
    assert argv[argv.index("--max-lora-rank") + 1] == "16"
    assert "--enable-lora" not in vllm_serve_command("base")


def test_bad_adapters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="NAME=PATH"):
        parse_adapters(["just-a-path"])
    with pytest.raises(ConfigError, match=r"no adapter_config\.json"):
        vllm_serve_command("base", {"sft": tmp_path})
    with pytest.raises(ConfigError, match="adapter name"):
        vllm_serve_command("base", {"bad name": fake_adapter(tmp_path / "x")})


def test_serve_a_runs_adapters_by_run_dir(tmp_path: Path) -> None:
    sft = fake_adapter(tmp_path / "adapters" / "sft")
    r1 = fake_adapter(tmp_path / "adapters" / "round-1")
    r2 = fake_adapter(tmp_path / "adapters" / "round-2")
    with RunStore.in_dir(tmp_path, kind="rft", config={"x": 1}) as store:
        store.add_artifact("adapter", sft, kind="adapter", round=0)
        store.add_artifact("adapter", r2, kind="adapter", round=2)
        store.add_artifact("adapter", r1, kind="adapter", round=1)
    assert adapters_of_run(tmp_path) == {"sft": sft, "rft": r2}
    result = CliRunner().invoke(
        app, ["serve", "base-model", "--run-dir", str(tmp_path), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert f"rft={r2.resolve()}" in result.output


def test_serve_without_vllm_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from luaurft.rft.serve import serve

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="--dry-run"):
        serve(["vllm", "serve", "base"])


@pytest.mark.slow
def test_export_merges_the_adapter_into_the_base(tmp_path: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from luaurft.config import Settings
    from luaurft.llm.tiny import build_tiny_model
    from luaurft.rft.sft import train_sft

    base = build_tiny_model(tmp_path / "base", seed=2)
    settings = Settings(name="export")
    settings.lora.r = 4
    settings.lora.alpha = 8
    settings.training.learning_rate = 5e-2
    settings.training.gradient_accumulation_steps = 1
    settings.training.max_length = 128
    rows = [{"prompt": "Say hi", "completion": " print('hi')"}]
    train_sft(settings, rows, tmp_path / "adapter", base_model=str(base), max_steps=3,
              report_to=["none"])  # fmt: skip

    result = CliRunner().invoke(
        app,
        [
            "export",
            str(tmp_path / "adapter"),
            "--out",
            str(tmp_path / "merged"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"merged": str(tmp_path / "merged")}
    merged_dir = tmp_path / "merged"
    assert not (merged_dir / "adapter_config.json").exists()
    assert (merged_dir / "tokenizer_config.json").is_file()

    ids = torch.tensor([[1, 5, 17, 42, 99]])
    plain = AutoModelForCausalLM.from_pretrained(base)
    with torch.no_grad():
        base_logits = plain(ids).logits
        peft_logits = PeftModel.from_pretrained(plain, str(tmp_path / "adapter"))(ids).logits
        merged_logits = AutoModelForCausalLM.from_pretrained(merged_dir)(ids).logits
    # The merged weights compute what base + adapter computes, and the adapter changed something.
    assert torch.allclose(merged_logits, peft_logits, atol=1e-5)
    assert not torch.allclose(merged_logits, base_logits, atol=1e-4)


def test_serve_takes_the_base_model_from_the_run_store(tmp_path: Path) -> None:
    sft = fake_adapter(tmp_path / "adapters" / "sft", base="adapter-says")
    r1 = fake_adapter(tmp_path / "adapters" / "round-1", base="adapter-says")
    with RunStore.in_dir(
        tmp_path, kind="rft", config={"model": {"base_model": "config-says"}}
    ) as s:
        s.add_artifact("adapter", sft, kind="adapter", round=0, meta={"base_model": "org/base-7b"})
        s.add_artifact("adapter", r1, kind="adapter", round=1, meta={"base_model": "org/base-7b"})
    result = CliRunner().invoke(app, ["serve", "--run-dir", str(tmp_path), "--dry-run"])
    assert result.exit_code == 0, result.output
    # The command is on stdout; warnings (adapters trained on another base) go to stderr.
    argv = shlex.split(result.stdout.strip())
    assert argv[:3] == ["vllm", "serve", "org/base-7b"]
    assert f"rft={r1.resolve()}" in result.stdout


def test_a_run_without_a_recorded_base_falls_back_to_its_settings(tmp_path: Path) -> None:
    from luaurft.rft.serve import base_model_of_run

    sft = fake_adapter(tmp_path / "adapters" / "sft", base="adapter-says")
    with RunStore.in_dir(
        tmp_path, kind="rft", config={"model": {"base_model": "config-says"}}
    ) as s:
        s.add_artifact("adapter", sft, kind="adapter", round=0)
    assert base_model_of_run(tmp_path) == "config-says"
