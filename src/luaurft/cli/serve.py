"""`luaurft serve` (vLLM's OpenAI-compatible server with named adapters) and
`luaurft export` (merge an adapter into its base)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from luaurft.cli._options import (
    DataParallelOption,
    FormatOption,
    HumanOrJson,
    JsonAlias,
    TensorParallelOption,
    vllm_settings,
    wants_json,
)
from luaurft.errors import ConfigError


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        base: Annotated[
            str | None,
            typer.Argument(
                help="Base model (default: the one --run-dir's run trained on, "
                "else model.base_model of --config)."
            ),
        ] = None,
        adapter: Annotated[
            list[str] | None,
            typer.Option("--adapter", "-a", help="NAME=PATH of a LoRA adapter; repeatable."),
        ] = None,
        run_dir: Annotated[
            Path | None,
            typer.Option("--run-dir", help="Serve a run's adapters as sft and rft."),
        ] = None,
        config: Annotated[
            Path | None, typer.Option("--config", "-c", help="Settings preset for the base model.")
        ] = None,
        host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port")] = 8000,
        max_lora_rank: Annotated[
            int | None,
            typer.Option("--max-lora-rank", help="Default: 64, or the adapters' largest r."),
        ] = None,
        max_model_len: Annotated[int | None, typer.Option("--max-model-len")] = None,
        tensor_parallel_size: TensorParallelOption = None,
        data_parallel_size: DataParallelOption = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Print the command instead of starting it.")
        ] = False,
        extra: Annotated[
            list[str] | None,
            typer.Option("--vllm-arg", help="Extra argument passed to vllm serve; repeatable."),
        ] = None,
    ) -> None:
        """Serve the base model and named adapters with vLLM (OpenAI-compatible API)."""
        from luaurft.config import Settings, load_config
        from luaurft.rft.serve import (
            adapters_of_run,
            base_model_of_run,
            parse_adapters,
            vllm_serve_command,
        )
        from luaurft.rft.serve import serve as start

        adapters = adapters_of_run(run_dir) if run_dir is not None else {}
        adapters.update(parse_adapters(adapter or []))
        settings = load_config(config) if config is not None else Settings()
        if base is None and config is not None:
            base = settings.model.base_model
        elif base is None and run_dir is not None:
            base = base_model_of_run(run_dir)
        if base is None:
            raise ConfigError(
                "give the base model, --run-dir to take the run's, "
                "or --config to take model.base_model"
            )
        parallel = vllm_settings(settings, tensor_parallel_size, data_parallel_size)
        argv = vllm_serve_command(
            base, adapters, host=host, port=port, rank=max_lora_rank,
            max_model_len=max_model_len, extra_args=[*parallel.serve_args(), *(extra or [])],
        )  # fmt: skip
        typer.echo(start(argv, dry_run=dry_run))

    @app.command("export")
    def export(
        adapter: Annotated[Path, typer.Argument(help="The LoRA adapter folder.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the merged model.")],
        base: Annotated[
            str | None, typer.Option("--base", help="Base model (default: the adapter's own).")
        ] = None,
        dtype: Annotated[
            str | None, typer.Option("--dtype", help="float32, bfloat16 or float16.")
        ] = None,
        output_format: FormatOption = HumanOrJson.TABLE,
        json_alias: JsonAlias = False,
    ) -> None:
        """Merge an adapter into its base model (peft merge_and_unload) and save it."""
        as_json = wants_json(output_format, json_alias)
        from luaurft.rft.serve import merge_adapter

        if dtype is not None and dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"unknown --dtype {dtype!r}; use float32, bfloat16 or float16")
        path = merge_adapter(adapter, out, base_model=base, dtype=dtype)
        if as_json:
            typer.echo(json.dumps({"merged": str(path)}))
        else:
            typer.echo(f"merged model saved to {path}")
