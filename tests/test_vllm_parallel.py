"""vLLM's tensor and data parallel sizes: from the config's [vllm] and the command line,
to `vllm serve`, to the offline engine RFT samples with, and to GRPO (no vLLM started)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.cli import app
from luaurft.config import Settings, VLLMSettings, load_config
from test_llm_vllm import FakeLLM, fake_vllm  # noqa: F401  (the fixture)

BASE = "mistralai/Mistral-7B-Instruct-v0.3"


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(f'[model]\nbase_model = "{BASE}"\n' + body)
    return path


def _serve(*args: str) -> list[str]:
    result = CliRunner().invoke(app, ["serve", *args, "--dry-run"])
    assert result.exit_code == 0, result.output
    return shlex.split(result.output.strip())


def test_defaults_start_no_parallelism() -> None:
    assert VLLMSettings().serve_args() == []
    assert "tensor_parallel_size" not in VLLMSettings().engine_options()
    assert "--tensor-parallel-size" not in _serve(BASE)


def test_serve_takes_the_sizes_from_the_config_and_the_command_line(tmp_path: Path) -> None:
    config = _config(tmp_path, "[vllm]\ntensor_parallel_size = 4\ndata_parallel_size = 2\n")
    argv = _serve("--config", str(config))
    assert argv[:3] == ["vllm", "serve", BASE]
    assert argv[argv.index("--tensor-parallel-size") + 1] == "4"
    assert argv[argv.index("--data-parallel-size") + 1] == "2"
    argv = _serve("--config", str(config), "--tensor-parallel-size", "2")
    assert argv[argv.index("--tensor-parallel-size") + 1] == "2"
    assert argv[argv.index("--data-parallel-size") + 1] == "2"


def test_bad_sizes_are_refused(tmp_path: Path) -> None:
    from luaurft.errors import ConfigError

    with pytest.raises(ConfigError, match="tensor_parallel_size"):
        load_config(_config(tmp_path, "[vllm]\ntensor_parallel_size = 0\n"))
    result = CliRunner().invoke(app, ["serve", BASE, "--data-parallel-size", "0", "--dry-run"])
    assert result.exit_code == 2


def test_rft_samples_with_the_configured_engine_sizes(
    fake_vllm: type[FakeLLM],  # noqa: F811
) -> None:
    from luaurft.rft.factories import generator_factory
    from luaurft.rft.loop import ModelRef

    settings = Settings(vllm=VLLMSettings(tensor_parallel_size=2, data_parallel_size=2))
    factory = generator_factory("vllm", vllm_options=settings.vllm.engine_options())
    factory(ModelRef(BASE, None, 0))
    options = fake_vllm.instances[-1].init_kwargs
    assert options["tensor_parallel_size"] == 2 and options["data_parallel_size"] == 2
    assert options["gpu_memory_utilization"] == 0.9


@pytest.mark.parametrize("mode", ["colocate", "server"])
def test_grpo_uses_vllm_colocated_or_in_server_mode(mode: str, tmp_path: Path) -> None:
    from luaurft.rft.grpo import grpo_config

    settings = Settings(vllm=VLLMSettings(grpo_mode=mode, tensor_parallel_size=2, server_port=8123))
    args = grpo_config(
        settings, tmp_path, cuda=False, precision="fp32", report_to=["none"], use_vllm=True
    )
    assert args.use_vllm and args.vllm_mode == mode
    if mode == "server":
        assert args.vllm_server_port == 8123
    else:
        assert args.vllm_tensor_parallel_size == 2
