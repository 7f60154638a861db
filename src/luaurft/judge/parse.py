"""Reading the judge's answer: JSON, or near-JSON repaired, normalised to [0, 1].

Models asked for JSON still wrap it in fences, add a sentence before it, leave
trailing commas, use single quotes or Python literals, or get cut off at the
token limit. `parse_verdict` undoes each of those in turn; what it cannot read
raises `VerdictParseError`, which the judge records as a failed judgment
(never as a score of 0).

Scores are read on the 0-10 scale the prompt asks for. A value written as a
fraction ("8/10", "4 out of 5") is divided out; when every score is within
[0, 1] and at least one has a fractional part the judge evidently used a unit
scale and the values are kept as they are.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any

from luaurft.judge.rubric import CRITERIA, CRITERION_NAMES


class VerdictParseError(ValueError):
    """The judge's answer could not be read as a verdict."""


@dataclass(frozen=True)
class Verdict:
    scores: dict[str, float]
    reasons: dict[str, str] = field(default_factory=dict)
    rationale: str = ""
    repairs: tuple[str, ...] = ()

    @property
    def overall(self) -> float:
        total = sum(c.weight for c in CRITERIA)
        return round(sum(c.weight * self.scores[c.name] for c in CRITERIA) / total, 6)


_FENCE = re.compile(r"```[a-zA-Z]*\s*\n?(.*?)(?:```|$)", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_ ]*?)(\s*:)")
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
_FRACTION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:/|out of|of)\s*(\d+(?:\.\d+)?)\s*$", re.I)


def _balanced_object(text: str) -> tuple[str, bool]:
    """The first {...} object in `text`, closed if the text was cut off (bool: was it)."""
    start = text.find("{")
    if start < 0:
        raise VerdictParseError("no JSON object in the judge's answer")
    stack: list[str] = []
    quote: str | None = None
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if stack:
                stack.pop()
            if not stack:
                return text[start : i + 1], False
    # Cut off: close the open string and brackets so what was written can be read.
    tail = text[start:].rstrip()
    if quote:
        tail += quote
    return _drop_dangling(tail) + "".join(reversed(stack)), True


def _drop_dangling(tail: str) -> str:
    """Remove what cannot stand before a closing bracket: a comma, a key without value."""
    while True:
        before = tail
        tail = tail.rstrip()
        tail = re.sub(r",$", "", tail)
        tail = re.sub(r"([{,])\s*\"[^\"]*\"\s*:$", r"\1", tail)  # "key":
        tail = re.sub(r"([{,])\s*\"[^\"]*\"$", r"\1", tail)  # "key" (a value needs a colon first)
        if tail == before:
            return tail


def _swap_single_quotes(text: str) -> str:
    """Turn single-quoted JSON strings into double-quoted ones, escaping inner quotes."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif ch == "'":
            j = i + 1
            buf: list[str] = []
            while j < len(text) and text[j] != "'":
                if text[j] == "\\" and j + 1 < len(text):
                    buf.append(text[j : j + 2])
                    j += 2
                    continue
                buf.append('\\"' if text[j] == '"' else text[j])
                j += 1
            out.append('"' + "".join(buf) + '"')
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _load_object(text: str) -> tuple[dict[str, Any], list[str]]:
    repairs: list[str] = []
    body = _THINK.sub("", text).strip()
    fenced = _FENCE.search(body)
    if fenced and "{" in fenced.group(1):
        body = fenced.group(1)
        repairs.append("fence")
    candidate, cut = _balanced_object(body)
    if cut:
        repairs.append("truncated")
    if body.strip() != candidate.strip() and "fence" not in repairs:
        repairs.append("prose")
    try:
        loaded = json.loads(candidate)
    except json.JSONDecodeError:
        fixed = _LINE_COMMENT.sub("", candidate)
        fixed = fixed.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
        fixed = _swap_single_quotes(fixed)
        fixed = _TRAILING_COMMA.sub(r"\1", fixed)
        fixed = re.sub(r"\bTrue\b", "true", fixed)
        fixed = re.sub(r"\bFalse\b", "false", fixed)
        fixed = re.sub(r"\bNone\b", "null", fixed)
        fixed = _BARE_KEY.sub(lambda m: f'{m.group(1)}"{m.group(2).strip()}"{m.group(3)}', fixed)
        repairs.append("syntax")
        try:
            loaded = json.loads(fixed)
        except json.JSONDecodeError:
            try:
                loaded = ast.literal_eval(candidate)
            except (ValueError, SyntaxError) as exc:
                raise VerdictParseError(f"the judge's answer is not JSON: {exc}") from None
    if not isinstance(loaded, dict):
        raise VerdictParseError("the judge's answer is not a JSON object")
    return loaded, repairs


def _number(value: Any) -> tuple[float, bool]:
    """(value on its own scale, whether it was written as a fraction and divided out)."""
    if isinstance(value, bool):
        raise VerdictParseError("a score is true/false, not a number")
    if isinstance(value, int | float):
        return float(value), False
    if isinstance(value, str):
        fraction = _FRACTION.match(value)
        if fraction:
            denominator = float(fraction.group(2))
            if denominator <= 0:
                raise VerdictParseError(f"score {value!r} divides by zero")
            return float(fraction.group(1)) / denominator, True
        try:
            return float(value.strip()), False
        except ValueError:
            pass
    raise VerdictParseError(f"score {value!r} is not a number")


def _lookup(data: dict[str, Any], name: str) -> Any:
    containers = [data]
    for key in ("scores", "criteria", "evaluation"):
        inner = data.get(key)
        if isinstance(inner, dict):
            containers.append(inner)
    aliases = {name, name.replace("_", " "), name.replace("_", "-"), name.title()}
    if name == "roblox_practice":
        aliases |= {
            "best_practice",
            "best_practices",
            "roblox_best_practice",
            "roblox_best_practices",
        }
    for container in containers:
        for key, value in container.items():
            if str(key).strip().lower() in {a.lower() for a in aliases}:
                return value
    return None


def parse_verdict(text: str) -> Verdict:
    """Read the judge's answer (see module docstring); raise `VerdictParseError`."""
    data, repairs = _load_object(text)
    raw_scores: dict[str, float] = {}
    fractions: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    for name in CRITERION_NAMES:
        entry = _lookup(data, name)
        if entry is None:
            raise VerdictParseError(f"the judge's answer has no score for {name!r}")
        if isinstance(entry, dict):
            score_value = next(
                (entry[k] for k in ("score", "value", "rating", "points") if k in entry), None
            )
            if score_value is None:
                raise VerdictParseError(f"the judge's entry for {name!r} has no score")
            reason = entry.get("reason") or entry.get("rationale") or entry.get("comment") or ""
            reasons[name] = str(reason)
        else:
            score_value = entry
        raw_scores[name], fractions[name] = _number(score_value)
    unit_scale = all(0.0 <= v <= 1.0 for v in raw_scores.values()) and any(
        v != int(v) for n, v in raw_scores.items() if not fractions[n]
    )
    scores: dict[str, float] = {}
    for name, value in raw_scores.items():
        normalised = value if fractions[name] or unit_scale else value / 10.0
        scores[name] = round(min(1.0, max(0.0, normalised)), 6)
    rationale = data.get("rationale") or data.get("summary") or data.get("verdict") or ""
    return Verdict(scores=scores, reasons=reasons, rationale=str(rationale), repairs=tuple(repairs))
