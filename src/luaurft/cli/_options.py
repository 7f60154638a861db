"""Checks of option values that several commands take."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from luaurft.errors import LuaurftError
from luaurft.luau.kind import parse_kind

if TYPE_CHECKING:
    from luaurft.config import Settings, VLLMSettings
    from luaurft.roblox.project import ProjectTree


def check_kind_option(kind: str | None) -> None:
    """Reject an unknown --kind as a usage error, before any file is read."""
    if kind is None:
        return
    try:
        parse_kind(kind)
    except LuaurftError as exc:
        raise typer.BadParameter(str(exc), param_hint="--kind") from None


#: One spelling for every command that runs or scores untrusted code in workers.
JobsOption = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        help="Worker processes that score and run code at once (0: one per CPU); "
        "every run is isolated in a worker either way.",
    ),
]


# -- output format: one convention ----------------------------------------------------
#
# Every command that prints a result takes `--format`: `table` (or `text`) for
# people, `json` for programs (one JSON document with snake_case keys on
# stdout; logs and progress on stderr). `--json`, which some commands took
# before, still works as a hidden, deprecated alias of `--format json`.


class HumanOrJson(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    HumanOrJson,
    typer.Option("--format", "-f", help="table for people, json for programs."),
]
JsonAlias = Annotated[
    bool, typer.Option("--json", hidden=True, help="Deprecated: use --format json.")
]


def wants_json(output_format: HumanOrJson, json_alias: bool = False) -> bool:
    """True for `--format json` (or the deprecated `--json`, with a warning on stderr)."""
    if json_alias:
        sys.stderr.write("warning: --json is deprecated; use --format json\n")
        return True
    return output_format is HumanOrJson.JSON


#: One spelling for every command that can send that work to a Ray cluster instead.
RayOption = Annotated[
    str | None,
    typer.Option(
        "--ray",
        metavar="ADDRESS",
        help="Score and run code as Ray tasks on this cluster (auto: the one on this "
        "machine, else a local Ray instance; or ray://HOST:10001). Same results, in order; "
        "needs the ray extra.",
    ),
]

#: vLLM's parallelism, for every command that starts vLLM (default: the config's [vllm]).
TensorParallelOption = Annotated[
    int | None,
    typer.Option(
        "--tensor-parallel-size",
        min=1,
        help="GPUs one vLLM model copy is split across (default: vllm.tensor_parallel_size).",
    ),
]
DataParallelOption = Annotated[
    int | None,
    typer.Option(
        "--data-parallel-size",
        min=1,
        help="vLLM model copies sampling side by side (default: vllm.data_parallel_size).",
    ),
]


def vllm_settings(settings: Settings, tensor: int | None, data: int | None) -> VLLMSettings:
    """The config's [vllm] section with the command line's sizes over it."""
    update = {
        k: v
        for k, v in (("tensor_parallel_size", tensor), ("data_parallel_size", data))
        if v is not None
    }
    return settings.vllm.model_copy(update=update)


# -- the mock world after a run: one spelling for `run` and `assist` ----------------------

WorldDiffOption = Annotated[
    bool,
    typer.Option(
        "--diff",
        help="Show what the script changed in the mock world: instances added, removed "
        "and changed (properties, attributes and tags, old -> new).",
    ),
]
SaveWorldOption = Annotated[
    Path | None,
    typer.Option(
        "--save-world",
        metavar="OUT.rbxmx",
        help="Save the mock world after the run (services and what is in them) as an "
        "XML model Studio opens (.rbxmx, or .rbxlx for a place).",
    ),
]
WORLD_SUFFIXES = (".rbxmx", ".rbxlx")


def check_save_world(path: Path | None) -> None:
    """Reject a --save-world name that is not an XML place or model file (the writer
    writes XML; a binary name would hold text Studio cannot open)."""
    if path is not None and path.suffix.lower() not in WORLD_SUFFIXES:
        raise typer.BadParameter(
            f"{path}: the world is saved as XML; name it .rbxmx (or .rbxlx)",
            param_hint="--save-world",
        )


# -- a place file as the world: one spelling for `run` and `assist` -----------------------

PlaceOption = Annotated[
    str | None,
    typer.Option(
        "--place",
        help="A place or model file (.rbxl .rbxlx .rbxm .rbxmx): the code runs in its "
        "instance tree (property values, attributes, tags; its ModuleScripts "
        "requireable, its other scripts present but not run).",
    ),
]


def load_place_option(place: str) -> ProjectTree:
    """The place a --place names, read once; a file that cannot be read is a usage
    error (exit 2) that names the file and what is wrong with it."""
    from luaurft.roblox.place import load_place

    try:
        return load_place(place)
    except LuaurftError as exc:
        raise typer.BadParameter(str(exc), param_hint="--place") from None
