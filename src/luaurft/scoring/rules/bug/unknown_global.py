"""bug/unknown-global: a name read as a global that nothing defines (usually a typo)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from luaurft.roblox.globals import KNOWN_GLOBALS
from luaurft.scoring.analysis.scope import scope_analysis
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
        text = ctx.source.text
        hidden = scopes.names_in_errors() if scopes.partial else set()
        local_names = {d.name for d in scopes.declarations}
        text_end = len(ctx.source.bytes.rstrip())
        for name, refs in scopes.global_reads.items():
            if name in KNOWN_GLOBALS or name in scopes.global_writes:
                continue
            if f"_G.{name}" in text or f'_G["{name}"]' in text:
                continue
            # A name that ends the text is most likely cut off (generation stopped
            # mid-word), not a typo; the syntax scorer reports the truncation.
            refs = [
                r for r in refs if not scopes.in_error_region(r.node) and r.node.end_byte < text_end
            ]
            if not refs:
                continue
            if scopes.partial and (name in hidden or _maybe_declared(text, name)):
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
            guess = difflib.get_close_matches(name, sorted(KNOWN_GLOBALS | local_names), n=1)
            hint = f" (did you mean `{guess[0]}`?)" if guess else ""
            yield self.at(
                ctx,
                first.node,
                f"`{name}` is read but never defined: not a local, not assigned, not a "
                f"Luau or Roblox global{hint}",
                f"use `{guess[0]}`"
                if guess
                else f"define `{name}` (local {name} = ...) before use",
            )


def _maybe_declared(text: str, name: str) -> bool:
    pattern = rf"\b(?:local|function|for)\b[^\n]*\b{re.escape(name)}\b"
    return re.search(pattern, text) is not None
