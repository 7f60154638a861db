"""Which Studio Output errors come from the scripts the assistant pushed.

Studio names a script by its full name with dots and prefixes errors with it
(``ServerScriptService.Shop.Main:12: attempt to index nil``); the stack trace
follows as info lines (``Script 'ServerScriptService.Shop.Main', Line 12``)
between "Stack Begin" and "Stack End". A running game copies some scripts
(a LocalScript in StarterPlayerScripts runs as
``Players.Name.PlayerScripts.Main``), so a reference that ends with a pushed
script's name (and its folders, as far as they go) is that script too.

An error is attributed to the first pushed script named by its message or,
failing that, by its stack, innermost frame first; errors naming none of them
belong to other code in the place and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from luaurft.agent.feedback import StudioError

_MESSAGE_REF = re.compile(r"(?P<name>[A-Za-z_][\w .\-]*?):(?P<line>\d+):\s*")
_STACK_REF = re.compile(r"Script '(?P<name>[^']+)', Line (?P<line>\d+)")


@dataclass(frozen=True, slots=True)
class PushedScript:
    """A script as placed in Studio: our file path and the instance path the plugin reported."""

    path: str
    instance_path: str

    @property
    def segments(self) -> list[str]:
        return [s for s in self.instance_path.split("/") if s]


def pushed_scripts(apply_result: Mapping[str, Any]) -> list[PushedScript]:
    """The scripts an ``apply_scripts`` result says were written."""
    scripts: list[PushedScript] = []
    for entry in apply_result.get("files") or []:
        if not isinstance(entry, Mapping):
            continue
        path, instance = entry.get("path"), entry.get("instancePath")
        if isinstance(path, str) and isinstance(instance, str) and instance:
            scripts.append(PushedScript(path=path, instance_path=instance))
    return scripts


def _match(reference: str, scripts: Sequence[PushedScript]) -> PushedScript | None:
    ref = [s for s in reference.strip().split(".") if s]
    if not ref:
        return None
    best: tuple[int, PushedScript] | None = None
    for script in scripts:
        segments = script.segments
        if not segments or ref[-1] != segments[-1]:
            continue
        # How many trailing segments agree: the full name beats a copy's tail.
        agree = 0
        while agree < min(len(ref), len(segments)) and ref[-1 - agree] == segments[-1 - agree]:
            agree += 1
        if best is None or agree > best[0]:
            best = (agree, script)
    return best[1] if best else None


def _first_reference(
    texts: Sequence[str], scripts: Sequence[PushedScript]
) -> tuple[PushedScript, int] | None:
    for text in texts:
        for pattern in (_MESSAGE_REF, _STACK_REF):
            for found in pattern.finditer(text):
                script = _match(found.group("name"), scripts)
                if script is not None:
                    return script, int(found.group("line"))
    return None


def _strip_location(message: str) -> str:
    found = _MESSAGE_REF.match(message.strip())
    return message.strip()[found.end() :] if found else message.strip()


def attribute_errors(
    entries: Sequence[Mapping[str, Any]], scripts: Sequence[PushedScript]
) -> list[StudioError]:
    """The error entries of a ``get_logs`` result that name a pushed script (see module docstring)."""
    errors: list[StudioError] = []
    seen: set[tuple[str, int | None, str]] = set()
    items = [e for e in entries if isinstance(e, Mapping)]
    for index, entry in enumerate(items):
        if entry.get("type") != "error":
            continue
        message = str(entry.get("message", ""))
        stack: list[str] = []
        for follower in items[index + 1 :]:
            # A trace is the info lines right after its error; anything else ends it.
            if follower.get("type") != "info":
                break
            text = str(follower.get("message", ""))
            if text.strip() == "Stack End":
                break
            stack.append(text)
        found = _first_reference([message, *stack], scripts)
        if found is None:
            continue
        script, line = found
        error = StudioError(path=script.path, message=_strip_location(message), line=line)
        key = (error.path, error.line, error.message)
        if key not in seen:
            seen.add(key)
            errors.append(error)
    return errors


__all__ = ["PushedScript", "attribute_errors", "pushed_scripts"]
