"""`Finding`, `Severity` and `Rule`: the contract between rules and scorers.

A rule is a class with metadata (id, scorer, severity, summary, a bad and a good
example) and a `check` method. The rules reference (`docs/rules.md`, `luaurft
rules`) is generated from this metadata, so it is written once, here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.kind import ScriptKind
    from luaurft.luau.source import LuauSource
    from luaurft.roblox.project import InProject


# What `RuleContext.memo` finds for a fact not computed yet (None is a valid fact).
_ABSENT: Any = object()


class Severity(StrEnum):
    """How much a finding matters. Scorers turn severities into costs."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one piece of code (line and column are 1-based)."""

    rule: str
    scorer: str
    severity: Severity
    line: int
    column: int
    message: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "scorer": self.scorer,
            "severity": self.severity.value,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class RuleContext:
    """What a rule may read besides the source: the script kind and shared facts.

    `shared` is a per-run scratch space where one analysis (say, the scope
    resolution) is computed once and reused by every rule that needs it.
    """

    source: LuauSource
    kind: ScriptKind
    shared: dict[str, Any] = field(default_factory=dict)
    #: The project the code is a file of, when it is scored in one: execution
    #: runs it there (see `luaurft.roblox.project`); the other rules ignore it.
    project: InProject | None = None

    def memo(self, key: str, compute: Any) -> Any:
        """Compute `compute()` once per piece of code and share the result between rules."""
        # Rules ask about a hundred thousand times per megabyte of code, nearly
        # always for a fact already there: one lookup answers a hit.
        shared = self.shared
        found = shared.get(key, _ABSENT)
        if found is _ABSENT:
            found = shared[key] = compute()
        return found

    def release(self) -> None:
        """Done with this code: shared analyses that can unlink their records (a
        `release_analysis()` method, see `ScopeAnalysis`) do, so reference counting
        frees them at once instead of the cyclic garbage collector."""
        for value in self.shared.values():
            release = getattr(value, "release_analysis", None)
            if callable(release):
                release()
        self.shared.clear()


class Rule:
    """Base class of every rule. Subclasses set the metadata and implement `check`.

    `cost` is what one finding subtracts from the rule's scorer (see the
    scorer's formula); `None` means the scorer's default for the severity.
    """

    id: ClassVar[str]
    scorer: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    bad: ClassVar[str]
    good: ClassVar[str]
    cost: ClassVar[float | None] = None
    # Rules that only make sense on a complete tree say so; they are skipped
    # where tree-sitter could not parse (partial analysis, never a penalty).
    needs_clean_tree: ClassVar[bool] = False
    # Where code compiles but tree-sitter's grammar could not read a statement
    # (`LuauSource.misparsed_lines`), a rule that reads the tree would report on
    # a tree Luau does not see: its findings there are dropped. Rules whose
    # evidence is the text itself (comments, tokens, the compiler) say False;
    # the syntax scorer's rules all read the text.
    reads_tree: ClassVar[bool] = True

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    # Helpers for subclasses --------------------------------------------

    def at(
        self,
        ctx: RuleContext,
        where: tree_sitter.Node | tuple[int, int] | int,
        message: str,
        fix: str | None = None,
        *,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule at a node, a (line, column) pair or a line."""
        if isinstance(where, int):
            line, column = where, 1
        elif isinstance(where, tuple):
            line, column = where
        else:
            line, column = where.start_point[0] + 1, ctx.source.column_of(where)
        return Finding(
            rule=self.id,
            scorer=self.scorer,
            severity=severity or self.severity,
            line=line,
            column=column,
            message=message,
            fix=fix,
        )

    @classmethod
    def metadata(cls) -> dict[str, Any]:
        return {
            "id": cls.id,
            "scorer": cls.scorer,
            "severity": cls.severity.value,
            "summary": cls.summary,
            "bad": cls.bad,
            "good": cls.good,
            "cost": cls.cost,
        }


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in reading order; identical findings (same rule, place, message) once."""
    unique: dict[tuple[str, int, int, str], Finding] = {}
    for f in findings:
        unique.setdefault((f.rule, f.line, f.column, f.message), f)
    return sorted(unique.values(), key=lambda f: (f.line, f.column, f.rule))


def iter_rule_findings(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    """Run one rule, skipping rules that need a clean tree where the tree has errors."""
    if rule.needs_clean_tree and ctx.source.tree_has_errors:
        return
    yield from rule.check(ctx)
