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

import re
from dataclasses import dataclass, field
from typing import Any

from luaurft.luau.kind import ScriptKind

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
}

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
    (frozenset({"Text", "TextColor3", "TextScaled", "TextSize", "TextTransparency"}), "TextLabel"),
    (
        frozenset(
            {"Touched", "TouchEnded", "Anchored", "CanCollide", "CFrame", "BrickColor", "Material"}
        ),
        "Part",
    ),
    (frozenset({"Play", "Stop", "SoundId", "Volume", "Looped"}), "Sound"),
    (frozenset({"LoadAnimation"}), "Animator"),
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
    }
)
_SCREEN_GUI = frozenset({"ResetOnSpawn", "IgnoreGuiInset", "DisplayOrder", "ZIndexBehavior"})
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
    }
)
_MODEL = frozenset(
    {"PrimaryPart", "GetPivot", "PivotTo", "GetBoundingBox", "SetPrimaryPartCFrame", "MoveTo"}
)
_PROMPT = frozenset({"Triggered", "TriggerEnded", "ActionText", "ObjectText", "HoldDuration"})
_CLICK = frozenset({"MouseClick"})
_HUMANOID_CHILDREN = frozenset({"Humanoid", "HumanoidRootPart"})

_COMMENT = re.compile(r"--\[(=*)\[.*?\]\1\]|--[^\n]*", re.DOTALL)
_STRING_Q = r"[\"']"


@dataclass(frozen=True)
class Placement:
    """Where the script goes (`script_path`, a dotted path from `game`) and the
    instances to build first (`scaffold`: dicts with parent, name, class...)."""

    script_path: str
    script_name: str
    container: str
    scaffold: list[dict[str, Any]] = field(default_factory=list)
    local_character: bool = False


def _strip_comments(text: str) -> str:
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _aliases(text: str, pattern: str) -> set[str]:
    return set(re.findall(rf"\blocal\s+(\w+)\s*(?::\s*[\w.?<>]+)?\s*=\s*{pattern}", text))


def _members_of(
    text: str, roots: list[str]
) -> tuple[set[str], set[str], set[str], list[tuple[str, str]]]:
    """Members used on any of `roots`: (members, IsA classes, FindFirstChildOfClass classes,
    [(waited-for child name, the rest of the line)])."""
    members: set[str] = set()
    isa: set[str] = set()
    of_class: set[str] = set()
    waits: list[tuple[str, str]] = []
    for root in roots:
        root_re = re.escape(root) if "." in root else rf"\b{re.escape(root)}\b"
        for m in re.finditer(rf"{root_re}\s*([.:])\s*(\w+)", text):
            members.add(m.group(2))
        for m in re.finditer(rf"{root_re}\s*:\s*IsA\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}", text):
            isa.add(m.group(1))
        for m in re.finditer(
            rf"{root_re}\s*:\s*FindFirstChild(?:OfClass|WhichIsA)\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}",
            text,
        ):
            of_class.add(m.group(1))
        for m in re.finditer(
            rf"{root_re}\s*:\s*WaitForChild\s*\(\s*{_STRING_Q}([\w ]+){_STRING_Q}\s*\)([^\n]*)",
            text,
        ):
            waits.append((m.group(1), m.group(2)))
    return members, isa, of_class, waits


def _class_for_use(text: str, name: str, rest: str) -> str | None:
    cast = re.match(r"\s*::\s*(\w+)", rest)
    if cast and cast.group(1) in _KNOWN_CLASSES:
        return cast.group(1)
    if name in _NAME_CLASSES:
        return _NAME_CLASSES[name]
    if name in _KNOWN_CLASSES:
        return name
    # The variable it is assigned to, and what the code does with it.
    assigned = re.search(
        rf"\blocal\s+(\w+)\s*(?::\s*[\w.?]+)?\s*=\s*[^\n]*WaitForChild\s*\(\s*{_STRING_Q}{re.escape(name)}{_STRING_Q}\s*\)",
        text,
    )
    if assigned:
        var = assigned.group(1)
        used = set(re.findall(rf"\b{re.escape(var)}\s*[.:]\s*(\w+)", text))
        for names, cls in _USAGE_CLASSES:
            if used & names:
                return cls
    lowered = name.lower()
    if lowered.endswith(("event", "remote")):
        return "RemoteEvent"
    if lowered.endswith("function"):
        return "RemoteFunction"
    return None


def _service_waits(text: str) -> list[dict[str, Any]]:
    """Instances waited for under services: `Service:WaitForChild("A"):WaitForChild("B")`."""
    roots: dict[str, str] = {}
    for var, service in re.findall(
        rf"\blocal\s+(\w+)\s*(?::\s*\w+)?\s*=\s*game\s*:\s*GetService\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}\s*\)",
        text,
    ):
        roots[var] = service
    roots.setdefault("workspace", "Workspace")
    plan: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    chain = re.compile(
        rf"(?:\b(\w+)|game\s*:\s*GetService\s*\(\s*{_STRING_Q}(\w+){_STRING_Q}\s*\))"
        rf"((?:\s*:\s*WaitForChild\s*\(\s*{_STRING_Q}[\w ]+{_STRING_Q}\s*\))+)([^\n]*)"
    )
    for m in chain.finditer(text):
        service = roots.get(m.group(1) or "") or m.group(2)
        if not service or service in ("Players",):
            continue
        names = re.findall(rf"WaitForChild\s*\(\s*{_STRING_Q}([\w ]+){_STRING_Q}", m.group(3))
        parent = service
        for i, name in enumerate(names):
            last = i == len(names) - 1
            cls = _class_for_use(text, name, m.group(4) if last else "") or (
                None if last else "Folder"
            )
            if cls is None:
                break
            key = (parent, name)
            if key not in seen:
                seen.add(key)
                plan.append({"parent": parent, "name": name, "class": cls})
            parent = f"{parent}.{name}"
    return plan


def infer_placement(code: str, kind: ScriptKind) -> Placement:
    """Decide the container of a script from how it uses `script.Parent`, and the
    instances it waits for, so that a well-written script runs as it would in its place."""
    text = _strip_comments(code)
    script_name = kind.value
    parent_aliases = sorted(_aliases(text, r"script\.Parent\b(?!\s*[.:])"))
    roots = ["script.Parent", *parent_aliases]
    members, isa, of_class, waits = _members_of(text, roots)
    used_parent = bool(re.search(r"\bscript\.Parent\b", text))
    all_children = members | {w for w, _ in waits} | of_class
    scaffold: list[dict[str, Any]] = []
    local = kind is ScriptKind.LOCAL_SCRIPT
    player_root = f"Players.{LOCAL_PLAYER}"

    container = "default"
    if used_parent:
        if isa & {"GuiButton", "TextButton", "ImageButton"} or members & _GUI_BUTTON:
            container = "button"
        elif "Tool" in isa or members & _TOOL:
            container = "tool"
        elif isa & {"BasePart", "Part", "MeshPart"} or members & _PART:
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

    gui_root = f"{player_root}.PlayerGui" if local else "StarterGui"
    character = False
    if container == "part" or container == "prompt" or container == "click":
        scaffold.append(
            {
                "parent": "Workspace",
                "name": "Part",
                "class": "Part",
                "anchored": True,
                "position": [0, 0.5, -12],
            }
        )
        path = "Workspace.Part"
        if container == "prompt":
            scaffold.append({"parent": path, "name": "ProximityPrompt", "class": "ProximityPrompt"})
            path += ".ProximityPrompt"
        elif container == "click":
            scaffold.append({"parent": path, "name": "ClickDetector", "class": "ClickDetector"})
            path += ".ClickDetector"
    elif container == "tool":
        parent = f"{player_root}.Backpack" if local else "Workspace"
        scaffold.append({"parent": parent, "name": "Tool", "class": "Tool"})
        path = f"{parent}.Tool"
        scaffold.append({"parent": path, "name": "Handle", "class": "Part", "position": [0, 1, -6]})
    elif container == "character":
        if local:
            character = True
            path = f"Workspace.{LOCAL_PLAYER}"
        else:
            scaffold.append({"parent": "Workspace", "name": "NPC", "class": "Model", "rig": True})
            path = "Workspace.NPC"
    elif container == "model":
        scaffold.append({"parent": "Workspace", "name": "Model", "class": "Model", "rig": False})
        scaffold.append(
            {
                "parent": "Workspace.Model",
                "name": "Part",
                "class": "Part",
                "anchored": True,
                "position": [0, 0.5, -20],
            }
        )
        path = "Workspace.Model"
    elif container in ("button", "label", "frame", "screengui"):
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
        inner = {"button": "TextButton", "label": "TextLabel", "frame": "Frame"}.get(container)
        if inner:
            scaffold.append({"parent": path, "name": inner, "class": inner})
            path = f"{path}.{inner}"
    elif kind is ScriptKind.LOCAL_SCRIPT:
        path = f"{player_root}.PlayerScripts"
    elif kind is ScriptKind.MODULE_SCRIPT:
        path = "ReplicatedStorage"
    else:
        path = "ServerScriptService"

    # Children the code waits for inside its container.
    if used_parent and not character:
        for name, rest in waits:
            cls = _class_for_use(text, name, rest)
            if cls and not any(i["parent"] == path and i["name"] == name for i in scaffold):
                scaffold.append({"parent": path, "name": name, "class": cls})
    scaffold.extend(item for item in _service_waits(text) if item not in scaffold)
    return Placement(
        script_path=path,
        script_name=script_name,
        container=container,
        scaffold=scaffold,
        local_character=character,
    )


__all__ = ["LOCAL_PLAYER", "Placement", "infer_placement"]
