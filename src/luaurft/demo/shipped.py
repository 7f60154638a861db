"""The demo's shipped base model: built once by `luaurft demo build-base`, checked on use.

Pre-training the tiny base from scratch is most of a demo run's time on a CPU,
and it is the same work every time: the same train split, the same specs, the
same seeds. So the package ships the base that `build_base` made (about 2 MB:
`luaurft/demo/base_model/`), beside `recipe.json`, which records how it was
built (model and pre-training specs, the suite spec, the SHA-256 of the
training rows, library versions) and the SHA-256 of every file.

A demo run with `[demo] base = "shipped"` (the default) checks the files
against their recorded checksums and the recipe against its own preset (the
same model, pre-training and train split), copies the base into its run
folder and starts from it; anything that differs is an error that says what to
do (rebuild with `luaurft demo build-base`, or `base = "pretrain"` to
pre-train in the run folder as before). `base` may also name a folder that
`build_base` wrote.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from luaurft.errors import LuaurftError

if TYPE_CHECKING:
    from luaurft.demo.config import DemoPreset

RECIPE = "recipe.json"
SHIPPED_DIR = Path(__file__).parent / "base_model"
BUILD_COMMAND = "luaurft demo build-base"


class BaseModelError(LuaurftError):
    """A base model that is missing, altered, or built for another preset."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows_sha256(rows: Sequence[Mapping[str, Any]]) -> str:
    """The digest of the pre-training rows (the train split as prompt/completion rows)."""
    blob = json.dumps(list(rows), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def recipe_of(preset: DemoPreset, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What a base built for `preset` must have been built from."""
    demo = preset.demo
    return {
        "model": demo.model.model_dump(mode="json"),
        "pretrain": demo.pretrain.model_dump(mode="json"),
        "suite": demo.suite.model_dump(mode="json"),
        "max_length": preset.settings.training.max_length,
        "threads": demo.threads,
        "train_rows": len(rows),
        "train_rows_sha256": rows_sha256(rows),
    }


# The recipe's keys that decide the weights (threads only changes float rounding order).
_MUST_MATCH = ("model", "pretrain", "max_length", "train_rows_sha256")


def build_base(
    out: str | Path,
    preset: DemoPreset,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Pre-train the demo's base for `preset` into `out` and write its recipe; returns it."""
    import platform

    import torch
    import transformers

    from luaurft.demo.model import pretrain
    from luaurft.demo.pipeline import sft_rows, suite_spec
    from luaurft.demo.suite import build_suite

    torch.set_num_threads(preset.demo.threads)
    target = Path(out)
    suite = build_suite(suite_spec(preset))
    rows = sft_rows(suite.train, preset.settings.model.system_prompt)
    work = target.parent / f".{target.name}-work"
    if target.exists():
        shutil.rmtree(target)
    result = pretrain(
        target, rows, model_spec=preset.demo.model, spec=preset.demo.pretrain, work_dir=work,
        max_length=preset.settings.training.max_length, progress=progress,
    )  # fmt: skip
    files = {p.name: _sha256(p) for p in sorted(target.iterdir()) if p.is_file()}
    recipe = {
        **recipe_of(preset, rows),
        "command": BUILD_COMMAND,
        "parameters": result.parameters,
        "final_loss": result.losses[-1] if result.losses else None,
        "seconds": round(result.seconds, 1),
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "python": platform.python_version(),
        },
        "files": files,
    }
    (target / RECIPE).write_text(json.dumps(recipe, indent=2, sort_keys=True) + "\n", "utf-8")
    return recipe


def check_base(
    folder: str | Path, preset: DemoPreset, rows: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The recipe of a built base, after checking its files and that it fits `preset`."""
    path = Path(folder)
    recipe_path = path / RECIPE
    rebuild = f'rebuild it with `{BUILD_COMMAND}`, or set [demo] base = "pretrain"'
    if not recipe_path.is_file():
        raise BaseModelError(f"{path} holds no base model ({RECIPE} is missing); {rebuild}")
    recipe: dict[str, Any] = json.loads(recipe_path.read_text("utf-8"))
    for name, digest in dict(recipe.get("files", {})).items():
        file = path / name
        if not file.is_file() or _sha256(file) != digest:
            raise BaseModelError(f"{file} is missing or differs from its recorded checksum; "
                                 f"{rebuild}")  # fmt: skip
    wanted = recipe_of(preset, rows)
    differ = [key for key in _MUST_MATCH if recipe.get(key) != wanted[key]]
    if differ:
        raise BaseModelError(
            f"the base model in {path} was built for another {', '.join(differ)} than this "
            f"preset's; {rebuild}"
        )
    return recipe


def install_base(
    source: str | Path, target: str | Path, preset: DemoPreset, rows: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Check the base in `source` and copy it to `target` (a run folder's base/)."""
    recipe = check_base(source, preset, rows)
    out = Path(target)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    return recipe


__all__ = [
    "RECIPE",
    "SHIPPED_DIR",
    "BaseModelError",
    "build_base",
    "check_base",
    "install_base",
    "recipe_of",
    "rows_sha256",
]
