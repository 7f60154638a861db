"""Corpus filters. Each rejects a record with a named reason; the counts go in the data card.

Cheap text checks run first; the deterministic-score threshold (which parses
and compiles) runs last, on what is left.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from luaurft.data.records import CodeRecord
from luaurft.data.tokens import TokenType, string_body, tokenize

# Permissive licences (SPDX ids, lower case) whose code may be trained on and redistributed.
PERMISSIVE_LICENSES: tuple[str, ...] = (
    "mit", "mit-0", "apache-2.0", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "isc",
    "0bsd", "unlicense", "cc0-1.0", "zlib", "mpl-2.0", "wtfpl", "bsl-1.0", "cc-by-4.0",
    "permissive",
)  # fmt: skip


class FilterConfig(BaseModel):
    """Limits for every filter; `None` turns a filter off."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_chars: int | None = 80
    max_chars: int | None = 40_000
    min_lines: int | None = 4
    max_lines: int | None = 1_500
    # Generated / minified / obfuscated code.
    max_line_length: int | None = 1_000
    max_mean_line_length: float | None = 120.0
    min_whitespace_ratio: float | None = 0.08
    long_string_chars: int = 200
    max_string_entropy: float | None = 4.8
    max_escape_ratio: float | None = 0.3
    max_obfuscated_name_ratio: float | None = 0.2
    # Licences: lower-case SPDX ids; records without a licence pass only if allowed.
    license_allow: tuple[str, ...] | None = PERMISSIVE_LICENSES
    allow_unknown_license: bool = False
    # Deterministic composite from `luaurft.scoring.score_source`.
    min_score: float | None = Field(default=0.5, ge=0.0, le=1.0)
    # Score survivors even without a threshold: dedup keeps the best of a cluster
    # and the data card shows the score histogram.
    compute_scores: bool = True


@dataclass
class FilterStats:
    """How many records each filter saw and rejected, by reason."""

    seen: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def reject(self, record: CodeRecord, reason: str) -> None:
        self.rejected[reason] += 1
        sample = self.examples.setdefault(reason, [])
        if len(sample) < 5:
            sample.append(record.path or record.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "kept": self.kept,
            "rejected": dict(sorted(self.rejected.items())),
            "examples": self.examples,
        }


# -- text checks ---------------------------------------------------------------

_GENERATED_HEADER = re.compile(
    r"(?:auto[- ]?generated|generated\s+(?:by|with|from|automatically)|do\s+not\s+edit|"
    r"this\s+file\s+(?:is|was)\s+(?:auto(?:matically)?[- ]?)?generated|"
    r"obfuscated\s+(?:by|with|using)|\b(?:luraph|moonsec|ironbrew|psu\s+obfuscator|"
    r"prometheus\s+obfuscator)\b)",
    re.IGNORECASE,
)
_LOADSTRING = re.compile(r"\bloadstring\s*\(")
_HTTP_GET = re.compile(r"\bHttpGet(?:Async)?\s*\(")
_STRING_CHAR_CALL = re.compile(r"string\.char\s*\(([^)]*)\)")
_ESCAPE = re.compile(r"\\(?:\d{1,3}|x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\})")
_OBFUSCATED_NAME = re.compile(r"^(?:_0x[0-9a-fA-F]+|[Il_][Il1_]{5,}\d*|[O_][O0_]{5,}\d*|_{3,}\w*)$")


def shannon_entropy(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def generated_reason(text: str, config: FilterConfig) -> str | None:
    """Why `text` looks generated, minified or obfuscated, or None when it reads as written code.

    The specific signs (headers, payloads, odd names) are checked before the
    generic shape ones (long lines, little whitespace), so the reason names the cause.
    """
    lines = text.split("\n")
    head = "\n".join(lines[:15])
    if _GENERATED_HEADER.search(head):
        return "generated-header"
    if "\x1bLua" in text or "\\27Lua" in text:
        return "bytecode-payload"
    strings: list[str] = []
    names: list[str] = []
    for token in tokenize(text):
        if token.type is TokenType.STRING:
            strings.append(string_body(token.text))
        elif token.type is TokenType.NAME:
            names.append(token.text)
    long_strings = [s for s in strings if len(s) >= config.long_string_chars]
    if _LOADSTRING.search(text):
        packed_chars = any(
            len(m.group(1).split(",")) >= 20 for m in _STRING_CHAR_CALL.finditer(text)
        )
        if long_strings or packed_chars or _HTTP_GET.search(text):
            return "loadstring-payload"
    if config.max_string_entropy is not None:
        for body in long_strings:
            if " " not in body.strip() and shannon_entropy(body) > config.max_string_entropy:
                return "high-entropy-string"
    if config.max_escape_ratio is not None:
        for body in strings:
            escapes = len(_ESCAPE.findall(body))
            if len(body) >= 40 and escapes * 3 / len(body) > config.max_escape_ratio:
                return "escaped-payload"
    if config.max_obfuscated_name_ratio is not None and len(names) >= 20:
        odd = sum(1 for n in names if _OBFUSCATED_NAME.match(n))
        if odd / len(names) > config.max_obfuscated_name_ratio:
            return "obfuscated-names"
    longest = max(map(len, lines), default=0)
    if config.max_line_length is not None and longest > config.max_line_length:
        return "long-lines"
    non_empty = [line for line in lines if line.strip()]
    if (
        config.max_mean_line_length is not None
        and non_empty
        and sum(map(len, non_empty)) / len(non_empty) > config.max_mean_line_length
    ):
        return "long-lines"
    if config.min_whitespace_ratio is not None and len(text) >= 200:
        spaces = sum(1 for ch in text if ch.isspace())
        if spaces / len(text) < config.min_whitespace_ratio and not _spaced_assignments(text):
            return "minified"
    return None


_ASSIGNMENT = re.compile(r"(?<![=~<>])=(?!=)")


def _spaced_assignments(text: str) -> bool:
    """Whether most `=` signs have a space beside them, as written code does. Long dotted
    names (`exports.RemoteProperty = require(script.Util.Remote.RemoteProperty)`) keep
    the whitespace share of hand-written code low; a minifier also strips these spaces."""
    total = spaced = 0
    for match in _ASSIGNMENT.finditer(text):
        total += 1
        start, end = match.start(), match.end()
        if (start > 0 and text[start - 1] in " \t") or (end < len(text) and text[end] in " \t"):
            spaced += 1
    return total >= 3 and spaced * 2 > total


def size_reason(text: str, config: FilterConfig) -> str | None:
    chars = len(text)
    if config.min_chars is not None and chars < config.min_chars:
        return "too-small"
    if config.max_chars is not None and chars > config.max_chars:
        return "too-large"
    lines = text.count("\n") + 1
    if config.min_lines is not None and lines < config.min_lines:
        return "too-few-lines"
    if config.max_lines is not None and lines > config.max_lines:
        return "too-many-lines"
    return None


def encoding_reason(text: str) -> str | None:
    """Text that was decoded lossily upstream (replacement characters) or carries NULs."""
    if "\ufffd" in text or "\x00" in text:
        return "non-utf8"
    return None


def normalize_license(value: str) -> list[str]:
    """Licence ids from a column value ("MIT", "['MIT', 'Apache-2.0']", "mit,apache-2.0")."""
    cleaned = re.sub(r"[\[\]\"']", "", value)
    return [part.strip().lower() for part in re.split(r"[,;|]| or | OR ", cleaned) if part.strip()]


def license_reason(record: CodeRecord, config: FilterConfig) -> str | None:
    if config.license_allow is None:
        return None
    if not record.license:
        return None if config.allow_unknown_license else "license-unknown"
    allowed = set(config.license_allow)
    # A dual-licensed file may be used under any one of its licences.
    if any(lic in allowed for lic in normalize_license(record.license)):
        return None
    return "license-not-allowed"


# -- the filter chain ----------------------------------------------------------


Scorer = Callable[[CodeRecord], float]


def default_scorer(record: CodeRecord) -> float:
    from luaurft.scoring import score_source

    return score_source(record.text, path=record.path).composite


@dataclass
class FilterChain:
    """Every filter in order; `run` yields survivors (with `score` set when scoring is on)."""

    config: FilterConfig = field(default_factory=FilterConfig)
    scorer: Scorer = default_scorer
    stats: dict[str, FilterStats] = field(default_factory=dict)

    STEPS = ("encoding", "size", "license", "generated", "score")

    def __post_init__(self) -> None:
        for step in self.STEPS:
            self.stats.setdefault(step, FilterStats())

    def _check(self, step: str, record: CodeRecord, reason: str | None) -> bool:
        stats = self.stats[step]
        stats.seen += 1
        if reason is None:
            stats.kept += 1
            return True
        stats.reject(record, reason)
        return False

    def run(
        self,
        records: Iterable[CodeRecord],
        on_record: Callable[[CodeRecord, bool], None] | None = None,
    ) -> Iterator[CodeRecord]:
        cfg = self.config
        for record in records:
            kept = self._filter_one(record, cfg)
            if on_record is not None:
                on_record(record, kept is not None)
            if kept is not None:
                yield kept

    def _filter_one(self, record: CodeRecord, cfg: FilterConfig) -> CodeRecord | None:
        text = record.text
        if not self._check("encoding", record, encoding_reason(text)):
            return None
        if not self._check("size", record, size_reason(text, cfg)):
            return None
        if not self._check("license", record, license_reason(record, cfg)):
            return None
        if not self._check("generated", record, generated_reason(text, cfg)):
            return None
        if cfg.min_score is None and not cfg.compute_scores:
            self._check("score", record, None)
            return record
        try:
            score = record.score if record.score is not None else float(self.scorer(record))
        except Exception as exc:  # one unscorable file must not stop a corpus build
            self.stats["score"].examples.setdefault("score-error-messages", []).append(
                str(exc)[:200]
            )
            self._check("score", record, "score-error")
            return None
        scored = record.with_(score=score)
        below = cfg.min_score is not None and score < cfg.min_score
        return (
            scored if self._check("score", scored, "below-min-score" if below else None) else None
        )

    def to_dict(self) -> dict[str, Any]:
        return {step: self.stats[step].to_dict() for step in self.STEPS}


def filter_records(
    records: Iterable[CodeRecord],
    config: FilterConfig | None = None,
    scorer: Scorer | None = None,
) -> tuple[list[CodeRecord], FilterChain]:
    """Run every filter over `records`; returns the survivors and the chain (its stats)."""
    chain = FilterChain(config=config or FilterConfig(), scorer=scorer or default_scorer)
    kept = list(chain.run(records))
    return kept, chain
