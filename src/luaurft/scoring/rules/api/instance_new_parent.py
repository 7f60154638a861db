"""api/instance-new-parent: `Instance.new(class, parent)` parents before the object is set up.

The cost is in what follows: each property set on an object that is already in the
tree replicates and fires its change listeners. An object nothing sets up after it
is made (`humanoid:FindFirstChild("Animator") or Instance.new("Animator", humanoid)`,
then only used) loses nothing by the parent argument and is left alone; one that is
handed elsewhere (passed, returned, stored) may be set up there and still counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.scope import ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._instance_new import instance_new_calls

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

# What a value may pass through on its way to a name: `(x)`, `x :: T`, `a or x`.
_PASS_THROUGH = frozenset({"parenthesized_expression", "cast_expression", "binary_expression"})
_INDEXES = frozenset({"dot_index_expression", "bracket_index_expression"})
# Methods that change the object the way a property does.
_SETTING_METHODS = frozenset({"SetAttribute", "AddTag"})


def _sets_up(source: LuauSource, value: Node) -> bool | None:
    """How `value` (the object, or a name holding it) is used where it is read: True
    when a property or attribute is set through it, None when it goes elsewhere
    (passed, returned, stored), False when it is only read or called."""
    parent = value.parent
    table = parent.child_by_field_name("table") if parent is not None else None
    if parent is None or table is None or table.id != value.id:
        return None
    if parent.type in _INDEXES:
        holder = parent.parent
        return holder is not None and holder.type == "variable_list"
    if parent.type == "method_index_expression":
        method = parent.child_by_field_name("method")
        return method is not None and source.node_text(method) in _SETTING_METHODS
    return None


def _bound_name(call: Node) -> Node | None:
    """The name `local x = ... Instance.new(...)` or `x = ...` binds the object to."""
    value = call
    while value.parent is not None and value.parent.type in _PASS_THROUGH:
        value = value.parent
    values = value.parent
    if values is None or values.type != "expression_list" or values.parent is None:
        return None
    targets = next((c for c in values.parent.children if c.type == "variable_list"), None)
    if targets is None:
        return None
    position = next((i for i, c in enumerate(values.named_children) if c.id == value.id), -1)
    names = targets.named_children
    if not 0 <= position < len(names) or names[position].type != "identifier":
        return None
    return names[position]


def _maybe_set_up(source: LuauSource, scopes: ScopeAnalysis, call: Node) -> bool:
    """True unless nothing can set a property of the new object after it is parented."""
    parent = call.parent
    if parent is not None and parent.type in ("block", "chunk"):
        return False  # a statement of its own: made, parented, never touched
    name = _bound_name(call)
    if name is None:
        return _sets_up(source, call) is not False
    declaration = scopes.declaration(name)
    if declaration is not None:
        reads = declaration.reads
    else:
        reads = scopes.global_reads.get(source.node_text(name), [])
    return any(_sets_up(source, read.node) is not False for read in reads)


class InstanceNewParentRule(Rule):
    id = "api/instance-new-parent"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "`Instance.new(class, parent)` parents the object before its properties are set, "
        "so every later change replicates and re-runs listeners; set Parent last, separately."
    )
    bad = 'local part = Instance.new("Part", workspace)\npart.Anchored = true\n'
    good = 'local part = Instance.new("Part")\npart.Anchored = true\npart.Parent = workspace\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for call, args, name in instance_new_calls(ctx):
            if len(args) < 2 or args[1].type == "nil":
                continue  # `Instance.new(class, nil)` parents nothing
            if not _maybe_set_up(ctx.source, scope_analysis(ctx), call):
                continue
            parent = ctx.source.node_text(args[1])
            cls = f'"{name}"' if name else "class"
            yield self.at(
                ctx,
                call,
                "Instance.new with a parent argument parents the object before it is set up",
                f"local obj = Instance.new({cls}); set its properties; then obj.Parent = {parent}",
            )
