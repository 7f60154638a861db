"""`Instance.new` rules: api/instance-new-parent and api/unknown-class."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from luaurft.scoring.analysis.bindings import (
    TypeKind,
    api_index_for,
    bindings_for,
    call_arguments,
    string_literal,
)
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import closest


def instance_new_calls(
    ctx: RuleContext,
) -> Iterator[tuple[tree_sitter.Node, list[tree_sitter.Node], str | None]]:
    """Every `Instance.new(...)` call (the real global), with its arguments and literal class name."""

    def compute() -> list[tuple[tree_sitter.Node, list[tree_sitter.Node], str | None]]:
        bindings = bindings_for(ctx)
        src = ctx.source
        found = []
        for call in src.nodes("function_call"):
            callee = call.child_by_field_name("name")
            if callee is None or callee.type != "dot_index_expression":
                continue
            table = callee.child_by_field_name("table")
            field = callee.child_by_field_name("field")
            if table is None or field is None or src.node_text(field) != "new":
                continue
            lib = bindings.type_of(table)
            if lib is None or lib.kind is not TypeKind.LIBRARY or lib.name != "Instance":
                continue
            args = call_arguments(call)
            found.append((call, args, string_literal(src, args[0]) if args else None))
        return found

    yield from ctx.memo("api.instance_new_calls", compute)


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
            parent = ctx.source.node_text(args[1])
            cls = f'"{name}"' if name else "class"
            yield self.at(
                ctx,
                call,
                "Instance.new with a parent argument parents the object before it is set up",
                f"local obj = Instance.new({cls}); set its properties; then obj.Parent = {parent}",
            )


class UnknownClassRule(Rule):
    id = "api/unknown-class"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "`Instance.new` is given a class that does not exist or cannot be created "
        "(an abstract class such as BasePart, or a service); it raises at run time."
    )
    bad = 'local part = Instance.new("BasePart")\nlocal light = Instance.new("Pointlight")\n'
    good = 'local part = Instance.new("Part")\nlocal light = Instance.new("PointLight")\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        for _call, args, name in instance_new_calls(ctx):
            if name is None or index.is_creatable(name):
                continue
            info = index.get_class(name)
            guess = closest(name, index.creatable_names)
            fix = f'Instance.new("{guess}")' if guess else None
            if info is None:
                message = f'"{name}" is not a Roblox class'
            elif info.service:
                message = f"{name} is a service: get it with game:GetService, never create it"
                fix = f'game:GetService("{name}")'
            else:
                message = f"{name} is an abstract class: Instance.new cannot create it"
            yield self.at(ctx, args[0], message, fix)
