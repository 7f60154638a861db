"""The standard-library and datatype-contract rules: each common model mistake is
reported at its line, with a fix that names the API meant."""

from __future__ import annotations

import pytest

from luaurft.luau import LuauSource, detect_kind
from luaurft.roblox.api import Arity, curated_index
from luaurft.scoring.registry import get_rule
from luaurft.scoring.rule import RuleContext, iter_rule_findings


def findings(rule_id: str, code: str) -> list[tuple[int, str, str | None]]:
    ctx = RuleContext(source=LuauSource(code), kind=detect_kind(code))
    return [(f.line, f.message, f.fix) for f in iter_rule_findings(get_rule(rule_id), ctx)]


CASES = [
    (
        "api/unknown-library-member",
        "local t = {}\nprint(table.contains(t, 1))\n",
        2,
        "table.contains does not exist",
        "table.find(t, value) ~= nil",
    ),
    (
        "api/unknown-library-member",
        'print(string.trim("  a  "))\n',
        1,
        "string.trim does not exist",
        'string.match(s, "^%s*(.-)%s*$")',
    ),
    ("api/unknown-library-member", "print(math.pie)\n", 1, "math.pie does not exist", "math.pi"),
    # A typo without a known alternative gets the closest real name.
    ("api/unknown-library-member", "print(math.florr(1.5))\n", 1, "math.florr", "math.floor"),
    ("api/unknown-member", "task.sleep(1)\n", 1, "task.sleep does not exist", "task.wait"),
    (
        "api/wrong-arg-count",
        "print(math.floor(1.5, 2))\n",
        1,
        "math.floor expects 1 argument, not 2",
        "1",
    ),
    (
        "api/wrong-arg-count",
        "print(CFrame.new(1, 2, 3, 4))\n",
        1,
        "CFrame.new expects 0, 1, 2, 3, 7 or 12 arguments, not 4",
        "CFrame.new",
    ),
    (
        "api/wrong-arg-count",
        "print(Vector3.new(1, 2, 3, 4))\n",
        1,
        "Vector3.new expects 0 to 3 arguments",
        "Vector3.new",
    ),
    (
        "api/color3-range",
        "print(Color3.new(255, 0, 0))\n",
        1,
        "0 to 1",
        "Color3.fromRGB(255, 0, 0)",
    ),
    ("api/udim2-two-numbers", "print(UDim2.new(0.5, 0.5))\n", 1, "two numbers", "fromScale"),
    ("api/udim2-two-numbers", "print(UDim2.new(200, 50))\n", 1, "two numbers", "fromOffset"),
    (
        "api/cframe-degrees",
        "print(CFrame.Angles(0, 180, 0))\n",
        1,
        "180 looks like degrees",
        "CFrame.Angles(0, math.rad(180), 0)",
    ),
]


@pytest.mark.parametrize(("rule_id", "code", "line", "message", "fix"), CASES)
def test_mistake_is_reported_with_the_api_meant(
    rule_id: str, code: str, line: int, message: str, fix: str
) -> None:
    found = findings(rule_id, code)
    assert len(found) == 1, found
    at, text, suggested = found[0]
    assert at == line
    assert message in text
    assert suggested is not None and fix in suggested


@pytest.mark.parametrize(
    ("rule_id", "code"),
    [
        # A local named like a library is not the library.
        ("api/unknown-library-member", "local math = {pie = 3}\nprint(math.pie)\n"),
        (
            "api/wrong-arg-count",
            "local function floor(a, b) end\nlocal math = {floor = floor}\n"
            "print(math.floor(1, 2))\n",
        ),
        # The last argument may expand to any number of values.
        (
            "api/wrong-arg-count",
            "local function two() return 1, 2 end\nprint(math.max(two()), string.sub(two()))\n",
        ),
        ("api/color3-range", "local r = 255\nprint(Color3.new(r / 255, 0, 0))\n"),
        ("api/instance-new-parent", 'local part = Instance.new("Part", nil)\n'),
    ],
)
def test_silent(rule_id: str, code: str) -> None:
    assert findings(rule_id, code) == []


def test_arity_specs() -> None:
    assert Arity.parse("2-3").accepts(3) and not Arity.parse("2-3").accepts(4)
    assert Arity.parse("1+").accepts(40) and not Arity.parse("1+").accepts(0)
    assert Arity.parse("0,2,4").accepts(2) and not Arity.parse("0,2,4").accepts(3)


def test_every_library_is_described_and_libraries_know_their_roblox_additions() -> None:
    index = curated_index()
    for name in (
        "string",
        "table",
        "math",
        "bit32",
        "buffer",
        "utf8",
        "coroutine",
        "os",
        "task",
        "debug",
    ):
        assert index.library(name) is not None, name
    assert index.signature("string.split") is not None
    assert index.signature("table.find") is not None
    # Every known mistake names a function that does not exist.
    for qualified in index.mistakes:
        lib, _, member = qualified.partition(".")
        library = index.library(lib)
        assert library is not None and not library.has(member), qualified
