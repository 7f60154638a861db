"""bug/local-arg-count: a local function called with more arguments than it has parameters."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.scope import DeclKind, FunctionInfo, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class LocalArgCountRule(Rule):
    id = "bug/local-arg-count"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A local function is called with more arguments than it declares parameters; "
        "the extra values are silently dropped (a missing parameter or the wrong function). "
        "Info for `local f = function`, often a callback whose caller passes extras."
    )
    bad = (
        "local function damage(humanoid: Humanoid)\n\thumanoid:TakeDamage(10)\nend\n"
        "local function onHit(humanoid: Humanoid)\n\tdamage(humanoid, 25)\nend\n"
        "return onHit\n"
    )
    good = (
        "local function damage(humanoid: Humanoid, amount: number)\n"
        "\thumanoid:TakeDamage(amount)\nend\n"
        "local function onHit(humanoid: Humanoid)\n\tdamage(humanoid, 25)\nend\n"
        "return onHit\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        scopes = scope_analysis(ctx)
        bound: dict[int, FunctionInfo] = {}
        for info in scopes.functions:
            decl = info.declaration
            if decl is not None and not decl.writes and not info.has_vararg:
                bound[id(decl)] = info
        if not bound:
            return
        for call in calls(ctx).all:
            callee = call.callee
            if callee.type != "identifier":
                continue
            decl = scopes.declaration(callee)
            target = bound.get(id(decl)) if decl is not None else None
            if target is None or decl is None or not scopes.reliable(decl):
                continue
            args = call.args
            count = len(args)
            if args and args[-1].type == "vararg_expression":
                count -= 1  # `...` may pass no value at all (a call passes one or more)
            expected = len(target.parameters)
            if count <= expected:
                continue
            line = decl.node.start_point[0] + 1
            # `local f = function(x)` is often a callback written for a caller that
            # passes more (compiled TypeScript's forEach passes value, index, array).
            callback = decl.kind is not DeclKind.LOCAL_FUNCTION
            yield self.at(
                ctx,
                call.node,
                f"`{decl.name}` takes {expected} argument{'' if expected == 1 else 's'} "
                f"(line {line}) but is called with {count}",
                f"add the missing parameter to `{decl.name}`, or drop the extra arguments",
                severity=Severity.INFO if callback else None,
            )
