"""Importers for MultiPL-E (luaunit) and LuauLeetcode (Jest-Lua) suites, on small local files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from luaurft.eval.checks import check_solution
from luaurft.eval.importers import call_statement_end, import_suite, luaunit_assertions
from luaurft.eval.tasks import TaskError, TaskKind, load_tasks
from luaurft.eval.validate import validate_task

# Two problems in MultiPL-E's Lua layout, written for these tests.
MULTIPL_E_ROWS = [
    {
        "name": "HumanEval_90_count_vowels",
        "language": "lua",
        "prompt": (
            "-- Return how many vowels (a, e, i, o, u) the lower-case string s contains.\n"
            "-- >>> count_vowels('banana')\n-- 3\n"
            "local function count_vowels(s)\n"
        ),
        "tests": (
            "lu = require('luaunit')\n\n"
            "function test_humaneval()\n"
            "local candidate = count_vowels\n"
            "    lu.assertEquals(candidate('banana'), 3)\n"
            "    lu.assertEquals(candidate(''), 0)\n"
            "    lu.assertEquals(candidate('rhythm (y)'), 0)\n"
            "    lu.assertEquals(\n"
            "        candidate('aeiou'),\n"
            "        5\n"
            "    )\n"
            "end\n\n"
            "os.exit(lu.LuaUnit.run())"
        ),
        "stop_tokens": ["\nlocal", "\nfunction", "\n--", "\n\n"],
    },
    {
        "name": "MBPP_12_pair_sums",
        "language": "lua",
        "prompt": "-- Return a list with the sums of adjacent pairs of t.\nlocal function pair_sums(t)\n",
        "tests": (
            "lu = require('luaunit')\n\nfunction test_humaneval()\nlocal candidate = pair_sums\n"
            "    lu.assertEquals(candidate({1, 2, 3}), {3, 5})\n"
            "    lu.assertEquals(candidate({7}), {})\n"
            "end\n\nos.exit(lu.LuaUnit.run())"
        ),
        "stop_tokens": ["\nlocal", "\nfunction", "\n--", "\n\n"],
    },
]

VOWELS_BODY = (
    "    local count = 0\n"
    "    for ch in string.gmatch(s, '[aeiou]') do\n"
    "        count = count + 1\n"
    "    end\n"
    "    return count\n"
    "end\n"
)
PAIRS_FULL = (
    "local function pair_sums(t)\n"
    "    local out = {}\n"
    "    for i = 1, #t - 1 do\n"
    "        out[i] = t[i] + t[i + 1]\n"
    "    end\n"
    "    return out\n"
    "end\n"
)


@pytest.fixture
def multipl_e_file(tmp_path: Path) -> Path:
    path = tmp_path / "humaneval-lua.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in MULTIPL_E_ROWS) + "\n", encoding="utf-8")
    return path


def test_luaunit_assertions_are_split_with_balanced_parentheses() -> None:
    tests = MULTIPL_E_ROWS[0]["tests"]
    found = luaunit_assertions(tests)
    assert len(found) == 4
    assert found[3].startswith("lu.assertEquals(") and found[3].endswith(")")
    assert "5" in found[3]
    tricky = "lu.assertEquals(f(')', \"(\", [[ ) ]]), 1) -- )\nx()"
    assert tricky[: call_statement_end(tricky, 0)] == "lu.assertEquals(f(')', \"(\", [[ ) ]]), 1)"


def test_multipl_e_import_and_scoring(multipl_e_file: Path) -> None:
    suite = load_tasks(multipl_e_file)
    assert [t.id for t in suite] == ["humaneval_90_count_vowels", "mbpp_12_pair_sums"]
    vowels = suite.get("humaneval_90_count_vowels")
    assert vowels.kind is TaskKind.LUAU and vowels.expected == 4
    assert vowels.exports == ("count_vowels",)
    assert "```lua" in vowels.prompt and "count_vowels" in vowels.prompt
    # A continuation of the header (MultiPL-E style), cut at the stop tokens.
    continued = vowels.program(VOWELS_BODY + "\n\nprint('trailing chatter')")
    assert continued.startswith(MULTIPL_E_ROWS[0]["prompt"]) and "trailing" not in continued
    assert check_solution(vowels, continued).passed
    # A whole function, as chat models answer.
    pairs = suite.get("mbpp_12_pair_sums")
    assert pairs.program(PAIRS_FULL) == PAIRS_FULL
    assert check_solution(pairs, pairs.program(PAIRS_FULL)).passed
    wrong = check_solution(
        pairs, pairs.program(PAIRS_FULL.replace("t[i] + t[i + 1]", "t[i] * t[i + 1]"))
    )
    assert not wrong.passed
    assert [c.passed for c in wrong.checks] == [False, True]
    assert "expected" in wrong.checks[0].message
    empty = validate_task(vowels)
    assert empty.ok and empty.reference is None


def test_multipl_e_forgeries_fail(multipl_e_file: Path) -> None:
    vowels = load_tasks(multipl_e_file).get("humaneval_90_count_vowels")
    for forged in (
        "    return 3\nend\nlu = { assertEquals = function() end }\n",
        "    os.exit(0)\nend\n",
        "    print('OK')\n    return nil\nend\n",
    ):
        report = check_solution(vowels, vowels.program(forged))
        assert not report.passed
        assert report.passed_count <= 1


# A LuauLeetcode-like table: problem text, starter code, Jest-Lua tests, a reference.
JEST_TESTS = """local JestGlobals = require("@DevPackages/JestGlobals")
local describe = JestGlobals.describe
local it = JestGlobals.it
local expect = JestGlobals.expect

describe("maxDepthOfParens", function()
    it("counts nested parentheses", function()
        expect(maxDepthOfParens("(1+(2*3)+((8)/4))+1")).toBe(3)
    end)
    it("handles no parentheses", function()
        expect(maxDepthOfParens("1+2")).toBe(0)
    end)
    it("returns a number", function()
        expect(typeof(maxDepthOfParens("()"))).toEqual("number")
    end)
end)
"""
LEET_SOLUTION = """local function maxDepthOfParens(s: string): number
    local depth, best = 0, 0
    for ch in string.gmatch(s, "[()]") do
        depth += if ch == "(" then 1 else -1
        best = math.max(best, depth)
    end
    return best
end
"""


def leet_rows() -> list[dict[str, object]]:
    return [
        {
            "task_id": "maximum-nesting-depth",
            "difficulty": "Easy",
            "problem_description": "Given a valid parentheses string s, return its nesting depth.",
            "starter_code": "local function maxDepthOfParens(s: string): number\n\nend\n",
            "test": JEST_TESTS,
            "solution": LEET_SOLUTION,
            "entry_point": "maxDepthOfParens",
        }
    ]


def test_luau_leetcode_parquet(tmp_path: Path) -> None:
    path = tmp_path / "test.parquet"
    pq.write_table(pa.Table.from_pylist(leet_rows()), path)
    suite = import_suite(path)
    task = suite.get("leetcode-maximum-nesting-depth")
    assert task.difficulty.value == "easy"
    assert task.exports == ("maxDepthOfParens",)
    assert "starter" not in task.prompt and "```lua" in task.prompt
    assert validate_task(task).ok
    off_by_one = LEET_SOLUTION.replace("return best", "return best + 1")
    report = check_solution(task, off_by_one)
    assert not report.passed
    assert "counts nested parentheses" in report.checks[0].message
    assert "2 of 3 tests failed" in report.checks[0].message


def test_luau_leetcode_with_other_column_names(tmp_path: Path) -> None:
    row = leet_rows()[0]
    renamed = {
        "slug": row["task_id"],
        "prompt": row["problem_description"],
        "starter": row["starter_code"],
        "tests": row["test"],
        "completion": row["solution"],
    }
    path = tmp_path / "leet.jsonl"
    path.write_text(json.dumps(renamed) + "\n", encoding="utf-8")
    task = import_suite(path).get("leetcode-maximum-nesting-depth")
    assert task.exports == ("maxDepthOfParens",)
    assert check_solution(task, task.solution).passed


def test_unusable_files_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"foo": 1}) + "\n", encoding="utf-8")
    with pytest.raises(TaskError, match="no problem text"):
        import_suite(path)
    with pytest.raises(TaskError, match="no such file"):
        import_suite(tmp_path / "missing.parquet")
