"""quality/redundant-nil-check: a nil check on a value that cannot be nil.

What padding code for a reviewer looks like: the check adds lines and nesting
but no safety.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.luau.source import field_id
from luaurft.roblox.globals import KNOWN_GLOBALS
from luaurft.scoring.analysis.calls import callee_name
from luaurft.scoring.analysis.scope import Declaration, DeclKind, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource


_CONDITION = field_id("condition")
# Globals that can be nil in a game script (`plugin` exists only in plugins).
_MAYBE_NIL_GLOBALS = frozenset({"plugin"})
# Calls that always produce a value (or raise): constructors, services, modules.
_NON_NIL_CALL = re.compile(
    r"(?:^|[.:])(?:new|GetService|setmetatable|require|Create)$|^(?:setmetatable|require)$"
)
_NON_NIL_VALUE_TYPES = frozenset(
    {"table_constructor", "string", "number", "true", "false", "function_definition"}
)


def _value_kind(source: LuauSource, value: tree_sitter.Node | None) -> str:
    """'truthy', 'false' (a value, but falsy) or 'unknown'."""
    if value is None:
        return "unknown"
    if value.type == "false":
        return "false"
    if value.type in _NON_NIL_VALUE_TYPES:
        return "truthy"
    if value.type == "function_call" and _NON_NIL_CALL.search(callee_name(source, value)):
        return "truthy"
    return "unknown"


def _bindings(
    ctx: RuleContext, names: set[str], declarations: list[Declaration]
) -> dict[str, set[str]]:
    """For each of `names` declared once in the file, the kinds of every value ever bound to it."""
    source = ctx.source
    data = source.bytes
    # Any of the names inside an assignment's targets, in one search of the bytes.
    mentions = re.compile(b"|".join(re.escape(name.encode()) for name in sorted(names)))
    kinds: dict[str, set[str]] = {}
    count: dict[str, int] = {}
    for decl in declarations:
        if decl.name not in names:
            continue
        count[decl.name] = count.get(decl.name, 0) + 1
        if decl.kind is DeclKind.LOCAL_FUNCTION:
            kinds.setdefault(decl.name, set()).add("truthy")
        elif decl.kind in (DeclKind.PARAMETER, DeclKind.LOOP_VARIABLE):
            kinds.setdefault(decl.name, set()).add("unknown")
    for assignment in source.nodes("assignment_statement"):
        targets = assignment.child(0)
        if targets is None or not mentions.search(data, targets.start_byte, targets.end_byte):
            continue
        values_node = next(
            (c for c in assignment.named_children if c.type == "expression_list"), None
        )
        values = values_node.named_children if values_node is not None else []
        names_here = targets.children_by_field_name("name")
        for index, target in enumerate(names_here):
            name = source.node_text(target)
            if target.type != "identifier" or name not in names:
                continue
            # A multi-value call at the end may fill several targets: unknown.
            value = values[index] if len(values) == len(names_here) else None
            kinds.setdefault(name, set()).add(_value_kind(source, value))
    # `local x` with no value binds nil.
    for statement in source.nodes("variable_declaration"):
        targets = statement.child(1)
        if (
            targets is not None
            and targets.type == "variable_list"
            and mentions.search(data, targets.start_byte, targets.end_byte)
        ):
            for ident in targets.children_by_field_name("name"):
                if source.node_text(ident) in names:
                    kinds.setdefault(source.node_text(ident), set()).add("unknown")
    return {name: k for name, k in kinds.items() if count.get(name, 0) == 1}


class RedundantNilCheckRule(Rule):
    id = "quality/redundant-nil-check"
    scorer = "quality"
    severity = Severity.INFO
    summary = "A nil check on a value that cannot be nil (a constructor, a service, a builtin): noise, not safety."
    bad = (
        "local Players = game:GetService('Players')\nif Players ~= nil then\n"
        "\tprint(#Players:GetPlayers())\nend\n"
    )
    good = (
        "local Players = game:GetService('Players')\nlocal player = Players:FindFirstChild('Builder')\n"
        "if player ~= nil then\n\tprint(player.Name)\nend\n"
    )
    cost = 0.03
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        # (where to report, the identifier checked, what it must be to make the check moot)
        candidates: list[tuple[tree_sitter.Node, tree_sitter.Node, set[str], str]] = []
        for nil in source.nodes("nil"):
            comparison = nil.parent
            if comparison is None or comparison.type != "binary_expression":
                continue
            operator = comparison.child(1)
            if operator is None or operator.type not in ("~=", "=="):
                continue
            left, right = comparison.child(0), comparison.child(2)
            subject = right if left == nil else left
            if subject is not None and subject.type == "identifier":
                candidates.append(
                    (comparison, subject, {"truthy", "false"}, "can never be nil here")
                )
        # One type at a time: the candidates are sorted below, so the mixed list
        # (sorted once more for nothing) is not needed.
        for kind in ("if_statement", "elseif_statement", "while_statement"):
            for statement in source.nodes(kind):
                condition = statement.child_by_field_id(_CONDITION)
                if condition is not None and condition.type == "identifier":
                    candidates.append((condition, condition, {"truthy"}, "is always truthy here"))
        if not candidates:
            return
        names = {source.node_text(c[1]) for c in candidates}
        # The declared names (`self` aside); their order matters to nothing here.
        declarations = [
            d
            for d in scope_analysis(ctx).declarations
            if d.name in names and d.kind is not DeclKind.SELF
        ]
        declared = {d.name for d in declarations}
        # Only a name declared once, and not as a parameter or loop variable, can be
        # bound to nothing but values: `_bindings` reads every assignment for the rest.
        once: dict[str, DeclKind | None] = {}
        for decl in declarations:
            once[decl.name] = decl.kind if decl.name not in once else None
        open_kinds = (None, DeclKind.PARAMETER, DeclKind.LOOP_VARIABLE)
        worth = {name for name in names if name in once and once[name] not in open_kinds}
        bindings = _bindings(ctx, worth, declarations) if worth else {}
        for where, subject, allowed, verdict in sorted(candidates, key=lambda c: c[0].start_byte):
            name = source.node_text(subject)
            if name in declared:
                kinds = bindings.get(name)
                moot = kinds is not None and bool(kinds) and kinds <= allowed
            else:
                moot = name in KNOWN_GLOBALS and name not in _MAYBE_NIL_GLOBALS
            if moot:
                yield self.at(ctx, where, f"'{name}' {verdict}", "drop the check")
