"""A stand-in judge model for the fake LLM server: reads the code out of the
judge's prompt and answers with a verdict, so tests and demos can run the real
judge path (prompt, HTTP, parse, cache) with no model.

Its scores are a simple function of the code, the same every time: longer,
more structured code scores higher, TODOs cost completeness, deprecated
`wait(` costs practice. `gullible=True` makes it the judge every reward must
survive: it gives 10/10 to any code that asks for a high score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from luaurft.testing.fake_llm_server import FakeRequest

_CODE = re.compile(r"(`{3,})luau\n(.*?)\n\1", re.DOTALL)

VerdictStyle = str  # "json", "fenced", "near-json", "prose", "garbage"


def code_in_prompt(request: FakeRequest) -> str:
    match = _CODE.search(request.last_user_text)
    return match.group(2) if match else ""


def verdict_for(code: str, *, gullible: bool = False) -> dict[str, object]:
    lowered = code.lower()
    if gullible and re.search(r"10\s*/\s*10|full marks|perfect score", lowered):
        scores = dict.fromkeys(
            ("functionality", "correctness", "completeness", "roblox_practice"), 10
        )
    else:
        lines = [
            line for line in code.splitlines() if line.strip() and not line.strip().startswith("--")
        ]
        size = min(10, 2 + len(lines) // 3)
        scores = {
            "functionality": size,
            "correctness": max(0, size - lowered.count("wait(") + lowered.count("task.wait(")),
            "completeness": max(0, size - 4 * lowered.count("todo")),
            "roblox_practice": 9 if "getservice" in lowered else 5,
        }
    return {
        **{
            name: {"score": value, "reason": f"{name} looks {value}/10"}
            for name, value in scores.items()
        },
        "rationale": f"{len(code.splitlines())} lines reviewed.",
    }


def render(verdict: dict[str, object], style: VerdictStyle) -> str:
    text = json.dumps(verdict, indent=1)
    if style == "fenced":
        return f"Here is my assessment.\n```json\n{text}\n```\n"
    if style == "near-json":
        # Single quotes, a trailing comma and prose around: what repair must handle.
        near = text.replace('"', "'").rstrip("}").rstrip() + ",\n}"
        return f"Sure! {near}\nHope this helps."
    if style == "garbage":
        return "I think the code is fine overall, nice work."
    return text


def judge_responder(
    *,
    gullible: bool = False,
    style: VerdictStyle | Callable[[str], VerdictStyle] = "json",
) -> Callable[[FakeRequest], str]:
    """A responder for `FakeLLMServer` that plays the judge (see module docstring).

    `style` may depend on the code (a function of it), to mix answer formats.
    """

    def respond(request: FakeRequest) -> str:
        code = code_in_prompt(request)
        chosen = style(code) if callable(style) else style
        return render(verdict_for(code, gullible=gullible), chosen)

    return respond
