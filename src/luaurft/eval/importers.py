"""Importers for public Lua/Luau suites the user has locally, as plain-Luau tasks.

- **MultiPL-E** (HumanEval/MBPP translated to Lua): JSONL rows with `name`,
  `prompt` (a function header the model continues), `tests` (luaunit code:
  `lu.assertEquals(candidate(...), ...)` inside `test_humaneval`) and
  `stop_tokens`. Each top-level assertion becomes one check run against the
  trusted luaunit shim; a completion that only continues the header is
  appended to it and cut at the stop tokens, as MultiPL-E does.
- **LuauLeetcode** (TorpedoSoftware, Jest-Lua tests): a Parquet (or JSONL)
  table. Columns are found by name, tolerantly: the problem text
  (`problem_description`, `prompt`, `problem`, ...), the starter code
  (`starter_code`), the tests (`test`, `tests`), a reference (`solution`,
  `completion`, ...) and an id. The test file becomes one check run with the
  Jest shim (`describe`/`it`/`expect`); every failing `it` is reported.

Both run in a fresh sealed VM with the solution's functions handed to the
checks (see `luaurft.eval.checks`), so the same forgery rules hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from luaurft.eval.tasks import Check, Task, TaskError, TaskKind, TaskSuite

MULTIPLE_STOP_TOKENS = ("\nlocal", "\nfunction", "\n--", "\n\n")
_ID_CHARS = re.compile(r"[^a-z0-9._-]+")
_FUNCTION_NAME = re.compile(r"(?m)^\s*(?:local\s+)?function\s+([A-Za-z_][\w.:]*)\s*\(")
_CANDIDATE = re.compile(r"(?m)^\s*local\s+candidate\s*=\s*([A-Za-z_]\w*)")


def _task_id(value: str, prefix: str) -> str:
    slug = _ID_CHARS.sub("-", value.strip().lower()).strip("-.") or "task"
    return slug if slug.startswith(prefix) else f"{prefix}{slug}"


# -- Lua text scanning --------------------------------------------------------------------


def _long_bracket(text: str, i: int) -> int | None:
    """If a long bracket `[==[` opens at i, the index just past its closing bracket."""
    m = re.match(r"\[(=*)\[", text[i:])
    if not m:
        return None
    close = "]" + m.group(1) + "]"
    end = text.find(close, i + m.end())
    return len(text) if end < 0 else end + len(close)


def _skip_string_or_comment(text: str, i: int) -> int | None:
    """The index past a string or comment starting at i, or None if none starts there."""
    ch = text[i]
    if ch in "\"'":
        j = i + 1
        while j < len(text) and text[j] != ch:
            j += 2 if text[j] == "\\" else 1
        return j + 1
    if text.startswith("--", i):
        long_end = _long_bracket(text, i + 2)
        if long_end is not None:
            return long_end
        newline = text.find("\n", i)
        return len(text) if newline < 0 else newline
    if ch == "[":
        return _long_bracket(text, i)
    return None


def call_statement_end(text: str, start: int) -> int:
    """End of the call statement that starts at `start` (balanced parentheses)."""
    depth = 0
    i = start
    seen_open = False
    while i < len(text):
        skipped = _skip_string_or_comment(text, i)
        if skipped is not None:
            i = skipped
            continue
        ch = text[i]
        if ch in "({[":
            depth += 1
            seen_open = True
        elif ch in ")}]":
            depth -= 1
            if depth == 0 and seen_open:
                return i + 1
        i += 1
    return len(text)


_ASSERT_START = re.compile(r"(?m)^[ \t]*(lu\.assert\w*|lu\.fail)\s*\(")


def luaunit_assertions(tests: str) -> list[str]:
    """The top-level `lu.assert...(...)` statements of a MultiPL-E test function."""
    out: list[str] = []
    position = 0
    for match in _ASSERT_START.finditer(tests):
        if match.start() < position:
            continue
        end = call_statement_end(tests, match.start(1))
        out.append(tests[match.start(1) : end].strip())
        position = end
    return out


def _clean_luaunit(tests: str) -> str:
    lines = []
    for line in tests.splitlines():
        stripped = line.strip()
        if re.match(r"^(local\s+)?lu\s*=\s*require", stripped) or stripped.startswith("os.exit("):
            continue
        lines.append(line)
    return "\n".join(lines)


# -- MultiPL-E --------------------------------------------------------------------------------


def multipl_e_task(row: Mapping[str, Any], *, suite: str = "multipl-e") -> Task:
    """One MultiPL-E row as a plain-Luau task."""
    name = str(row.get("name") or row.get("task_id") or "")
    prompt_code = str(row.get("prompt") or "")
    tests = str(row.get("tests") or row.get("test") or "")
    if not name or not prompt_code.strip() or not tests.strip():
        raise TaskError(f"{suite}: a row needs name, prompt and tests (got keys {sorted(row)})")
    candidate = _CANDIDATE.search(tests)
    defined = _FUNCTION_NAME.findall(prompt_code)
    entry = candidate.group(1) if candidate else (defined[-1] if defined else "")
    if not entry:
        raise TaskError(f"{suite}: {name}: cannot tell which function the tests call")
    stops = row.get("stop_tokens")
    stop = (
        tuple(str(s) for s in stops) if isinstance(stops, list) and stops else MULTIPLE_STOP_TOKENS
    )
    body = _clean_luaunit(tests)
    assertions = luaunit_assertions(body)
    if assertions:
        checks = [
            Check(name=f"assertion {i}", body=f"local candidate = {entry}\n{statement}")
            for i, statement in enumerate(assertions, start=1)
        ]
    else:
        runner = "test_humaneval" if "test_humaneval" in body else None
        call = f"\n{runner}()" if runner else ""
        checks = [Check(name="tests", body=body + call)]
    instruction = (
        "Complete the following Lua function. Answer with the complete function in one "
        "Lua code block.\n\n```lua\n" + prompt_code.rstrip() + "\n```"
    )
    solution = row.get("canonical_solution") or row.get("solution") or ""
    return Task(
        id=_task_id(name, ""),
        prompt=instruction,
        kind=TaskKind.LUAU,
        category=suite,
        tags=("multipl-e", "lua"),
        checks=tuple(checks),
        solution=str(solution),
        exports=(entry,),
        prefix=prompt_code,
        stop=stop,
        source=suite,
    )


def multipl_e_tasks(rows: Iterable[Mapping[str, Any]], *, suite: str = "multipl-e") -> list[Task]:
    return [multipl_e_task(row, suite=suite) for row in rows]


# -- LuauLeetcode (Jest-Lua) ----------------------------------------------------------------------

PROBLEM_COLUMNS = (
    "problem_description",
    "prompt",
    "problem",
    "question",
    "description",
    "query",
    "content",
)
STARTER_COLUMNS = ("starter_code", "starter", "signature", "code_prompt")
TEST_COLUMNS = ("test", "tests", "test_code", "test_cases", "jest_test")
SOLUTION_COLUMNS = (
    "solution",
    "canonical_solution",
    "completion",
    "reference",
    "response",
    "answer",
)
ID_COLUMNS = ("task_id", "slug", "question_id", "id", "name", "title")


def _first(row: Mapping[str, Any], names: Sequence[str]) -> str:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value
        if (
            value is not None
            and not isinstance(value, str | bytes | dict | list)
            and name in ID_COLUMNS
        ):
            return str(value)
    return ""


def _exports(starter: str, entry_point: str) -> tuple[str, ...]:
    names: list[str] = []
    if entry_point:
        tail = re.findall(r"[A-Za-z_]\w*", entry_point)
        if tail:
            names.append(tail[-1])
    for found in _FUNCTION_NAME.findall(starter):
        root = re.split(r"[.:]", found)[0]
        if root not in names:
            names.append(root)
    for found in re.findall(r"(?m)^\s*local\s+([A-Za-z_]\w*)\s*=\s*\{\s*\}", starter):
        if found not in names:
            names.append(found)
    return tuple(names)


def _clean_jest(tests: str, exports: Sequence[str]) -> str:
    """Drop `local NAME = require(...)` lines for names the solution provides."""
    lines = []
    for line in tests.splitlines():
        m = re.match(r"^\s*local\s+([A-Za-z_]\w*)\s*=\s*require\s*\(", line)
        if m and m.group(1) in exports:
            continue
        lines.append(line)
    return "\n".join(lines)


def leetcode_task(row: Mapping[str, Any], *, number: int = 0, suite: str = "luau-leetcode") -> Task:
    problem = _first(row, PROBLEM_COLUMNS)
    tests = _first(row, TEST_COLUMNS)
    if not problem or not tests:
        raise TaskError(
            f"{suite}: row {number} has no problem text or tests; columns are {sorted(row)}"
        )
    starter = _first(row, STARTER_COLUMNS)
    entry = str(row.get("entry_point") or "")
    exports = _exports(starter, entry)
    if not exports:
        exports = tuple(dict.fromkeys(re.findall(r"\bexpect\(\s*([A-Za-z_]\w*)\s*\(", tests)))
    ident = _first(row, ID_COLUMNS) or f"{number}"
    prompt = problem.strip()
    if starter.strip():
        prompt += (
            "\n\nWrite the solution in Luau, starting from this code, and answer with the "
            "complete code in one Luau code block:\n\n```lua\n" + starter.rstrip() + "\n```"
        )
    difficulty = str(row.get("difficulty") or "medium").lower()
    tags = row.get("tags")
    return Task(
        id=_task_id(ident, "leetcode-"),
        prompt=prompt,
        kind=TaskKind.LUAU,
        category=suite,
        difficulty=difficulty if difficulty in ("easy", "medium", "hard") else "medium",
        tags=tuple(str(t) for t in tags) if isinstance(tags, list | tuple) else ("leetcode",),
        checks=(Check(name="tests", body=_clean_jest(tests, exports)),),
        solution=_first(row, SOLUTION_COLUMNS),
        exports=exports,
        source=suite,
    )


def leetcode_tasks(
    rows: Iterable[Mapping[str, Any]], *, suite: str = "luau-leetcode"
) -> list[Task]:
    return [leetcode_task(row, number=i, suite=suite) for i, row in enumerate(rows)]


# -- files --------------------------------------------------------------------------------------


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
    elif path.suffix == ".jsonl":
        rows = [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    elif path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data if isinstance(data, list) else data.get("rows") or data.get("data") or []
    else:
        raise TaskError(f"{path}: expected a .jsonl, .json or .parquet file")
    return [r for r in rows if isinstance(r, dict)]


def _is_multipl_e(row: Mapping[str, Any]) -> bool:
    tests = str(row.get("tests") or "")
    return "stop_tokens" in row or "luaunit" in tests or "lu.assert" in tests


def import_suite(path: str | Path, *, name: str | None = None) -> TaskSuite:
    """Tasks from a MultiPL-E JSONL or a LuauLeetcode Parquet/JSONL file (detected per file)."""
    p = Path(path)
    if not p.exists():
        raise TaskError(f"{p}: no such file")
    rows = _read_rows(p)
    if not rows:
        raise TaskError(f"{p} holds no rows")
    suite = name or p.stem
    if _is_multipl_e(rows[0]):
        tasks = multipl_e_tasks(rows, suite=f"multipl-e:{suite}")
    else:
        tasks = leetcode_tasks(rows, suite=f"luau-leetcode:{suite}")
    return TaskSuite(str(p), tuple(tasks))


__all__ = [
    "MULTIPLE_STOP_TOKENS",
    "call_statement_end",
    "import_suite",
    "leetcode_task",
    "leetcode_tasks",
    "luaunit_assertions",
    "multipl_e_task",
    "multipl_e_tasks",
]
