"""The shared scope analysis resolves Luau names the way the Luau compiler does."""

from __future__ import annotations

from luaurft.luau import LuauSource, detect_kind
from luaurft.scoring import score_source
from luaurft.scoring.analysis.scope import DeclKind, ScopeAnalysis, analyze_scopes, scope_analysis
from luaurft.scoring.rule import RuleContext


def _analyze(code: str) -> ScopeAnalysis:
    return analyze_scopes(LuauSource(code))


def _decl(analysis: ScopeAnalysis, name: str, nth: int = 0):
    found = [d for d in analysis.declarations if d.name == name]
    return found[nth]


def _lines(refs) -> list[int]:
    return [r.node.start_point[0] + 1 for r in refs]


def test_type_annotations_are_not_variable_references() -> None:
    code = (
        "local Types = require(script.Types)\n"
        "local count: number = 0\n"
        "local item: Types.Item? = nil\n"
        "type Pair<T> = { first: T, second: Unknown }\n"
        "export type Shape = Types.Shape | string\n"
        "local function id<T>(value: T): T return value end\n"
        "print(count :: number, item, id)\n"
    )
    analysis = _analyze(code)
    assert set(analysis.global_reads) == {"require", "script", "print"}
    types = _decl(analysis, "Types")
    assert types.reads == [] and types.type_uses == 2 and types.used
    assert _lines(_decl(analysis, "value").reads) == [6]


def test_typeof_inside_a_type_reads_its_expression() -> None:
    analysis = _analyze("local template = {}\ntype T = typeof(template)\nreturn nil :: T?\n")
    assert _lines(_decl(analysis, "template").reads) == [2]


def test_compound_assignment_reads_and_writes() -> None:
    analysis = _analyze("local n = 0\nn += 1\nlocal t = {}\nt.x += n\n")
    n = _decl(analysis, "n")
    assert _lines(n.reads) == [2, 4]
    assert _lines(n.writes) == [2]
    assert _lines(_decl(analysis, "t").reads) == [4]


def test_string_interpolation_holds_expressions() -> None:
    analysis = _analyze("local name = 'a'\nlocal n = 1\nprint(`hi {name}, {n + 1} {{literal}}`)\n")
    assert _decl(analysis, "name").used and _decl(analysis, "n").used


def test_if_expression_and_table_keys() -> None:
    analysis = _analyze(
        "local a, key, value = 1, 'k', 2\nlocal t = { a = 1, [key] = value }\n"
        "return if a then t else nil\n"
    )
    assert _lines(_decl(analysis, "a").reads) == [3]  # `a = 1` in the table is a key
    assert _decl(analysis, "key").used and _decl(analysis, "value").used


def test_methods_declare_self_and_varargs_are_tracked() -> None:
    analysis = _analyze(
        "local Class = {}\nfunction Class:get(...)\n\treturn self.value, ...\nend\n"
        "function Class.static(x)\n\treturn self\nend\n"
    )
    self_decl = _decl(analysis, "self")
    assert self_decl.kind is DeclKind.SELF and _lines(self_decl.reads) == [3]
    method = next(f for f in analysis.functions if f.name == "Class:get")
    assert method.is_method and method.has_vararg and method.uses_vararg
    # `self` in a function declared with `.` is not a parameter: a global read.
    assert _lines(analysis.global_reads["self"]) == [6]


def test_local_function_sees_itself_but_local_function_value_does_not() -> None:
    analysis = _analyze(
        "local function fact(n)\n\treturn if n <= 1 then 1 else n * fact(n - 1)\nend\n"
        "local loop = function()\n\treturn loop\nend\n"
    )
    assert _lines(_decl(analysis, "fact").reads) == [2]
    assert _decl(analysis, "loop").reads == []
    assert _lines(analysis.global_reads["loop"]) == [5]
    fact = next(f for f in analysis.functions if f.name == "fact")
    assert fact.declaration is _decl(analysis, "fact")


def test_repeat_until_condition_sees_body_locals() -> None:
    analysis = _analyze("repeat\n\tlocal done = math.random() > 0.5\nuntil done\n")
    assert _lines(_decl(analysis, "done").reads) == [3]
    assert "done" not in analysis.global_reads


def test_local_initialiser_sees_the_outer_name() -> None:
    analysis = _analyze("local x = 1\ndo\n\tlocal x = x + 1\n\tprint(x)\nend\n")
    outer, inner = _decl(analysis, "x", 0), _decl(analysis, "x", 1)
    assert _lines(outer.reads) == [3]
    assert _lines(inner.reads) == [4]
    assert inner.shadows is outer


def test_loop_variables_are_scoped_to_their_loop() -> None:
    analysis = _analyze(
        "for i = 1, 3 do print(i) end\nfor k, v in pairs({}) do print(v) end\nprint(i, k)\n"
    )
    assert _lines(_decl(analysis, "i").reads) == [1]
    assert _decl(analysis, "k").kind is DeclKind.LOOP_VARIABLE
    assert [d.name for d in _decl(analysis, "k").group] == ["k", "v"]
    assert _lines(analysis.global_reads["i"]) == [3]


def test_globals_written_and_read() -> None:
    analysis = _analyze("counter = 0\nfunction bump()\n\tcounter += 1\nend\nbump()\n")
    assert set(analysis.global_writes) == {"counter", "bump"}
    assert _lines(analysis.global_reads["counter"]) == [3]


def test_declaration_groups_keep_their_values() -> None:
    analysis = _analyze("local ok, err = pcall(print)\n")
    ok = _decl(analysis, "ok")
    assert [d.name for d in ok.group] == ["ok", "err"]
    assert ok.value is not None and ok.value.type == "function_call"
    assert _decl(analysis, "err").value is None


def test_parse_errors_make_the_analysis_partial() -> None:
    analysis = _analyze("local x = 1\n@native\nlocal function f() return x end\n")
    assert analysis.partial
    assert not analysis.reliable(_decl(analysis, "x"))
    clean = _analyze("local x = 1\nprint(x)\n")
    assert not clean.partial and clean.reliable(_decl(clean, "x"))


def test_deeply_nested_code_does_not_exhaust_recursion() -> None:
    code = "local a = 1\nlocal s = " + " .. ".join(["a"] * 3000) + "\nprint(s)\n"
    analysis = _analyze(code)
    assert len(_decl(analysis, "a").reads) == 3000


def test_shared_through_the_rule_context() -> None:
    code = "local x = 1\nprint(x)\n"
    ctx = RuleContext(source=LuauSource(code), kind=detect_kind(code))
    assert scope_analysis(ctx) is scope_analysis(ctx)


def test_global_references_are_in_reading_order() -> None:
    # The walk reads `print`'s direct argument before it enters the nested call.
    code = "print(tostring(\n\tmissingValue\n), missingValue)\nmissingTable = 1\nmissingTable = 2\n"
    analysis = _analyze(code)
    assert _lines(analysis.global_reads["missingValue"]) == [2, 3]
    assert _lines(analysis.global_writes["missingTable"]) == [4, 5]
    card = score_source(code)
    unknown = [f for f in card.findings if f.rule == "bug/unknown-global"]
    assert [f.line for f in unknown] == [2]
