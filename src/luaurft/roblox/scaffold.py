"""Where a script expects to live, and what it expects to find there.

Roblox scripts assume a place built in Studio: a kill brick's Script sits in a
Part (`script.Parent.Touched`), a blaster's Script in a Tool, a client script
waits for a RemoteEvent that a server script created. Run in an empty world,
such code would fail for reasons that are not bugs in it. `infer_placement`
reads the code and answers: which container the script goes in, and which
instances it waits for (`WaitForChild` without a timeout) with the class its
use implies. Only what the code itself says is built; anything it looks up
optionally (`FindFirstChild`) is left absent, so its fallback paths run.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any, NamedTuple

from luaurft.luau.kind import ScriptKind, module_side
from luaurft.roblox.behaviour import LEADERSTATS

LOCAL_PLAYER = "Player1"

# Names that are classes a script commonly waits for inside its container.
_KNOWN_CLASSES = frozenset(
    [
        "Humanoid",
        "Animator",
        "ProximityPrompt",
        "ClickDetector",
        "Sound",
        "Attachment",
        "ParticleEmitter",
        "PointLight",
        "SpotLight",
        "SurfaceLight",
        "Fire",
        "Smoke",
        "Sparkles",
        "SurfaceGui",
        "BillboardGui",
        "ScreenGui",
        "Animation",
        "RemoteEvent",
        "RemoteFunction",
        "BindableEvent",
        "BindableFunction",
        "UnreliableRemoteEvent",
        "Configuration",
        "Folder",
        "TextLabel",
        "TextButton",
        "TextBox",
        "Frame",
        "ImageLabel",
        "ImageButton",
        "ScrollingFrame",
        "CanvasGroup",
        "UIListLayout",
        "UIGridLayout",
        "Highlight",
        "Decal",
        "Texture",
        "Beam",
        "Trail",
        "WeldConstraint",
        "Weld",
        "Motor6D",
        "Model",
        "Part",
        "MeshPart",
        "IntValue",
        "NumberValue",
        "StringValue",
        "BoolValue",
        "ObjectValue",
        "Vector3Value",
        "CFrameValue",
        "Color3Value",
        "BrickColorValue",
        "Camera",
        "Tool",
        "Backpack",
        "SpawnLocation",
        "Seat",
        "VehicleSeat",
        "AlignPosition",
        "AlignOrientation",
        "LinearVelocity",
        "VectorForce",
        "HingeConstraint",
        "TextBox",
        "DragDetector",
        "UIDragDetector",
        "AudioPlayer",
        "AudioEmitter",
        "AudioListener",
        "AudioDeviceOutput",
        "AudioDeviceInput",
        "AudioFader",
        "Wire",
        "InputAction",
        "InputBinding",
        "InputContext",
    ]
)
_NAME_CLASSES = {
    "Handle": "Part",
    "HumanoidRootPart": "Part",
    "Head": "Part",
    "Torso": "Part",
    "UpperTorso": "Part",
    "LowerTorso": "Part",
    "Hitbox": "Part",
    "Remotes": "Folder",
    "Events": "Folder",
    "Modules": "Folder",
    "Assets": "Folder",
    "leaderstats": "Folder",
}

_SCREEN_GUI = frozenset({"ResetOnSpawn", "IgnoreGuiInset", "DisplayOrder", "ZIndexBehavior"})
# Member use that reveals a class.
_USAGE_CLASSES: tuple[tuple[frozenset[str], str], ...] = (
    (
        frozenset({"OnServerEvent", "OnClientEvent", "FireServer", "FireClient", "FireAllClients"}),
        "RemoteEvent",
    ),
    (
        frozenset({"OnServerInvoke", "OnClientInvoke", "InvokeServer", "InvokeClient"}),
        "RemoteFunction",
    ),
    (frozenset({"OnInvoke", "Invoke"}), "BindableFunction"),
    (frozenset({"Event", "Fire"}), "BindableEvent"),
    (
        frozenset({"Triggered", "TriggerEnded", "ActionText", "ObjectText", "HoldDuration"}),
        "ProximityPrompt",
    ),
    (frozenset({"MouseClick", "MaxActivationDistance"}), "ClickDetector"),
    (
        frozenset({"MouseButton1Click", "MouseButton1Down", "MouseButton1Up", "AutoButtonColor"}),
        "TextButton",
    ),
    # Before TextLabel: a TextBox has its Text too.
    (
        frozenset({"FocusLost", "Focused", "CaptureFocus", "ReleaseFocus", "PlaceholderText"}),
        "TextBox",
    ),
    (frozenset({"Text", "TextColor3", "TextScaled", "TextSize", "TextTransparency"}), "TextLabel"),
    (
        frozenset(
            {"Touched", "TouchEnded", "Anchored", "CanCollide", "CFrame", "BrickColor", "Material"}
        ),
        "Part",
    ),
    (frozenset({"Play", "Stop", "SoundId", "Volume", "Looped"}), "Sound"),
    (frozenset({"LoadAnimation"}), "Animator"),
    (frozenset({"SendMessage", "BindToMessage", "BindToMessageParallel"}), "Actor"),
    (_SCREEN_GUI, "ScreenGui"),
    (frozenset({"GetChildren", "GetDescendants", "ChildAdded", "ChildRemoved"}), "Folder"),
)

_GUI_BUTTON = frozenset(
    {
        "MouseButton1Click",
        "MouseButton1Down",
        "MouseButton1Up",
        "MouseButton2Click",
        "AutoButtonColor",
    }
)
_GUI_TEXT = frozenset(
    {"Text", "TextColor3", "TextScaled", "TextSize", "TextTransparency", "TextStrokeTransparency"}
)
_GUI_OBJECT = frozenset(
    {
        "BackgroundColor3",
        "BackgroundTransparency",
        "AnchorPoint",
        "TweenPosition",
        "TweenSize",
        "ZIndex",
        "AbsoluteSize",
        "MouseEnter",
        "MouseLeave",
        "MouseMoved",
        "InputBegan",
        "InputEnded",
        "InputChanged",
        "SelectionGained",
        "SelectionLost",
    }
)
_TEXT_BOX = frozenset(
    {
        "FocusLost",
        "Focused",
        "ReturnPressedFromOnScreenKeyboard",
        "PlaceholderText",
        "ClearTextOnFocus",
        "CaptureFocus",
        "ReleaseFocus",
        "IsFocused",
        "CursorPosition",
    }
)
# Members of both DragDetector and UIDragDetector, and of each alone.
_DRAG = frozenset({"DragStart", "DragContinue", "DragEnd", "DragStyle", "ResponseStyle"})
_DRAG_3D = frozenset(
    {"DragFrame", "MaxDragTranslation", "MinDragTranslation", "ApplyAtCenterOfMass"}
)
_DRAG_UI = frozenset({"DragUDim2", "DragRotation", "BoundingUI", "BoundingBehavior"})
# A ViewportFrame's own (a Workspace has CurrentCamera too, but no script sits in one).
_VIEWPORT = frozenset({"CurrentCamera", "LightColor", "LightDirection", "ImageColor3"})
# An InputAction's events: a script under one answers its bindings.
_INPUT_ACTION = frozenset({"Pressed", "Released"})
_TOOL = frozenset(
    {
        "Equipped",
        "Unequipped",
        "Deactivated",
        "ToolTip",
        "Grip",
        "CanBeDropped",
        "RequiresHandle",
        "Handle",
    }
)
_PART = frozenset(
    {
        "Touched",
        "TouchEnded",
        "Anchored",
        "CanCollide",
        "CanTouch",
        "CFrame",
        "BrickColor",
        "Material",
        "Orientation",
        "AssemblyLinearVelocity",
        "Transparency",
        "Color",
        "Reflectance",
        # A part's physics, which nothing else scripts reach has.
        "ApplyImpulse",
        "ApplyAngularImpulse",
        "ApplyImpulseAtPosition",
        "AssemblyAngularVelocity",
        "AssemblyMass",
        "GetMass",
        "SetNetworkOwner",
        "GetTouchingParts",
        "CanQuery",
        "CastShadow",
        "Massless",
    }
)
_MODEL = frozenset(
    {"PrimaryPart", "GetPivot", "PivotTo", "GetBoundingBox", "SetPrimaryPartCFrame", "MoveTo"}
)
# Reading a model's PrimaryPart (not setting it) or moving the model by it.
_PRIMARY_PART_USE = re.compile(
    r"\.\s*PrimaryPart\b(?!\s*=(?!=))|:\s*(?:Set|Get)PrimaryPartCFrame\b"
)
_PROMPT = frozenset({"Triggered", "TriggerEnded", "ActionText", "ObjectText", "HoldDuration"})
# What only a Seat or VehicleSeat has (the API dump: Occupant, Sit, Disabled; a
# VehicleSeat also Throttle, Steer, ...): the part such code is in, or whose prompt it is in.
_SEAT_USE = re.compile(
    r"\.\s*Occupant\b|:\s*Sit\s*\(|GetPropertyChangedSignal\s*\(\s*[\"']Occupant[\"']"
)
_VEHICLE_SEAT = frozenset(
    {"Throttle", "Steer", "ThrottleFloat", "SteerFloat", "MaxSpeed", "Torque", "TurnSpeed"}
)
_CLICK = frozenset({"MouseClick"})
_HUMANOID_CHILDREN = frozenset({"Humanoid", "HumanoidRootPart", "Head"})

_COMMENT = re.compile(r"--\[(=*)\[.*?\]\1\]|--[^\n]*", re.DOTALL)
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING_Q = r"[\"']"


def _word(name: str) -> str:
    """The regex for `name` starting a word (what `\\bname` means), spelt literal
    first: the regex engine scans for a leading literal quickly, while a pattern
    that starts with `\\b` is tried at every position of the text (3 to 20 times
    slower on a script). `name` is a plain identifier."""
    return rf"{name}(?<!\w{name})"


# A name, read whole: possessive, so no pattern ever matches part of one (`creat`
# of `create(`) by giving back letters, and none is tried again letter by letter.
_IDENT = r"[A-Za-z_]\w*+"
# `WaitForChild(` or `FindFirstChild(`, spelt from `Child` (a literal the regex
# engine scans for quickly) looking back for the rest.
_FIND_OR_WAIT = r"Child(?:(?<=WaitForChild)|(?<=FindFirstChild))\s*\("


def _is_word_char(char: str) -> bool:
    """What a regex's `\\w` matches: a letter or digit (Unicode's), or `_`."""
    return char.isalnum() or char == "_"


def _name_before(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the name that ends just before `pos`, spaces between allowed
    (`remotes` in `remotes [key]`, `gui` in `gui :WaitForChild`); empty if none."""
    end = pos
    while end and text[end - 1].isspace():
        end -= 1
    start = end
    while start and _is_word_char(text[start - 1]):
        start -= 1
    return start, end


# `script.Parent.Parent:WaitForChild("Head")`: the script sits in a folder of the
# character (StarterCharacterScripts/Camera/Script copies in as character.Camera.Script).
_GRANDPARENT_CHARACTER = re.compile(
    rf"{_word('script')}\s*\.\s*Parent\s*\.\s*Parent\s*(?:"
    rf":\s*(?:WaitForChild|FindFirstChild)\s*\(\s*{_STRING_Q}(?:Humanoid|HumanoidRootPart|Head){_STRING_Q}"
    rf"|:\s*FindFirstChildOfClass\s*\(\s*{_STRING_Q}Humanoid{_STRING_Q}"
    rf"|\.\s*(?:Humanoid|HumanoidRootPart|Head)\b)"
)


# `local model = script.Parent.Parent`, `local backpack = tool.Parent`: a local
# holding an ancestor of a root (`script`, the container or a local holding one).
_ANCESTOR_LOCAL = re.compile(
    rf"{_word('local')}\s+({_IDENT})\s*(?::\s*\w++\??)?\s*=\s*({_IDENT})"
    rf"((?:\s*\.\s*Parent\b)+)\s*(?:$|--|;)",
    re.MULTILINE,
)
_PARENT_STEP = re.compile(r"\s*\.\s*Parent\b")


@lru_cache(maxsize=4)
def _ancestor_locals(text: str) -> tuple[tuple[str, str, int], ...]:
    """(local, the name it steps up from, how many `.Parent` steps) of each
    `_ANCESTOR_LOCAL`, in order."""
    if "Parent" not in text:
        return ()
    return tuple(
        (m.group(1), m.group(2), m.group(3).count("Parent")) for m in _ANCESTOR_LOCAL.finditer(text)
    )


# `script.Parent.Parent.Main`: what the code indexes in its container's parent.
_GRANDPARENT_CHILD = re.compile(rf"{_word('script')}\s*\.\s*Parent\s*\.\s*Parent\s*\.\s*({_IDENT})")


@dataclass(frozen=True)
class Placement:
    """Where the script goes (`script_path`, a dotted path from `game`) and the
    instances to build first (`scaffold`: dicts with parent, name, class...)."""

    script_path: str
    script_name: str
    container: str
    scaffold: list[dict[str, Any]] = field(default_factory=list)
    local_character: bool = False
    #: What the standard stimulus sends each remote handler (`remote_handler_args`).
    remote_args: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _strip_comments(text: str) -> str:
    if "--[" not in text:
        # Line comments only (most scripts): each goes whole, no call per comment.
        return _LINE_COMMENT.sub("", text)
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


# `local door = script.Parent` (or `script.Parent :: Part`, a cast): names the code
# gives its container.
_PARENT_ALIAS = re.compile(
    rf"{_word('local')}\s+(\w++)\s*(?::\s*[\w.?<>]++)?\s*=\s*script\.Parent\b(?!\s*(?:\.|:(?!:)))"
)


# One placement reads these of the same text several times (its container, its
# direct children, the services it finds and waits in): each is read once per text.
@lru_cache(maxsize=4)
def _parent_aliases(text: str) -> frozenset[str]:
    # Every match spells `script.Parent`: most scripts without it need no scan.
    if "script.Parent" not in text:
        return frozenset()
    return frozenset(_PARENT_ALIAS.findall(text))


# `local Name = game:GetService("Service")`.
_SERVICE_LOCAL = re.compile(
    rf"{_word('local')}\s+(\w++)\s*(?::\s*\w++)?\s*=\s*game\s*:\s*GetService\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}\s*\)"
)
_IDENT_START = re.compile(r"[A-Za-z_]")


@lru_cache(maxsize=4)
def _service_locals(text: str) -> tuple[tuple[str, str], ...]:
    """(name, service) of each `local Name = game:GetService("Service")` of `text`."""
    return tuple(_SERVICE_LOCAL.findall(text))


# What follows a root in `_members_of`: a member, an IsA test, a find by class,
# a wait for a child (its name, and the rest of the line).
_MEMBER_AFTER = re.compile(r"\s*([.:])\s*(\w+)")
_ISA_AFTER = re.compile(rf"\s*:\s*IsA\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}")
_OF_CLASS_AFTER = re.compile(
    rf"\s*:\s*FindFirstChild(?:OfClass|WhichIsA)\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}"
)
_WAIT_AFTER = re.compile(rf"\s*:\s*WaitForChild\s*\(\s*{_STRING_Q}([\w ]+){_STRING_Q}\s*\)([^\n]*)")


def _members_of(
    text: str, roots: list[str]
) -> tuple[set[str], set[str], set[str], list[tuple[str, str]]]:
    """Members used on any of `roots`: (members, IsA classes, FindFirstChildOfClass classes,
    [(waited-for child name, the rest of the line)]). A root is a name, read whole,
    or a path (`script.Parent`), read wherever it is spelt; what follows each place
    it stands is read as a scan of the text for `root` and then that would (a place
    inside an earlier match of the same kind is passed over)."""
    members: set[str] = set()
    isa: set[str] = set()
    of_class: set[str] = set()
    waits: list[tuple[str, str]] = []
    for root in roots:
        if "." in root:
            sites = []
            at = text.find(root)
            while at != -1:
                sites.append((at, at + len(root)))
                at = text.find(root, at + len(root))
        else:
            sites = _whole_word_sites(text, root)
        # Where the last match of each kind ended.
        member_end = isa_end = of_class_end = wait_end = 0
        for start, end in sites:
            if start >= member_end and (m := _MEMBER_AFTER.match(text, end)) is not None:
                members.add(m.group(2))
                member_end = m.end()
            if start >= isa_end and (m := _ISA_AFTER.match(text, end)) is not None:
                isa.add(m.group(1))
                isa_end = m.end()
            if start >= of_class_end and (m := _OF_CLASS_AFTER.match(text, end)) is not None:
                of_class.add(m.group(1))
                of_class_end = m.end()
            if start >= wait_end and (m := _WAIT_AFTER.match(text, end)) is not None:
                waits.append((m.group(1), m.group(2)))
                wait_end = m.end()
    return members, isa, of_class, waits


class _Uses(NamedTuple):
    """What `_class_for_use` asks of a text about every name at once, read in a few
    passes over it (asked per name, a file waiting for many children was read once
    per child: minutes for a few thousand)."""

    #: Names waited for inside `require(...)`.
    required: frozenset[str]
    #: Name waited for -> the first local assigned from a line that waits for it.
    assigned: dict[str, str]
    #: Name -> the members read off it (`name.X`, `name:X`).
    members: dict[str, set[str]]
    #: How often each name is spelt as a whole word, not inside a string's quotes.
    mentions: Counter[str]


_REQUIRED_WAIT = re.compile(
    rf"\brequire\s*\([^()\n]*WaitForChild\s*\(\s*{_STRING_Q}([^\"'\n]*){_STRING_Q}\s*\)\s*\)"
)
# `Table.Field = value`, one statement.
_FIELD_LINE = re.compile(
    rf"(?<![\w.:]){_IDENT}(?:\s*\.\s*{_IDENT})*\s*\.\s*({_IDENT})\s*=(?!=)\s*([^\n;]*)"
)
# One statement: minified code puts several on a line (`local a = ...;local b = ...`).
_LOCAL_LINE = re.compile(rf"{_word('local')}\s+(\w++)\s*(?::\s*[\w.?]++)?\s*=\s*([^\n;]*)")
_WAIT_NAME = re.compile(rf"WaitForChild\s*\(\s*{_STRING_Q}([^\"'\n]*){_STRING_Q}\s*\)")
_MEMBER_USE = re.compile(rf"(?<!\w)(?=({_IDENT})\s*[.:]\s*(\w+))")
_WHOLE_NAME = re.compile(rf"(?<![\w\"'])({_IDENT})")
# The end of a value: what follows a call that ends it (a cast, a separator, a comment).
_VALUE_ENDS = re.compile(r"\s*(?:::\s*[\w.?]+\s*)?(?:$|;|--|,|\)|\b(?:or|and)\b)")


@lru_cache(maxsize=4)
def _uses_of(text: str) -> _Uses:
    assigned: dict[str, str] = {}
    # A local, then a table's field (`Service.Status = RS:WaitForChild("Status")`: what
    # the code reads off `Status` is that field's use).
    for holder in (_LOCAL_LINE, _FIELD_LINE) if "WaitForChild" in text else ():
        for line in holder.finditer(text):
            value = line.group(2)
            for wait in _WAIT_NAME.finditer(value):
                # Only the wait that ends the value is what the local holds
                # (`local p = workspace:WaitForChild("Shop").Door.Prompt` holds no Shop).
                if _VALUE_ENDS.match(value, wait.end()):
                    assigned.setdefault(wait.group(1), line.group(1))
    members: dict[str, set[str]] = {}
    for use in _MEMBER_USE.finditer(text):
        members.setdefault(use.group(1), set()).add(use.group(2))
    return _Uses(
        required=frozenset(m.group(1) for m in _REQUIRED_WAIT.finditer(text)),
        assigned=assigned,
        members=members,
        mentions=Counter(m.group(1) for m in _WHOLE_NAME.finditer(text)),
    )


def _class_by_usage(used: set[str], *, gui: bool = False) -> str | None:
    """The first class of `_USAGE_CLASSES` one of whose members the code uses on an
    instance; `gui`: inside a GUI, what it takes `Activated` from is a button
    (elsewhere it may be a Tool). None when no member used says."""
    for names, cls in _USAGE_CLASSES:
        if used & names:
            return cls
    if gui and "Activated" in used:
        return "TextButton"
    return None


def _class_for_use(text: str, name: str, rest: str, *, gui: bool = False) -> str | None:
    """The class of the instance the code waits for by `name` (`rest`: the rest of
    its line), from a cast, its name, or what the code does with it; None when
    nothing says. `gui`: it is waited for inside a GUI, where `Activated` is a
    GuiButton's (elsewhere it may be a Tool's)."""
    cast = re.match(r"\s*::\s*(\w+)", rest)
    if cast and cast.group(1) in _KNOWN_CLASSES:
        return cast.group(1)
    # The type the code gives the local it waits into (`local cmd: TextChatCommand = ...`).
    typed = _typed_waits(text).get(name)
    if typed is not None:
        return typed
    looked_into = re.match(r"\s*:\s*(\w+)\s*\(", rest)
    if looked_into and looked_into.group(1) in _CONTAINER_USE:
        # `script.Parent:WaitForChild("Framework"):GetChildren()`: only looked
        # into, so any container serves, and a Folder claims nothing more.
        return "Folder"
    uses = _uses_of(text)
    # What `require(...)` waits for is a ModuleScript, whatever its name says.
    if name in uses.required:
        return "ModuleScript"
    if name in _NAME_CLASSES:
        return _NAME_CLASSES[name]
    if name in _KNOWN_CLASSES:
        return name
    # The variable it is assigned to, and what the code does with it.
    var = uses.assigned.get(name)
    if var is not None:
        handed = _handed_to(text, [var])
        if handed is not None:
            return handed
        # What the code does with its copies (`local coin = template:Clone()`) says too.
        copies = _copies_of(text, var)
        used = set(uses.members.get(var, set()))
        for copy in copies:
            used |= uses.members.get(copy, set())
        if _given_udim2(text, [var, *copies]):
            return _gui_class_of(used)
        if "Value" in used:
            # A ValueBase the script reads or sets (`Stamina.Value > 5`): the kind
            # of value follows from how `.Value` is used, as for indexed children.
            return _value_class(text, _Child("", name, False, aliases={var}))
        by_usage = _class_by_usage(used, gui=gui)
        if by_usage is not None:
            return by_usage
        if used and used <= _CONTAINER_USE:
            # Only looked into (`towers:FindFirstChild(name)`): any container serves,
            # and a Folder claims nothing more than that.
            return "Folder"
        # A member only some likely classes have (`goal.Position`): the first of them
        # (in a GUI the caller knows better).
        candidate = None if gui else next(filter(None, map(_candidate_with, sorted(used))), None)
        if candidate is not None:
            return candidate
        if not used and (var.lower().endswith("folder") or uses.mentions[var] == 1):
            # The code names it a folder (`local itemDataFolder = RS:WaitForChild("ItemData")`)
            # and uses no member of it that could say otherwise; or it waits for it and
            # never mentions it again, so no class it could have is observable.
            return "Folder"
    # A member read straight off the wait (`workspace:WaitForChild("Centre").Position`).
    read = re.match(rf"\s*[.:]\s*({_IDENT})", rest)
    if read is not None:
        by_usage = _class_by_usage({read.group(1)}, gui=gui) or _candidate_with(read.group(1))
        if by_usage is not None:
            return by_usage
    lowered = name.lower()
    if lowered.endswith(("event", "remote")):
        return "RemoteEvent"
    if lowered.endswith("function"):
        return "RemoteFunction"
    return None


# A chain of waits from a name or a service: `Service:WaitForChild("A"):WaitForChild("B")`,
# with the rest of its line.
_WAIT_CHAIN = re.compile(
    rf"(?:\b(\w++)|game\s*:\s*GetService\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}\s*\))"
    rf"((?:\s*:\s*WaitForChild\s*\(\s*{_STRING_Q}[\w ]+{_STRING_Q}\s*\))+)([^\n]*)"
)
_WAIT_CALL = re.compile(r":\s*WaitForChild")
_GET_SERVICE = re.compile(r"game\s*:\s*GetService\s*\(")


def _wait_chains(text: str) -> list[re.Match[str]]:
    """The matches of `_WAIT_CHAIN.finditer(text)`, found by trying the regex only
    where one can start: the name just before a `:WaitForChild`, or a
    `game:GetService(`. Tried at every word, the regex was a fifth of a placement."""
    where = {m.start() for m in _GET_SERVICE.finditer(text)}
    for call in _WAIT_CALL.finditer(text):
        start, end = _name_before(text, call.start())
        if start < end:
            where.add(start)
    return list(_matches_from(_WAIT_CHAIN, text, where))


_UNDER_GAME = re.compile(r"\bgame\s*\.\s*$")


# Where only tools go: what the code parents there is a Tool.
_TOOL_HOLDERS = re.compile(r"backpack|startergear|starterpack", re.IGNORECASE)
# `:Method(` just before an argument, and the arguments before it (no nested call).
_CALL_BEFORE = re.compile(r":\s*(\w+)\s*\(([^()\n]*)$")


def _handed_to(text: str, names: Iterable[str]) -> str | None:
    """The class an instance the code holds under `names` is by what the code
    hands it to: the class a method's parameter takes (`workspace:GetPartsInPart(zone)`:
    a part), or for a parameter typed only as an Instance, the class its name
    spells (`humanoid:AddAccessory(hat:Clone())`: an Accessory); a copy parented to
    a Backpack or StarterGear is a Tool."""
    from luaurft.roblox.surface import instance_params

    params = instance_params()
    # Copies held by locals (`local clone = hat:Clone()`) are handed on too.
    held = [n for name in names if name for n in (name, *_copies_of(text, name))]
    for name in held:
        sites = _sites_of(text, name)
        for start, end in sites:
            if _ARGUMENT_HERE.match(text, end) is None:
                continue
            call = _CALL_BEFORE.search(text, _line_start_within(text, start), start)
            taken = params.get(call.group(1)) if call is not None else None
            if call is None or taken is None:
                continue
            position = call.group(2).count(",")
            param = taken[position] if position < len(taken) else None
            cls = _param_class(*param) if param is not None else None
            if cls is not None:
                return cls
        parented = next(
            (hit for _, end in sites if (hit := _PARENTED_HERE.match(text, end)) is not None),
            None,
        )
        if parented is not None:
            target = parented.group(1).strip()
            assigned = _local_values(text).get(target)
            if _TOOL_HOLDERS.search(target) or (
                assigned is not None and _TOOL_HOLDERS.search(assigned)
            ):
                return "Tool"
    return None


# After a name: it, or its `:Clone()`, given as an argument (a `,` or `)` next);
# given to a `.Parent` (the new parent captured).
_ARGUMENT_HERE = re.compile(r"(?:\s*:\s*Clone\s*\(\s*\))?(?=\s*[,)])")
_PARENTED_HERE = re.compile(r"(?:\s*:\s*Clone\s*\(\s*\))?\s*\.\s*Parent\s*=\s*([^\n;]+)")
_UDIM2_GIVEN_HERE = re.compile(r"\s*\.\s*\w+\s*=\s*UDim2\s*\.")
_IDENT_FULL = re.compile(_IDENT)
_LOCAL_VALUE = re.compile(rf"{_word('local')}\s+({_IDENT})\s*=\s*([^\n;]+)")
_LOCAL_CLONE = re.compile(
    rf"{_word('local')}\s+({_IDENT})\s*(?::\s*[\w.?]++)?\s*=\s*({_IDENT})\s*:\s*Clone\s*\(\s*\)"
)


# Below this length the uses of a name are found by a scan of the text for it (cheap
# on a short text, and most scripts are short); from it on, from the index of the
# text's names, built once per text (a long text names many things, and a scan per
# thing would grow with the square of its length).
_INDEX_FROM_CHARS = 20_000


def _sites_of(text: str, name: str) -> list[tuple[int, int]]:
    """(start, end) of each use of `name` where it stands alone: a whole name, not a
    member of a chain (`.name`) or a method (`:name`)."""
    if not _IDENT_FULL.fullmatch(name):
        # Not a plain name (a Unicode one): found where it stands.
        return [h.span() for h in re.finditer(rf"(?<![\w.:]){re.escape(name)}(?!\w)", text)]
    return [(a, b) for a, b in _whole_word_sites(text, name) if not (a and text[a - 1] in ".:")]


def _spelt_sites(text: str, alias: str) -> list[tuple[int, int]]:
    """(start, end) of each place the code spells `alias` out, a name (`coins`) or a
    table's field (`remotes.Buy`), not inside a longer name; after a `.` too."""
    head = alias.partition(".")[0]
    if not _IDENT_FULL.fullmatch(head):
        spelt = re.escape(alias)
        return [h.span() for h in re.finditer(rf"(?<!\w){spelt}", text)]
    return [
        (start, start + len(alias))
        for start, _ in _whole_word_sites(text, head)
        if text.startswith(alias, start)
    ]


def _whole_word_sites(text: str, name: str) -> list[tuple[int, int]]:
    """(start, end) of each use of the plain name `name` as a whole name, members of a
    chain included (see `_word_sites`)."""
    if len(text) >= _INDEX_FROM_CHARS:
        return _word_sites(text).get(name, [])
    sites = []
    size = len(text)
    at = text.find(name)
    while at != -1:
        end = at + len(name)
        # An occurrence inside the last one is inside a name: the next one starts after it.
        if not (at and _is_word_char(text[at - 1])) and not (
            end < size and _is_word_char(text[end])
        ):
            sites.append((at, end))
        at = text.find(name, end)
    return sites


@lru_cache(maxsize=4)
def _word_sites(text: str) -> dict[str, list[tuple[int, int]]]:
    """(start, end) of every whole name in the text, by name, members of a chain
    included (`Coins` in `leaderstats.Coins.Value`)."""
    sites: dict[str, list[tuple[int, int]]] = {}
    for hit in _WORD_SITE.finditer(text):
        sites.setdefault(hit.group(), []).append(hit.span())
    return sites


_WORD_SITE = re.compile(rf"(?<!\w){_IDENT}")
# After a value object's name: what its `.Value` is given or how it is used.
_VALUE_HERE = re.compile(r"\s*\.\s*Value\s*([^\n]*)")


_LOAD_ANIMATION = re.compile(r":\s*LoadAnimation\s*\(\s*([\w.]+)\s*\)")
_TWEEN_CREATE = re.compile(r":\s*Create\s*\(\s*(\w+)\s*,")


@lru_cache(maxsize=4)
def _loaded_animations(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """What the code hands `:LoadAnimation(...)`: the last name of each argument
    (`Attack` of `script.Attack`), and the arguments that are one name."""
    args = [hit.group(1) for hit in _LOAD_ANIMATION.finditer(text)]
    return (
        frozenset(a.rpartition(".")[2] for a in args),
        frozenset(a for a in args if "." not in a),
    )


@lru_cache(maxsize=4)
def _tweened_as_parts(text: str) -> frozenset[str]:
    """The names the code tweens by a part's own properties
    (`ts:Create(lever, info, {CFrame = ...})`): every `:Create(name,` whose line
    goes on to such a goal."""
    return frozenset(
        hit.group(1)
        for hit in _TWEEN_CREATE.finditer(text)
        if _PART_GOAL_AHEAD.match(text, hit.end()) is not None
    )


@lru_cache(maxsize=4)
def _local_values(text: str) -> dict[str, str]:
    """The value each local is first given (`local pack = player.Backpack`)."""
    values: dict[str, str] = {}
    for hit in _LOCAL_VALUE.finditer(text):
        values.setdefault(hit.group(1), hit.group(2))
    return values


@lru_cache(maxsize=4)
def _clones_by_original(text: str) -> dict[str, list[str]]:
    """The locals holding copies of each name (`local coin = template:Clone()`)."""
    copies: dict[str, list[str]] = {}
    for hit in _LOCAL_CLONE.finditer(text):
        copies.setdefault(hit.group(2), []).append(hit.group(1))
    return copies


def _param_class(cls: str, name: str) -> str | None:
    """What a scaffold builds for a parameter of class `cls` named `name`: the class
    itself where it can be made, the first candidate of it where it is abstract
    (a BasePart: a Part), or for an Instance the class its name spells."""
    if cls == "Instance":
        cls = _class_spelt_by(name) or ""
        if not _is_creatable_class(cls):
            return None
    if cls in _ENGINE_MADE or not _is_instance_class(cls):
        return None
    if _is_creatable_class(cls):
        return cls
    return next((c for c in _CANDIDATE_CLASSES if _is_a(c, cls)), None)


def _copies_of(text: str, name: str) -> list[str]:
    """The locals holding copies of what `name` holds (`local coin = template:Clone()`)."""
    return list(_clones_by_original(text).get(name, ()))


def _given_udim2(text: str, names: Iterable[str]) -> bool:
    """Whether the code gives a property of what `names` hold a UDim2 (`bar.Size =
    UDim2.fromScale(...)`): only GUI objects have such properties."""
    return any(
        _UDIM2_GIVEN_HERE.match(text, end) is not None
        for n in names
        if n
        for _, end in _sites_of(text, n)
    )


def _gui_class_of(used: set[str]) -> str:
    """A Frame when it has every member the code uses, else the first GUI object
    class that has them, else a Frame."""
    from luaurft.roblox.api import curated_index

    index = curated_index()
    likely = _likely_members()
    for cls in ("Frame", *_GUI_CHILD_CLASSES):
        if all(index.member(cls, m) is not None for m in used if m in likely):
            return cls
    return "Frame"


def _handed_on(text: str, name: str, rest: str) -> str | None:
    """What the workspace holds and the code only hands on, using no member of it
    (to `GetPartsInPart`, a table, a tween), is most often a part. `rest`: the rest
    of the line after the wait."""
    if re.match(r"\s*[.:\[]", rest):
        return None
    uses = _uses_of(text)
    var = uses.assigned.get(name)
    return "Part" if var is None or not uses.members.get(var) else None


def _service_waits(text: str) -> list[dict[str, Any]]:
    """Instances waited for under services: `Service:WaitForChild("A"):WaitForChild("B")`."""
    from luaurft.roblox.api import curated_index

    roots: dict[str, str] = dict(_service_locals(text))
    roots.setdefault("workspace", "Workspace")
    plan: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for m in _wait_chains(text):
        service = roots.get(m.group(1) or "") or m.group(2)
        if (
            not service
            and m.group(1)
            and _UNDER_GAME.search(text, max(0, m.start() - 16), m.start())
            and curated_index().is_service(m.group(1))
        ):
            # `game.Workspace:WaitForChild(...)`: a service reached by its name.
            service = m.group(1)
        if not service or service in ("Players",):
            continue
        names = re.findall(rf"WaitForChild\s*\(\s*{_STRING_Q}([\w ]+){_STRING_Q}", m.group(3))
        parent = service
        for i, name in enumerate(names):
            last = i == len(names) - 1
            if parent == "Teams":
                # What lives in Teams is a Team.
                cls: str | None = "Team"
            else:
                cls = _class_for_use(text, name, m.group(4) if last else "")
                if cls is None and not last:
                    cls = "Folder"
                elif cls is None and parent == "Workspace":
                    cls = _handed_on(text, name, m.group(4))
            if cls is None:
                break
            key = (parent, name)
            if key not in seen:
                seen.add(key)
                plan.append({"parent": parent, "name": name, "class": cls})
            parent = f"{parent}.{name}"
    return plan


# `local playerGui = player:WaitForChild("PlayerGui")` / `= Players.LocalPlayer.PlayerGui`
def _statement_ending_in(tail: str, starts: str) -> str:
    """The regex for the rest of a statement up to the first place `tail` matches
    (it starts with one of the characters `starts`), on one line and before any
    `;`: what `[^\\n;]*?{tail}` matches, without trying `tail` at every character."""
    return rf"(?:[^\n;{starts}]++|(?!{tail})[{starts}])*+{tail}"


_PLAYER_GUI = re.compile(
    rf"{_word('local')}\s+(\w++)\s*(?::\s*\w++)?\s*=\s*"
    + _statement_ending_in(
        rf"(?:\.\s*PlayerGui\b|:\s*WaitForChild\s*\(\s*{_STRING_Q}PlayerGui{_STRING_Q}\s*\))[ \t]*(?:$|--|;)",
        ".:",
    ),
    re.MULTILINE,
)


# `LocalPlayer:WaitForChild("PlayerGui"):WaitForChild("ScreenGui").TextLabel`: the
# path into PlayerGui written as one expression (group 1, the steps after PlayerGui).
def _step_pattern(capture: bool) -> str:
    """One step of a path through the instance tree: a wait for a child by name, or
    an index; `capture`: the name waited for and the name indexed are groups 1, 2."""
    group = "(" if capture else "(?:"
    return (
        rf"\s*:\s*WaitForChild\s*\(\s*{_STRING_Q}{group}[\w ]+){_STRING_Q}\s*\)"
        rf"|\s*\.\s*{group}{_IDENT})"
    )


_GUI_STEP = re.compile(_step_pattern(capture=True))
# Steps one after another, captured whole.
_STEPS = rf"((?:{_step_pattern(capture=False)})+)"
_PLAYER_GUI_CHAIN = re.compile(
    rf"(?:\.\s*PlayerGui\b|:\s*WaitForChild\s*\(\s*{_STRING_Q}PlayerGui{_STRING_Q}\s*\)){_STEPS}"
)


def _inline_player_gui_chains(text: str, gui_root: str) -> list[dict[str, Any]]:
    """What a one-expression path into PlayerGui reaches: the ScreenGui it waits for
    (built as `_player_gui_waits` builds one) and the children it then indexes by
    a class's name (`.TextLabel`), up to the first member of what it reached."""
    plan = _GuiPlan()
    for m in _PLAYER_GUI_CHAIN.finditer(text):
        _plan_gui_steps(text, plan, m.group(1), gui_root, gui_root, "PlayerGui")
    return list(plan)


def _plan_gui_steps(
    text: str,
    plan: _GuiPlan,
    steps: str,
    gui_root: str,
    parent: str,
    cls_here: str | None,
    var: str | None = None,
) -> str | None:
    """Plan what `steps` (`:WaitForChild("Menu").Frame`) reach from `parent` (of class
    `cls_here`) under PlayerGui, up to the first member of what they reached; the
    path they end at, or None if they stop before. A step straight into PlayerGui
    that is no member of it, waited for or indexed (`playerGui.MainGui`), is a
    ScreenGui unless its use says otherwise: only LayerCollectors show there.
    Below it, a child indexed by name (`menu.Section1`, Studio's tree written as
    a path) is what its name or, at the end of the chain, what the local `var` it
    is given to says (`_gui_class_by_use`)."""
    found = list(_GUI_STEP.finditer(steps))
    for i, step in enumerate(found):
        waited, indexed = step.group(1), step.group(2)
        name = waited or indexed
        top = parent == gui_root
        if indexed is not None and (
            _is_member(cls_here, name) is not False or name in _gui_members()
        ):
            # A member of what it reached, or of some GUI class (the class reached
            # may be a guess): a property, not a child.
            return None
        last = i == len(found) - 1
        in_gui = not top and cls_here is not None and cls_here != "Folder"
        if waited or top:
            cls = _class_for_use(text, name, "", gui=True)
            if cls is None and in_gui:
                # Waited for inside a GUI object: what its name says, or, held in a
                # local the code uses, what that use says.
                cls = _gui_class_by_name(name)
                if cls is None and last and var:
                    cls = _gui_class_by_use(text, var)
        else:
            # A child named after its class (`frame.UIPadding`), as Studio names them.
            cls = name if _is_class_name(name) else _gui_class_by_name(name)
            if cls is None and in_gui:
                if not last:
                    cls = _gui_class_with(found[i + 1].group(2))
                else:
                    cls = (_gui_class_by_use(text, var) if var else None) or "Frame"
        if cls in (None, "Folder") and top:
            cls = "ScreenGui"
        if cls is None:
            return None
        plan.add(parent, name, cls)
        parent, cls_here = f"{parent}.{name}", cls
    return parent


# What GUI children usually are, the most specific first: a member named after a
# child picks the first that has it.
_GUI_CHILD_CLASSES = (
    "TextButton",
    "TextBox",
    "TextLabel",
    "ImageButton",
    "ImageLabel",
    "ScrollingFrame",
    "Frame",
)


@cache
def _gui_members() -> frozenset[str]:
    """Members of the GUI classes code reaches by name (containers, buttons, text,
    images, layouts) and of the ScreenGuis that hold them."""
    from luaurft.roblox.api import curated_index

    index = curated_index()
    names: set[str] = set()
    for cls in (*_GUI_CHILD_CLASSES, "ScreenGui", "UIPadding", "UIListLayout", "UIGridLayout"):
        names |= index.member_names(cls)
    return frozenset(names)


def _is_class_name(name: str) -> bool:
    from luaurft.roblox.api import curated_index

    return name in _KNOWN_CLASSES or curated_index().is_creatable(name)


def _gui_class_with(member: str | None) -> str:
    """The GUI child class that has `member` (what the code reads off the child
    next: `close.Activated` is a button's), else a Frame, which holds children."""
    if member is not None:
        from luaurft.roblox.api import curated_index

        index = curated_index()
        for cls in _GUI_CHILD_CLASSES:
            if index.member(cls, member) is not None:
                return cls
    return "Frame"


def _gui_class_by_use(text: str, var: str) -> str | None:
    """The class of a GUI child the code holds in `var`, by what it does with it: a
    class whose members it uses, else a Frame, the plain container (what it
    indexes on it are its children); None when it uses nothing of it."""
    used = _uses_of(text).members.get(var, set())
    if not used:
        return None
    cls = _class_by_usage(used, gui=True)
    return "Frame" if cls in (None, "Folder") else cls


class _GuiPlan(list[dict[str, Any]]):
    """GUI items planned once each, with the class planned at each path: a look-up,
    not a scan of the plan (a file of thousands of GUI paths stays linear)."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, str] = {}

    def add(self, parent: str, name: str, cls: str) -> None:
        """Plan `parent.name` once; a ScreenGui is not reset on respawn: the script
        expects it for the whole run."""
        item: dict[str, Any] = {"parent": parent, "name": name, "class": cls}
        if cls == "ScreenGui":
            item["props"] = {"ResetOnSpawn": False}
        self.add_item(item)

    def add_item(self, item: dict[str, Any]) -> None:
        path = f"{item['parent']}.{item['name']}"
        if path not in self.classes:
            self.classes[path] = item["class"]
            self.append(item)


def _player_gui_waits(text: str) -> list[dict[str, Any]]:
    """What a client script waits for in its PlayerGui: the ScreenGuis (and what it
    waits for in them) that StarterGui, built in Studio, copies in on spawn
    (`PlayerGui:WaitForChild("ScreenGui"):WaitForChild("ImageLabel")`). A name that
    is no class and says nothing by its use is a ScreenGui at the top, where only
    LayerCollectors live, and is left unbuilt below it."""
    gui_root = f"Players.{LOCAL_PLAYER}.PlayerGui"
    plan = _GuiPlan()
    paths = dict.fromkeys(_player_gui_locals(text), gui_root)
    # `local gui = player:WaitForChild("PlayerGui"):WaitForChild("Settings")` starts
    # at the local player: its first step is into PlayerGui.
    players = {*_local_player_locals(text), "LocalPlayer"}
    for m in _GUI_LOCAL_CHAIN.finditer(text):  # in reading order: assigned before use
        var, owner, root, steps = m.groups()
        parent = paths.get(root)
        if parent is None and root == "PlayerGui" and (owner or "").rpartition(".")[2] in players:
            # `player.PlayerGui:WaitForChild("Menu")`.
            parent = gui_root
        if parent is None and root in players:
            into = _INTO_PLAYER_GUI.match(steps)
            if into is None:
                continue
            parent, steps = gui_root, steps[into.end() :]
        if parent is None:
            continue
        # The class of where the chain starts, as far as the plan says.
        cls_here = "PlayerGui" if parent == gui_root else plan.classes.get(parent)
        reached = _plan_gui_steps(text, plan, steps, gui_root, parent, cls_here, var)
        if reached is not None:
            paths[var] = reached
    # After the chains given to locals, whose use says more of what they reach.
    for item in _inline_player_gui_chains(text, gui_root):
        plan.add_item(item)
    # What the code reaches off a GUI it holds, anywhere (`menu.PingButton.Activated`).
    for start, name, steps in _chains_off(text, paths):
        held = paths[name]
        # The local its end is given to: a `local x = ` before it on its line.
        given = _LOCAL_GIVEN.search(text, _line_start_within(text, start), start)
        var = given.group(1) if given is not None else None
        held_class = "PlayerGui" if held == gui_root else plan.classes.get(held)
        _plan_gui_steps(text, plan, steps, gui_root, held, held_class, var)
    return list(plan)


def _chains_off(text: str, names: Iterable[str]) -> list[tuple[int, str, str]]:
    """(where, name, steps) of each path the code indexes or waits for off one of
    `names` (`menu.Page.Button`, `gui:WaitForChild("Shop")`), in reading order: a
    name not inside a longer name, a member chain (`.menu`) or a string."""
    chains = []
    for name in set(names):
        for start, end in _sites_of(text, name):
            if start and text[start - 1] in _QUOTES:
                continue
            steps = _STEPS_AT.match(text, end)
            if steps is not None:
                chains.append((start, name, steps.group(1)))
    chains.sort()
    return chains


def _line_start_within(text: str, pos: int, reach: int = 200) -> int:
    """Where the line holding `pos` starts, looking back `reach` characters at most:
    what a pattern reads before each of many hits on one long line stays bounded."""
    lo = max(0, pos - reach)
    return max(text.rfind("\n", lo, pos) + 1, lo)


# `local amount = ` just before a path: the local the path's end is given to.
_LOCAL_GIVEN = re.compile(rf"{_word('local')}\s+(\w++)\s*(?::[^=\n]+)?=\s*$")


# The names indexed or waited for off a name (`.Page.Button`,
# `:WaitForChild("Shop")`), from where the name ends.
_STEPS_AT = re.compile(_STEPS)
# What opens a string: a name right after one is the string's, not the code's.
_QUOTES = "\"'`"


# `local menu = playerGui:WaitForChild("Menu").Frame`: the local, what the root is
# indexed off (`player` in `player.PlayerGui:...`), the root, the steps after it.
_GUI_LOCAL_CHAIN = re.compile(
    rf"{_word('local')}\s+(\w++)\s*(?::\s*[\w.?]++)?\s*=\s*(?:([\w.]*)\.)?(\w+){_STEPS}"
)
_INTO_PLAYER_GUI = re.compile(
    rf"\s*(?::\s*WaitForChild\s*\(\s*{_STRING_Q}PlayerGui{_STRING_Q}\s*\)|\.\s*PlayerGui\b)"
)


# `local player = Players.LocalPlayer` (any expression ending in `.LocalPlayer`).
_LOCAL_PLAYER = re.compile(
    # One statement (a line of many `local ...;` is not read again for each).
    rf"{_word('local')}\s+(\w++)\s*(?::\s*\w++)?\s*=\s*"
    + _statement_ending_in(r"\.\s*LocalPlayer\b[ \t]*(?:$|--|;)", "."),
    re.MULTILINE,
)


@lru_cache(maxsize=4)
def _local_player_locals(text: str) -> tuple[str, ...]:
    """The locals given the local player (`local player = Players.LocalPlayer`), in order."""
    return tuple(m.group(1) for m in _LOCAL_PLAYER.finditer(text))


@lru_cache(maxsize=4)
def _player_gui_locals(text: str) -> tuple[str, ...]:
    """The locals given the local player's PlayerGui, in order."""
    return tuple(m.group(1) for m in _PLAYER_GUI.finditer(text))


# What the engine itself puts in a Player: waiting for it needs nothing built.
_PLAYER_OWN = frozenset({"PlayerGui", "Backpack", "PlayerScripts", "StarterGear"})


def _player_waits(text: str) -> list[dict[str, Any]]:
    """What a client script waits for in its Player that a server script makes on
    join (`player:WaitForChild("leaderstats"):WaitForChild("Coins")`, a BoolValue
    it reads): built when the name or its use says the class, as waits under a
    service are."""
    player = f"Players.{LOCAL_PLAYER}"
    paths = dict.fromkeys(_local_player_locals(text), player)
    paths["LocalPlayer"] = player
    chain = re.compile(
        rf"{_word('local')}\s+(\w++)\s*(?::\s*[\w.?]++)?\s*=\s*(?:[\w.]*\.)?(\w+)"
        rf"((?:\s*:\s*WaitForChild\s*\(\s*{_STRING_Q}[\w ]+{_STRING_Q}\s*\))+)"
    )
    plan: list[dict[str, Any]] = []
    planned: set[tuple[str, str, str]] = set()  # the plan's items, for a lookup in one step
    for m in chain.finditer(text):  # in reading order: a variable is assigned before use
        var, root, calls = m.groups()
        parent = paths.get(root)
        if parent is None:
            continue
        names = re.findall(rf"WaitForChild\s*\(\s*{_STRING_Q}([\w ]+){_STRING_Q}", calls)
        if parent == player and names[0] in _PLAYER_OWN:
            if names[0] == "PlayerGui":
                continue  # its GUI is `_player_gui_waits`'
            # The player has it already; what the code waits for in it (a folder of
            # controllers the place puts in PlayerScripts) is built.
            parent = f"{parent}.{names.pop(0)}"
            if not names:
                paths[var] = parent
                continue
        for i, name in enumerate(names):
            # What a chain waits in holds what it waits for next: a folder.
            last = i == len(names) - 1
            cls = _class_for_use(text, name, "") if last else _NAME_CLASSES.get(name, "Folder")
            if cls is None:
                break
            cls = _shown_value(parent, cls)
            item = {"parent": parent, "name": name, "class": cls}
            if (parent, name, cls) not in planned:
                planned.add((parent, name, cls))
                plan.append(item)
            parent = f"{parent}.{name}"
        else:
            paths[var] = parent
    return plan


# Every player, in a scaffold item's parent: built in each player as it joins (and
# in those already there), as another script's PlayerAdded handler would.
EACH_PLAYER = "Players.*"
# `.leaderstats` or `:WaitForChild("leaderstats")` / `:FindFirstChild("leaderstats")`,
# then the stat it reaches (`.Points`, `:WaitForChild("Coins")`), if the same expression does.
_LEADERSTAT_USE = re.compile(
    rf"(?:\.\s*{LEADERSTATS}\b|:\s*(?:WaitForChild|FindFirstChild)\s*\(\s*{_STRING_Q}{LEADERSTATS}{_STRING_Q}\s*\))"
    rf"(?:\s*\.\s*({_IDENT})\b(?!\s*\()"
    rf"|\s*:\s*(?:WaitForChild|FindFirstChild)\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}\s*\))?"
)

# The name an index is taken off (`ServerStorage` in `ServerStorage.leaderstats`).
_OWNER_BEFORE = re.compile(rf"({_IDENT})\s*$")
# `local stats = ` before an expression: the local holding what it ends in...
_HOLDER = re.compile(rf"\s*{_word('local')}\s+({_IDENT})\s*(?::\s*[\w.?]++\s*)?=")
# ...when the expression ends there.
_HELD_TO_END = re.compile(r"[ \t]*(?:::\s*[\w.?]+[ \t]*)?(?:$|;|--|\bor\b)", re.MULTILINE)


def _leaderstats(text: str) -> list[dict[str, Any]]:
    """A `leaderstats` folder in every player, with the stats the code reaches in it,
    when the code uses one it never makes: the leaderboard script beside it (as
    Roblox's tutorials pair them) makes it on join."""
    if LEADERSTATS not in text or _is_named_in_code(text, LEADERSTATS):
        return []
    stats: dict[str, _Child] = {}
    holders: set[str] = set()

    def held(use: re.Match[str]) -> str | None:
        """The local the expression ending at `use` is given to, if any."""
        line = _line_start_within(text, use.start())
        holder = _HOLDER.match(text[line : use.start()])
        return holder.group(1) if holder and _HELD_TO_END.match(text, use.end()) else None

    def reached(stat: str | None, use: re.Match[str]) -> None:
        if stat is None or _is_member("Folder", stat) is not False:
            return
        child = stats.setdefault(stat, _Child(f"{EACH_PLAYER}.{LEADERSTATS}", stat, False))
        local = held(use)
        if local is not None:
            child.aliases.add(local)

    # A template kept in a service or beside the script (`ServerStorage.leaderstats`,
    # cloned into each player) is the code's own.
    not_players = {"game", "script", "workspace", *_WORLD_SERVICES}
    not_players.update(name for name, _ in _service_locals(text))

    def owner(use: re.Match[str]) -> str | None:
        before = _OWNER_BEFORE.search(text, max(0, use.start() - 80), use.start())
        return before.group(1) if before is not None else None

    uses = [use for use in _LEADERSTAT_USE.finditer(text) if owner(use) not in not_players]
    for use in uses:
        stat = use.group(1) or use.group(2)
        if stat is None:
            local = held(use)
            if local is not None:
                holders.add(local)
        reached(stat, use)
    for holder in holders:
        # One pattern for every holder's name (a name `_HOLDER` took), read with
        # `_about` from where the last use ended, as a scan with the name spelt in goes on.
        at = 0
        while (found := _about(_HELD_STAT, text, holder, at)) is not None:
            reached(found.group(2) or found.group(3), found)
            at = found.end()
    if not uses:
        return []
    plan: list[dict[str, Any]] = [{"parent": EACH_PLAYER, "name": LEADERSTATS, "class": "Folder"}]
    for stat, child in stats.items():
        plan.append({"parent": child.parent, "name": stat, "class": _value_class(text, child)})
    return plan


# The three ways code tests a name for nil, each capturing the name: `if x`,
# `not x`, `assert(x` (not `if x.y`); `x ~= nil`, `x and`, `x or`; `nil == x`.
# Lookaheads, so a match at one place never hides another that overlaps it.
_NIL_TESTS = (
    re.compile(rf"(?=\b(?:if|elseif|while|not|assert\s*\()\s*({_IDENT})\b(?!\s*[.:\[]))"),
    re.compile(rf"(?=\b({_IDENT})\s*(?:[~=]=\s*nil|and\b|or\b))"),
    re.compile(rf"(?=\bnil\s*[~=]=\s*({_IDENT})\b)"),
)


@lru_cache(maxsize=4)
def _nil_checked_names(text: str) -> frozenset[str]:
    """The names the code tests for nil somewhere (`if x`, `if not x`, `x and`,
    `x ~= nil`, `assert(x)`, `x or`): each has a path for when the instance is
    absent. One pass per way of testing, whatever the number of names."""
    return frozenset(m.group(1) for test in _NIL_TESTS for m in test.finditer(text))


# `local remote = Service:FindFirstChild("Name")` (or `FindFirstChildOfClass`,
# `FindFirstChildWhichIsA`): (local, root, how, name).
_SERVICE_FIND = re.compile(
    rf"{_word('local')}\s+(\w++)\s*(?::\s*[\w.?]++)?\s*=\s*((?:game\s*\.\s*)?\w++)\s*:\s*FindFirstChild(OfClass|WhichIsA)?"
    rf"\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}\s*\)\s*(?:$|\n|--|;)",
    re.MULTILINE,
)


@lru_cache(maxsize=4)
def _service_find_locals(text: str) -> tuple[tuple[str, str, str | None, str], ...]:
    """(local, root, how, name) of each `_SERVICE_FIND`, in order."""
    return tuple(
        (m.group(1), m.group(2), m.group(3), m.group(4)) for m in _SERVICE_FIND.finditer(text)
    )


def _service_finds(text: str, *, in_player_gui: bool = False) -> list[dict[str, Any]]:
    """Instances a script finds under a service and then uses as if they were there:
    `local remote = ReplicatedStorage:FindFirstChildOfClass("RemoteEvent")` followed by
    `remote.OnServerEvent` with no nil check names an instance built in Studio (the
    Roblox documentation's own samples do this). Code that checks for nil keeps
    its fallback path: the instance stays absent. `in_player_gui`: the finds of a
    client in its PlayerGui instead (what StarterGui copied in)."""
    from luaurft.roblox.api import curated_index

    if "FindFirstChild" not in text:
        return []  # what `_SERVICE_FIND` looks for
    if in_player_gui:
        gui_root = f"Players.{LOCAL_PLAYER}.PlayerGui"
        roots: dict[str, str] = dict.fromkeys(_player_gui_locals(text), gui_root)
        if not roots:
            return []
    else:
        roots = dict(_service_locals(text))
        roots.setdefault("workspace", "Workspace")
    index = curated_index()
    plan: list[dict[str, Any]] = []
    planned: set[tuple[str, str, str]] = set()  # the plan's items, for a lookup in one step
    for var, root, how, name in _service_find_locals(text):
        service = roots.get(root)
        if service is None and root.startswith("game") and not in_player_gui:
            # `game.ReplicatedStorage`: a service reached by its name under the DataModel.
            named = re.sub(r"\s", "", root).removeprefix("game.")
            service = named if index.is_service(named) else None
        if service is None or service == "Players" or var in _nil_checked_names(text):
            continue
        used = _uses_of(text).members.get(var, set())
        if not used:
            continue
        if how:
            cls = name if index.is_creatable(name) else None
        else:
            if "Value" in used:
                # A ValueBase it reads: the kind of value follows from how `.Value` is used.
                cls = _value_class(text, _Child("", name, False, aliases={var}))
            else:
                cls = _class_by_usage(used) or _class_for_use(text, name, "")
        if cls is not None and (service, name, cls) not in planned:
            planned.add((service, name, cls))
            plan.append({"parent": service, "name": name, "class": cls})
    return plan


# -- direct indexing of Studio-built instances ------------------------------------------

# Containers a script may expect Studio to have filled: `ReplicatedStorage.Remotes.Buy`
# there names an instance built in Studio.
_PREBUILT_SERVICES = (
    "ReplicatedStorage",
    "ServerStorage",
    "ServerScriptService",
    "Workspace",
    "StarterGui",
    "SoundService",
    "ReplicatedFirst",
)
# The services every world has (the containers above a script's, up to game).
_WORLD_SERVICES = frozenset(
    {*_PREBUILT_SERVICES, "Players", "Lighting", "StarterPack", "StarterPlayer", "Teams"}
)
# Classes tried, in order, for an instance known only by the members the code uses.
_CANDIDATE_CLASSES = (
    "Part",
    "Model",
    "Folder",
    "RemoteEvent",
    "RemoteFunction",
    "BindableEvent",
    "BindableFunction",
    "Tool",
    "Sound",
    "Animation",
    "ScreenGui",
    "Frame",
    "TextLabel",
    "TextButton",
    "ImageLabel",
    "ImageButton",
    "ProximityPrompt",
    "ClickDetector",
    "Attachment",
    "ParticleEmitter",
    "PointLight",
    "SpawnLocation",
    "Seat",
    "Humanoid",
    "Configuration",
    "Actor",
    "ScrollingFrame",
    "TextBox",
    "BillboardGui",
    "SurfaceGui",
)
_CONTAINER_USE = frozenset(
    {
        "GetChildren",
        "GetDescendants",
        "ChildAdded",
        "ChildRemoved",
        "DescendantAdded",
        "DescendantRemoving",
        "FindFirstChild",
        "FindFirstChildOfClass",
        "FindFirstChildWhichIsA",
        "WaitForChild",
        "ClearAllChildren",
    }
)
_CONTAINER_CLASSES = {
    "part": "Part",
    "drag": "DragDetector",
    "uidrag": "UIDragDetector",
    "textbox": "TextBox",
    "inputaction": "InputAction",
    "viewport": "ViewportFrame",
    "prompt": "ProximityPrompt",
    "click": "ClickDetector",
    "tool": "Tool",
    "handle": "Part",
    "character": "Model",
    "model": "Model",
    "button": "TextButton",
    "label": "TextLabel",
    "frame": "Frame",
    "screengui": "ScreenGui",
}
_GUI_CLASSES = frozenset(
    {"Frame", "TextLabel", "TextButton", "TextBox", "ImageLabel", "ImageButton", "ScrollingFrame"}
)
_SEGMENT = re.compile(
    rf"\s*(?:\.\s*({_IDENT})(?!\s*\()"
    rf"|:\s*WaitForChild\s*\(\s*{_STRING_Q}([\w ]+){_STRING_Q}\s*\)"
    rf"|\[\s*{_STRING_Q}([\w ]+){_STRING_Q}\s*\])"
)
_CLONE_OF = re.compile(rf"({_IDENT})\s*:\s*Clone\s*\(\s*\)\s*(?:$|\n|;)", re.MULTILINE)
_AFTER = re.compile(rf"\s*(?:([.:])\s*({_IDENT})|::\s*({_IDENT}))")
_LITERAL = re.compile(r"\"([^\"\\\n]*(?:\\.[^\"\\\n]*)*)\"|'([^'\\\n]*(?:\\.[^'\\\n]*)*)'")


@dataclass
class _Child:
    parent: str
    name: str
    under_workspace: bool
    members: set[str] = field(default_factory=set)
    intermediate: bool = False
    cast: str | None = None
    aliases: set[str] = field(default_factory=set)


def _is_named_in_code(text: str, name: str) -> bool:
    """Whether the script spells `name` as a string outside WaitForChild and
    FindFirstChild (those it looks up): it may create that itself. A literal
    holds exactly `name` only where the text spells `"name"` or `'name'`: a text
    with neither needs no scan of its literals (most do not), and one with it is
    read only as far as its last spelling (`_Literals`)."""
    if f'"{name}"' not in text and f"'{name}'" not in text:
        return False
    return _literals(text).names(name)


class _Literals:
    """A text's string literals, read left to right (as `_LITERAL` finds them) only
    as far as a question about them needs, and kept for the next question."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.scan = _LITERAL.finditer(text)
        # Contents of the literals read so far that are not a lookup's argument.
        self.named: set[str] = set()
        self.read_to = -1  # where the last literal read starts

    def names(self, name: str) -> bool:
        """Whether a literal holding exactly `name` is not a lookup's argument."""
        if name in self.named:
            return True
        text = self.text
        last = max(text.rfind(f'"{name}"'), text.rfind(f"'{name}'"))
        while self.read_to < last:
            literal = next(self.scan, None)
            if literal is None:
                self.read_to = len(text)
                break
            self.read_to = literal.start()
            if not _looked_up(text, self.read_to):
                # `lastindex`: the group of the quote the literal opened with.
                self.named.add(literal[literal.lastindex or 1])
                if literal[literal.lastindex or 1] == name:
                    return True
        return name in self.named


@lru_cache(maxsize=4)
def _literals(text: str) -> _Literals:
    return _Literals(text)


def _looked_up(text: str, quote: int) -> bool:
    """Whether the string opening at `quote` is the argument of a `WaitForChild(` or
    `FindFirstChild(` (`_FIND_OR_WAIT`, spaces allowed), read back from it."""
    at = quote
    while at and text[at - 1].isspace():
        at -= 1
    if not at or text[at - 1] != "(":
        return False
    at -= 1
    while at and text[at - 1].isspace():
        at -= 1
    return text.endswith(("WaitForChild", "FindFirstChild"), 0, at)


@cache
def _likely_members() -> frozenset[str]:
    """Members of the classes a Studio-built instance usually is."""
    from luaurft.roblox.api import curated_index

    index = curated_index()
    names: set[str] = set()
    for cls in (*_CANDIDATE_CLASSES, "NumberValue", "StringValue", "BoolValue", "ObjectValue"):
        if index.is_class(cls):
            names |= index.member_names(cls)
    return frozenset(names)


_TYPED_WAIT = re.compile(
    rf"{_word('local')}\s+\w+\s*:\s*(\w+)\??\s*=[^\n]*?WaitForChild\s*\(\s*"
    rf"{_STRING_Q}([\w ]+){_STRING_Q}\s*\)[ \t]*(?:$|--|;)",
    re.MULTILINE,
)


@lru_cache(maxsize=8)
def _typed_waits(text: str) -> dict[str, str]:
    """Waited name -> the Instance class the local holding it is annotated with, in
    one pass (`local cmd: TextChatCommand = TCS:WaitForChild("Size")`)."""
    found: dict[str, str] = {}
    for m in _TYPED_WAIT.finditer(text):
        if _is_instance_class(m.group(1)):
            found.setdefault(m.group(2), m.group(1))
    return found


_RESPAWN_AT = re.compile(
    rf"RespawnLocation\s*=\s*(?:[\w.]+\.)?({_IDENT})\s*(?:$|\n|;)", re.MULTILINE
)


@lru_cache(maxsize=8)
def _respawn_names(text: str) -> frozenset[str]:
    """The last names of what the code sets as a player's RespawnLocation."""
    if "RespawnLocation" not in text:
        return frozenset()
    return frozenset(m.group(1) for m in _RESPAWN_AT.finditer(text))


def _candidate_with(member: str) -> str | None:
    """The first of `_CANDIDATE_CLASSES` with this member, if it is none of Instance's."""
    from luaurft.roblox.api import curated_index

    index = curated_index()
    if member in index.member_names("Instance"):
        return None
    return next((c for c in _CANDIDATE_CLASSES if member in index.member_names(c)), None)


@cache
def _creatable_by_length() -> tuple[str, ...]:
    """Creatable class names of two words or more, longest first."""
    from luaurft.roblox.api import curated_index

    index = curated_index()
    names = [n for n in index.classes if index.is_creatable(n) and len(_NAME_WORDS.findall(n)) > 1]
    return tuple(sorted(names, key=len, reverse=True))


@cache
def _creatable_by_last_word() -> dict[str, tuple[str, ...]]:
    """`_creatable_by_length`, by each name's last word (`Player`: AudioPlayer, ...)."""
    by_word: dict[str, list[str]] = {}
    for cls in _creatable_by_length():
        by_word.setdefault(_NAME_WORDS.findall(cls)[-1], []).append(cls)
    return {word: tuple(classes) for word, classes in by_word.items()}


# Names repeat across the scripts of a run (and the candidates of one RL step): one
# answer per name.
@lru_cache(maxsize=1 << 12)
def _class_name_ending(name: str) -> str | None:
    """The creatable class of two words or more a name is or ends with, at a word
    start (`ButtonPressedAudioPlayer` an AudioPlayer, `DoorClickDetector` a ClickDetector)."""
    words = _NAME_WORDS.findall(name)
    for cls in _creatable_by_last_word().get(words[-1], ()) if words else ():
        if name.endswith(cls) and (len(name) == len(cls) or name[-len(cls) - 1].islower()):
            return cls
    return None


def _classes_named_by(names: Iterable[str], used: set[str]) -> set[str]:
    """The classes `names` spell (`local tool = script.Parent` is a Tool's,
    `local textLabel` a TextLabel's) where the use fits: every member used on it
    that a Studio-built instance could have is one of that class's (the rest are
    children, `tool.Handle`)."""
    spelt = (_class_spelt_by(name) for name in names)
    return {cls for cls in spelt if cls is not None and _use_fits(cls, used)}


def _class_spelt_by(name: str) -> str | None:
    """The Instance class a local's name spells, capitalised (`tool`: Tool) or at
    its end (`textLabel`: TextLabel)."""
    spelt = name[:1].upper() + name[1:]
    cls = spelt if _is_instance_class(spelt) else _class_name_ending(spelt)
    return cls if cls is not None and _is_instance_class(cls) else None


def _use_fits(cls: str, used: set[str]) -> bool:
    """Every member used that a Studio-built instance could have is one of `cls`'s
    (the rest are children: `tool.Handle`)."""
    own = _surface_members(cls)
    return all(m in own or not _members_named(m) for m in used)


@cache
def _event_owners() -> dict[str, tuple[str, ...]]:
    """Event name -> the creatable classes that have it (`_CANDIDATE_CLASSES` first,
    then by name), from the engine surface."""
    from luaurft.roblox.api import curated_index
    from luaurft.roblox.surface import event_names

    index = curated_index()
    events = event_names() - _surface_members("Instance")
    others = sorted(n for n in index.classes if index.is_creatable(n))
    owners: dict[str, list[str]] = {}
    for cls in dict.fromkeys((*_CANDIDATE_CLASSES, *others)):
        if index.is_creatable(cls):
            for event in _surface_members(cls) & events:
                owners.setdefault(event, []).append(cls)
    return {event: tuple(classes) for event, classes in owners.items()}


# Made by the engine, never the parent a place gives a script.
_ENGINE_MADE = frozenset({"Player"})


def _owned_by(
    text: str, members: set[str], named: set[str], aliases: Iterable[str], *, local: bool
) -> str | None:
    """The creatable class a container is by what the code says of it: the class its
    local's name spells (`named`), else the first class with an event the code
    connects to on it (`dialog.DialogChoiceSelected:Connect`: a Dialog). A client
    script's container is also the GUI object its local's name says (`button`, a
    TextButton) or the first likely class with a member used on it, when that is a
    GUI object (`image.Image`: an ImageLabel)."""
    spelt = sorted(c for c in named if _is_creatable_class(c) and c not in _ENGINE_MADE)
    if spelt:
        return spelt[0]
    owners = _event_owners()
    for event in sorted(members):
        if event in owners and re.search(
            rf"[.:]\s*{event}\s*:\s*(?:Connect|ConnectParallel|Once|Wait)\s*\(", text
        ):
            return owners[event][0]
    if not local:
        return None
    for alias in sorted(aliases):
        by_name = _gui_class_by_name(alias)
        if by_name is not None and _use_fits(by_name, members):
            return by_name
    gui = {c for m in members if (c := _candidate_with(m)) is not None and _is_gui_object(c)}
    return min(gui, key=_CANDIDATE_CLASSES.index) if gui else None


def _surface_members(name: str) -> frozenset[str]:
    """Every member of class `name` the engine surface knows, inherited ones included."""
    from luaurft.roblox.surface import class_members

    return class_members(name)


def _is_creatable_class(name: str) -> bool:
    """`name` is a class `Instance.new` can make (what Studio's Insert menu names a new one)."""
    from luaurft.roblox.api import curated_index

    return curated_index().is_creatable(name)


def _is_a(name: str, base: str) -> bool:
    from luaurft.roblox.api import curated_index

    return curated_index().is_a(name, base)


def _is_gui_object(name: str) -> bool:
    return _is_a(name, "GuiObject")


def _is_instance_class(name: str) -> bool:
    """`name` is a Roblox class of Instance (what a type annotation can name)."""
    from luaurft.roblox.api import curated_index

    index = curated_index()
    return index.is_class(name) and index.is_a(name, "Instance")


def _members_named(name: str) -> bool:
    return name in _likely_members()


_SIGNAL_USE = re.compile(r"\s*:\s*(?:Connect|ConnectParallel|Once|Wait)\s*\(")


def _event_use(text: str, name: str, end: int) -> bool:
    """`X.Name:Connect(...)` where Name is an event of some class: a member of
    whatever X is, never a child to build."""
    from luaurft.roblox.surface import event_names

    return name in event_names() and _SIGNAL_USE.match(text, end) is not None


def _is_member(class_name: str | None, name: str) -> bool | None:
    """Whether `name` is a member of `class_name`; None when nobody knows."""
    from luaurft.roblox.api import curated_index

    index = curated_index()
    if class_name is None or not index.members_complete(class_name):
        return None
    return index.member(class_name, name) is not None


def _is_member_but_for_case(class_name: str | None, name: str) -> bool:
    """`name` differs only in case from a member of `class_name` (`parent`, `Parent`)."""
    from luaurft.roblox.api import curated_index

    return (
        class_name is not None
        and curated_index().member_in_other_case(class_name, name) is not None
    )


def _value_class(text: str, child: _Child) -> str:
    # A ValueBase's class follows from what its Value holds.
    sites = sorted(site for n in {child.name, *child.aliases} for site in _spelt_sites(text, n))
    for _, end in sites:
        m = _VALUE_HERE.match(text, end)
        if m is None:
            continue
        rest = m.group(1)
        if re.match(r"\s*(?:=(?!=)|\.\.=)\s*[\"']", rest) or rest.lstrip().startswith(".."):
            return "StringValue"
        if re.match(r"\s*=\s*(?:true|false)\b", rest):
            return "BoolValue"
        if re.match(r"\s*[.:]\s*\w", rest):
            return "ObjectValue"
    return _shown_value(child.parent, "NumberValue")


def _shown_value(parent: str, cls: str) -> str:
    """A number a leaderboard shows (in `leaderstats`) is an IntValue, as Roblox's own
    samples make it."""
    return "IntValue" if cls == "NumberValue" and parent.rpartition(".")[2] == LEADERSTATS else cls


# Name endings that say which GUI object a child outside the 3D world is: Studio
# names a shop's tab `PassesButton` and its page `PassesPage`. `Activated` alone
# fits a Tool first, and a page the script only shows and hides says nothing by
# its use, so without the name it would be built as a Tool or a Folder.
_GUI_NAME_ENDINGS = (
    (("button", "btn"), "TextButton"),
    (("frame", "page", "panel", "holder", "container", "menu", "window"), "Frame"),
    (("label",), "TextLabel"),
)


def _gui_class_by_name(name: str) -> str | None:
    # A name ending in a GUI class's name is one (`BuyImageButton`, `ShopScrollingFrame`).
    named = _class_name_ending(name)
    if named is not None and _is_gui_object(named):
        return named
    lowered = name.lower()
    for endings, cls in _GUI_NAME_ENDINGS:
        if lowered.endswith(endings):
            return cls
    return None


# In ReplicatedFirst, which holds a loading screen and little else: a name at its
# top ending so is the ScreenGui, and the last word of a name below says the GUI
# object (`LoadingText`, `LoadBarBG`), read as a whole word.
_LOADING_SCREEN_ENDINGS = ("screen", "gui", "ui", "loading")
_LOADING_SCREEN_WORDS = {"text": "TextLabel", "bar": "Frame", "bg": "Frame", "background": "Frame"}


def _loading_screen_class(child: _Child) -> str | None:
    if child.parent == "ReplicatedFirst":
        return "ScreenGui" if child.name.lower().endswith(_LOADING_SCREEN_ENDINGS) else None
    if not child.parent.startswith("ReplicatedFirst."):
        return None
    words = _NAME_WORDS.findall(child.name)
    return _LOADING_SCREEN_WORDS.get(words[-1].lower()) if words else None


def _class_of_child(text: str, child: _Child) -> str | None:
    from luaurft.roblox.api import curated_index

    if child.cast is not None and (child.cast in _KNOWN_CLASSES or _is_instance_class(child.cast)):
        return child.cast
    if child.name in _NAME_CLASSES:
        return _NAME_CLASSES[child.name]
    if child.name in _KNOWN_CLASSES:
        return child.name
    if child.under_workspace and _respawn_names(text) & {child.name, *child.aliases}:
        # Where a player respawns (`player.RespawnLocation = lobbySpawn`) is a SpawnLocation.
        return "SpawnLocation"
    handed = _handed_to(text, child.aliases) if child.aliases else None
    if handed is not None:
        return handed
    index = curated_index()
    base = index.member_names("Instance")
    used = {m for m in child.members if m not in base}
    if child.aliases and _given_udim2(text, child.aliases):
        return _gui_class_of(used)
    named = child.name if _is_creatable_class(child.name) else _class_name_ending(child.name)
    if named is not None and used <= _surface_members(named):
        # Named as its class (`hintVolume.AudioTextToSpeech`, `track.PrismaticConstraint`)
        # or after it (`ButtonPressedAudioPlayer`), unless its use says otherwise (an
        # `Explosion` the code calls `:Emit` on).
        return named
    if "Value" in used or child.parent.rpartition(".")[2] == "leaderstats":
        # What a leaderstats folder holds is a value the leaderboard shows.
        return _value_class(text, child)
    by_name = None if child.under_workspace else _gui_class_by_name(child.name)
    by_name = by_name or _loading_screen_class(child)
    if by_name is not None and used <= index.member_names(by_name):
        return by_name
    for names, cls in _USAGE_CLASSES:
        if used and used <= names:
            return cls
    if used:
        for cls in _CANDIDATE_CLASSES:
            if index.is_class(cls) and used <= index.member_names(cls):
                return cls
        return None
    lowered = child.name.lower()
    if not child.intermediate and lowered.endswith(("event", "remote")):
        return "RemoteEvent"
    if not child.intermediate and lowered.endswith("function"):
        return "RemoteFunction"
    loaded_last, loaded_bare = _loaded_animations(text)
    if child.name in loaded_last or not loaded_bare.isdisjoint(child.aliases):
        # What an Animator or Humanoid loads (`humanoid:LoadAnimation(script.Attack)`).
        return "Animation"
    if child.under_workspace and not _tweened_as_parts(text).isdisjoint(child.aliases):
        # Tweened by a part's own properties (`ts:Create(lever, info, {CFrame = ...})`):
        # a part, whatever else it holds (its ClickDetector).
        return "Part"
    if child.intermediate or child.members & _CONTAINER_USE:
        return "Model" if child.under_workspace else "Folder"
    return "Part" if child.under_workspace else "Folder"


_PART_CLASSES = frozenset({"Part", "MeshPart", "Seat", "VehicleSeat", "SpawnLocation", "WedgePart"})
# A tween goal only a part has among the 3D instances a scaffold builds.
_PART_GOAL = r"(?:CFrame|Position|Size|Orientation|Transparency|Color)"
# After `:Create(name,`: a goal of those on the same line.
_PART_GOAL_AHEAD = re.compile(rf"[^\n]*?{{\s*{_PART_GOAL}\s*=")
_SERVICE_NAMES = "|".join(_PREBUILT_SERVICES)
# Where a path of instances can start: a prebuilt service, `script.Parent`, or a
# name (group 3) that may hold one.
_CHAIN_START = re.compile(
    rf"\bgame\s*:\s*GetService\s*\(\s*{_STRING_Q}({_SERVICE_NAMES}){_STRING_Q}\s*\)"
    rf"|\bgame\s*\.\s*({_SERVICE_NAMES})\b"
    rf"|\bscript\s*\.\s*Parent\b"
    rf"|(?<![.:\w])({_IDENT})\b"
)


_MEMBER_HERE = re.compile(rf"\s*[.:]\s*({_IDENT})")


def _members_used_off(text: str, alias: str) -> list[str]:
    """The members the code reads or calls off `alias` (`.Text`, `:Play`), in order;
    `alias` may follow a `.` (`remotes.Buy.OnServerEvent`), not a longer name."""
    members = []
    last_end = 0
    for start, end in _spelt_sites(text, alias):
        if start < last_end:
            continue
        hit = _MEMBER_HERE.match(text, end)
        if hit is not None:
            members.append(hit.group(1))
            last_end = hit.end()
    return members


def _chain_starts(text: str, roots: Mapping[str, object]) -> list[re.Match[str]]:
    """The matches of `_CHAIN_START.finditer(text)` that can start a chain: those
    at `game`, `script` or a name of `roots` (a match of another name is left
    out). Most identifiers start none, and scanning every one with the regex
    was half a placement: the regex is tried only where those words are. No
    other match can hide one of them: it would be a whole word of its own."""
    where = {at for word in ("game", "script") for at, _ in _whole_word_sites(text, word)}
    for name in roots:
        if name.isidentifier():
            where.update(start for start, _ in _sites_of(text, name))
    return [
        m
        for m in _matches_from(_CHAIN_START, text, where)
        if m.group(3) is None or m.group(3) in roots
    ]


def _matches_from(pattern: re.Pattern[str], text: str, starts: set[int]) -> Iterator[re.Match[str]]:
    """`pattern`'s matches at `starts`, left to right, none inside an earlier one: what a
    scan of the whole text would find, tried only where a match can begin."""
    consumed = 0
    for at in sorted(starts):
        if at < consumed:
            continue
        m = pattern.match(text, at)
        if m is not None:
            consumed = m.end()
            yield m


_LOCAL_TABLE = re.compile(rf"{_word('local')}\s+({_IDENT})\s*(?::[^=\n]*)?=\s*{{")
_BRACE_OR_QUOTE = re.compile(r"[{}\"']")
_TABLE_FIELD = re.compile(rf"[{{,;]\s*({_IDENT})\s*=(?!=)\s*")


def _closing_brace(text: str, opened_at: int) -> int:
    """The offset of the `}` that closes the `{` at `opened_at` (strings skipped;
    the end of the text if it never closes). Read from the brace on: a table's
    text, not the whole script's."""
    depth = 0
    inside_until = 0  # the end of the string the scan is in
    for hit in _BRACE_OR_QUOTE.finditer(text, opened_at):
        at = hit.start()
        if at < inside_until:
            continue
        char = hit.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return at
        else:
            end = text.find(char, at + 1)
            while end != -1 and text[end - 1] == "\\":
                end = text.find(char, end + 1)
            if end == -1:
                break
            inside_until = end + 1
    return len(text)


# What follows a path (matched from where it ends, not on a copy of the rest of the
# text): an assignment to it, a `:Clone()` of it, the end of the statement (a
# type cast allowed), the end of a table field.
_ASSIGNED_HERE = re.compile(r"\s*=(?!=)")
# A `require(` the text before a path ends in: the path is a ModuleScript's.
_REQUIRE_OPEN = re.compile(r"\brequire\s*\(\s*$")
# `local NAME = ` or `local NAME: Type = `: (name, type).
# (Group 3, looked at not taken: the name the value starts with, if it starts with one.)
_LOCAL_ASSIGNED = re.compile(
    rf"{_word('local')}\s+({_IDENT})\s*(?::\s*([\w.?]++))?\s*=\s*(?:(?=({_IDENT}))|)"
)
_CLONED_HERE = re.compile(r"\s*:\s*Clone\s*\(\s*\)")
_GAME_OR_SCRIPT = ("game", "script")
_STATEMENT_ENDS_HERE = re.compile(r"\s*(?:::\s*[\w.]+\s*)?(?:$|\n|;|\bor\b)")
_FIELD_ENDS_HERE = re.compile(r"\s*(?:::\s*[\w.]+\s*)?[,;}\n]")


def _direct_children(
    text: str,
    container_path: str | None,
    container_class: str | None,
    script: tuple[str, str] | None = None,
    ancestors: Sequence[tuple[str, str | None]] = (),
) -> list[dict[str, Any]]:
    """Instances the code indexes directly (`ReplicatedStorage.Remotes.Buy`,
    `workspace.Map.Lava`, `script.Parent.Door`, `script.RunSound`) under a container
    Studio fills, that the code never names as a string (so never creates itself).
    `script`: (path, class) of the script itself, whose children are built there;
    `ancestors`: (path, class) of its container's parent, that one's parent and so
    on, whose children (`script.Parent.Parent.Main`, `local model = part.Parent`;
    `model.Door`) are built there."""
    # root name -> (path, class of what it refers to)
    roots: dict[str, tuple[str, str | None]] = {
        "workspace": ("Workspace", "Workspace"),
        "Workspace": ("Workspace", "Workspace"),
    }
    for var, service in _service_locals(text):
        # A name the regex's `\w+` took that is no identifier (`local 9x`) starts no chain.
        if _IDENT_START.match(var) and service in _PREBUILT_SERVICES:
            roots[var] = (service, service)
    parent_aliases: frozenset[str] = frozenset()
    if container_path is not None:
        roots["script.Parent"] = (container_path, container_class)
        parent_aliases = _parent_aliases(text)
        for alias in parent_aliases:
            roots[alias] = (container_path, container_class)
    if script is not None:
        roots["script"] = script
    # How many `.Parent` steps above the container each root is (the container 0).
    levels: dict[str, int] = {"script.Parent": 0, **dict.fromkeys(parent_aliases, 0)}
    if ancestors and container_path is not None and ".Parent" in text:
        levels["script"] = -1
        for name, base_name, steps in _ancestor_locals(text):
            base = levels.get(base_name)
            level = None if base is None else base + steps
            if level is not None and 0 < level <= len(ancestors) and name not in roots:
                roots[name] = ancestors[level - 1]
                levels[name] = level
        del levels["script"]
    aliased: set[str] = set()
    children: dict[tuple[str, str], _Child] = {}
    order: list[tuple[str, str]] = []

    def walk(match: re.Match[str]) -> tuple[str, str | None, int, bool] | None:
        """Follow the chain from a root: (path reached, its class, end offset, made any child)."""
        if match.group(1) or match.group(2):
            service = match.group(1) or match.group(2)
            path, cls = service, service
        elif match.group(3) == "script":
            if "script" not in roots:
                return None
            path, cls = roots["script"]
        elif match.group(0).startswith("script"):
            if "script.Parent" not in roots:
                return None
            path, cls = roots["script.Parent"]
        else:
            root = roots.get(match.group(3))
            if root is None:
                return None
            path, cls = root
        end = match.end()
        level = (
            0
            if match.group(3) is None and match.group(0).startswith("script")
            else levels.get(match.group(3) or "")
        )
        if level is not None:
            # Up the ancestors while the code steps to each one's parent: a step
            # past the last known one stays a member (`Parent`), which ends the path.
            while level < len(ancestors):
                up = _PARENT_STEP.match(text, end)
                if up is None:
                    break
                path, cls = ancestors[level]
                level += 1
                end = up.end()
        segments: list[tuple[str, bool]] = []
        # The class the last segment's name says it is (`.DragDetector`): its own
        # members (`.MaxDragTranslation`) end the path too.
        named_class: str | None = None
        while True:
            seg = _SEGMENT.match(text, end)
            if seg is None:
                break
            name = seg.group(1) or seg.group(2) or seg.group(3)
            direct = seg.group(1) is not None
            if direct:
                # An instance whose class is still open: any likely member name ends the path.
                if len(segments) == 0 and cls:
                    member = _is_member(cls, name)
                else:
                    # Under a child named for its class (`tool.Handle`, a Part), that
                    # class's members say it: `tool.Handle.Activate` is a child there.
                    exact = _is_member(named_class, name) if named_class else None
                    member = exact if exact is not None else _members_named(name)
                if member is False and _is_member_but_for_case(
                    named_class if segments else cls, name
                ):
                    # `script.parent`: a member misspelt in case, which the engine
                    # rejects; building a child of that name would hide the error.
                    break
                if member is None or member or _event_use(text, name, seg.end()):
                    break
                if _is_named_in_code(text, name):
                    return None
            if direct and _ASSIGNED_HERE.match(text, seg.end()):
                # The target of an assignment is a property (perhaps misspelt), not a child.
                break
            segments.append((name, direct))
            named_class = (
                name
                if name in _KNOWN_CLASSES or _is_instance_class(name)
                else _NAME_CLASSES.get(name)
            )
            end = seg.end()
        before = text[max(0, match.start() - 40) : match.start()]
        if segments and _REQUIRE_OPEN.search(before):
            # A ModuleScript: building an empty one would only change the error.
            segments.pop()
        if not segments:
            return None
        chain: list[_Child] = []
        for name, _ in segments:
            key = (path, name)
            child = children.get(key)
            if child is None:
                child = _Child(path, name, path.split(".")[0] == "Workspace")
                children[key] = child
                order.append(key)
            if chain:
                chain[-1].intermediate = True
            chain.append(child)
            path = f"{path}.{name}"
        # Off a variable that holds a Studio-built instance, waits count too (the
        # service-rooted ones are `_service_waits`').
        from_alias = match.group(3) is not None and match.group(3) in aliased
        # ...and so do waits off an ancestor of the container (`model:WaitForChild("Door")`
        # with `local model = script.Parent.Parent`).
        above = level is not None and level > 0
        # ...and a wait inside what the container holds (`gui:WaitForChild("Bar"):WaitForChild("Fill")`;
        # the container's own waits are `_placement`'s).
        deeper = level == 0 and len(segments) > 1
        made = from_alias or above or deeper or any(direct for _, direct in segments)
        leaf = chain[-1]
        after = _AFTER.match(text, end)
        if after is not None:
            if after.group(3):
                leaf.cast = after.group(3)
            elif after.group(2) and _members_named(after.group(2)):
                leaf.members.add(after.group(2))
        return path, None, end, made

    # The children each local holds (the aliases given below), to find a copy's original.
    holders: dict[str, list[_Child]] = {}
    clones = "Clone" in text
    for m in _LOCAL_ASSIGNED.finditer(text):
        if (
            not (clones and aliased)
            and m.group(3) not in roots
            and m.group(3) not in _GAME_OR_SCRIPT
        ):
            # Its value starts at no root (a name no root has, or no name): no chain.
            continue
        copied = _CLONE_OF.match(text, m.end()) if clones and aliased else None
        if copied is not None and copied.group(1) in aliased:
            # `local stats = TEMPLATE:Clone()`: a copy of a Studio-built instance held
            # by a local has its class and its children.
            local, original = m.group(1), copied.group(1)
            for held in list(holders.get(original, ())):
                held.aliases.add(local)
                holders.setdefault(local, []).append(held)
                roots[local] = roots[original]
                aliased.add(local)
            continue
        start = _CHAIN_START.match(text, m.end())
        if start is None or (
            start.group(3) not in roots and start.group(3) not in (None, "script")
        ):
            # Most locals hold no path: a name no root has, which `walk` would refuse.
            continue
        reached = walk(start)
        if reached is None:
            continue
        path, _, end, _ = reached
        parent, _, name = path.rpartition(".")
        child = children.get((parent, name))
        if child is None:
            continue
        clone = _CLONED_HERE.match(text, end)
        if _STATEMENT_ENDS_HERE.match(text, end) or clone:
            # A clone has the original's class and children.
            child.aliases.add(m.group(1))
            holders.setdefault(m.group(1), []).append(child)
            annotated = (m.group(2) or "").rstrip("?")
            if child.cast is None and annotated and _is_instance_class(annotated):
                # `local BRICK: Part = ServerStorage.Brick`: the type the code gives it.
                child.cast = annotated
            is_class = name in _KNOWN_CLASSES or _is_instance_class(name)
            roots[m.group(1)] = (path, name if is_class else None)
            aliased.add(m.group(1))
    # A table of instances (`local remotes = { Buy = folder:WaitForChild("Buy") }`):
    # `remotes.Buy` is the child, as a local holding it would be.
    for table in _LOCAL_TABLE.finditer(text):
        close = _closing_brace(text, table.end() - 1)
        for entry in _TABLE_FIELD.finditer(text, table.end() - 1, close):
            start = _CHAIN_START.match(text, entry.end())
            reached = walk(start) if start is not None else None
            if reached is None:
                continue
            path, _, end, _ = reached
            parent, _, name = path.rpartition(".")
            child = children.get((parent, name))
            if child is not None and _FIELD_ENDS_HERE.match(text, end):
                child.aliases.add(f"{table.group(1)}.{entry.group(1)}")
    direct_keys: set[tuple[str, str]] = set()
    for m in _chain_starts(text, roots):
        before = len(order)
        reached = walk(m)
        if reached is not None and reached[3]:
            direct_keys.update(order[before:])
            # Every child of a chain with a direct segment counts (its parents too).
            path = reached[0]
            parts = path.split(".")
            for i in range(1, len(parts)):
                direct_keys.add((".".join(parts[:i]), parts[i]))
    for child in children.values():
        for alias in child.aliases:
            for member in _members_used_off(text, alias):
                if _members_named(member):
                    child.members.add(member)
    plan: list[dict[str, Any]] = []
    built: set[str] = set()
    for key in order:
        if key not in direct_keys:
            continue
        child = children[key]
        parent_known = (
            child.parent in built
            or "." not in child.parent
            or any(child.parent == p for p, _ in roots.values())
            or any(child.parent == p for p, _ in ancestors)
        )
        if not parent_known:
            continue
        cls = _class_of_child(text, child)
        if cls is None:
            continue
        plan.append({"parent": child.parent, "name": child.name, "class": cls})
        built.add(f"{child.parent}.{child.name}")
    return plan


# -- what a client would send a remote --------------------------------------------------

_PLAYER_PARAM = re.compile(r"^(?:player|plr|p|client|sender|caller|requester|who)$", re.IGNORECASE)
_FUNCTION = re.compile(rf"{_word('function')}\b\s*(?:[\w.:]+)?\s*(?:<[^>()]*>)?\s*\(([^()]*)\)")
_TYPEOF_TAGS = {
    "number": "number",
    "string": "string",
    "boolean": "boolean",
    "Vector3": "Vector3",
    "CFrame": "CFrame",
    "Instance": "Instance",
    "table": "table",
    "Color3": "Color3",
}
# Methods of every Instance, which no other value a client sends has.
_INSTANCE_METHODS = frozenset(
    {
        "FindFirstChild", "FindFirstChildOfClass", "FindFirstChildWhichIsA", "WaitForChild",
        "FindFirstAncestor", "FindFirstAncestorOfClass", "FindFirstAncestorWhichIsA",
        "GetChildren", "GetDescendants", "IsA", "IsDescendantOf", "IsAncestorOf",
        "GetAttribute", "SetAttribute", "GetFullName", "Clone", "Destroy", "PivotTo", "GetPivot",
    }
)  # fmt: skip
# The value types of properties that name a remote argument's tag.
_VALUE_TAGS = {
    "bool": "boolean",
    "int": "number",
    "int64": "number",
    "float": "number",
    "double": "number",
    "number": "number",
    "string": "string",
    "Vector3": "Vector3",
    "CFrame": "CFrame",
    "Color3": "Color3",
    "BrickColor": "BrickColor",
}


def _property_tag(name: str) -> str | None:
    """The tag of what a property of this name holds, when every class of the engine
    surface with one agrees (`Anchored` a boolean, `BrickColor` a BrickColor)."""
    return _property_tags().get(name)


@cache
def _property_tags() -> dict[str, str]:
    from luaurft.roblox.surface import surface_classes

    types: dict[str, set[str]] = {}
    for cls in surface_classes().values():
        for member in cls.members():
            if member[0] == "p" and len(member) > 2:
                types.setdefault(member[1], set()).add(member[2])
    tags: dict[str, str] = {}
    for prop, held in types.items():
        found = {_VALUE_TAGS.get(tag) for tag in held}
        tag = found.pop() if len(found) == 1 else None
        if tag is not None:
            tags[prop] = tag
    return tags


_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_NAME_HINTS: tuple[tuple[str, str], ...] = (
    (r"(?:target|victim|recipient|receiver|other|opponent|friend)(?:player|plr|user)?$", "Player"),
    (r"(?:part|hit|obj|object|instance|model|tool|door|npc|item_?instance)$", "Instance"),
    (
        r"(?:position|pos|location|loc|point|target_?pos|direction|dir|origin|velocity|aim\w*)$",
        "Vector3",
    ),
    (r"(?:cframe|cf)$", "CFrame"),
    (r"(?:color|colour|color3|tint)$", "Color3"),
    (r"(?:table|tbl|list|array|dict|dictionary)$", "table"),
    (r"(?:enabled|state|on|flag|toggle|is\w+|should\w+|wants\w+)$", "boolean"),
    (
        r"(?:amount|count|qty|quantity|num|number|index|idx|level|damage|price|cost|slot|"
        r"\w*id|speed|size|score|value|delta|bet|wager|stake|tier|rank)$",
        "number",
    ),
)


# `type(` or `typeof(`, spelt literal first.
_TYPE_CALL = r"type(?<!\wtype)(?:of)?\s*\("


def _first_indexed_by(text: str, name: str) -> str | None:
    """The table of the first `table[name]` of `text`, found from the brackets: a
    scan for the name before them would be tried at every position of the text."""
    bracket = _about(_INDEXED_BY, text, name)
    while bracket is not None:
        start, end = _name_before(text, bracket.start())
        if start < end:
            return text[start:end]
        bracket = _about(_INDEXED_BY, text, name, bracket.start() + 1)
    return None


# What a handler's parameter is read from, each with the parameter's name as group
# `name`: one pattern for every name (a pattern compiled per name cost a run of
# new code more than the rest of its placement), read by `_about`.
_PARAM = r"(?P<name>[^\W\d]\w*+)"
_INDEXED_BY = re.compile(rf"\[\s*{_PARAM}\s*\]")
_TYPE_GUARD = re.compile(rf"{_TYPE_CALL}\s*{_PARAM}\s*\)\s*[~=]=\s*{_STRING_Q}(\w+)")
_TYPE_GUARD_QUOTED = re.compile(
    rf"{_TYPE_CALL}\s*{_PARAM}\s*\)\s*[~=]=\s*{_STRING_Q}(\w+){_STRING_Q}"
)
_ISA_CHECK = re.compile(rf"(?<!\w){_PARAM}\s*:\s*IsA\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}")
_CFRAME_OF = re.compile(rf"{_word('CFrame')}\s*\.\s*(?:new|lookAt)\s*\(\s*{_PARAM}\s*[,)]")
_METHOD_CALLED = re.compile(rf"(?<!\w){_PARAM}\s*:\s*({_IDENT})\s*\(")
_ASSIGNED_TO_PROPERTY = re.compile(
    rf"(?:(\w+)\s*)?\.\s*(\w+)\s*=\s*{_PARAM}\s*(?:$|\n|;)", re.MULTILINE
)
_LENGTH_TAKEN = re.compile(rf"#\s*{_PARAM}")
_ARITHMETIC = (
    re.compile(rf"(?<!\w){_PARAM}\s*[-+*/%^<>]"),
    re.compile(rf"[-+*/%^<>]=?\s*{_PARAM}"),
    re.compile(rf"math\.\w+\(\s*{_PARAM}"),
)
_INSTANCE_MEMBER_READ = re.compile(rf"(?<!\w){_PARAM}\s*\.\s*(?:Position|CFrame|Parent|Name)\b")


# A stat reached off a local holding a player's leaderstats (`stats.Coins`,
# `stats:WaitForChild("Coins")`), the local's name as group `name`.
_HELD_STAT = re.compile(
    rf"(?<!\w){_PARAM}\s*(?:\.\s*({_IDENT})\b(?!\s*\()"
    rf"|:\s*(?:WaitForChild|FindFirstChild)\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}\s*\))"
)


# How a pattern whose match starts with the name begins (after a look back).
_NAME_FIRST = rf"(?<!\w){_PARAM}"


def _about(pattern: re.Pattern[str], text: str, name: str, pos: int = 0) -> re.Match[str] | None:
    """The first match of `pattern` (from `pos`) whose group `name` is the whole of
    `name`: what the pattern with `name` spelt in its place finds, overlapping
    matches about other names included. One that starts with the name is tried
    only where the name is; another from each place it matches on."""
    if pattern.pattern.startswith(_NAME_FIRST):
        at = text.find(name, pos)
        while at != -1:
            m = pattern.match(text, at)
            if m is not None and m.group("name") == name:
                return m
            at = text.find(name, at + 1)
        return None
    if name not in text:
        return None
    while (m := pattern.search(text, pos)) is not None:
        if m.group("name") == name:
            return m
        pos = m.start() + 1
    return None


def _param_tag(text: str, name: str, annotation: str, code: str = "") -> str:
    """What a well-behaved client sends for parameter `name` of a handler whose body
    starts `text` (`code`: the whole script, for the tables it looks values up in)."""
    declared = annotation.strip().rstrip("?").strip()
    if declared in ("", "string", "any", "unknown"):
        # A string the handler looks up in a table of the script: one of its keys.
        table = _first_indexed_by(text, name)
        keys = _table_keys(code or text, table) if table else []
        guard = _about(_TYPE_GUARD, text, name)
        if keys and (guard is None or guard.group(2) == "string"):
            return f"string={keys[0]}"
    if declared in ("number", "string", "boolean", "Vector3", "CFrame", "Color3"):
        return declared
    if declared == "Player":
        return "Player"
    if declared.startswith("{"):
        return _table_tag(declared)
    if declared and declared not in ("any", "unknown"):
        from luaurft.roblox.api import curated_index

        if curated_index().is_a(declared, "Instance"):
            return "Instance"
    guard = _about(_TYPE_GUARD_QUOTED, text, name)
    if guard and guard.group(2) in _TYPEOF_TAGS:
        return _TYPEOF_TAGS[guard.group(2)]
    isa = _about(_ISA_CHECK, text, name)
    if isa:
        return "Player" if isa.group(2) == "Player" else "Instance"
    if _about(_CFRAME_OF, text, name):
        # `CFrame.new(mouseaim)`: a position, the one-argument form that takes a Vector3.
        return "Vector3"
    # A method only Instances have, called on it (`hit:FindFirstChild(...)`); one named
    # for a character (`characterToDamage`) is a player's character.
    called = _about(_METHOD_CALLED, text, name)
    if called and called.group(2) in _INSTANCE_METHODS:
        said = {w.lower() for w in _NAME_WORDS.findall(name)}
        return "Character" if said & {"character", "char"} else "Instance"
    # Assigned to a property, it is what the property holds (`part.BrickColor = partColor`).
    assigned = _about(_ASSIGNED_TO_PROPERTY, text, name)
    held = _property_tag(assigned.group(2)) if assigned else None
    if assigned is not None and held is None and assigned.group(1):
        # ...of the class the script made it (`local score = Instance.new("NumberValue")`;
        # `score.Value = amount`): `Value` alone names no one type.
        held = _made_property_tag(code or text, assigned.group(1), assigned.group(2))
    if held is not None:
        return held
    # The whole name, then its last word: `partColor` is a colour, `passedTable` a table.
    words = _NAME_WORDS.findall(name)
    for lowered in dict.fromkeys((name.lower(), words[-1].lower() if words else "")):
        for pattern, tag in _NAME_HINTS:
            if lowered and re.fullmatch(pattern, lowered):
                return tag
    if _about(_LENGTH_TAKEN, text, name):
        # Its length is taken (`#text > 100`): a string, whatever it is compared with.
        return "string"
    if any(_about(pattern, text, name) for pattern in _ARITHMETIC):
        return "number"
    if _about(_INSTANCE_MEMBER_READ, text, name):
        return "Instance"
    return "string"


def _made_property_tag(code: str, local: str, prop: str) -> str | None:
    """The tag of property `prop` of what `local` holds where the script makes it
    (`local GS = Instance.new("NumberValue", ...)`), from the engine surface."""
    from luaurft.roblox.surface import resolve_member

    made = re.search(
        rf"{_word('local')}\s+{re.escape(local)}\s*(?::\s*[\w.?]++)?\s*=\s*Instance\s*\.\s*new\s*\(\s*"
        rf"{_STRING_Q}(\w+){_STRING_Q}",
        code,
    )
    member = resolve_member(made.group(1), prop) if made is not None else None
    if member is None or member[1] != "p":
        return None
    return _VALUE_TAGS.get(member[2].split("\t")[0])


def _table_keys(text: str, table: str) -> list[str]:
    """The keys of `local TABLE = { Key = ..., ["Key"] = ... }` (top level of the constructor)."""
    m = re.search(rf"{_word(table)}\s*(?::\s*[^=\n]+)?=\s*(?:table\.freeze\s*\(\s*)?\{{", text)
    if m is None:
        return []
    depth, start, keys = 1, m.end(), []
    i = start
    while i < len(text) and depth > 0:
        ch = text[i]
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif depth == 1:
            # Matched where it stands (a copy of the rest of the text at each character
            # made this quadratic in the text's length).
            key = _TABLE_KEY.match(text, i)
            if key and (i == start or not _is_word_char(text[i - 1])):
                keys.append(key.group(1) or key.group(2))
                i = key.end()
                continue
        i += 1
    return keys


# A key of a table constructor (`["Key"] =` or `Key =`), at the start of its entry.
_TABLE_KEY = re.compile(rf"(?:\[\s*{_STRING_Q}([\w ]+){_STRING_Q}\s*\]|({_IDENT}))\s*=(?!=)")


def remote_handler_args(code: str) -> dict[int, tuple[str, ...]]:
    """For each function whose first parameter is the calling player (a remote's
    handler, by its shape), what a well-behaved client would send for the rest:
    `{line of the function: ("number", "string=Sword", "Vector3", ...)}`.

    Tags: number, string (`string=VALUE` when the handler looks the value up in a
    table of the script: one of its keys), boolean, Vector3, CFrame, Color3,
    BrickColor, Player, Character (another player's), Instance, table
    (`table=step:number;name:string` for a table type that names its fields).
    Read from annotations, `typeof` guards, `IsA` checks, the parameter's name
    and its use.
    """
    return _handler_args(_strip_comments(code))


def _is_player_param(name: str) -> bool:
    """`player`, `plr`, `sender`, ... or a name with a word that says player
    (`playerFired`, `firingPlayer`): the first parameter of a remote's handler."""
    if _PLAYER_PARAM.match(name):
        return True
    return any(w.lower() in ("player", "plr") for w in _NAME_WORDS.findall(name))


def _top_level_split(params: str) -> list[str]:
    """A parameter list split at its commas outside braces and angle brackets
    (`args: { step: number, name: string }` is one parameter)."""
    if "{" not in params and "<" not in params:
        return params.split(",")
    parts: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(params):
        if char in "{<":
            depth += 1
        elif char in "}>" and depth:
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(params[start:i])
            start = i + 1
    parts.append(params[start:])
    return parts


# One field of a table type (`step: number`, `target: Player?`).
_TABLE_FIELD_TYPE = re.compile(rf"({_IDENT})\s*:\s*([A-Za-z_][\w.]*)\??\s*(?:[,;]|$)")


def _table_tag(declared: str) -> str:
    """`table`, with the fields a table type names and what a client sends in each
    (`{ step: number }` -> `table=step:number`): a handler reads its fields."""
    inner = declared.strip()[1:-1] if declared.strip().endswith("}") else ""
    fields = []
    for m in _TABLE_FIELD_TYPE.finditer(inner.strip()):
        tag = _param_tag("", m.group(1), m.group(2))
        if tag in ("number", "string", "boolean", "Vector3", "CFrame", "Color3", "Player"):
            fields.append(f"{m.group(1)}:{tag}")
    return "table=" + ";".join(fields) if fields else "table"


def _handler_args(text: str) -> dict[int, tuple[str, ...]]:
    """`remote_handler_args` of code whose comments are stripped already."""
    found: dict[int, tuple[str, ...]] = {}
    # Lines are counted from the last function found on, not from the top each time.
    line, counted = 1, 0
    for m in _FUNCTION.finditer(text):
        if "," not in m.group(1):
            continue  # one parameter at most: not a handler of a remote's arguments
        params = [p.strip() for p in _top_level_split(m.group(1)) if p.strip()]
        if len(params) < 2 or params[-1].startswith("..."):
            params = [p for p in params if not p.startswith("...")]
        if len(params) < 2:
            continue
        first, _, first_type = params[0].partition(":")
        if not (_is_player_param(first.strip()) or first_type.strip().rstrip("?") == "Player"):
            continue
        line += text.count("\n", counted, m.start())
        counted = m.start()
        body = text[m.end() : m.end() + 4000]
        tags: list[str] = []
        for param in params[1:]:
            name, _, annotation = param.partition(":")
            name = name.strip()
            if not name.isidentifier():
                tags.append("string")
                continue
            tags.append(_param_tag(body, name, annotation, text))
        found.setdefault(line, tuple(tags))
    return found


# -- packages from outside the project ----------------------------------------------------

# Folders package managers install into (Wally's Packages/ServerPackages/DevPackages
# and its _Index).
# Wally's and pesde's package folders.
_PACKAGE_FOLDERS = frozenset(
    {
        "Packages", "ServerPackages", "DevPackages", "_Index",
        "roblox_packages", "roblox_server_packages", "luau_packages",
    }
)  # fmt: skip
# Libraries scripts require by name from wherever a tutorial said to insert them.
KNOWN_PACKAGES = frozenset(
    {
        "Knit", "ProfileService", "ProfileStore", "Promise", "Signal", "GoodSignal",
        "Janitor", "Maid", "Trove", "Roact", "React", "ReactRoblox", "Fusion", "Rodux",
        "Cmdr", "ReplicaService", "Zone", "ZonePlus", "DataStore2", "Comm", "Sift",
        "Llama", "Flipper", "Net", "BridgeNet", "BridgeNet2", "TopbarPlus", "Icon",
        "Iris", "Vide", "Charm", "Red", "Zap", "TableUtil", "Component", "Streamable",
        "Timer", "EnumList", "Option", "Input", "Loader", "Quenty", "Nevermore",
        "FastCast", "FastCastRedux", "PartCache", "RaycastHitbox", "Spring", "Spr",
        "Ragdoll", "ByteNet", "Warp", "Lapis", "Suphi", "DataStoreModule",
        # Nevermore's per-package loader, and the roblox-ts runtime library.
        "loader", "RuntimeLib",
    }
)  # fmt: skip
# A roblox-ts module reaches its runtime through `_G[script]`, which the runtime's
# own loader fills in: without it every import fails.
_ROBLOX_TS_RUNTIME = re.compile(r"\b_G\s*\[\s*script\s*\]")
# A require by an alias (`require("@Packages/Knit")`): the alias is the project's
# `.luaurc` mapping to installed packages; `@self` is the script itself.
# A string argument may go without parentheses (`require "./flags"`).
_ALIAS_REQUIRE = re.compile(r"""\brequire\s*(?:\(\s*)?["']@(\w+)/([^"']+)["']""")
# Require by a path from the requiring script (`"./Util"`, `"../Shared/Types"`,
# `"@self/Child"`): what it names lives beside or below the script in its project.
_PATH_REQUIRE = re.compile(r"""\brequire\s*(?:\(\s*)?["'](?:\./|\.\./|@self/)([^"']*)["']""")
_REQUIRE = re.compile(r"\brequire\s*\(")
# `game and Enum or require "../test/mock".Enum`: a require only run outside Roblox.
_OUTSIDE_ROBLOX_ONLY = re.compile(r"\bgame\s+and\b[^\n]*\bor\s*$")
_PATH_SEGMENT = re.compile(
    rf"\.\s*({_IDENT})"
    rf"|:\s*(?:WaitForChild|FindFirstChild)\s*\(\s*{_STRING_Q}([\w .-]+){_STRING_Q}"
    rf"|\[\s*{_STRING_Q}([\w .-]+){_STRING_Q}\s*\]"
)


_CAST_PAREN = re.compile(rf"\(\s*({_IDENT})\s*::\s*[\w.?]+\s*\)")


def _call_argument(text: str, open_paren: int) -> str:
    """The text between the parenthesis at `open_paren - 1` and its match."""
    depth, i = 1, open_paren
    while i < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    return text[open_paren : i - 1]


def _segments(expr: str) -> list[str]:
    return [m.group(1) or m.group(2) or m.group(3) for m in _PATH_SEGMENT.finditer(expr)]


def _resolve(arg: str, at: tuple[str, ...]) -> tuple[str, ...] | None:
    """The instance path a `script...` path from the script at `at` names (None when
    the expression is not a plain path from `script`, or climbs above `game`)."""
    if re.match(r"script\b", arg) is None:
        return None
    here = list(at)
    for segment in _segments(arg):
        if segment == "Parent":
            if not here:
                return None
            here.pop()
        else:
            here.append(segment)
    return tuple(here)


def missing_packages(
    code: str,
    present: frozenset[str] = frozenset(),
    *,
    at: tuple[str, ...] | None = None,
    paths: frozenset[tuple[str, ...]] = frozenset(),
    sources: Mapping[tuple[str, ...], str] | None = None,
    standalone: bool = False,
    _seen: set[tuple[str, ...]] | None = None,
) -> list[str]:
    """Packages the code requires that come from outside it: a module under a
    package manager's folder (`require(ReplicatedStorage.Packages.Knit)`, through
    variables too) or a well-known library by name (`require(RS:WaitForChild("ProfileService"))`).
    `present`: instance names a project provides (such a require is resolved there);
    with a project, a module required by path whose name is nowhere in it comes from
    outside it too (`require(script.Parent.Parent.LuauPolyfill)` in a package whose
    dependencies a package manager installs beside it, or a service-rooted
    `require(ReplicatedStorage:WaitForChild("PickupManager"))`). A roblox-ts module that
    takes its runtime from `_G[script]` needs the roblox-ts runtime (`RuntimeLib`).
    `at` (the script's instance path) and `paths` (every instance path of the
    project) resolve `script.Parent...` requires exactly: a name that exists
    elsewhere in a large tree is still outside when the path does not reach it.
    `sources` (ModuleScript sources by instance path) follows requires into the
    project's own modules: a module that needs a package makes its requirer need it.
    `standalone` (code run alone, with no project around it): every module required
    by an instance path is outside it, since nothing here can give it a body
    (`require(ReplicatedStorage:WaitForChild("PickupManager"))` in a manual's sample),
    and so is every module required by a path from the script (`require("./Util")`,
    `require("@self/Stage")`).
    The code cannot run as written without them, which is no fault of the code."""
    text = _strip_comments(code)
    assigned: dict[str, str] = {}
    for m in re.finditer(rf"{_word('local')}\s+({_IDENT})\s*(?::\s*[^=\n]+)?=\s*([^\n]+)", text):
        assigned.setdefault(m.group(1), m.group(2))
    # In the order found, each once (a dict: a file of thousands of requires stays linear).
    found: dict[str, None] = {}
    for m in _REQUIRE.finditer(text):
        # `(script :: any).Parent`: a cast changes no path.
        arg = _CAST_PAREN.sub(r"\1", _call_argument(text, m.end()).strip())
        # Follow the variables the path starts from (a few steps: `Packages.Knit`).
        for _ in range(4):
            head = re.match(rf"({_IDENT})", arg)
            if head is None or head.group(1) not in assigned or head.group(1) == "game":
                break
            arg = assigned[head.group(1)].strip() + arg[head.end() :]
        segments = [s for s in _segments(arg) if s not in ("Parent",)]
        if not segments:
            continue
        name = segments[-1]
        in_folder = any(s in _PACKAGE_FOLDERS for s in segments)
        target = _resolve(arg, at) if at is not None and paths else None
        reached = None if target is None else target in paths
        if target is not None and reached and sources is not None and target in sources:
            seen = _seen if _seen is not None else {at} if at is not None else set()
            if target not in seen and len(seen) < 200:
                seen.add(target)
                deeper = missing_packages(
                    sources[target], present, at=target, paths=paths, sources=sources, _seen=seen
                )
                found.update(dict.fromkeys(deeper))
        # Without an exact path, a module whose name is nowhere in the project
        # cannot come from it, however the path reaches it
        # (`script.Parent.Parent.LuauPolyfill`, `RS:WaitForChild("PickupManager")`).
        outside = not reached if reached is not None else bool(present) and name not in present
        if not (in_folder or name in KNOWN_PACKAGES or outside or standalone):
            continue
        if reached or (
            reached is None and (name in present or (in_folder and _PACKAGE_FOLDERS & present))
        ):
            continue
        found.setdefault(name)
    if (
        _ROBLOX_TS_RUNTIME.search(text)
        and "RuntimeLib" not in present
        and "RuntimeLib" not in found
    ):
        found.setdefault("RuntimeLib")
    for alias in _ALIAS_REQUIRE.finditer(text):
        name = alias.group(2).rstrip("/").rsplit("/", 1)[-1]
        if (
            alias.group(1) == "game"
            and at is None
            and not present
            and not standalone
            and not _PACKAGE_FOLDERS.intersection(alias.group(2).split("/"))
        ):
            # `@game/ReplicatedStorage/Shared/Constants` is an instance path of the
            # game, a module of the code's own project: with no project it is one
            # of the modules `standalone` names, not a package (one under a
            # package folder, `@game/ReplicatedStorage/roblox_packages/x`, is).
            continue
        if alias.group(1) != "self" and name not in present:
            found.setdefault(name)
    if standalone:
        # Code run alone has no siblings or children to require by path: the
        # runtime resolves the path from the script and finds nothing there.
        for path in _PATH_REQUIRE.finditer(text):
            start = path.start()
            if _OUTSIDE_ROBLOX_ONLY.search(text, _line_start_within(text, start), start):
                continue
            name = path.group(1).rstrip("/").rsplit("/", 1)[-1]
            if name and name not in (".", ".."):
                found.setdefault(name)
    return list(found)


# `StarterCharacterScripts.Animate`, `StarterCharacterScripts:WaitForChild("Animate")`.
_CUSTOM_ANIMATE = re.compile(
    rf"StarterCharacterScripts\s*(?:\.\s*Animate\b|:\s*(?:WaitForChild|FindFirstChild)"
    rf"\s*\(\s*{_STRING_Q}Animate{_STRING_Q})"
)


# A field of the table every script of a place shares (`_G.Remote`, `shared["Config"]`).
_SHARED_FIELD = re.compile(
    rf"(?<![\w.:])(_G|shared)\s*(?:\.\s*({_IDENT})|\[\s*[\"']({_IDENT})[\"']\s*\])"
)
# What makes a value an object the code relies on: it is indexed or called (not
# `..`, the concatenation, nor `::`, a cast).
_AS_OBJECT = r"\s*(?:\.(?!\.)|:(?!:)|\[|\()"
_USED_AS_OBJECT = re.compile(_AS_OBJECT)
_NAME_AS_OBJECT = re.compile(rf"(?<![\w.:])({_IDENT})(?={_AS_OBJECT})")
_SET = re.compile(r"\s*=(?!=)")
# `local remote = ` before a field read that ends its line.
_LOCAL_OF = re.compile(rf"[ \t]*{_word('local')}\s+(\w++)\s*(?::[^=\n]+)?=\s*")
_LINE_ENDS = re.compile(r"[ \t]*(?:;|--|\n|$)")


def shared_fields_needed(code: str) -> list[str]:
    """Fields of `_G` or `shared` the code uses as objects (indexes or calls them,
    directly or through a local it names them by) but never sets itself
    (`_G.RemoteEvent.OnClientEvent:Connect(...)`): another script of its place sets
    them, so run alone, or beside its project's scripts (present, not started),
    the field is nil and the script fails at it, a fault of the setting."""
    if "_G" not in code and "shared" not in code:
        return []
    text = _strip_comments(code)
    set_here: set[str] = set()
    used: list[str] = []
    last_object_use: dict[str, int] | None = None
    for m in _SHARED_FIELD.finditer(text):
        name = f"{m.group(1)}.{m.group(2) or m.group(3)}"
        if _SET.match(text, m.end()):
            set_here.add(name)
        elif _USED_AS_OBJECT.match(text, m.end()):
            used.append(name)
        elif _LINE_ENDS.match(text, m.end()):
            # `local remote = _G.Remote` alone on its line: the local stands for it.
            alias = _LOCAL_OF.fullmatch(text, text.rfind("\n", 0, m.start()) + 1, m.start())
            if alias is None:
                continue
            if last_object_use is None:
                # Each name's last use as an object, in one pass (not one per alias).
                last_object_use = {u.group(1): u.start() for u in _NAME_AS_OBJECT.finditer(text)}
            if last_object_use.get(alias.group(1), -1) > m.end():
                used.append(name)
    return list(dict.fromkeys(n for n in used if n not in set_here))


def _extend_new(scaffold: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Append the items not planned yet (equal as data), in one pass each."""
    if not items:
        return
    have = {json.dumps(i, sort_keys=True) for i in scaffold}
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key not in have:
            have.add(key)
            scaffold.append(item)


def infer_placement(
    code: str, kind: ScriptKind, *, known_parent: tuple[str, str] | None = None
) -> Placement:
    """Decide the container of a script from how it uses `script.Parent`, and the
    instances it waits for, so that a well-written script runs as it would in its place.

    `known_parent` is (dotted path, class) of a container that is already known (the
    script's folder in its project): the script goes there, and only what the
    code expects beyond it is inferred.

    The same code is placed once per process (a scoring pass runs it for the exec
    score and its checks, a benchmark many times; reading it costs about 0.3 ms);
    each caller gets its own copy of the answer."""
    placement = _placement(code, kind, known_parent)
    return replace(
        placement,
        scaffold=_copied(placement.scaffold),
        remote_args=dict(placement.remote_args),  # values are tuples of str
    )


def _copied(value: Any) -> Any:
    """A deep copy of plain data (dicts, lists, tuples, scalars): what `copy.deepcopy`
    gives for a scaffold plan, at a fifth of its cost (a run pays it every time)."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    return value


_GET_ACTOR = re.compile(rf"{_word('script')}\s*:\s*GetActor\s*\(")
# `:WaitForChild(NAME)` / `:FindFirstChild(NAME)` with a bare name (group 1).
_LOOKUP_BY_NAME = re.compile(rf"{_FIND_OR_WAIT}\s*({_IDENT})\b(?!\s*[.:\[(])")
_STRING_CONSTANT = re.compile(
    rf"{_word('local')}\s+({_IDENT})\s*(?::\s*string\s*)?=\s*({_STRING_Q}[\w .-]+{_STRING_Q})[ \t]*(?:$|;|--)",
    re.MULTILINE,
)


def _names_spelt_out(text: str) -> str:
    """`text` with each lookup by a name held in a string constant spelt with the
    string (`local NAME = "Done"` ... `:WaitForChild(NAME)` reads
    `:WaitForChild("Done")`), so what it waits for is found like any other.
    A constant assigned again anywhere is left alone. Two passes over the text
    whatever the number of constants."""
    looked_up = {m.group(1) for m in _LOOKUP_BY_NAME.finditer(text)}
    if not looked_up:
        return text
    constants: dict[str, str] = {}
    for m in _STRING_CONSTANT.finditer(text):
        if m.group(1) in looked_up:
            constants.setdefault(m.group(1), m.group(2))
    if not constants:
        return text
    assigned = Counter(
        m.group(1)
        for m in re.finditer(rf"(?<![\w.])({_IDENT})\s*=(?!=)", text)
        if m.group(1) in constants
    )
    spelt = {name: literal for name, literal in constants.items() if assigned[name] == 1}
    if not spelt:
        return text
    return _LOOKUP_BY_NAME.sub(
        lambda m: (
            m.group(0)[: m.start(1) - m.start()] + spelt[m.group(1)]
            if m.group(1) in spelt
            else m.group(0)
        ),
        text,
    )


@lru_cache(maxsize=256)
def _placement(code: str, kind: ScriptKind, known_parent: tuple[str, str] | None) -> Placement:
    text = _names_spelt_out(_strip_comments(code))
    script_name = kind.value
    parent_aliases = sorted(_parent_aliases(text))
    roots = ["script.Parent", *parent_aliases]
    members, isa, of_class, waits = _members_of(text, roots)
    named = _classes_named_by(parent_aliases, members)
    isa |= named
    used_parent = bool(re.search(rf"{_word('script')}\.Parent\b", text))
    all_children = members | {w for w, _ in waits} | of_class
    scaffold: list[dict[str, Any]] = []
    local = kind is ScriptKind.LOCAL_SCRIPT
    player_root = f"Players.{LOCAL_PLAYER}"

    container = "default" if known_parent is None else "project"
    if used_parent and known_parent is None:
        # Activated is a GuiButton's and a Tool's: a parent with it and nothing of a
        # tool's is a button when the script is a client's or also uses the parent
        # as a GUI object (`button.BackgroundColor3`: no Tool has that).
        button = members & _GUI_BUTTON or (
            "Activated" in members
            and not members & _TOOL
            and "Tool" not in isa
            and (local or bool(members & (_GUI_OBJECT | _GUI_TEXT)))
        )
        drag = members & (_DRAG | _DRAG_3D | _DRAG_UI) or isa & {"DragDetector", "UIDragDetector"}
        if isa & {"GuiButton", "TextButton", "ImageButton"} or button:
            container = "button"
        elif "Tool" in isa or members & _TOOL or "Activated" in members:
            container = "tool"
        elif drag:
            ui = "UIDragDetector" in isa or members & _DRAG_UI
            three_d = "DragDetector" in isa or members & _DRAG_3D
            container = "uidrag" if ui or (local and not three_d) else "drag"
        elif "TextBox" in isa or members & _TEXT_BOX:
            container = "textbox"
        elif "InputAction" in isa or members & _INPUT_ACTION:
            container = "inputaction"
        elif "ViewportFrame" in isa or members & _VIEWPORT:
            container = "viewport"
        elif (
            isa & {"BasePart", "Part", "MeshPart", "Seat", "VehicleSeat"}
            or members & (_PART | _VEHICLE_SEAT | {"Occupant", "Sit"})
            # A server script's parent with a position or a size is a part (a GUI
            # object's script is a client's).
            or (kind is ScriptKind.SCRIPT and members & {"Position", "Size"})
        ):
            container = "part"
        elif all_children & _HUMANOID_CHILDREN or "Humanoid" in of_class:
            container = "character"
        elif "ProximityPrompt" in isa or members & _PROMPT:
            container = "prompt"
        elif members & _CLICK:
            container = "click"
        elif "Model" in isa or members & _MODEL:
            container = "model"
        elif isa & {"ScreenGui", "LayerCollector"} or members & _SCREEN_GUI:
            container = "screengui"
        elif isa & {"GuiObject", "Frame"} or members & (_GUI_TEXT | _GUI_OBJECT):
            container = "label" if members & _GUI_TEXT else "frame"
    # Any other class the code says its parent is (`local dialog = script.Parent`,
    # `dialog.DialogChoiceSelected`).
    other = (
        _owned_by(text, members, named, parent_aliases, local=local)
        if used_parent
        and known_parent is None
        and container == "default"
        and kind is not ScriptKind.MODULE_SCRIPT
        else None
    )
    if other is not None:
        container = "other"
    # Locals holding the script's grandparent (`local tool = script.Parent.Parent`)
    # and what the code uses on them.
    grand_held = [
        name
        for name, base, steps in _ancestor_locals(text)
        if (base, steps) in (("script", 2), *((a, 1) for a in parent_aliases))
    ]
    grand_roots = ["script.Parent.Parent"] if "script.Parent.Parent" in text else []
    grand_members, grand_isa, _, grand_waits = _members_of(text, [*grand_roots, *grand_held])
    grand_isa |= _classes_named_by(grand_held, grand_members)
    if (
        known_parent is None
        and container == "default"
        and ("Tool" in grand_isa or grand_members & _TOOL)
    ):
        # A script in a Tool's Handle that reaches the Tool as its grandparent
        # (`tool.Equipped`, `tool.Handle`).
        container = "handle"
    in_character_folder = (
        local
        and known_parent is None
        and container == "default"
        and bool(_GRANDPARENT_CHARACTER.search(text))
    )
    if in_character_folder:
        container = "character"
    if used_parent and container == "default" and kind is ScriptKind.SCRIPT:
        # A server script whose parent holds parts (`script.Parent.Lever.CFrame`) is in
        # a Model in the world, not in a service.
        probe = _direct_children(text, "?", None)
        if any(i["parent"] == "?" and i["class"] in _PART_CLASSES for i in probe):
            container = "model"
    if used_parent and container == "default" and local:
        # A client script whose parent holds GUI objects (`script.Parent.MainFrame.Title`,
        # `gui:WaitForChild("ItemList").CanvasSize`) lives in a ScreenGui.
        probe = _direct_children(text, "?", None)
        if any(i["parent"] == "?" and i["class"] in _GUI_CLASSES for i in probe) or any(
            _class_for_use(text, name, rest) in _GUI_CLASSES for name, rest in waits
        ):
            container = "screengui"

    # A server script whose code reaches into its container's parent
    # (`script.Parent.Parent.Main`) sits in a Model of a Model (a vehicle's
    # controls, a door's parts), as in Studio: not in a service, whose parent is game.
    # Names reached off the grandparent, directly or through a local holding it
    # (`local buttonModel = script.Parent.Parent`; `buttonModel.ButtonPart`).
    reached = (
        set(_GRANDPARENT_CHILD.findall(text)) | grand_members | {name for name, _ in grand_waits}
    )
    grand_names = {
        name for name in reached if name != "Parent" and _is_member("Model", name) is False
    }
    nested = (
        kind is ScriptKind.SCRIPT
        and known_parent is None
        and container in ("default", "part")
        and bool(grand_names)
        and not grand_names & _HUMANOID_CHILDREN
    )
    if nested:
        scaffold.append({"parent": "Workspace", "name": "Model", "class": "Model", "rig": False})
        if container == "default":
            container = "model"
    gui_root = f"{player_root}.PlayerGui" if local else "StarterGui"
    character = False
    if known_parent is not None:
        path = known_parent[0]
    elif container in ("part", "prompt", "click", "drag"):
        seat = _SEAT_USE.search(text) is not None or bool(members & _VEHICLE_SEAT)
        scaffold.append(
            {
                "parent": "Workspace.Model" if nested else "Workspace",
                "name": "Part",
                "class": ("VehicleSeat" if members & _VEHICLE_SEAT else "Seat") if seat else "Part",
                "anchored": True,
                "position": [0, 0.5, -12],
            }
        )
        path = "Workspace.Model.Part" if nested else "Workspace.Part"
        if container == "prompt":
            scaffold.append({"parent": path, "name": "ProximityPrompt", "class": "ProximityPrompt"})
            path += ".ProximityPrompt"
        elif container == "click":
            scaffold.append({"parent": path, "name": "ClickDetector", "class": "ClickDetector"})
            path += ".ClickDetector"
        elif container == "drag":
            scaffold.append({"parent": path, "name": "DragDetector", "class": "DragDetector"})
            path += ".DragDetector"
    elif container in ("tool", "handle"):
        parent = f"{player_root}.Backpack" if local else "Workspace"
        scaffold.append({"parent": parent, "name": "Tool", "class": "Tool"})
        path = f"{parent}.Tool"
        scaffold.append({"parent": path, "name": "Handle", "class": "Part", "position": [0, 1, -6]})
        if container == "handle":
            path = f"{path}.Handle"
    elif container == "character":
        if local:
            character = True
            path = f"Workspace.{LOCAL_PLAYER}"
            if in_character_folder:
                scaffold.append({"parent": path, "name": "Folder", "class": "Folder"})
                path += ".Folder"
        else:
            scaffold.append({"parent": "Workspace", "name": "NPC", "class": "Model", "rig": True})
            path = "Workspace.NPC"
    elif container == "model":
        outer = "Workspace.Model" if nested else "Workspace"
        scaffold.append({"parent": outer, "name": "Model", "class": "Model", "rig": False})
        scaffold.append(
            {
                "parent": f"{outer}.Model",
                "name": "Part",
                "class": "Part",
                "anchored": True,
                "position": [0, 0.5, -20],
            }
        )
        path = f"{outer}.Model"
    elif container == "other" and other is not None:
        # A part in the world; a GUI object in a ScreenGui; anything else in a part.
        if _is_a(other, "BasePart"):
            parent = "Workspace"
        elif _is_gui_object(other):
            scaffold.append({"parent": gui_root, "name": "ScreenGui", "class": "ScreenGui"})
            parent = f"{gui_root}.ScreenGui"
        else:
            scaffold.append(
                {
                    "parent": "Workspace",
                    "name": "Part",
                    "class": "Part",
                    "anchored": True,
                    "position": [0, 0.5, -12],
                }
            )
            parent = "Workspace.Part"
        scaffold.append({"parent": parent, "name": other, "class": other})
        path = f"{parent}.{other}"
    elif container == "inputaction":
        # An InputContext where the client's input reaches it, its action in it.
        parent = f"{player_root}.PlayerScripts" if local else "ReplicatedStorage"
        scaffold.append({"parent": parent, "name": "InputContext", "class": "InputContext"})
        path = f"{parent}.InputContext"
        scaffold.append({"parent": path, "name": "InputAction", "class": "InputAction"})
        path = f"{path}.InputAction"
    elif container in ("button", "label", "frame", "screengui", "textbox", "uidrag", "viewport"):
        # Not reset on respawn: the script lives in it for the whole run.
        scaffold.append(
            {
                "parent": gui_root,
                "name": "ScreenGui",
                "class": "ScreenGui",
                "props": {"ResetOnSpawn": False},
            }
        )
        path = f"{gui_root}.ScreenGui"
        inner = {
            "button": "TextButton",
            "label": "TextLabel",
            "frame": "Frame",
            "textbox": "TextBox",
            "uidrag": "Frame",
            "viewport": "ViewportFrame",
        }.get(container)
        if inner:
            # What the code indexes beside it (`button.Parent.CancelButton`) is in the
            # ScreenGui (one of the container's `_ancestors`), or in a Frame there
            # when the code uses its parent as one (`local frame = button.Parent`;
            # `frame.Visible`).
            if grand_members & (_GUI_OBJECT | _GUI_TEXT) or any(
                _is_gui_object(c) for c in grand_isa if _is_instance_class(c)
            ):
                scaffold.append({"parent": path, "name": "Frame", "class": "Frame"})
                path = f"{path}.Frame"
            scaffold.append({"parent": path, "name": inner, "class": inner})
            path = f"{path}.{inner}"
        if container == "uidrag":
            scaffold.append({"parent": path, "name": "UIDragDetector", "class": "UIDragDetector"})
            path = f"{path}.UIDragDetector"
    elif kind is ScriptKind.LOCAL_SCRIPT:
        path = f"{player_root}.PlayerScripts"
    elif kind is ScriptKind.MODULE_SCRIPT:
        path = "ReplicatedStorage"
    else:
        path = "ServerScriptService"
    if container == "default" and _GET_ACTOR.search(text):
        # Code that asks for its Actor (`script:GetActor():BindToMessage(...)`) is
        # written to run in parallel, under one, as Roblox requires of it.
        scaffold.append({"parent": path, "name": "Actor", "class": "Actor"})
        path = f"{path}.Actor"

    # Children the code waits for inside its container.
    if used_parent and not character:
        for name, rest in waits:
            cls = _class_for_use(text, name, rest)
            if cls and not any(i["parent"] == path and i["name"] == name for i in scaffold):
                scaffold.append({"parent": path, "name": name, "class": cls})
    _extend_new(scaffold, _service_waits(text))
    _extend_new(scaffold, _service_finds(text))
    _extend_new(scaffold, _leaderstats(text))
    if "Animate" in text and _CUSTOM_ANIMATE.search(text):
        # A place's own Animate script, put in StarterCharacterScripts to change the
        # character's animations (it replaces the default one on spawn): the code
        # reads its StringValues and Animations, which are the default's.
        scaffold.append(
            {
                "parent": "StarterPlayer.StarterCharacterScripts",
                "name": "Animate",
                "class": "LocalScript",
                "animate": True,
            }
        )
    # A ModuleScript of client code is required from a client (`module_side`): it
    # finds in its player what a LocalScript would.
    if local or (kind is ScriptKind.MODULE_SCRIPT and module_side(code) == "client"):
        _extend_new(scaffold, _player_gui_waits(text))
        _extend_new(scaffold, _player_waits(text))
        _extend_new(scaffold, _service_finds(text, in_player_gui=True))
    parent_path = None if character else path
    parent_class = (
        known_parent[1]
        if known_parent is not None
        else other or _CONTAINER_CLASSES.get(container) or _default_container_class(path)
    )
    planned = {(i["parent"], i["name"]) for i in scaffold}
    script = (f"{path}.{script_name}", kind.value)
    ancestors = _ancestors(path, scaffold, local=local)
    for item in _direct_children(text, parent_path, parent_class, script, ancestors):
        if (item["parent"], item["name"]) not in planned:
            planned.add((item["parent"], item["name"]))
            scaffold.append(item)
    if "PrimaryPart" in text and _PRIMARY_PART_USE.search(text):
        # A model the code takes the PrimaryPart of (`model.PrimaryPart.CFrame`,
        # `SetPrimaryPartCFrame`) was given one in Studio.
        for item in scaffold:
            if item["class"] == "Model" and not item.get("rig"):
                item["primary"] = True
    return Placement(
        script_path=path,
        script_name=script_name,
        container=container,
        scaffold=scaffold,
        local_character=character,
        remote_args=_handler_args(text),
    )


def _ancestors(
    path: str, scaffold: list[dict[str, Any]], *, local: bool
) -> list[tuple[str, str | None]]:
    """(path, class) of each instance above the container at `path` that the world
    will hold, its parent first, up to its service: what `script.Parent.Parent`
    (or `local backpack = tool.Parent`) reaches."""
    planned = {f"{i['parent']}.{i['name']}": i["class"] for i in scaffold}
    player = f"Players.{LOCAL_PLAYER}"
    found: list[tuple[str, str | None]] = []
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        cls = planned.get(prefix)
        if cls is None and end == 1 and prefix in _WORLD_SERVICES:
            cls = prefix
        elif cls is None and local and prefix == player:
            cls = "Player"
        elif cls is None and local and end == 3 and parts[1] == LOCAL_PLAYER:
            cls = {"Backpack": "Backpack", "PlayerGui": "PlayerGui"}.get(parts[2]) or (
                "PlayerScripts" if parts[2] == "PlayerScripts" else None
            )
        if cls is None:
            break
        found.append((prefix, cls))
    return found


def _default_container_class(path: str) -> str | None:
    head = path.split(".")[-1]
    return {
        "ServerScriptService": "ServerScriptService",
        "ReplicatedStorage": "ReplicatedStorage",
        "PlayerScripts": "PlayerScripts",
    }.get(head)


__all__ = [
    "KNOWN_PACKAGES",
    "LOCAL_PLAYER",
    "Placement",
    "infer_placement",
    "missing_packages",
    "remote_handler_args",
]
