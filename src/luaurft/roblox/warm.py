"""Imported by the executor's fork server (`luaurft.luau.executor.PRELOAD`): the
runtime's bytecode is compiled and the engine surface read once, there, so every
worker forks with both in memory and a replacement worker costs only a fork."""

import contextlib

from luaurft.roblox.mock import warm_worker

# A fork server whose import fails would start no worker at all; one that could
# not warm up still starts workers, which then compile on first use.
with contextlib.suppress(Exception):
    warm_worker()
