"""Copy drills: short synthetic requests whose answer copies keyed values into Luau.

A request like `Set Speed to 240, Name to "MoonStep".` is answered with
`config.Name = "MoonStep"` / `config.Speed = 240`, in another order than the
request's, so each line has to find its value by its key. Every task of the
suite needs exactly that (the name a part is given, the value a stat starts
at), and a model that starts from random weights learns it from the tasks
alone far too slowly for a CPU budget: it learns the templates first and
guesses the values. Mixed into pre-training, the drills make value lookup
the whole loss of a cheap example.

Drills draw only names and numbers the held-out split does not reserve, and
never mention a task, so they leak nothing of the rft or eval splits.
"""

from __future__ import annotations

import random
from typing import Any

from luaurft.demo.families import STAT_NAMES, names
from luaurft.demo.suite import reserved

KEYS = (
    "Name", "Size", "Speed", "Color", "Value", "Health", "Cooldown", "Duration", "Start",
    "Step", "Tag", "Store", "Power", "Jump", "Offset", "Factor", "Low", "High", "Stat", "Timer",
)  # fmt: skip


def copy_drill(rng: random.Random) -> dict[str, Any]:
    """One drill as a prompt/completion row (no system prompt: drills are not tasks)."""
    open_names = _open_names()
    count = rng.randint(2, 5)
    keys = rng.sample(KEYS, count)
    values: list[str] = []
    for _ in keys:
        pick = rng.random()
        if pick < 0.4:
            values.append(f'"{rng.choice(open_names)}"')
        elif pick < 0.5:
            values.append(f'"{rng.choice(STAT_NAMES)}"')
        else:
            values.append(str(rng.randint(0, 999)))
    request = "Set " + ", ".join(f"{k} to {v}" for k, v in zip(keys, values, strict=True)) + "."
    order = list(range(count))
    rng.shuffle(order)
    code = "".join(f"config.{keys[i]} = {values[i]}\n" for i in order)
    return {
        "prompt": [{"role": "user", "content": request}],
        "completion": [{"role": "assistant", "content": code}],
    }


_NAMES: list[str] = []


def _open_names() -> list[str]:
    if not _NAMES:
        _NAMES.extend(n for n in names() if not reserved(n))
    return _NAMES


__all__ = ["KEYS", "copy_drill"]
