"""exec/output-limit: the run printed so much that the sandbox stopped it."""

from __future__ import annotations

from luaurft.luau.sandbox import RunStatus
from luaurft.scoring.execution import EXEC_LIMITS
from luaurft.scoring.rule import Severity
from luaurft.scoring.rules.exec._stopped import StoppedRule


class OutputLimitRule(StoppedRule):
    id = "exec/output-limit"
    scorer = "exec"
    severity = Severity.WARNING
    summary = "The script printed so much that the sandbox stopped it."
    bad = "for i = 1, 1000000 do\n\tprint(i)\nend\n"
    good = "for i = 1, 10 do\n\tprint(i)\nend\n"
    status = RunStatus.OUTPUT_LIMIT
    what = (
        f"the script printed more than {EXEC_LIMITS.output_lines} lines: "
        "output in a hot loop floods the console"
    )
