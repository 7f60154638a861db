"""api/restricted-member: a member the engine has but keeps from game scripts.

The API dump gives each member the security a caller needs. Some members are
Roblox's own (`Lighting.Technology`: RobloxScriptSecurity), or a plugin's to set
(`Workspace.FilteringEnabled`: PluginSecurity); a game script that reads, sets
or calls one this way errors at run time ("lacking capability"). A plugin (code
that reads the `plugin` global) has PluginSecurity. Only values whose class is
known exactly are checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.analysis.bindings import Certainty, TypeKind
from luaurft.scoring.analysis.scope import scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.api._helpers import accesses, kept_level, receiver_types

_PLUGIN = "PluginSecurity"
# Who may use a member kept at each level (the API dump's names for them).
_ALLOWED = {
    "PluginSecurity": "Studio plugins and the command bar",
    "LocalUserSecurity": "the command bar",
    "RobloxScriptSecurity": "Roblox's own scripts",
    "RobloxSecurity": "Roblox's own scripts",
    "NotAccessibleSecurity": "no script at all",
}


class RestrictedMemberRule(Rule):
    id = "api/restricted-member"
    scorer = "api"
    severity = Severity.ERROR
    summary = (
        "A member the engine keeps from game scripts (RobloxScriptSecurity, PluginSecurity, "
        "...) read, set or called by one: it errors at run time."
    )
    bad = (
        'local Lighting = game:GetService("Lighting")\n'
        "Lighting.Technology = Enum.Technology.Future\n"
    )
    good = 'local Lighting = game:GetService("Lighting")\nLighting.Brightness = 2\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        found = accesses(ctx)
        if not found:
            return
        plugin = "plugin" in scope_analysis(ctx).global_reads
        for access, receiver in zip(found, receiver_types(ctx), strict=True):
            if (
                receiver is None
                or receiver.certainty is not Certainty.EXACT
                or receiver.kind is not TypeKind.CLASS
            ):
                continue
            level = kept_level(receiver.name, access)
            if level is None or (plugin and level == _PLUGIN):
                continue
            if access.assigned:
                verb = "set"
            elif access.method or access.call is not None:
                verb = "call"
            else:
                verb = "read"
            who = _ALLOWED.get(level, f"code with {level}")
            yield self.at(
                ctx,
                access.name_node,
                f"{receiver.name}.{access.name} is kept from game scripts: to {verb} it takes "
                f"{level} ({who}), so this errors at run time",
                "set it in Studio's Properties window instead" if access.assigned else None,
            )
