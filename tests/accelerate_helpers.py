"""What `accelerate launch --config_file FILE` puts in each process's environment."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs" / "accelerate"


def launch_env(config: Path) -> dict[str, str]:
    """The ACCELERATE_* / FSDP_* variables `accelerate launch` sets from `config` (the
    launcher's own code, minus starting processes)."""
    import os

    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils.launch import (
        prepare_deepspeed_cmd_env,
        prepare_multi_gpu_env,
        prepare_simple_launcher_cmd_env,
    )

    args = launch_command_parser().parse_args(["--config_file", str(config), "train.py"])
    args, defaults, _ = _validate_launch_command(args)
    if args.use_deepspeed:
        # As `accelerate launch` does before it builds a DeepSpeed launch.
        fields = list(defaults.deepspeed_config.keys()) if defaults else []
        if args.mixed_precision:
            fields.append("mixed_precision")
        args.deepspeed_fields_from_accelerate_config = ",".join(fields)
        _, env = prepare_deepspeed_cmd_env(args)
    elif args.multi_gpu or args.use_fsdp:
        env = prepare_multi_gpu_env(args)
    else:
        _, env = prepare_simple_launcher_cmd_env(args)
    return {
        k: v
        for k, v in env.items()
        if k.startswith(("ACCELERATE_", "FSDP_")) and os.environ.get(k) != v
    }
