"""The bug rules that match other Luau linters' checks: each fires at the right line
with its message and severity, and stays silent on the idiom next to the mistake."""

from __future__ import annotations

import pytest

from luaurft.luau import LuauSource, detect_kind
from luaurft.scoring.registry import get_rule
from luaurft.scoring.rule import RuleContext, iter_rule_findings


def findings(rule_id: str, code: str) -> list[tuple[int, str, str]]:
    ctx = RuleContext(source=LuauSource(code), kind=detect_kind(code))
    return [
        (f.line, f.severity.value, f.message) for f in iter_rule_findings(get_rule(rule_id), ctx)
    ]


CASES = [
    (
        "bug/duplicate-key",
        "return {\n\ta = 1,\n\ta = 2,\n}\n",
        3,
        "warning",
        "key a is already set on line 2",
    ),
    ("bug/duplicate-key", 'return { "x", [1] = "y" }\n', 1, "warning", "key 1 is already set"),
    ("bug/almost-swapped", "local a, b = 1, 2\na = b\nb = a\n", 2, "warning", "does not swap"),
    ("bug/divide-by-zero", "local x = 5\nprint(x / 0)\n", 2, "info", "divides by zero"),
    (
        "bug/table-literal-comparison",
        "local t = {}\nprint(t == {})\n",
        2,
        "warning",
        "always false",
    ),
    (
        "bug/empty-if",
        "local x = 1\nif x then\nelse\n\tprint(x)\nend\n",
        2,
        "info",
        "if branch is empty",
    ),
    (
        "bug/identical-branches",
        "local x = 1\nif x then\n\tprint(1)\nelse\n\tprint(1)\nend\n",
        5,
        "info",
        "same code as the branch on line 3",
    ),
    (
        "bug/duplicate-condition",
        "local x = 1\nif x == 1 then\n\tprint(1)\nelseif x == 1 then\n\tprint(2)\nend\n",
        4,
        "warning",
        "already tested on line 2",
    ),
    (
        "bug/reverse-loop-step",
        "local t = {}\nfor i = #t, 1 do\n\tprint(i)\nend\n",
        2,
        "warning",
        "runs at most once",
    ),
    (
        "bug/type-of-roblox-value",
        'local v = 1\nprint(type(v) == "Instance")\n',
        2,
        "warning",
        '"userdata"',
    ),
    (
        "bug/type-check-inside-call",
        'local v = 1\nprint(type(v == "string"))\n',
        2,
        "warning",
        '"boolean"',
    ),
    ("bug/implicit-global", "local function f()\n\tscore = 1\nend\nf()\n", 2, "warning", "`score`"),
    ("bug/implicit-global", "score = 1\nprint(score)\n", 1, "info", "`score`"),
    # Script state set at the top level and updated in a handler: only the top level lacks `local`.
    (
        "bug/implicit-global",
        "debounce = false\nlocal function f()\n\tdebounce = true\nend\nf()\n",
        1,
        "info",
        "`debounce`",
    ),
    (
        "bug/local-arg-count",
        "local function f(a)\n\treturn a\nend\nprint(f(1, 2))\n",
        4,
        "warning",
        "takes 1 argument (line 1) but is called with 2",
    ),
    # A function value is often a callback whose caller passes extras on purpose.
    (
        "bug/local-arg-count",
        "local f = function(a)\n\treturn a\nend\nprint(f(1, 2))\n",
        4,
        "info",
        "called with 2",
    ),
    (
        "bug/redeclared-local",
        "local x = 1\nlocal x = 2\nprint(x)\n",
        2,
        "info",
        "the local on line 1",
    ),
]


@pytest.mark.parametrize(("rule_id", "code", "line", "severity", "message"), CASES)
def test_fires_with_message(
    rule_id: str, code: str, line: int, severity: str, message: str
) -> None:
    found = findings(rule_id, code)
    assert len(found) == 1, found
    assert found[0][0] == line
    assert found[0][1] == severity
    assert message in found[0][2]


@pytest.mark.parametrize(
    ("rule_id", "code"),
    [
        ("bug/divide-by-zero", "local NAN = 0 / 0\nprint(NAN)\n"),
        ("bug/implicit-global", "const speed = 10\n"),  # not Luau: the syntax scorer's
        ("bug/implicit-global", "_G.score = 1\n"),
        ("bug/local-arg-count", "local function f(...)\n\tprint(...)\nend\nf(1, 2, 3)\n"),
        ("bug/redeclared-local", "local function f(v)\n\tlocal v = v or 1\n\treturn v\nend\nf()\n"),
        ("bug/type-of-roblox-value", 'local v = 1\nprint(type(v) == "userdata")\n'),
        (
            "bug/duplicate-condition",
            "if math.random() < 0.5 then\nelseif math.random() < 0.5 then\nend\n",
        ),
    ],
)
def test_silent(rule_id: str, code: str) -> None:
    assert findings(rule_id, code) == []
