"""The lookups the API rules share: ApiIndex name sets and the receivers' types."""

from __future__ import annotations

from luaurft.luau.kind import detect_kind
from luaurft.luau.source import LuauSource
from luaurft.roblox.api import default_index
from luaurft.scoring.analysis.bindings import bindings_for
from luaurft.scoring.rule import RuleContext
from luaurft.scoring.rules.api._helpers import accesses, receiver_types


def test_deprecated_member_names_hold_every_deprecated_member_and_no_other() -> None:
    index = default_index()
    names = index.deprecated_member_names
    infos = [*index.classes.values(), *index.datatypes.values()]
    deprecated = {n for info in infos for n, m in info.members.items() if m.deprecated}
    assert deprecated and names == deprecated
    assert "connect" in names  # RBXScriptSignal:connect
    assert "Name" not in names


def test_services_are_the_service_classes() -> None:
    index = default_index()
    assert index.services == set(index.service_names())
    assert "Players" in index.services
    assert "Part" not in index.services


def test_receiver_types_follow_the_accesses() -> None:
    source = LuauSource(
        'local Players = game:GetService("Players")\n'
        "local part = Instance.new('Part')\n"
        "print(part.Name, Players.LocalPlayer, unknown.Thing)\n"
    )
    ctx = RuleContext(source=source, kind=detect_kind(source))
    types = receiver_types(ctx)
    found = accesses(ctx)
    assert len(types) == len(found)
    bindings = bindings_for(ctx)
    assert types == [bindings.type_of(access.receiver) for access in found]
    by_name = {access.name: kind for access, kind in zip(found, types, strict=True)}
    assert by_name["Name"] is not None and by_name["Name"].name == "Part"
    assert by_name["LocalPlayer"] is not None and by_name["LocalPlayer"].name == "Players"
    assert by_name["Thing"] is None
