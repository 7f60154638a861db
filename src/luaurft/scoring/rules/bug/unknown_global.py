"""bug/unknown-global: a name read as a global that nothing defines (usually a typo)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.roblox.api import ApiIndex
from luaurft.roblox.globals import KNOWN_GLOBALS, TESTEZ_GLOBALS
from luaurft.scoring.analysis.bindings import api_index_for
from luaurft.scoring.analysis.scope import Reference, scope_analysis
from luaurft.scoring.analysis.typos import typo_of
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class UnknownGlobalRule(Rule):
    id = "bug/unknown-global"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A name is read as a global but is never assigned and is not a Luau or Roblox "
        "global: it is nil at run time (usually a typo or a missing local)."
    )
    bad = 'local Players = game:GetService("Players")\nprint(#Player:GetPlayers())\n'
    good = 'local Players = game:GetService("Players")\nprint(#Players:GetPlayers())\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        unknown = [
            (name, refs)
            for name, refs in scopes.global_reads.items()
            if name not in KNOWN_GLOBALS and name not in scopes.global_writes
        ]
        if not unknown:
            return
        index = api_index_for(ctx)
        text = ctx.source.text
        hidden = scopes.names_in_errors() if scopes.partial else set()
        declaring: dict[int, int] | None = None
        pool: list[str] | None = None
        text_end = len(ctx.source.bytes.rstrip())
        mentions_g = "_G" in text
        spec = _is_spec_module(ctx) if any(n in TESTEZ_GLOBALS for n, _ in unknown) else False
        for name, refs in unknown:
            if spec and name in TESTEZ_GLOBALS:
                continue
            if mentions_g and (f"_G.{name}" in text or f'_G["{name}"]' in text):
                continue
            # A name that ends the text is most likely cut off (generation stopped
            # mid-word), not a typo; the syntax scorer reports the truncation.
            refs = [
                r for r in refs if not scopes.in_error_region(r.node) and r.node.end_byte < text_end
            ]
            if not refs:
                continue
            if scopes.partial:
                if declaring is None:
                    declaring = _declaring_lines(text)
                if name in hidden or _maybe_declared(text, name, declaring):
                    # Part of the file did not parse: the declaration may sit in it.
                    continue
            first = refs[0]
            if name == "self":
                yield self.at(
                    ctx,
                    first.node,
                    "`self` is used in a function declared with `.`, where it is not defined",
                    "declare the function with `:` (function T:name()) or take `self` as a parameter",
                )
                continue
            if index.is_service(name):
                # The script's `local Players = game:GetService("Players")` is
                # missing: that, not a lookalike local, is what it meant.
                yield self.at(
                    ctx,
                    first.node,
                    f"`{name}` is read but never defined: not a local, not assigned, not a "
                    f'Luau or Roblox global (it is a service: game:GetService("{name}"))',
                    f'define it first: local {name} = game:GetService("{name}")',
                )
                continue
            if pool is None:
                # Sorted once for every name that needs a guess.
                pool = sorted(KNOWN_GLOBALS | {d.name for d in scopes.declarations})
            guess = typo_of(name, pool)
            if guess is not None and not _fits_global(index, guess, refs, ctx.source.bytes):
                guess = None
            hint = f" (did you mean `{guess}`?)" if guess else ""
            yield self.at(
                ctx,
                first.node,
                f"`{name}` is read but never defined: not a local, not assigned, not a "
                f"Luau or Roblox global{hint}",
                f"use `{guess}`" if guess else f"define `{name}` (local {name} = ...) before use",
            )


_MEMBER_AFTER = re.compile(rb"\s*([.:])\s*([A-Za-z_]\w*)")


def _fits_global(index: ApiIndex, guess: str, refs: list[Reference], code: bytes) -> bool:
    """Whether the way the name is used fits the global library it looks like: a
    library is never called with `:` and has only its own members
    (`instance:GetAttribute(...)` is no typo of `Instance`)."""
    library = index.library(guess)
    datatype = index.datatype(guess)
    if library is None and datatype is None:
        return True
    for ref in refs:
        after = _MEMBER_AFTER.match(code, ref.node.end_byte)
        if after is None:
            continue
        if after.group(1) == b":":
            return False
        member = after.group(2).decode()
        if library is not None and library.complete and not library.has(member):
            return False
        if datatype is not None and datatype.complete and member not in datatype.library:
            return False
    return True


_DECLARING = re.compile(r"\b(?:local|function|for)\b")
_WORD = re.compile(r"\w")


def _declaring_lines(text: str) -> dict[int, int]:
    """Line start -> where the first `local`, `function` or `for` on that line ends."""
    found: dict[int, int] = {}
    for keyword in _DECLARING.finditer(text):
        found.setdefault(text.rfind("\n", 0, keyword.start()) + 1, keyword.end())
    return found


def _maybe_declared(text: str, name: str, declaring: dict[int, int]) -> bool:
    """A line where `local`, `function` or `for` comes before the word `name`.

    `declaring` is `_declaring_lines(text)`: the first keyword of a line is the
    one that ends soonest, so one look per use of the name decides.
    """
    # The name leads the pattern so the regex engine can jump between its
    # occurrences; the word boundary before it is checked by hand.
    for use in re.finditer(rf"{re.escape(name)}\b", text):
        start = use.start()
        if start and _WORD.match(text, start - 1):
            continue
        end = declaring.get(text.rfind("\n", 0, start) + 1)
        if end is not None and end <= start:
            return True
    return False


def _is_spec_module(ctx: RuleContext) -> bool:
    """The code ends by returning a function literal, as a TestEZ spec module does:
    the runner calls it with its globals (`describe`, `it`, `expect`, ...) set."""
    statements = [c for c in ctx.source.root.named_children if c.type != "comment"]
    if not statements or statements[-1].type != "return_statement":
        return False
    values = statements[-1].named_children
    return (
        bool(values)
        and values[0].type == "expression_list"
        and any(v.type == "function_definition" for v in values[0].named_children[:1])
    )
