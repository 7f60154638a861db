"""bug/implicit-global: assigning a name no `local` declares creates a global (missing `local`)."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.roblox.globals import KNOWN_GLOBALS
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class ImplicitGlobalRule(Rule):
    id = "bug/implicit-global"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A name is assigned without `local` (`count = 0`), so it is a global shared by "
        "the whole script: inside a function every call and every player shares it "
        "(warning); at the top level it is slower and leaks (info), and functions that "
        "update such a top-level global are not reported again."
    )
    bad = "local function resetScore(player)\n\tscore = 0\n\tprint(player.Name, score)\nend\n"
    good = (
        "local function resetScore(player)\n\tlocal score = 0\n\tprint(player.Name, score)\nend\n"
    )

    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.source.compiles:
            return  # code that is not Luau (`const x = 1`) is the syntax scorer's
        scopes = scope_analysis(ctx)
        for name, refs in scopes.global_writes.items():
            if name in KNOWN_GLOBALS or name == "_":
                continue
            # A global the script also sets at the top level is its state on purpose
            # (`debounce = false`, then `debounce = true` in a handler): the top-level
            # assignment is the one that lacks `local`.
            top_level = any(ref.scope.function is None for ref in refs)
            for ref in refs:
                statement = ref.node.parent
                if statement is None or statement.type != "variable_list":
                    continue  # `function name()` declarations are left to style rules
                if scopes.in_error_region(ref.node):
                    continue
                inside = ref.scope.function is not None
                if inside and top_level:
                    continue
                yield self.at(
                    ctx,
                    ref.node,
                    f"`{name}` is assigned without `local`, so it is a global"
                    + (" shared by every call of this function" if inside else ""),
                    f"declare it: local {name} = ...",
                    severity=Severity.WARNING if inside else Severity.INFO,
                )
