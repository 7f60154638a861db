"""api/deprecated-member: deprecated members of Roblox classes and datatypes."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from luaurft.roblox.api import ApiIndex, Member, MemberKind
from luaurft.scoring.analysis.bindings import (
    Bindings,
    RobloxType,
    TypeKind,
    api_index_for,
    bindings_for,
    unparen,
)
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import (
    Access,
    accesses,
    member_label,
    receiver_types,
    replacement_fix,
    short,
)

# Arithmetic gives a datatype value (numbers cannot be indexed), so
# `(a - b).magnitude` is a Vector3 or Vector2 member even when a and b are unknown.
_ARITHMETIC = frozenset({"+", "-", "*", "/"})


class DeprecatedMemberRule(Rule):
    id = "api/deprecated-member"
    scorer = "api"
    severity = Severity.WARNING
    summary = (
        "A deprecated member is used (`:connect`, `:remove()`, `Humanoid:LoadAnimation`, "
        "`FindPartOnRay`, `SetPrimaryPartCFrame`, `BasePart.Velocity`, `Vector3.magnitude`, "
        "...); the fix names its replacement."
    )
    bad = (
        'local part = Instance.new("Part")\n'
        "part.Touched:connect(function(hit)\n\tprint(hit.Name)\nend)\n"
        "part.Velocity = Vector3.new(0, 10, 0)\n"
    )
    good = (
        'local part = Instance.new("Part")\n'
        "part.Touched:Connect(function(hit)\n\tprint(hit.Name)\nend)\n"
        "part.AssemblyLinearVelocity = Vector3.new(0, 10, 0)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        bindings = bindings_for(ctx)
        # Only a name some class or datatype has deprecated can be reported: the
        # receiver's type is not worth looking at for any other.
        deprecated = index.deprecated_member_names
        for access, receiver in zip(accesses(ctx), receiver_types(ctx), strict=True):
            if access.name not in deprecated:
                continue
            member = self._deprecated_member(index, bindings, access, receiver)
            if member is None:
                continue
            receiver_text = short(ctx.source.node_text(access.receiver), 30)
            rename = member.replacement == member.name + "Async"
            yield self.at(
                ctx,
                access.name_node,
                f"{member_label(member)} is deprecated",
                replacement_fix(member, receiver_text),
                # Renamed to an ...Async twin: the old name still works the same.
                severity=Severity.INFO if rename else None,
            )

    @staticmethod
    def _deprecated_member(
        index: ApiIndex, bindings: Bindings, access: Access, receiver: RobloxType | None
    ) -> Member | None:
        member = _member_of(index, receiver, access.name) if receiver is not None else None
        if member is None and (receiver is None or receiver.kind is TypeKind.CLASS):
            # Unknown receiver, or one only known as a base class (FindFirstChild
            # gives an Instance): some deprecated names say what they are alone.
            member = _by_name(index, bindings, access)
        if member is None or not member.deprecated:
            return None
        if access.method and member.kind is not MemberKind.METHOD:
            return None
        return member


def _by_name(index: ApiIndex, bindings: Bindings, access: Access) -> Member | None:
    if access.method and access.name in index.name_only_methods:
        if access.name in bindings.defined_member_names:
            return None  # the script defines a method of that name itself
        return next((m for m in index.members_named(access.name) if m.deprecated), None)
    if _is_arithmetic(access.receiver):
        vector = index.datatype("Vector3")
        return vector.members.get(access.name) if vector else None
    return None


def _member_of(index: ApiIndex, receiver: RobloxType, name: str) -> Member | None:
    if receiver.kind is TypeKind.CLASS:
        return index.member(receiver.name, name)
    if receiver.kind is TypeKind.DATATYPE:
        dt = index.datatype(receiver.name)
        return dt.members.get(name) if dt else None
    return None


def _is_arithmetic(node: tree_sitter.Node) -> bool:
    if node.type != "parenthesized_expression":
        return False
    inner = unparen(node)
    if inner.type == "binary_expression":
        op = next((c.type for c in inner.children if not c.is_named), "")
        return op in _ARITHMETIC
    return (
        inner.type == "unary_expression" and bool(inner.children) and inner.children[0].type == "-"
    )
