"""bug/wait-in-frame-handler: a wait inside a handler of a per-frame RunService event.

RunService fires its events (Heartbeat, RenderStepped, Stepped, ...) every frame
and runs each connected handler anew every time, whether or not the last run
finished. A `task.wait(1)` in such a handler does not slow it down: every frame
starts another run that waits, so the runs pile up and the code after the wait
still runs once a frame, a second late. Only a wait every run reaches counts:
one written directly in the handler's body (not in a branch, which a cooldown
flag may guard, nor in a function it spawns), with no `:Disconnect()` before
it (a handler that disconnects itself runs no more).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.roblox.api import ApiIndex, MemberKind
from luaurft.roblox.behaviour import PAUSING_FUNCTIONS, PAUSING_METHODS
from luaurft.scoring.analysis.bindings import TypeKind, api_index_for, bindings_for
from luaurft.scoring.analysis.calls import calls, root_identifier
from luaurft.scoring.analysis.functions import innermost_function
from luaurft.scoring.analysis.handlers import CONNECT_METHODS, handler_function, signal_field
from luaurft.scoring.analysis.nodes import same, statement_of
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

_RUN_SERVICE = "RunService"


# The events per index (its identity: an index is built once and kept).
_EVENTS: dict[int, tuple[ApiIndex, frozenset[str]]] = {}


def _frame_events(index: ApiIndex) -> frozenset[str]:
    """RunService's events: each fires once a frame."""
    known = _EVENTS.get(id(index))
    if known is not None and known[0] is index:
        return known[1]
    events = frozenset(
        name
        for name in index.member_names(_RUN_SERVICE)
        if (member := index.member(_RUN_SERVICE, name)) is not None
        and member.kind is MemberKind.EVENT
    )
    _EVENTS[id(index)] = (index, events)
    return events


class WaitInFrameHandlerRule(Rule):
    id = "bug/wait-in-frame-handler"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "`task.wait` inside a Heartbeat/RenderStepped/Stepped handler: the handler runs anew "
        "every frame, so waiting in it piles up runs instead of slowing anything down."
    )
    bad = (
        'local RunService = game:GetService("RunService")\n'
        "RunService.Heartbeat:Connect(function()\n"
        "\ttask.wait(1)\n"
        '\tprint("once a second?")\n'
        "end)\n"
    )
    good = (
        'local RunService = game:GetService("RunService")\n'
        "local elapsed = 0\n"
        "RunService.Heartbeat:Connect(function(dt)\n"
        "\telapsed += dt\n"
        "\tif elapsed >= 1 then\n"
        "\t\telapsed -= 1\n"
        '\t\tprint("once a second")\n'
        "\tend\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        text = source.text
        if "wait(" not in text and ":Wait(" not in text:
            return
        events = _frame_events(api_index_for(ctx))
        if not any(event in text for event in events):
            return
        scopes = scope_analysis(ctx)
        index = calls(ctx)
        types = bindings_for(ctx)
        handlers: dict[int, tuple[str, Node]] = {}
        for call in index.all:
            if call.method not in CONNECT_METHODS:
                continue
            event = signal_field(source, call)
            if event not in events or call.object is None:
                continue
            owner = types.type_of(call.object.child_by_field_name("table"))
            if owner is None or owner.kind is not TypeKind.CLASS or owner.name != _RUN_SERVICE:
                continue
            handler = handler_function(scopes, call)
            if handler is not None and handler.body is not None:
                handlers[handler.node.id] = (event, handler.body)
        if not handlers:
            return
        for call in index.all:
            if call.method is not None:
                if call.method not in PAUSING_METHODS:
                    continue
                name = f":{call.method}"
            elif call.function in PAUSING_FUNCTIONS:
                root = root_identifier(call.callee)
                if root is None or scopes.declaration(root) is not None:
                    continue  # a local of that name is the code's own
                name = call.function
            else:
                continue
            owner_fn = innermost_function(ctx, call.node)
            found = handlers.get(owner_fn.node.id) if owner_fn is not None else None
            if found is None:
                continue
            event, body = found
            statement = statement_of(call.node)
            if statement is None or not same(statement.parent, body):
                continue  # in a branch or loop: not every run waits
            if any(
                other.method == "Disconnect"
                and body.start_byte <= other.node.start_byte < call.node.start_byte
                for other in index.all
            ):
                continue
            yield self.at(
                ctx,
                call.node,
                f"`{name}` in a {event} handler does not slow it down: {event} runs the "
                "handler anew every frame, so the runs pile up and what follows the wait "
                "still runs once a frame",
                "pace it with the frame time (add up dt, act once it passes the interval), "
                "or run a loop of its own: while true do ... task.wait(interval) end",
            )
