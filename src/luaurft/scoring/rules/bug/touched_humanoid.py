"""bug/touched-humanoid: a Touched handler indexes `hit.Parent.Humanoid` without checking it.

Anything can touch a part: a dropped tool's handle, a hat (whose parent is an
Accessory, not the character), a loose brick. Indexing a child that is not
there with `.` errors ("Humanoid is not a valid member of Model"), so the
handler dies on every such touch. The check is a `FindFirstChild("Humanoid")`,
`FindFirstChildOfClass("Humanoid")` or `GetPlayerFromCharacter` earlier in the
handler; code after one is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.scoring.analysis.calls import calls
from luaurft.scoring.analysis.handlers import handler_function, signal_field
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

CHARACTER_CHILDREN = frozenset({"Humanoid", "HumanoidRootPart"})
_CHECKED = re.compile(
    r"FindFirstChild(?:OfClass|WhichIsA)?\s*\(\s*[\"'](?:Humanoid|HumanoidRootPart)[\"']"
    r"|GetPlayerFromCharacter|FindFirstAncestorOfClass|FindFirstAncestorWhichIsA"
)


class TouchedHumanoidRule(Rule):
    id = "bug/touched-humanoid"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A Touched handler indexes `hit.Parent.Humanoid` directly: a touch by a tool, a hat or "
        "a loose part has no Humanoid there, and the handler errors."
    )
    bad = (
        "local lava = script.Parent\n"
        "lava.Touched:Connect(function(hit)\n"
        "\thit.Parent.Humanoid.Health = 0\n"
        "end)\n"
    )
    good = (
        "local lava = script.Parent\n"
        "lava.Touched:Connect(function(hit)\n"
        '\tlocal humanoid = hit.Parent:FindFirstChildOfClass("Humanoid")\n'
        "\tif humanoid then\n"
        "\t\thumanoid.Health = 0\n"
        "\tend\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        if "Touched" not in source.text or ".Parent." not in source.text:
            return
        scopes = scope_analysis(ctx)
        for call in calls(ctx).all:
            if call.method != "Connect" or signal_field(source, call) != "Touched":
                continue
            handler = handler_function(scopes, call)
            if handler is None or not handler.parameters or handler.body is None:
                continue
            for ref in handler.parameters[0].reads:
                parent = ref.node.parent
                if parent is None or parent.type != "dot_index_expression":
                    continue
                field = parent.child_by_field_name("field")
                if field is None or source.node_text(field) != "Parent":
                    continue
                outer = parent.parent
                child = outer.child_by_field_name("field") if outer is not None else None
                if outer is None or outer.type != "dot_index_expression" or child is None:
                    continue
                name = source.node_text(child)
                if name not in CHARACTER_CHILDREN:
                    continue
                before = source.bytes[handler.body.start_byte : outer.start_byte]
                if _CHECKED.search(before.decode("utf-8", "replace")):
                    continue
                yield self.at(
                    ctx,
                    outer,
                    f"`{source.node_text(outer)}` errors when the touching part's parent has no "
                    f"{name} (a tool, a hat, a loose part)",
                    f'find it with `FindFirstChildOfClass("Humanoid")` (or FindFirstChild("{name}")) '
                    "and check it before use",
                )
