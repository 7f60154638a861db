"""bug/leaderstats-name: the stats folder named `leaderstats` in another case.

Roblox's player list shows the values in the folder under each Player named
exactly `leaderstats`; `Leaderstats` or `LeaderStats` is just another folder,
so the stats never appear (and code that looks for `leaderstats` never finds
them). Reported where the code names something so (`folder.Name =
"Leaderstats"`).
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.roblox.behaviour import LEADERSTATS
from luaurft.scoring.analysis.bindings import string_literal
from luaurft.scoring.analysis.nodes import field_writes
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity


class LeaderstatsNameRule(Rule):
    id = "bug/leaderstats-name"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A folder named `Leaderstats` (or any case but `leaderstats`): the player list shows "
        "only a folder named exactly `leaderstats`."
    )
    bad = (
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player)\n"
        '\tlocal stats = Instance.new("Folder")\n'
        '\tstats.Name = "Leaderstats"\n'
        "\tstats.Parent = player\n"
        "end)\n"
    )
    good = (
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player)\n"
        '\tlocal stats = Instance.new("Folder")\n'
        '\tstats.Name = "leaderstats"\n'
        "\tstats.Parent = player\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        lowered = source.text.lower()
        if LEADERSTATS not in lowered or lowered.count(LEADERSTATS) == source.text.count(
            LEADERSTATS
        ):
            return  # every spelling is the right one
        for _, value in field_writes(source, "Name"):
            name = string_literal(source, value)
            if name is not None and name != LEADERSTATS and name.lower() == LEADERSTATS:
                yield self.at(
                    ctx,
                    value,
                    f'"{name}" is not "{LEADERSTATS}": the player list shows only a folder '
                    f"named exactly {LEADERSTATS}, so these stats never appear",
                    f'name it "{LEADERSTATS}"',
                )
