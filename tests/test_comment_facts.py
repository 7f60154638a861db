"""The code line each comment annotates (`analysis.comments.comment_facts`)."""

from __future__ import annotations

from luaurft.luau.kind import ScriptKind
from luaurft.luau.source import LuauSource
from luaurft.scoring.analysis.comments import comment_facts
from luaurft.scoring.rule import RuleContext


def _codes(code: str) -> list[str]:
    ctx = RuleContext(source=LuauSource(code), kind=ScriptKind.MODULE_SCRIPT)
    return [fact.code for fact in comment_facts(ctx)]


def test_a_run_of_comments_annotates_the_code_after_it() -> None:
    code = (
        "-- one\n-- two\n--[[ three\n]]\n-- four\nlocal a = 1 -- trailing\n\n-- five\n\nprint(a)\n"
    )
    assert _codes(code) == ["local a = 1"] * 4 + ["local a = 1", ""]


def test_code_before_a_comment_on_its_line_is_what_it_annotates() -> None:
    assert _codes("local a = 1 -- one\n-- two\nprint(a)\n") == ["local a = 1", "print(a)"]
