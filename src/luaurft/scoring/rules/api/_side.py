"""Which APIs a script uses that work on one side of the client/server boundary only.

Shared by api/client-only-api and api/server-only-api: the script kind (Script
or LocalScript) says which side the code runs on; ModuleScripts run on either
side and are not checked. Fetching a service of the other side into a local that
nothing reads is left alone: `GetService` works on both sides, only the use is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter

from luaurft.roblox.api import SideRestriction
from luaurft.scoring.analysis.bindings import (
    Certainty,
    TypeKind,
    api_index_for,
    bindings_for,
    call_arguments,
)
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import RuleContext
from luaurft.scoring.rules.api._helpers import (
    accesses,
    first_string_argument,
    receiver_types,
)


def side_uses(
    ctx: RuleContext, side: str
) -> Iterator[tuple[tree_sitter.Node, str, SideRestriction]]:
    """(node, what, restriction) for every use of an API that only works on `side`."""
    index = api_index_for(ctx)
    bindings = bindings_for(ctx)
    src = ctx.source
    for access, receiver in zip(accesses(ctx), receiver_types(ctx), strict=True):
        service: str | None = None
        # game:GetService("X") and game.X
        if (
            receiver is not None
            and receiver.kind is TypeKind.CLASS
            and receiver.certainty >= Certainty.ISA
            and index.is_a(receiver.name, "ServiceProvider")
        ):
            if access.method and access.name in ("GetService", "FindService") and access.call:
                service = first_string_argument(src, call_arguments(access.call))
            elif not access.method and index.is_service(access.name):
                service = access.name
        if service is not None:
            restriction = index.service_side(service)
            if (
                restriction is not None
                and restriction.side == side
                and not _bound_and_never_read(ctx, access.node)
            ):
                yield access.node, service, restriction
            continue
        found: SideRestriction | None = None
        owner = None
        known = (
            receiver is not None
            and receiver.kind is TypeKind.CLASS
            and index.member(receiver.name, access.name) is not None
        )
        if known and receiver is not None:
            found = index.member_side(receiver.name, access.name)
            owner = receiver.name
        elif (
            receiver is None or receiver.kind is TypeKind.CLASS
        ) and access.name not in bindings.defined_member_names:
            # Unknown receiver, or one only known as a base class (WaitForChild
            # gives an Instance): recognise the member by its name.
            by_name = index.side_by_member_name(access.name)
            if by_name is not None:
                owner, found = by_name
        if found is not None and found.side == side:
            yield access.name_node, f"{owner}.{access.name}", found


def _call_of(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The call a `game:GetService` or `game.X` access belongs to, or the access itself."""
    parent = node.parent
    return parent if parent is not None and parent.type == "function_call" else node


def _bound_and_never_read(ctx: RuleContext, fetch: tree_sitter.Node) -> bool:
    """`local UserInputService = game:GetService("UserInputService")` that nothing reads:
    fetching a service works on either side; only using it on the wrong one is a bug."""
    call = _call_of(fetch)
    values = call.parent if call is not None else None
    assignment = values.parent if values is not None else None
    if (
        values is None
        or values.type != "expression_list"
        or values.named_child_count != 1
        or assignment is None
        or assignment.type != "assignment_statement"
        or assignment.parent is None
        or assignment.parent.type != "variable_declaration"
    ):
        return False
    names = assignment.named_children[0]
    if names.type != "variable_list" or names.named_child_count != 1:
        return False
    identifier = names.named_children[0]
    scopes = scope_analysis(ctx)
    declaration = scopes.declaration(identifier)
    return declaration is not None and scopes.reliable(declaration) and not declaration.used
