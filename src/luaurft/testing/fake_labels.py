"""The fake server's answer to a reverse-labelling request: a plain request read off the code.

`luaurft data build --label-with openai:fake@<fake server>` works without a key:
the server recognises the reverse-labelling prompt (`luaurft.data.labelling`)
and answers with an imperative request naming the services the script uses
and the functions it defines, which passes the labeller's validation.
"""

from __future__ import annotations

import re

from luaurft.testing.fake_llm_server import FakeRequest

_SERVICE = re.compile(r"""GetService\(\s*["'](\w+)["']\s*\)""")
_FUNCTION = re.compile(r"\bfunction\s+(?:\w+[.:])?(\w+)\s*\(")
_KIND = re.compile(r"^Script \((\w+)\):", re.MULTILINE)


def is_reverse_label(request: FakeRequest) -> bool:
    from luaurft.data.labelling import REVERSE_LABEL_SYSTEM

    return request.system.strip() == REVERSE_LABEL_SYSTEM.strip()


def _names(items: list[str], limit: int) -> str:
    unique = list(dict.fromkeys(items))[:limit]
    if len(unique) <= 1:
        return "".join(unique)
    return ", ".join(unique[:-1]) + " and " + unique[-1]


def label_for(prompt: str) -> str:
    """The request for the script quoted in a reverse-labelling prompt."""
    kind_match = _KIND.search(prompt)
    kind = kind_match.group(1) if kind_match else "script"
    services = _names(_SERVICE.findall(prompt), 4)
    functions = _names(_FUNCTION.findall(prompt), 4)
    request = f"Write a Roblox {kind}"
    request += f" that uses {services}" if services else " that runs on its own"
    if functions:
        request += f" and defines the functions {functions}"
    return request + ", with the same behaviour and names as the original."


def reverse_label_reply(request: FakeRequest) -> str | None:
    """The fake label when `request` asks for one, else None."""
    return label_for(request.last_user_text) if is_reverse_label(request) else None


__all__ = ["is_reverse_label", "label_for", "reverse_label_reply"]
