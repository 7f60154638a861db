"""The mock world's engine surface, generated from the API dump and the reflection
database: what it answers, and that it agrees with the dumps in ../shared.

The probe creates every creatable, non-deprecated, browsable class and gets every
service a game script can use, in one world, and reads back every property
default the reflection database records. Tests that need ../shared skip without it;
the rest run on the committed package data alone.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED
from luaurft.luau.sandbox import Limits, RunStatus
from luaurft.roblox.mock import MockWorld, run_script
from luaurft.roblox.surface import member_security, surface_classes, surface_header

API = SHARED / "roblox-api"
DUMP = API / "API-Dump.json"
REFLECTION = API / "reflection" / "database.msgpack"
needs_shared = pytest.mark.skipif(
    not (DUMP.is_file() and REFLECTION.is_file()), reason="needs ../shared/roblox-api"
)


def printed(code: str, kind: str = "Script") -> list[str]:
    run = run_script(code, kind=kind, seconds=1.0)
    assert not run.engine_errors, run.engine_errors
    assert run.status is RunStatus.OK, (run.error, [e.message for e in run.errors])
    return [o.text for o in run.output if o.stream == "print"]


# -- without ../shared: the committed data ---------------------------------------------


def test_surface_data_says_where_it_comes_from() -> None:
    header = surface_header()
    assert "API-Dump.json" in header and "reflection database" in header
    classes = surface_classes()
    assert len(classes) > 800
    assert classes["AudioPlayer"].creatable and classes["AudioPlayer"].superclass == "Instance"
    assert classes["ConfigService"].service and not classes["Part"].service


def test_classes_without_hand_written_behaviour_answer_from_the_surface() -> None:
    out = printed(
        """
        local player = Instance.new("AudioPlayer")
        print(player.Volume, player.Looping, player.PlaybackSpeed, player.LoopRegion.Max)
        player.Volume = 0.25
        print(player.Volume, typeof(player.Ended), typeof(player:GetInputPins()))
        local drag = Instance.new("DragDetector")
        print(drag.DragStyle, drag.MaxActivationDistance)
        print(game:GetService("ConfigService").Name, typeof(Instance.new("StyleRule")))
        print(pcall(function() return player.Volumme end))
        print(pcall(function() player.Volume = "loud" end))
        print(pcall(function() return player.AssetRepresentation end))
        print(pcall(function() player.IsPlaying = true end))
        print(pcall(function() player.TimeLength = 3 end))
        """
    )
    assert out[0] == "1 false 1 60000"
    assert out[1] == "0.25 RBXScriptSignal table"
    assert out[2] == "Enum.DragDetectorDragStyle.TranslatePlane 32"
    assert out[3] == "ConfigService Instance"
    assert out[4] == 'false user:9: Volumme is not a valid member of AudioPlayer "AudioPlayer"'
    assert out[5] == (
        "false user:10: Unable to assign property Volume. number expected, got string"
    )
    assert out[6] == (
        "false user:11: The current thread cannot access 'AssetRepresentation'"
        " (lacking capability RobloxScriptSecurity)"
    )
    assert out[7] == (
        "false user:12: The current thread cannot write 'IsPlaying'"
        " (lacking capability RobloxSecurity)"
    )
    assert out[8] == "false user:13: Unable to assign property TimeLength. Property is read only"


def test_hand_written_classes_gain_the_members_nobody_wrote() -> None:
    out = printed(
        """
        local part = Instance.new("Part")
        print(part.AudioCanCollide, part.EnableFluidForces, part.Anchored)
        print(pcall(function() return part.Colour end))
        -- A member first met on a subclass is the base class's member too.
        print(Instance.new("Texture").UVOffset, Instance.new("Decal").UVOffset)
        -- Each class has its own Studio default of an inherited property.
        print(Instance.new("TrussPart").Size, Instance.new("WedgePart").Size.X)
        """
    )
    assert out[0] == "true true false"
    assert out[1].endswith('Colour is not a valid member of Part "Part"')
    assert out[2] == "0, 0 0, 0"
    assert out[3] == "2, 2, 2 4"


# -- against ../shared ------------------------------------------------------------------------


@cache
def _dump() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DUMP.read_text(encoding="utf-8"))
    return data


def _no_security(member: dict[str, Any]) -> bool:
    sec = member.get("Security", "None")
    return bool((sec.get("Read", "None") if isinstance(sec, dict) else sec) == "None")


def _readable(member: dict[str, Any]) -> bool:
    """Whether a game script may read the member: no security level, and no
    capability only plugins have (a script's Source)."""
    sec = member.get("Security", "None")
    read = sec.get("Read", "None") if isinstance(sec, dict) else sec
    capabilities = member.get("Capabilities") or []
    if isinstance(capabilities, dict):
        capabilities = capabilities.get("Read", [])
    return bool(read == "None") and "PluginOrOpenCloud" not in capabilities


def game_services() -> list[str]:
    """Services a game script can use: browsable, not deprecated, with members of
    no security level."""
    out = []
    for c in _dump()["Classes"]:
        tags = set(c.get("Tags", []))
        usable = "Service" in tags and not tags & {"NotBrowsable", "Deprecated"}
        if usable and any(_no_security(m) for m in c["Members"]):
            out.append(c["Name"])
    return sorted(out)


def creatable_classes() -> list[str]:
    skip = {"NotCreatable", "Deprecated", "NotBrowsable", "Service"}
    return sorted(c["Name"] for c in _dump()["Classes"] if not set(c.get("Tags", [])) & skip)


# Reflection value kinds the probe compares; the rest (unique ids, attributes,
# tags, binary strings, capabilities, ...) a script never reads as a plain value.
_COMPARED = {
    "Bool", "Float32", "Float64", "Int32", "Int64", "String", "Enum", "Vector3",
    "Vector2", "Color3", "Color3uint8", "UDim", "UDim2", "CFrame", "BrickColor",
    "NumberRange", "NumberSequence", "ColorSequence", "Rect", "Font",
}  # fmt: skip


def _f(x: float) -> str:
    text = f"{float(x):.4f}"
    return "0.0000" if text == "-0.0000" else text


def canonical(value: dict[str, Any], enum_items: dict[int, str] | None) -> str | None:
    """The probe's text for a reflection default (None: not compared)."""
    ((kind, v),) = value.items()
    if kind not in _COMPARED:
        return None
    if kind == "Bool":
        return "true" if v else "false"
    if kind in ("Float32", "Float64", "Int32", "Int64"):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return _f(v)
    if kind == "String":
        return "s:" + v
    if kind == "Enum":
        return None if enum_items is None or v not in enum_items else "E:" + enum_items[v]
    if kind in ("Vector3", "Vector2", "Color3", "NumberRange"):
        return ",".join(_f(x) for x in v)
    if kind == "Color3uint8":
        return ",".join(_f(x / 255) for x in v)
    if kind == "UDim":
        return ",".join(_f(x) for x in v)
    if kind in ("UDim2", "Rect"):
        return ",".join(_f(x) for x in [*v[0], *v[1]])
    if kind == "CFrame":
        pos, rows = v
        return ",".join(_f(x) for x in [*pos, *rows[0], *rows[1], *rows[2]])
    if kind == "BrickColor":
        return str(int(v))
    if kind == "NumberSequence":
        return ";".join(",".join(_f(x) for x in k) for k in v[0])
    if kind == "ColorSequence":
        return ";".join(",".join(_f(x) for x in [k[0], *k[1]]) for k in v[0])
    if kind == "Font":
        return f"{v[0]},{v[1]},{v[2]}"
    return None


PROBE = r"""
local function f(n) local t = string.format("%.4f", n) return if t == "-0.0000" then "0.0000" else t end
local function join(list) return table.concat(list, ",") end
local function enc(v)
	local t = typeof(v)
	if v == nil then return "nil" end
	if t == "boolean" then return tostring(v) end
	if t == "number" then return f(v) end
	if t == "string" then return "s:" .. v end
	if t == "EnumItem" then return "E:" .. v.Name end
	if t == "Vector3" then return join({ f(v.X), f(v.Y), f(v.Z) }) end
	if t == "Vector2" then return join({ f(v.X), f(v.Y) }) end
	if t == "Color3" then return join({ f(v.R), f(v.G), f(v.B) }) end
	if t == "UDim" then return join({ f(v.Scale), f(v.Offset) }) end
	if t == "UDim2" then return join({ f(v.X.Scale), f(v.X.Offset), f(v.Y.Scale), f(v.Y.Offset) }) end
	if t == "Rect" then return join({ f(v.Min.X), f(v.Min.Y), f(v.Max.X), f(v.Max.Y) }) end
	if t == "NumberRange" then return join({ f(v.Min), f(v.Max) }) end
	if t == "BrickColor" then return tostring(v.Number) end
	if t == "CFrame" then
		local out = {}
		for _, c in { v:GetComponents() } do table.insert(out, f(c)) end
		return join(out)
	end
	if t == "NumberSequence" then
		local out = {}
		for _, k in v.Keypoints do table.insert(out, join({ f(k.Time), f(k.Value), f(k.Envelope) })) end
		return table.concat(out, ";")
	end
	if t == "ColorSequence" then
		local out = {}
		for _, k in v.Keypoints do
			table.insert(out, join({ f(k.Time), f(k.Value.R), f(k.Value.G), f(k.Value.B) }))
		end
		return table.concat(out, ";")
	end
	if t == "Font" then return v.Family .. "," .. v.Weight.Name .. "," .. v.Style.Name end
	return "?" .. t
end
for _, name in SERVICES do
	local ok, err = pcall(function() return game:GetService(name) end)
	print("S", name, if ok and err then "ok" else tostring(err))
end
for name, props in CLASSES do
	local ok, inst = pcall(Instance.new, name)
	print("N", name, if ok then "ok" else tostring(inst))
	if ok then
		for _, prop in props do
			local okRead, value = pcall(function() return inst[prop] end)
			print("P", name, prop, if okRead then enc(value) else "!" .. tostring(value))
		end
	end
end
"""


def _lua_list(names: list[str]) -> str:
    return "{" + ",".join(json.dumps(n) for n in names) + "}"


@cache
def probe() -> tuple[dict[str, str], dict[str, str], dict[tuple[str, str], tuple[str, str]]]:
    """(GetService outcome per service, Instance.new outcome per class,
    (class, property) -> (the world's value, the reflection default))."""
    from luaurft.roblox.reflection import read_reflection

    _, reflection = read_reflection(REFLECTION)
    enums = {e["Name"]: {i["Value"]: i["Name"] for i in e["Items"]} for e in _dump()["Enums"]}
    members: dict[str, dict[str, dict[str, Any]]] = {}
    supers: dict[str, str] = {}
    for c in _dump()["Classes"]:
        members[c["Name"]] = {m["Name"]: m for m in c["Members"]}
        supers[c["Name"]] = c.get("Superclass", "")
    expected: dict[tuple[str, str], str] = {}
    props: dict[str, list[str]] = {}
    for name in creatable_classes():
        defaults = reflection[name].defaults if name in reflection else {}
        for prop, value in sorted(defaults.items()):
            member, c = None, name
            while c in members and member is None:
                member, c = members[c].get(prop), supers[c]
            if member is None or member["MemberType"] != "Property" or not _readable(member):
                continue
            if "NotScriptable" in member.get("Tags", []):
                continue
            vt = member.get("ValueType", {})
            items = enums.get(vt.get("Name", "")) if vt.get("Category") == "Enum" else None
            text = canonical(value, items)
            if text is not None:
                expected[(name, prop)] = text
                props.setdefault(name, []).append(prop)
    classes = "{" + ",".join(f"[{json.dumps(n)}]={_lua_list(props.get(n, []))}" for n in creatable_classes()) + "}"  # fmt: skip
    code = PROBE.replace("SERVICES", _lua_list(game_services())).replace("CLASSES", classes)
    limits = Limits(cpu_seconds=60, output_lines=200_000, output_bytes=64 << 20, line_chars=4000)
    with MockWorld(limits) as world:
        finished, error = world.run_setup(code)
        assert finished and error is None, error
        lines = [o.text for o in world.sandbox.output if o.stream == "print"]
    services: dict[str, str] = {}
    created: dict[str, str] = {}
    values: dict[tuple[str, str], tuple[str, str]] = {}
    for line in lines:
        parts = line.split(" ", 3)
        if parts[0] == "S":
            services[parts[1]] = " ".join(parts[2:])
        elif parts[0] == "N":
            created[parts[1]] = " ".join(parts[2:])
        elif parts[0] == "P":
            key = (parts[1], parts[2])
            values[key] = (parts[3] if len(parts) > 3 else "", expected[key])
    return services, created, values


@needs_shared
def test_the_surface_matches_the_api_dump() -> None:
    classes = surface_classes()
    for c in _dump()["Classes"]:
        generated = classes[c["Name"]]
        superclass = c.get("Superclass")
        assert generated.superclass == (None if superclass == "<<<ROOT>>>" else superclass)
        assert generated.creatable == ("NotCreatable" not in c.get("Tags", []))
        assert generated.service == ("Service" in c.get("Tags", []))
        names = {m[1] for m in generated.members()}
        scriptable = {m["Name"] for m in c["Members"] if "NotScriptable" not in m.get("Tags", [])}
        assert names == scriptable, c["Name"]


@needs_shared
def test_member_security_is_the_dumps_for_every_member() -> None:
    # What a caller needs to read and to write (or call) each member, as the dump says;
    # a property the dump guards only for writing reads freely.
    checked = 0
    for c in _dump()["Classes"]:
        for m in c["Members"]:
            if "NotScriptable" in m.get("Tags", []):
                continue
            security = m.get("Security")
            read, write = (
                (security.get("Read"), security.get("Write"))
                if isinstance(security, dict)
                else (security, security)
            )
            found = member_security(c["Name"], m["Name"])
            assert found is not None, (c["Name"], m["Name"])
            expected = (None if read == "None" else read, None if write == "None" else write)
            if expected[0] is not None and expected[1] is None:
                expected = (expected[0], expected[0])
            assert found[:2] == expected, (c["Name"], m["Name"])
            checked += 1
    assert checked > 7_000
    assert member_security("Lighting", "Technology") == (
        "RobloxScriptSecurity",
        "RobloxScriptSecurity",
        "p",
    )
    assert member_security("Workspace", "FilteringEnabled") == (None, "PluginSecurity", "p")
    assert member_security("Part", "Anchored") == (None, None, "p")
    assert member_security("Lighting", "NoSuchMember") is None


@needs_shared
def test_probe_reaches_nearly_every_service_and_creatable_class() -> None:
    services, created, _ = probe()
    assert len(services) == len(game_services()) and len(created) == len(creatable_classes())
    ok_services = [n for n, outcome in services.items() if outcome == "ok"]
    ok_classes = [n for n, outcome in created.items() if outcome == "ok"]
    failed = {n: o for n, o in {**services, **created}.items() if o != "ok"}
    assert len(ok_services) >= 0.98 * len(services), failed
    assert len(ok_classes) >= 0.98 * len(created), failed


@needs_shared
def test_created_instances_have_the_reflection_defaults() -> None:
    _, _, values = probe()
    assert len(values) > 2000
    wrong = {key: pair for key, pair in values.items() if pair[0] != pair[1]}
    assert set(wrong) <= KNOWN_GAPS, dict(list(wrong.items())[:40])


# Defaults the world cannot give yet, each for a stated reason; the set may only
# shrink.
KNOWN_GAPS: set[tuple[str, str]] = set()


def test_generated_script_path_is_documented() -> None:
    script = Path(__file__).resolve().parents[1] / "scripts" / "gen_api_surface.py"
    assert script.is_file()


# -- isolation: nothing a run does reaches the next --------------------------------------------

HOSTILE = """
local function try(fn) pcall(fn) end
-- globals, libraries and the environment
try(function() _G.leak = "hostile" end)
try(function() shared.leak = "hostile" end)
try(function() getfenv = function() end end)
try(function() math.pi = 3 end)
try(function() string.upper = string.lower end)
try(function() table.insert = nil end)
try(function() rawset(math, "huge", 1) end)
try(function() getmetatable("").__index = {} end)
try(function() setmetatable(string, { __index = function() return 0 end }) end)
try(function() Vector3.zero = Vector3.new(1, 1, 1) end)
try(function() rawset(Vector3, "new", function() return 1 end) end)
try(function() getmetatable(Vector3.new()).__add = function() return 0 end end)
try(function() Enum.Material = nil end)
try(function() getmetatable(Enum.Material).__index = function() return 1 end end)
try(function() Instance.new = function() return nil end end)
try(function() rawset(Instance, "new", nil) end)
try(function() BrickColor.new = nil end)
try(function() getmetatable(game).__index = function() return 1 end end)
try(function() setmetatable(game, {}) end)
try(function() task.wait = nil end)
try(function() getmetatable(workspace.Changed).__index = nil end)
-- the world: services, defaults, the generated surface
workspace.Gravity = 1
game:GetService("Lighting").ClockTime = 3
game:GetService("Players").CharacterAutoLoads = false
local junk = Instance.new("Part")
junk.Name = "Junk"
junk.Parent = workspace
local audio = Instance.new("AudioPlayer")
audio.Volume = 9
audio.Parent = workspace
for i = 1, 200 do
	try(function() return audio["NoSuchMember" .. i] end)
	try(function() return game:GetService("NoSuchService" .. i) end)
	try(function() return Instance.new("NoSuchClass" .. i) end)
end
try(function() game:GetService("ConfigService").Name = "Owned" end)
print("hostile done")
"""

CLEAN = """
print(_G.leak, shared.leak, math.pi == 3.141592653589793, string.upper("a"))
print(workspace.Gravity, game:GetService("Lighting").ClockTime)
print(game:GetService("Players").CharacterAutoLoads, workspace:FindFirstChild("Junk"))
print(Instance.new("AudioPlayer").Volume, Vector3.zero, Vector3.new(1, 2, 3) + Vector3.one)
print(Enum.Material.Plastic, typeof(task.wait), BrickColor.new("Bright red").Name)
print(game:GetService("ConfigService").Name, Instance.new("Part").Size.X)
"""


def test_a_hostile_run_leaves_nothing_for_the_next() -> None:
    hostile = run_script(HOSTILE, kind="Script", seconds=1.0)
    assert [o.text for o in hostile.output if o.stream == "print"] == ["hostile done"]
    out = printed(CLEAN)
    assert out == [
        "nil nil true A",
        "196.2 14.5",
        "true nil",
        "1 0, 0, 0 2, 3, 4",
        "Enum.Material.Plastic function Bright red",
        "ConfigService 4",
    ]


def test_docs_list_every_class_with_hand_written_behaviour() -> None:
    from luaurft.luau.sandbox import to_python

    with MockWorld() as world:
        values = world.sandbox.postmortem(world._api("selfCheck"), cpu_seconds=10)
        assert values is not None
        summary = to_python(values[1], max_items=5000)
    docs = (Path(__file__).resolve().parents[1] / "docs" / "execution.md").read_text()
    listed = docs.split("Classes with hand-written behaviour", 1)[1].split(": ", 1)[1]
    names = set(listed.split(".\n", 1)[0].replace("\n", " ").split(", "))
    assert names == set(summary)


def test_method_instance_parameters_come_from_the_dump() -> None:
    from luaurft.roblox.surface import instance_params

    params = instance_params()
    # Typed ones keep their class; ones the dump types only as Instance keep their name.
    assert params["LoadAnimation"] == (("Animation", "animation"),)
    assert params["GetPartsInPart"][0] == ("BasePart", "part")
    assert params["AddAccessory"] == (("Instance", "accessory"),)
    # A method that takes no instance has no entry.
    assert "SetPrimaryPartCFrame" not in params
