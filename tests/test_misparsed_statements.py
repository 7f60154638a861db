"""Findings where tree-sitter's grammar misreads code that Luau compiles.

The grammar lags the language: a class type written `typeof(setmetatable({} ::
{...}, ...))` or a generic function type `<A, B>(...) -> ...` parses with ERROR
nodes although Luau compiles it. Rules that read the tree must not report on the
misread statement (real @quenty and @rbxts packages drew false arity and
unknown-global warnings there); rules that read the text still do, and the rest
of the file is checked as usual.
"""

from __future__ import annotations

from luaurft.luau.source import LuauSource
from luaurft.scoring import score_source

CLASS_TYPE = (
    "local BaseObject = {}\n"
    "local Stack = setmetatable({}, BaseObject)\n"
    "export type Stack = typeof(setmetatable(\n"
    "\t{} :: {\n"
    "\t\t_items: { number },\n"
    "\t},\n"
    "\t{} :: typeof({ __index = Stack })\n"
    "))\n"
    "return Stack\n"
)

GENERIC_OVERLOADS = (
    "export type Select = (<R, A>(a: () -> A, f: (A) -> R) -> () -> R)\n"
    "\t& (<R, A, B, C>(a: () -> A, b: () -> B, c: () -> C, f: (A, B, C) -> R) -> () -> R)\n"
    "return {}\n"
)


def rules_at(code: str) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in score_source(code).findings}


def test_the_shapes_compile_but_the_grammar_misreads_them() -> None:
    for code in (CLASS_TYPE, GENERIC_OVERLOADS):
        source = LuauSource(code)
        assert source.compiles and source.tree_has_errors
        assert source.misparsed_lines
    assert LuauSource(CLASS_TYPE).misparsed_lines[0] == (3, 8)
    assert LuauSource("local x = 1\nreturn x\n").misparsed_lines == ()


def test_no_tree_finding_inside_a_misread_statement() -> None:
    assert not any(rule == "api/wrong-arg-count" for rule, _ in rules_at(CLASS_TYPE))
    assert not any(rule == "bug/unknown-global" for rule, _ in rules_at(GENERIC_OVERLOADS))


def test_the_rest_of_the_file_is_still_checked() -> None:
    code = CLASS_TYPE.replace(
        "return Stack\n",
        "local other = setmetatable({}, BaseObject, 3)\nprint(undefinedName, other)\nreturn Stack\n",
    )
    found = rules_at(code)
    assert ("api/wrong-arg-count", 9) in found
    assert ("bug/unknown-global", 10) in found


def test_text_rules_still_report_inside_a_misread_statement() -> None:
    code = CLASS_TYPE.replace(
        "\t\t_items: { number },\n", "\t\t_items: { number }, -- TODO: typed items\n"
    )
    assert ("quality/todo-marker", 5) in rules_at(code)
