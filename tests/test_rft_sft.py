"""SFT on a tiny Mistral model built in the test (CPU, nothing downloaded)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from luaurft.config import Settings
from luaurft.errors import ConfigError
from luaurft.rft.sft import (
    TRAIN_META_FILENAME,
    cuda_available,
    prepare_sft,
    quantization_config,
    read_train_result,
    resolve_report_to,
    resolve_target_modules,
    run_prepared,
    sft_config,
    to_pair,
    train_sft,
    wants_quantization,
)

pytest.importorskip("trl")

SYSTEM = "You are an expert Roblox Luau programmer."


def pair(i: int) -> dict[str, object]:
    return {
        "prompt": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Print the number {i} when the server starts."},
        ],
        "completion": [{"role": "assistant", "content": f"print({i})\nreturn {i}\n"}],
        "id": f"row-{i}",  # provenance columns are dropped before training
    }


ROWS = [pair(i) for i in range(4)]


def tiny_settings() -> Settings:
    s = Settings(name="tiny-sft")
    s.lora.r = 8
    s.lora.alpha = 16
    s.lora.dropout = 0.0
    t = s.training
    t.epochs = 1
    t.per_device_batch_size = 2
    t.gradient_accumulation_steps = 1
    t.learning_rate = 1e-2
    t.max_length = 256
    t.warmup_ratio = 0.0
    t.lr_scheduler_type = "constant"
    t.report_to = ["none"]
    return s


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from luaurft.llm.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", seed=0)


def test_sft_masks_the_prompt_lowers_the_loss_and_saves_an_adapter(
    tiny_model: Path, tmp_path: Path
) -> None:
    prepared = prepare_sft(
        tiny_settings(), ROWS, tmp_path / "adapter", base_model=str(tiny_model), max_steps=16
    )
    tokenizer = prepared.tokenizer
    dataset = prepared.trainer.train_dataset
    assert "id" not in dataset.column_names
    for i, row in enumerate(dataset):
        ids, labels = row["input_ids"], row["labels"]
        prompt = tokenizer.apply_chat_template(
            ROWS[i]["prompt"], tokenize=True, add_generation_prompt=True, return_dict=True
        )["input_ids"]
        # Every prompt token is masked out of the loss; every completion token is trained.
        assert ids[: len(prompt)] == prompt
        assert all(label == -100 for label in labels[: len(prompt)])
        assert labels[len(prompt) :] == ids[len(prompt) :]
        trained = tokenizer.decode(labels[len(prompt) :], skip_special_tokens=False)
        assert trained.strip() == f"print({i})\nreturn {i}\n</s>".strip()

    result = run_prepared(prepared)
    assert result.steps == 16 and len(result.losses) == 16
    # The loss went down: the last steps' mean is well under the first step's.
    assert sum(result.losses[-4:]) / 4 < result.losses[0] - 0.5
    out = tmp_path / "adapter"
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 8 and config["lora_alpha"] == 16
    assert set(config["target_modules"]) == set(Settings().lora.target_modules)
    assert (out / "adapter_model.safetensors").is_file()
    assert (out / "tokenizer_config.json").is_file()
    assert not (out / "checkpoints").exists()
    saved = read_train_result(out)
    assert saved is not None and saved.losses == result.losses
    if cuda_available():
        # QLoRA: the base loads in 4 bits and trains in bf16 where the GPU has it.
        assert saved.quantized and saved.precision in {"bf16", "fp16"}
    else:
        assert not saved.quantized and saved.precision == "fp32"


def test_target_modules_the_model_lacks_are_skipped_with_a_warning(
    tiny_model: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    with caplog.at_level(logging.WARNING, logger="luaurft.rft.sft"):
        present, skipped = resolve_target_modules(model, ["q_proj", "c_attn", "down_proj", "w1"])
    assert present == ["q_proj", "down_proj"] and skipped == ["c_attn", "w1"]
    assert "c_attn" in caplog.text and "w1" in caplog.text
    with pytest.raises(ConfigError, match=r"none of lora\.target_modules"):
        resolve_target_modules(model, ["c_attn", "w1"])


def test_training_continues_an_existing_adapter(tiny_model: Path, tmp_path: Path) -> None:
    settings = tiny_settings()
    settings.lora.target_modules = ["q_proj", "v_proj", "not_a_layer"]
    first = train_sft(settings, ROWS, tmp_path / "a", base_model=str(tiny_model), max_steps=4)
    assert first.target_modules == ["q_proj", "v_proj"] and first.skipped_modules == ["not_a_layer"]
    second = train_sft(
        settings, ROWS[:2], tmp_path / "b", base_model=str(tiny_model), init_adapter=tmp_path / "a",
        max_steps=4,
    )  # fmt: skip
    assert second.init_adapter == str(tmp_path / "a")
    assert second.target_modules == ["q_proj", "v_proj"]
    # It started from the first adapter, so its first loss is near where that one ended.
    assert second.losses[0] < first.losses[0]
    from safetensors.torch import load_file

    a = load_file(tmp_path / "a" / "adapter_model.safetensors")
    b = load_file(tmp_path / "b" / "adapter_model.safetensors")
    assert a.keys() == b.keys()
    assert any(not a[k].equal(b[k]) for k in a)


def test_sft_config_takes_every_value_from_settings_and_trains_on_cpu(tmp_path: Path) -> None:
    settings = Settings()
    args = sft_config(settings, tmp_path, cuda=False, precision="fp32", report_to=["none"])
    t = settings.training
    assert args.num_train_epochs == t.epochs == 2
    assert args.per_device_train_batch_size == 1 and args.gradient_accumulation_steps == 8
    assert args.learning_rate == 1.5e-4
    assert args.max_length == 8192  # explicit: TRL's own default is 1024
    assert args.completion_only_loss is True
    assert args.gradient_checkpointing is True
    assert args.use_cpu is True and args.bf16 is False and args.fp16 is False


def test_qlora_settings_map_to_bitsandbytes_and_only_apply_with_cuda() -> None:
    import torch

    settings = Settings()
    q = quantization_config(settings)
    assert q.load_in_4bit is True and q.bnb_4bit_quant_type == "nf4"
    assert q.bnb_4bit_compute_dtype == torch.bfloat16 and q.bnb_4bit_use_double_quant is True
    assert wants_quantization(settings, cuda=False) is False
    settings.quantization.load_in_4bit = False
    assert wants_quantization(settings, cuda=True) is False


def test_wandb_without_a_login_logs_offline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("wandb")
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_report_to(["wandb"]) == ["wandb"]
    import os

    assert os.environ["WANDB_MODE"] == "offline"
    assert resolve_report_to(["none"]) == ["none"]
    assert resolve_report_to([]) == ["none"]


def test_chat_rows_become_prompt_completion_pairs() -> None:
    chat = {
        "messages": [
            {"role": "system", "content": "s"},
            {"role": "user", "content": "u"},
            {"role": "assistant", "content": "code"},
        ]
    }
    assert to_pair(chat) == {
        "prompt": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
        "completion": [{"role": "assistant", "content": "code"}],
    }
    from luaurft.rft.sft import TrainingError

    with pytest.raises(TrainingError):
        to_pair({"messages": [{"role": "user", "content": "u"}]})
    with pytest.raises(TrainingError):
        to_pair({"text": "x"})


def test_text_pairs_mixed_with_message_rows_say_which_rows_and_how_to_fix() -> None:
    from luaurft.rft.sft import TrainingError, to_dataset

    text = {"prompt": "Write a kill brick.", "completion": "local p = script.Parent"}
    chat = {
        "prompt": [{"role": "user", "content": "Write a door."}],
        "completion": [{"role": "assistant", "content": "local d = script.Parent"}],
    }
    with pytest.raises(
        TrainingError, match=r"plain-text pairs \(row 1\).*message-list rows \(row 3\)"
    ):
        to_dataset([text, text, chat])
    assert to_dataset([chat, chat]).num_rows == 2
    assert to_dataset([text]).num_rows == 1


@pytest.mark.slow
def test_sft_reports_to_wandb_offline(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("wandb")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    result = train_sft(
        tiny_settings(), ROWS, tmp_path / "adapter", base_model=str(tiny_model), max_steps=2,
        report_to=["wandb"], run_name="tiny-offline",
    )  # fmt: skip
    assert result.report_to == ["wandb"]
    runs = list((tmp_path / "wandb").glob("offline-run-*"))
    assert len(runs) == 1 and any(runs[0].glob("*.wandb"))
    assert json.loads((tmp_path / "adapter" / TRAIN_META_FILENAME).read_text())["report_to"] == [
        "wandb"
    ]


class _Killed(RuntimeError):
    pass


def test_training_killed_after_a_checkpoint_resumes_from_it(
    tiny_model: Path, tmp_path: Path
) -> None:
    settings = tiny_settings()
    out = tmp_path / "adapter"
    seen: list[int] = []

    def die_at_step_3(done: int, total: int) -> None:
        seen.append(done)
        if done == 3:
            raise _Killed("killed")

    with pytest.raises(_Killed):
        train_sft(settings, ROWS, out, base_model=str(tiny_model), max_steps=4,
                  checkpoint_steps=2, progress=die_at_step_3)  # fmt: skip
    assert seen == [1, 2, 3] and (out / "checkpoints" / "checkpoint-2").is_dir()
    assert not (out / "adapter_config.json").exists()

    resumed: list[int] = []
    result = train_sft(
        settings, ROWS, out, base_model=str(tiny_model), max_steps=4, checkpoint_steps=2,
        progress=lambda done, total: resumed.append(done),
    )  # fmt: skip
    # Steps 1-2 came from the checkpoint; only 3 and 4 ran again.
    assert resumed == [3, 4] and result.steps == 4
    assert (out / "adapter_config.json").is_file() and not (out / "checkpoints").exists()
