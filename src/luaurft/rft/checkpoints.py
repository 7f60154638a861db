"""Trainer checkpoints: what a killed SFT or GRPO run resumes from.

A training run with `checkpoint_steps` saves a trainer checkpoint (adapter, optimizer,
scheduler, RNG and data position) every that many optimizer steps in `checkpoints/`
under its output folder, keeping only the newest. Called again on the same folder, it
resumes from that checkpoint at its global step; once the final adapter is saved the
checkpoints are removed, since they serve only a resume of that very run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

CHECKPOINTS_DIRNAME = "checkpoints"


def checkpoints_dir(output_dir: str | Path) -> Path:
    """The folder a run writing its adapter to `output_dir` keeps its checkpoints in."""
    return Path(output_dir) / CHECKPOINTS_DIRNAME


def save_args(checkpoint_steps: int | None) -> dict[str, Any]:
    """The TrainingArguments that save a checkpoint every `checkpoint_steps` (None: never)."""
    return {
        "save_strategy": "steps" if checkpoint_steps else "no",
        # Only read when saving; TrainingArguments wants a positive value either way.
        "save_steps": checkpoint_steps or 500,
        "save_total_limit": 1 if checkpoint_steps else None,
    }


def last_checkpoint(output_dir: str | Path, checkpoint_steps: int | None) -> Path | None:
    """The newest checkpoint of a run writing to `output_dir`, if it checkpoints and has one."""
    from transformers.trainer_utils import get_last_checkpoint

    folder = checkpoints_dir(output_dir)
    if not checkpoint_steps or not folder.is_dir():
        return None
    found = get_last_checkpoint(str(folder))
    return Path(found) if found else None


def checkpoint_step(checkpoint: str | Path) -> int:
    """The global step a checkpoint was saved at (the steps a resume skips)."""
    state = json.loads((Path(checkpoint) / "trainer_state.json").read_text(encoding="utf-8"))
    return int(state["global_step"])


def remove_checkpoints(output_dir: str | Path) -> None:
    """Drop the checkpoints of a finished run (its adapter is what is kept)."""
    shutil.rmtree(checkpoints_dir(output_dir), ignore_errors=True)
