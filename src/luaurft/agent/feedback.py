"""The rewrite request: what is wrong with a version, told to the model in few words.

Grouped per file, worst file first; inside a file, errors Studio reported come
first (they are what a player would hit), then the findings from the most
severe down, in reading order. Findings of one rule with the same message are
one line listing their lines, so a habit repeated ten times costs one line,
not ten. The message is capped in length; what is left out is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from luaurft.scoring.card import ScoreCard
from luaurft.scoring.rule import Finding

DEFAULT_MAX_CHARS = 3000
DEFAULT_MAX_ITEMS_PER_FILE = 8


@dataclass(frozen=True, slots=True)
class StudioError:
    """An error Studio's Output reported for one of the pushed scripts."""

    path: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "message": self.message, "line": self.line}


@dataclass(frozen=True, slots=True)
class FileFeedback:
    """What the feedback reads for one file: its path, score card and Studio errors."""

    path: str
    card: ScoreCard
    studio_errors: tuple[StudioError, ...] = ()


def _finding_rank(f: Finding) -> tuple[int, int, int]:
    # Runtime errors found by running the code are facts, not style: put them with errors.
    runtime = 1 if f.scorer == "exec" else 0
    return (-f.severity.rank, -runtime, f.line)


def _group(findings: Sequence[Finding]) -> list[tuple[Finding, list[int]]]:
    groups: dict[tuple[str, str, str | None], tuple[Finding, list[int]]] = {}
    for f in sorted(findings, key=_finding_rank):
        key = (f.rule, f.message, f.fix)
        if key in groups:
            groups[key][1].append(f.line)
        else:
            groups[key] = (f, [f.line])
    return list(groups.values())


def _lines(lines: list[int]) -> str:
    unique = sorted(set(lines))
    shown = ", ".join(str(n) for n in unique[:6])
    more = f" (+{len(unique) - 6})" if len(unique) > 6 else ""
    return ("line " if len(unique) == 1 else "lines ") + shown + more


def _finding_line(f: Finding, lines: list[int]) -> str:
    label = "runtime error" if f.scorer == "exec" else f.severity.value
    text = f"- {_lines(lines)} [{label}] {f.rule}: {f.message.rstrip('.')}"
    if f.fix:
        text += f". Fix: {f.fix.rstrip('.')}"
    return text + "."


def _studio_line(error: StudioError) -> str:
    where = f"line {error.line} " if error.line else ""
    return f"- {where}[Studio error] {error.message.strip()}"


def file_problem_lines(item: FileFeedback, max_items: int) -> tuple[list[str], int]:
    """The lines for one file and how many problems were left out."""
    lines = [_studio_line(e) for e in item.studio_errors]
    lines += [_finding_line(f, ls) for f, ls in _group(item.card.findings)]
    if len(lines) <= max_items:
        return lines, 0
    return lines[:max_items], len(lines) - max_items


def build_feedback(
    files: Sequence[FileFeedback],
    *,
    score: float,
    threshold: float,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_items_per_file: int = DEFAULT_MAX_ITEMS_PER_FILE,
) -> str:
    """The message asking for a rewrite of a version that scored `score` (see module docstring)."""
    studio_count = sum(len(f.studio_errors) for f in files)
    if studio_count and score >= threshold:
        head = (
            f"Roblox Studio reported {studio_count} error{'s' if studio_count != 1 else ''} "
            "when the code ran. Fix them:"
        )
    else:
        head = f"The code scored {score:.2f}; it needs {threshold:.2f}. Fix these problems:"
    parts = [head]
    used = len(head)
    omitted = 0
    multi = len(files) > 1
    ordered = sorted(files, key=lambda f: (-len(f.studio_errors), f.card.composite, f.path))
    # Room is kept for the closing "(N more problems not shown.)" note.
    budget = max_chars - 48
    for item in ordered:
        lines, left_out = file_problem_lines(item, max_items_per_file)
        omitted += left_out
        header = (
            f"\n{item.path} (score {item.card.composite:.2f}):"
            if multi or item.studio_errors
            else None
        )
        cost = len(header) + 1 if header else 0
        kept: list[str] = []
        for line in lines:
            if used + cost + len(line) + 1 > budget:
                omitted += 1
                continue
            kept.append(line)
            cost += len(line) + 1
        if kept:
            if header:
                parts.append(header)
            parts.extend(kept)
            used += cost
    if omitted:
        parts.append(f"({omitted} more problem{'s' if omitted != 1 else ''} not shown.)")
    if len(parts) == 1:
        parts.append("- no specific problems were found; make the code more complete and robust.")
    return "\n".join(parts)


def rewrite_request(feedback: str, *, multi_file: bool) -> str:
    """The user turn that asks for the corrected answer."""
    if multi_file:
        tail = (
            "Rewrite the whole answer with these problems fixed. Output every file again in "
            "full, each starting with its `-- file:` line; keep the file paths."
        )
    else:
        tail = "Rewrite the complete script with these problems fixed."
    return f"{feedback}\n\n{tail} Output only code, no markdown."


__all__ = [
    "DEFAULT_MAX_CHARS",
    "DEFAULT_MAX_ITEMS_PER_FILE",
    "FileFeedback",
    "StudioError",
    "build_feedback",
    "file_problem_lines",
    "rewrite_request",
]
