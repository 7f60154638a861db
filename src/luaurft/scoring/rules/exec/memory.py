"""exec/memory: the run grew past the sandbox's memory cap."""

from __future__ import annotations

from luaurft.luau.sandbox import RunStatus
from luaurft.scoring.execution import EXEC_LIMITS
from luaurft.scoring.rule import Severity
from luaurft.scoring.rules.exec._stopped import StoppedRule


class MemoryRule(StoppedRule):
    id = "exec/memory"
    scorer = "exec"
    severity = Severity.ERROR
    summary = "The script grew past the sandbox's memory cap."
    bad = "local chunks = {}\nwhile true do\n\ttable.insert(chunks, table.create(1000, 0))\nend\n"
    good = (
        "local chunks = {}\nfor i = 1, 100 do\n\ttable.insert(chunks, table.create(1000, 0))\nend\n"
    )
    status = RunStatus.MEMORY
    what = (
        f"the script exceeded the memory cap ({EXEC_LIMITS.memory_bytes // (1024 * 1024)} MiB): "
        "something here grows without bound"
    )
