"""Shared helpers for the data tests: the fixture corpus and stack-schema files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "data"
CORPUS = FIXTURES / "corpus"
EVAL_REFERENCE = FIXTURES / "eval" / "checkpoint_reference.luau"
EVAL_PROMPT = (
    "Create a checkpoint system: touching a part tagged Checkpoint saves the player's stage "
    "(its Order attribute) and respawns the player on the furthest checkpoint reached."
)


def corpus_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.luau"))}


def near_copy_of_killbrick(text: str) -> str:
    """A copy-paste-and-edit of killbrick.luau: renamed locals, new constants, extra lines."""
    edited = (
        text.replace("brick", "lavaPart")
        .replace("cooldowns", "recentHits")
        .replace("DAMAGE = 100", "DAMAGE = 35")
        .replace("0.5", "1.5")
    )
    return "-- lava floor\n" + edited + '\nprint("lava ready")\n'


def renamed_reference(text: str) -> str:
    """The evaluation reference with every local renamed, as a scraped copy would be."""
    return (
        text.replace("lastCheckpoint", "savedSpot")
        .replace("onTouched", "handleTouch")
        .replace("checkpoint", "pad")
        .replace("current", "previous")
    )


def stack_rows(
    texts: dict[str, str], repo: str = "someone/obby", license: str = "MIT"
) -> list[dict[str, Any]]:
    return [
        {
            "file_content": text,
            "file_path": f"src/{name}",
            "repo_name": repo,
            "license": license,
            "stars": 3,
        }
        for name, text in texts.items()
    ]


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path
