"""Binding and type inference: which locals hold which Roblox class, and how sure that is."""

from __future__ import annotations

import pytest

from luaurft.luau.source import LuauSource
from luaurft.roblox.api import curated_index
from luaurft.scoring.analysis.bindings import Bindings, Certainty, TypeKind, identifier_role


def _bindings(code: str, kind: str = "Script") -> tuple[LuauSource, Bindings]:
    source = LuauSource(code)
    return source, Bindings(source, curated_index(), kind)


def type_at(code: str, marker: str, kind: str = "Script") -> tuple[str, str, str] | None:
    """The type of the last expression whose text is `marker` (kind, name, certainty)."""
    source, bindings = _bindings(code, kind)
    found = [n for n in source.walk() if n.is_named and source.node_text(n) == marker]
    assert found, f"{marker!r} not in code"
    t = bindings.type_of(found[-1])
    return None if t is None else (t.kind.value, t.name, t.certainty.name)


@pytest.mark.parametrize(
    ("code", "marker", "expected"),
    [
        (
            'local Players = game:GetService("Players")\nprint(Players)',
            "Players",
            ("class", "Players", "EXACT"),
        ),
        ('local p = Instance.new("Part")\nprint(p)', "p", ("class", "Part", "EXACT")),
        (
            'local h = char:FindFirstChildOfClass("Humanoid")\nprint(h)',
            "h",
            ("class", "Humanoid", "EXACT"),
        ),
        (
            'local b = m:FindFirstChildWhichIsA("BasePart")\nprint(b)',
            "b",
            ("class", "BasePart", "ISA"),
        ),
        ('local h = char:WaitForChild("Humanoid")\nprint(h)', "h", ("class", "Humanoid", "HINT")),
        (
            'local lp = game:GetService("Players").LocalPlayer\nprint(lp)',
            "lp",
            ("class", "Player", "EXACT"),
        ),
        ("local c = workspace.CurrentCamera\nprint(c)", "c", ("class", "Camera", "ISA")),
        ("local g = game.Players\nprint(g)", "g", ("class", "Players", "EXACT")),
        ("local v = Vector3.new(1, 2, 3)\nprint(v)", "v", ("datatype", "Vector3", "EXACT")),
        ("local v = Vector3.zero * 2\nprint(v)", "v", ("datatype", "Vector3", "EXACT")),
        (
            "local c = CFrame.new() * CFrame.Angles(0, 1, 0)\nprint(c)",
            "c",
            ("datatype", "CFrame", "EXACT"),
        ),
        ("local c = CFrame.new() * Vector3.one\nprint(c)", "c", ("datatype", "Vector3", "EXACT")),
        (
            'local p = Instance.new("Part")\nlocal d = p.Position - Vector3.zero\nprint(d)',
            "d",
            ("datatype", "Vector3", "EXACT"),
        ),
        ("local k = Enum.KeyCode\nprint(k)", "k", ("enum", "KeyCode", "EXACT")),
        ("local x = part.CFrame\nprint(x)", "x", ("datatype", "CFrame", "HINT")),
        ("local s = part.Touched\nprint(s)", "s", ("datatype", "RBXScriptSignal", "HINT")),
        ("local h: Humanoid = thing\nprint(h)", "h", ("class", "Humanoid", "EXACT")),
        ("local m = thing :: Model\nprint(m)", "m", ("class", "Model", "ISA")),
        (
            'local p = Instance.new("Part")\nlocal c = p:Clone()\nprint(c)',
            "c",
            ("class", "Part", "EXACT"),
        ),
        (
            'local t = game:GetService("TweenService"):Create(x, i, {})\nprint(t)',
            "t",
            ("class", "Tween", "EXACT"),
        ),
        ("local s = script\nprint(s)", "s", ("class", "Script", "EXACT")),
        # `a and b` is b whenever it is a value at all.
        (
            'local h = char and char:FindFirstChildOfClass("Humanoid")\nprint(h)',
            "h",
            ("class", "Humanoid", "EXACT"),
        ),
        (
            'local r = c and c:FindFirstChild("Root") :: BasePart?\nprint(r)',
            "r",
            ("class", "BasePart", "ISA"),
        ),
    ],
)
def test_value_types(code: str, marker: str, expected: tuple[str, str, str]) -> None:
    assert type_at(code, marker) == expected


def test_script_is_the_script_kind() -> None:
    assert type_at("print(script)", "script", kind="ModuleScript") == (
        "class",
        "ModuleScript",
        "EXACT",
    )


@pytest.mark.parametrize(
    ("code", "marker"),
    [
        # A local table named like a global is not the global.
        ("local game = {}\nlocal p = game:GetService('Players')\nprint(p)", "p"),
        # Reassigned with something else: no single type.
        ('local x = Instance.new("Part")\nx = Instance.new("Model")\nprint(x)', "x"),
        ('local x = Instance.new("Part")\nx = getSomething()\nprint(x)', "x"),
        # A name that is not a service, a class that does not exist.
        ("local s = game:GetService('Nope')\nprint(s)", "s"),
        ('local p = Instance.new("Widget")\nprint(p)', "p"),
        # Unknown calls and plain children.
        ("local r = require(script.Module)\nprint(r)", "r"),
        ("local c = workspace.Baseplate\nprint(c)", "c"),
        # A type alias the script declares shadows the class of that name.
        ("type Player = { score: number }\nlocal p: Player = makePlayer()\nprint(p)", "p"),
        # The second of several results is not the call's type.
        ('local a, b = Instance.new("Part")\nprint(b)', "b"),
    ],
)
def test_unknown_values_stay_unknown(code: str, marker: str) -> None:
    assert type_at(code, marker) is None


def test_shadowing_follows_lexical_scope() -> None:
    code = (
        'local part = Instance.new("Part")\n'
        "do\n"
        '\tlocal part = Instance.new("Model")\n'
        "\tprint(part)\n"
        "end\n"
        "print(part)\n"
    )
    source, bindings = _bindings(code)
    uses = [n for n in source.nodes("identifier") if source.node_text(n) == "part"]
    inner, outer = uses[-2], uses[-1]
    assert bindings.type_of(inner).name == "Model"  # type: ignore[union-attr]
    assert bindings.type_of(outer).name == "Part"  # type: ignore[union-attr]


def test_local_sees_the_outer_name_in_its_own_value() -> None:
    code = 'local x = Instance.new("Part")\nlocal x = x:Clone()\nprint(x)\n'
    assert type_at(code, "x") == ("class", "Part", "EXACT")


def test_event_handlers_get_the_event_argument_types() -> None:
    code = (
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player)\n"
        "\tplayer.CharacterAdded:Connect(function(character)\n"
        "\t\tprint(character)\n"
        "\tend)\n"
        "end)\n"
    )
    assert type_at(code, "player") == ("class", "Player", "EXACT")
    assert type_at(code, "character") == ("class", "Model", "ISA")


def test_named_handler_typed_from_all_its_uses() -> None:
    code = (
        'local Players = game:GetService("Players")\n'
        "local function onPlayerAdded(player)\n\tprint(player)\nend\n"
        "Players.PlayerAdded:Connect(onPlayerAdded)\n"
        "for _, existing in Players:GetPlayers() do\n\tonPlayerAdded(existing)\nend\n"
    )
    assert type_at(code, "player") == ("class", "Player", "EXACT")
    assert type_at(code, "existing") == ("class", "Player", "EXACT")
    # Called once with something unknown: no type.
    unknown = code + "onPlayerAdded(somethingElse)\n"
    assert type_at(unknown, "player") is None


def test_loop_over_ipairs_of_an_array_result() -> None:
    code = (
        'local Players = game:GetService("Players")\n'
        "for i, p in ipairs(Players:GetPlayers()) do\n\tprint(i, p)\nend\n"
    )
    assert type_at(code, "p") == ("class", "Player", "EXACT")
    assert type_at(code, "i") is None


def test_signal_wait_gives_the_first_argument_type() -> None:
    code = (
        'local player = game:GetService("Players").LocalPlayer\n'
        "local character = player.Character or player.CharacterAdded:Wait()\n"
        "print(character)\n"
    )
    assert type_at(code, "character") == ("class", "Model", "ISA")


def test_local_declared_empty_then_assigned_once() -> None:
    code = (
        "local connection\n"
        'connection = Instance.new("Part").Touched:Connect(function() end)\n'
        "print(connection)\n"
    )
    assert type_at(code, "connection") == ("datatype", "RBXScriptConnection", "EXACT")


def test_identifier_roles() -> None:
    source = LuauSource(
        "local a: Part = b.c\nd.e = f\nfunction g.h(i) end\nlocal t = { j = k }\nx += 1\n"
    )
    roles = {source.node_text(n): identifier_role(n) for n in source.nodes("identifier")}
    assert roles["a"] == "declare" and roles["Part"] == "other"
    assert roles["b"] == "read" and roles["c"] == "other"
    assert roles["d"] == "read" and roles["e"] == "other" and roles["f"] == "read"
    assert roles["i"] == "declare" and roles["j"] == "other" and roles["k"] == "read"
    assert roles["x"] == "write" and roles["t"] == "declare"


def test_defined_member_names_and_assigned_globals() -> None:
    _, bindings = _bindings(
        "local M = {}\nfunction M:remove() end\nM.connect = function() end\n"
        "local T = { clone = function() end }\nfunction wait() end\nspawn = nil\n"
    )
    assert {"remove", "connect", "clone"} <= bindings.defined_member_names
    assert {"wait", "spawn"} <= bindings.assigned_globals


def test_certainty_order() -> None:
    assert Certainty.HINT < Certainty.ISA < Certainty.EXACT
    assert TypeKind.CLASS.value == "class"


@pytest.mark.parametrize(
    "code",
    [
        "local x = " + " + ".join(["Vector3.zero"] * 3000) + "\nprint(x)\n",
        "local x = " + "(" * 400 + "Vector3.zero" + ")" * 400 + "\nprint(x)\n",
        "local a0 = Vector3.zero\n"
        + "\n".join(f"local a{i} = a{i - 1}" for i in range(1, 2000))
        + "\nprint(a1999)\n",
        "local x = part" + ":Clone()" * 2000 + "\nprint(x)\n",
        "local = = ( ) end end function :: ?? game.Players:connect(",
    ],
    ids=["long-sum", "deep-parens", "local-chain", "call-chain", "garbage"],
)
def test_pathological_code_is_analysed_without_crashing(code: str) -> None:
    source, bindings = _bindings(code)
    for node in source.nodes("identifier", "binary_expression", "function_call"):
        bindings.type_of(node)  # must not raise (no RecursionError)
