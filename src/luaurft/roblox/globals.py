"""Global names a Roblox script can read without defining them: Luau's and Roblox's.

Facts only: which names exist, and which are deprecated in favour of what.
"""

from __future__ import annotations

from dataclasses import dataclass

# Luau's standard-library tables.
LUAU_LIBRARIES: frozenset[str] = frozenset(
    {"string", "table", "math", "coroutine", "bit32", "utf8", "os", "debug", "buffer", "vector"}
)

# The Roblox datatypes scripts construct every day (`Vector3.new`, `CFrame.lookAt`);
# rarer ones (Region3int16, PathWaypoint, ...) are only in ROBLOX_GLOBALS.
COMMON_DATATYPES: frozenset[str] = frozenset(
    {
        "Instance",
        "Vector3",
        "Vector2",
        "Vector3int16",
        "Vector2int16",
        "CFrame",
        "Color3",
        "BrickColor",
        "UDim",
        "UDim2",
        "Rect",
        "Region3",
        "Ray",
        "TweenInfo",
        "NumberRange",
        "NumberSequence",
        "NumberSequenceKeypoint",
        "ColorSequence",
        "ColorSequenceKeypoint",
        "PhysicalProperties",
        "Random",
        "RaycastParams",
        "OverlapParams",
        "DateTime",
        "Font",
        "Axes",
        "Faces",
        "SharedTable",
    }
)

# Luau's standard library and built-in functions.
LUAU_GLOBALS: frozenset[str] = frozenset(
    {
        "assert",
        "error",
        "getmetatable",
        "setmetatable",
        "ipairs",
        "pairs",
        "next",
        "pcall",
        "xpcall",
        "print",
        "rawequal",
        "rawget",
        "rawset",
        "rawlen",
        "select",
        "tonumber",
        "tostring",
        "type",
        "typeof",
        "unpack",
        "newproxy",
        "gcinfo",
        "collectgarbage",
        "require",
        "getfenv",
        "setfenv",
        "loadstring",
        "_G",
        "_VERSION",
        *LUAU_LIBRARIES,
    }
)

# Roblox engine globals: objects, datatypes and functions present in every script.
ROBLOX_GLOBALS: frozenset[str] = frozenset(
    {
        "game",
        "workspace",
        "script",
        "plugin",
        "shared",
        "task",
        "Enum",
        *COMMON_DATATYPES,
        "Region3int16",
        "PathWaypoint",
        "DockWidgetPluginGuiInfo",
        "CatalogSearchParams",
        "FloatCurveKey",
        "RotationCurveKey",
        "Content",
        "SecurityCapabilities",
        # Newer datatypes scripts read as globals (`User.new`, a signed-in user's record).
        "User",
        "Path2DControlPoint",
        "elapsedTime",
        "settings",
        "UserSettings",
        "version",
        "warn",
        "tick",
        "time",
        "wait",
        "delay",
        "spawn",
        "stats",
        "ypcall",
        "Workspace",
        "Game",
        "Stats",
        "Version",
        "printidentity",
        "PluginManager",
        "DebuggerManager",
        "ElapsedTime",
    }
)


@dataclass(frozen=True, slots=True)
class DeprecatedGlobal:
    name: str
    replacement: str
    reason: str


# Globals that still run but that Roblox documents as deprecated or superseded.
DEPRECATED_GLOBALS: dict[str, DeprecatedGlobal] = {
    g.name: g
    for g in (
        DeprecatedGlobal(
            "wait", "task.wait", "throttled and imprecise; task.wait resumes on the next Heartbeat"
        ),
        DeprecatedGlobal(
            "spawn",
            "task.spawn",
            "defers the thread by a throttled wait; task.spawn runs it at once",
        ),
        DeprecatedGlobal("delay", "task.delay", "throttled like wait; task.delay is precise"),
        DeprecatedGlobal(
            "tick",
            "os.clock() for durations, os.time() or DateTime.now() for dates",
            "depends on the machine's time zone",
        ),
        DeprecatedGlobal(
            "elapsedTime", "os.clock()", "counts from when the Roblox process started"
        ),
        DeprecatedGlobal(
            "ElapsedTime", "os.clock()", "capitalised alias of elapsedTime, which is deprecated"
        ),
        DeprecatedGlobal("ypcall", "pcall", "pcall yields since Luau; ypcall is an alias"),
        DeprecatedGlobal("Workspace", "workspace", "capitalised alias"),
        DeprecatedGlobal("Game", "game", "capitalised alias"),
        DeprecatedGlobal("Version", "version", "capitalised alias"),
        DeprecatedGlobal("Stats", "stats", "capitalised alias"),
        DeprecatedGlobal(
            "printidentity", "print", "a debugging helper with no use in game scripts"
        ),
        DeprecatedGlobal("version", "game.PlaceVersion", "legacy"),
    )
}

# Globals a sandboxed or production script must not reach (run-time code loading, environment tampering).
UNSAFE_GLOBALS: frozenset[str] = frozenset({"loadstring", "getfenv", "setfenv", "debug"})

KNOWN_GLOBALS: frozenset[str] = LUAU_GLOBALS | ROBLOX_GLOBALS

# What TestEZ's runner puts in the environment of the function a spec module
# returns (`return function() describe("x", function() it(...) end) end`).
TESTEZ_GLOBALS: frozenset[str] = frozenset(
    {
        "describe",
        "it",
        "expect",
        "beforeAll",
        "afterAll",
        "beforeEach",
        "afterEach",
        "FOCUS",
        "SKIP",
        "FIXME",
        "describeFOCUS",
        "describeSKIP",
        "itFOCUS",
        "itSKIP",
        "itFIXME",
        "fit",
        "xit",
        "fdescribe",
        "xdescribe",
        "HACK_NO_XPCALL",
    }
)


def is_known_global(name: str) -> bool:
    return name in KNOWN_GLOBALS


# Functions of Luau's libraries that still run but are deprecated.
DEPRECATED_LIBRARY_FUNCTIONS: dict[str, DeprecatedGlobal] = {
    g.name: g
    for g in (
        DeprecatedGlobal("table.getn", "#t", "Lua 5.0 leftover; the length operator does it"),
        DeprecatedGlobal(
            "table.foreach", "a for loop over pairs(t)", "Lua 5.0 leftover; slower than a loop"
        ),
        DeprecatedGlobal(
            "table.foreachi", "a for loop over ipairs(t)", "Lua 5.0 leftover; slower than a loop"
        ),
    )
}
