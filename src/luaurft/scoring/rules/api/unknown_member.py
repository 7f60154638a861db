"""api/unknown-member: members a known class or datatype does not have.

An Instance also exposes its children by name (`part.Handle`, `player.leaderstats`),
so reading an unknown name off an Instance is reported only when it is a member's
name in another case (`script.parent`, `part.position`): members are case-sensitive
and no one names a child like that. What cannot be a
child is: a method call (`obj:Name()`), a call through a dot (`obj.Name()`,
children are not callable), an assignment (`obj.Name = v`, children cannot
be assigned) and a signal (`obj.Name:Connect(f)`: no Instance class has
Connect, Once, ConnectParallel or Wait, so the name must be one of its events). Datatype values and libraries (Vector3, CFrame, task, ...) have no
children, so any unknown name on them is reported. Only values whose class is
known exactly (not "this class or a subclass") and whose members are all known
are checked. A member the engine has but keeps from game scripts is
api/restricted-member's.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.roblox.api import ApiIndex, MemberKind
from luaurft.scoring.analysis.bindings import (
    Certainty,
    RobloxType,
    TypeKind,
    api_index_for,
)
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import (
    Access,
    accesses,
    closest,
    kept_level,
    receiver_types,
)

_KIND_WORD = {
    MemberKind.PROPERTY: "a property",
    MemberKind.EVENT: "an event",
    MemberKind.CALLBACK: "a callback",
    MemberKind.METHOD: "a method",
}


class UnknownMemberRule(Rule):
    id = "api/unknown-member"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A method, property or datatype member that does not exist on a value whose Roblox "
        "type is known (`part:SetColor()`, `Vector3.New`, `part.Transparancy = 1`, "
        "`script.parent`); other names read off an Instance may be children and are not reported."
    )
    bad = (
        'local Players = game:GetService("Players")\n'
        "for _, player in Players:GetPlayer() do\n\tprint(player.Name)\nend\n"
        "local offset = Vector3.New(0, 5, 0)\n"
    )
    good = (
        'local Players = game:GetService("Players")\n'
        "for _, player in Players:GetPlayers() do\n\tprint(player.Name)\nend\n"
        "local offset = Vector3.new(0, 5, 0)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = api_index_for(ctx)
        found = accesses(ctx)
        connected = {
            (a.receiver.start_byte, a.receiver.end_byte)
            for a in found
            if a.method and a.name in _SIGNAL_METHODS
        }
        for access, receiver in zip(found, receiver_types(ctx), strict=True):
            if receiver is None or receiver.certainty is not Certainty.EXACT:
                continue
            signal = (access.node.start_byte, access.node.end_byte) in connected
            problem = _problem(index, receiver, access, signal)
            if problem is None or (
                receiver.kind is TypeKind.CLASS and kept_level(receiver.name, access) is not None
            ):
                continue
            message, names = problem
            guess = closest(access.name, names)
            sep = ":" if access.method else "."
            instead = index.mistake(f"{receiver.name}.{access.name}")
            if instead is not None:
                fix: str | None = f"use {instead}"
            else:
                fix = f"did you mean {sep}{guess}?" if guess else None
            yield self.at(ctx, access.name_node, message, fix)


def _problem(
    index: ApiIndex, receiver: RobloxType, access: Access, signal: bool = False
) -> tuple[str, list[str]] | None:
    """Why this access is wrong and the names it could have meant, or None when it is
    fine. `signal`: the value read is connected to (`obj.Name:Connect(f)`)."""
    name = access.name
    calling = access.method or access.call is not None
    if receiver.kind is TypeKind.CLASS:
        if not index.members_complete(receiver.name):
            return None
        member = index.member(receiver.name, name)
        if member is None and signal and not access.assigned:
            return f"{name} is not an event of {receiver.name}", _events(index, receiver.name)
        if member is None:
            if not (calling or access.assigned):
                # Could be a child, but not one spelt like a member in another case:
                # members are case-sensitive (`script.parent` errors in Roblox).
                same = index.member_in_other_case(receiver.name, name)
                if same is None:
                    return None
                return f"{name} is not a member of {receiver.name} (members are case-sensitive)", [
                    same
                ]
            return f"{name} is not a member of {receiver.name}", _alternatives(
                index, receiver.name, calling
            )
        if access.method and member.kind is not MemberKind.METHOD:
            return (
                f"{receiver.name}.{name} is {_KIND_WORD[member.kind]}, not a method: "
                "it cannot be called with ':'",
                _alternatives(index, receiver.name, True),
            )
        return None
    if receiver.kind is TypeKind.DATATYPE:
        dt = index.datatype(receiver.name)
        if dt is None or not dt.complete or name in dt.members:
            return None
        return f"{name} is not a member of {receiver.name}", sorted(dt.members)
    if receiver.kind is TypeKind.LIBRARY:
        dt = index.datatype(receiver.name)
        if dt is None or not dt.complete or name in dt.library or access.assigned:
            return None
        return f"{receiver.name}.{name} does not exist", sorted(dt.library)
    return None


# What only an RBXScriptSignal has: no Instance class has a member of these names.
_SIGNAL_METHODS = frozenset({"Connect", "Once", "ConnectParallel", "Wait"})


def _events(index: ApiIndex, class_name: str) -> list[str]:
    names = []
    for name in index.member_names(class_name):
        member = index.member(class_name, name)
        if member is not None and member.kind is MemberKind.EVENT:
            names.append(name)
    return sorted(names)


def _alternatives(index: ApiIndex, class_name: str, methods: bool) -> list[str]:
    """Member names of the class to suggest: methods for a call, the rest otherwise."""
    names = []
    for name in index.member_names(class_name):
        member = index.member(class_name, name)
        if member is not None and (member.kind is MemberKind.METHOD) == methods:
            names.append(name)
    return sorted(names)
