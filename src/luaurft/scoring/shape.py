"""The shape of a piece of Luau: its functions, statements, dead code, stubs and comments.

Quality rules, the quality scorer and the substance formula
(`luaurft.scoring.substance`) all read these facts, so they are computed once
per `RuleContext` (through `ctx.memo`) from the source's single shared walk
(`LuauSource.nodes`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from luaurft.scoring import prose
from luaurft.scoring.analysis.scope import scope_analysis

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext

FUNCTION_TYPES: tuple[str, ...] = ("function_declaration", "function_definition")
CONTROL_TYPES: tuple[str, ...] = (
    "if_statement",
    "for_statement",
    "while_statement",
    "repeat_statement",
    "do_statement",
)
STATEMENT_TYPES: tuple[str, ...] = (
    "variable_declaration",
    "assignment_statement",
    "update_statement",
    "function_call",
    "function_declaration",
    "return_statement",
    "break_statement",
    "continue_statement",
    "type_definition",
    "empty_statement",
    *CONTROL_TYPES,
)
LITERAL_TYPES: frozenset[str] = frozenset({"number", "string", "true", "false", "nil"})

# A marked function whose own statements are worth at most this (one print, a
# literal return) is a stub.
STUB_WORK_MAX = 0.5


# Calls that only wrap other code: the wrapped statements count, the wrapper not.
WRAPPER_CALLS: frozenset[str] = frozenset({"pcall", "xpcall"})


# -- small helpers ---------------------------------------------------------


def is_statement(node: tree_sitter.Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type in ("block", "chunk") and node.type in STATEMENT_TYPES


def block_statements(block: tree_sitter.Node | None) -> list[tree_sitter.Node]:
    """The statements of a block or chunk, comments left out."""
    if block is None:
        return []
    return [c for c in block.named_children if c.type in STATEMENT_TYPES]


def statements(ctx: RuleContext) -> list[tuple[tree_sitter.Node, list[tree_sitter.Node]]]:
    """Every block (the chunk first) with its statements, from one pass over the block index."""

    def compute() -> list[tuple[tree_sitter.Node, list[tree_sitter.Node]]]:
        source = ctx.source
        return [(b, block_statements(b)) for b in (source.root, *source.nodes("block"))]

    result: list[tuple[tree_sitter.Node, list[tree_sitter.Node]]] = ctx.memo(
        "shape.statements", compute
    )
    return result


def callee_name(source: LuauSource, call: tree_sitter.Node) -> str:
    """`print`, `task.wait`, `Players:GetPlayers` (the call's name part as written)."""
    name = call.child_by_field_name("name")
    return source.node_text(name) if name is not None else ""


def is_literal(node: tree_sitter.Node) -> bool:
    """A constant: a number, string, boolean, nil, or a table of constants."""
    if node.type in LITERAL_TYPES:
        return not any(c.type == "interpolation" for c in node.children)
    if node.type == "table_constructor":
        for field in node.named_children:
            if field.type != "field":
                continue
            value = field.child_by_field_name("value")
            if value is None or not is_literal(value):
                return False
        return True
    if node.type == "unary_expression":
        operand = node.child_by_field_name("operand")
        return operand is not None and is_literal(operand)
    return False


def _first_of_type(node: tree_sitter.Node, kind: str) -> tree_sitter.Node | None:
    """The first named child of type `kind`."""
    for child in node.named_children:
        if child.type == kind:
            return child
    return None


def contains(outer: tree_sitter.Node, inner: tree_sitter.Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


# -- functions -------------------------------------------------------------


@dataclass(frozen=True)
class FunctionInfo:
    node: tree_sitter.Node
    name: str | None  # None for an anonymous function
    name_node: tree_sitter.Node | None
    is_local: bool
    body: tree_sitter.Node | None
    params: tuple[tree_sitter.Node, ...]  # `parameter` nodes
    has_vararg: bool

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    @property
    def label(self) -> str:
        return f"function '{self.name}'" if self.name else "anonymous function"


def _function_info(source: LuauSource, node: tree_sitter.Node) -> FunctionInfo:
    name_node = node.child_by_field_name("name")
    is_local = node.type == "function_declaration" and any(c.type == "local" for c in node.children)
    params_node = node.child_by_field_name("parameters")
    params = (
        tuple(c for c in params_node.named_children if c.type == "parameter") if params_node else ()
    )
    has_vararg = any(any(g.type == "vararg_expression" for g in p.children) for p in params)
    name = source.node_text(name_node) if name_node is not None else None
    if name is None and node.type == "function_definition":
        name, name_node = _assigned_name(source, node)
        is_local = name_node is not None and _is_local_binding(name_node)
    return FunctionInfo(
        node=node,
        name=name,
        name_node=name_node,
        is_local=is_local,
        body=node.child_by_field_name("body"),
        params=params,
        has_vararg=has_vararg,
    )


def _assigned_name(
    source: LuauSource, fn: tree_sitter.Node
) -> tuple[str | None, tree_sitter.Node | None]:
    # `local name = function() end` and `M.name = function() end`: the function
    # is the only value of a one-target assignment.
    values = fn.parent
    if values is None or values.type != "expression_list" or values.named_child_count != 1:
        return None, None
    assignment = values.parent
    if (
        assignment is None
        or assignment.type != "assignment_statement"
        or not assignment.named_children
    ):
        return None, None
    targets = assignment.named_children[0].children_by_field_name("name")
    if len(targets) != 1:
        return None, None
    return source.node_text(targets[0]), targets[0]


def _is_local_binding(name_node: tree_sitter.Node) -> bool:
    # identifier <- variable_list <- assignment_statement <- variable_declaration
    node: tree_sitter.Node | None = name_node
    for _ in range(3):
        node = node.parent if node is not None else None
    return (
        name_node.type == "identifier" and node is not None and node.type == "variable_declaration"
    )


def functions(ctx: RuleContext) -> list[FunctionInfo]:
    """Every function in the code, in document order."""

    def compute() -> list[FunctionInfo]:
        return [_function_info(ctx.source, n) for n in ctx.source.nodes(*FUNCTION_TYPES)]

    result: list[FunctionInfo] = ctx.memo("shape.functions", compute)
    return result


def innermost_function(ctx: RuleContext, node: tree_sitter.Node) -> FunctionInfo | None:
    """The innermost function whose body holds `node`, found from function spans (no parent walk)."""
    spans: tuple[list[int], list[FunctionInfo]] = ctx.memo(
        "shape.function_spans",
        lambda: ([f.node.start_byte for f in functions(ctx)], functions(ctx)),
    )
    starts, infos = spans
    index = bisect.bisect_right(starts, node.start_byte) - 1
    while index >= 0:
        candidate = infos[index].node
        if candidate.end_byte >= node.end_byte and candidate.start_byte < node.start_byte:
            return infos[index]
        index -= 1
    return None


def is_empty_body(fn: FunctionInfo) -> bool:
    return not block_statements(fn.body) or all(
        s.type == "empty_statement" for s in block_statements(fn.body)
    )


# -- references --------------------------------------------------------------


def unused_local_functions(ctx: RuleContext) -> list[FunctionInfo]:
    """Script-private functions (local, or global by plain name) never read outside their own body.

    Reads are the scope analysis's: a call of a same-named parameter or field is
    not a use. Where a parse error may hide a use, the function counts as used:
    the rule errs towards silence, never towards a false "unused".
    """

    def compute() -> list[FunctionInfo]:
        # A global `function name()` is as private as a local one: every script
        # has its own environment, and a module exports only what it returns.
        candidates = [
            fn
            for fn in functions(ctx)
            if fn.name_node is not None
            and fn.name
            and not fn.name.startswith("_")
            and (
                fn.is_local
                or (fn.node.type == "function_declaration" and fn.name_node.type == "identifier")
            )
        ]
        if not candidates:
            return []
        scopes = scope_analysis(ctx)
        unused = []
        for fn in candidates:
            assert fn.name is not None and fn.name_node is not None
            decl = scopes.declaration(fn.name_node)
            if decl is not None:
                if decl.type_uses or not scopes.reliable(decl):
                    continue
                reads = decl.reads
            elif scopes.partial:
                continue
            else:
                reads = scopes.global_reads.get(fn.name, [])
            if not any(not contains(fn.node, read.node) for read in reads):
                unused.append(fn)
        return unused

    result: list[FunctionInfo] = ctx.memo("shape.unused_local_functions", compute)
    return result


# -- dead code -------------------------------------------------------------


@dataclass(frozen=True)
class DeadCode:
    """A region that never runs or does nothing: `node` spans it, `reason` says why."""

    node: tree_sitter.Node
    start_byte: int
    end_byte: int
    reason: str


def _always_exits(source: LuauSource, stmt: tree_sitter.Node) -> bool:
    if stmt.type in ("return_statement", "break_statement", "continue_statement"):
        return True
    if stmt.type == "function_call":
        return callee_name(source, stmt) == "error"
    if stmt.type == "do_statement":
        body = block_statements(stmt.child_by_field_name("body"))
        return bool(body) and _always_exits(source, body[-1])
    if stmt.type == "if_statement":
        branches: list[tree_sitter.Node | None] = [stmt.child_by_field_name("consequence")]
        has_else = False
        for alt in stmt.children_by_field_name("alternative"):
            if alt.type == "else_statement":
                has_else = True
                branches.append(_first_block(alt))
            else:
                branches.append(alt.child_by_field_name("consequence"))
        if not has_else:
            return False
        for block in branches:
            stmts = block_statements(block)
            if not stmts or not _always_exits(source, stmts[-1]):
                return False
        return True
    return False


def _first_block(node: tree_sitter.Node) -> tree_sitter.Node | None:
    for child in node.named_children:
        if child.type == "block":
            return child
    return None


_UNKNOWN = object()
_COMPARISONS = {
    "==": lambda a, b: a == b,
    "~=": lambda a, b: a != b,
}
_ORDERINGS = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _constant_value(source: LuauSource, node: tree_sitter.Node) -> object:
    """The value of a literal number, string, boolean or nil; `_UNKNOWN` for anything else."""
    if node.type in ("true", "false"):
        return node.type == "true"
    if node.type == "nil":
        return None
    if node.type == "number":
        try:
            return float(source.node_text(node))
        except ValueError:
            return _UNKNOWN
    if node.type == "string" and not any(c.type == "interpolation" for c in node.children):
        content = next((c for c in node.named_children if c.type == "string_content"), None)
        return source.node_text(content) if content is not None else ""
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return _constant_value(source, node.named_children[0])
    if node.type == "unary_expression" and node.child_count == 2:
        operand = _constant_value(source, node.children[1])
        if node.children[0].type == "not" and operand is not _UNKNOWN:
            return operand is None or operand is False
        return _UNKNOWN
    if node.type == "binary_expression" and node.child_count == 3:
        left, operator, right = node.children
        a, b = _constant_value(source, left), _constant_value(source, right)
        if a is _UNKNOWN or b is _UNKNOWN:
            return _UNKNOWN
        if operator.type in _COMPARISONS:
            return _COMPARISONS[operator.type](a, b)
        if operator.type in _ORDERINGS and type(a) is type(b) and isinstance(a, (float, str)):
            return _ORDERINGS[operator.type](a, b)
    return _UNKNOWN


def _is_constant_false(source: LuauSource, node: tree_sitter.Node | None) -> bool:
    """`false`, `nil`, `1 == 2`, `not true`: a condition that can never hold."""
    if node is None:
        return False
    value = _constant_value(source, node)
    return value is None or value is False


_DISCARD_DECLARATION = re.compile(rb"local\s+_\s*(?:[=,:]|$)")


def _discarded_constant(source: LuauSource, decl: tree_sitter.Node) -> bool:
    # `local _ = 1`: binds nothing anyone reads and computes nothing.
    if not _DISCARD_DECLARATION.match(source.bytes, decl.start_byte, decl.start_byte + 40):
        return False
    assignment = next((c for c in decl.named_children if c.type == "assignment_statement"), None)
    names_node = assignment.child_by_field_name("name") if assignment else None
    target_list = assignment.named_children[0] if assignment and assignment.named_children else None
    if assignment is None or target_list is None or names_node is None:
        return False
    names = [c for c in target_list.named_children if c.type == "identifier"]
    if not names or any(source.node_text(n) != "_" for n in names):
        return False
    values = next((c for c in assignment.named_children if c.type == "expression_list"), None)
    if values is None:
        return True
    return all(
        is_literal(v) or v.type in ("identifier", "function_definition")
        for v in values.named_children
    )


def dead_code(ctx: RuleContext) -> list[DeadCode]:
    """Code that never runs (`if false`, after an unconditional exit) or does nothing."""

    def compute() -> list[DeadCode]:
        source = ctx.source
        found: list[DeadCode] = []
        for stmt in source.nodes("if_statement"):
            if _is_constant_false(source, stmt.child_by_field_name("condition")):
                body = stmt.child_by_field_name("consequence")
                alternatives = stmt.children_by_field_name("alternative")
                end = body.end_byte if body is not None else stmt.end_byte
                if not alternatives:
                    found.append(
                        DeadCode(
                            stmt,
                            stmt.start_byte,
                            stmt.end_byte,
                            "`if` with a constant false condition never runs",
                        )
                    )
                else:
                    found.append(
                        DeadCode(
                            stmt, stmt.start_byte, end, "this branch's condition is constant false"
                        )
                    )
            for alt in stmt.children_by_field_name("alternative"):
                if alt.type == "elseif_statement" and _is_constant_false(
                    source, alt.child_by_field_name("condition")
                ):
                    found.append(
                        DeadCode(
                            alt,
                            alt.start_byte,
                            alt.end_byte,
                            "`elseif` with a constant false condition never runs",
                        )
                    )
        for stmt in source.nodes("while_statement"):
            if _is_constant_false(source, stmt.child_by_field_name("condition")):
                found.append(
                    DeadCode(
                        stmt,
                        stmt.start_byte,
                        stmt.end_byte,
                        "`while` with a constant false condition never runs",
                    )
                )
        for _block, stmts in statements(ctx):
            for i, stmt in enumerate(stmts[:-1]):
                if _always_exits(source, stmt):
                    first, last = stmts[i + 1], stmts[-1]
                    found.append(
                        DeadCode(
                            first,
                            first.start_byte,
                            last.end_byte,
                            "code after an unconditional exit never runs",
                        )
                    )
                    break
        for decl in source.nodes("variable_declaration"):
            if _discarded_constant(source, decl):
                found.append(
                    DeadCode(
                        decl,
                        decl.start_byte,
                        decl.end_byte,
                        "assigning a constant to `_` does nothing",
                    )
                )
        found.sort(key=lambda d: d.start_byte)
        return found

    result: list[DeadCode] = ctx.memo("shape.dead_code", compute)
    return result


def _dead_ranges(ctx: RuleContext) -> list[tuple[int, int]]:
    ranges = [(d.start_byte, d.end_byte) for d in dead_code(ctx)]
    ranges += [(f.node.start_byte, f.node.end_byte) for f in unused_local_functions(ctx)]
    ranges += [(f.node.start_byte, f.node.end_byte) for f in stub_functions(ctx)]
    return ranges


def in_ranges(node: tree_sitter.Node, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= node.start_byte < end for start, end in ranges)


# -- stubs -------------------------------------------------------------------


def string_texts(ctx: RuleContext) -> list[tuple[tree_sitter.Node, str]]:
    """Every string literal's content node with its text, decoded once."""

    def compute() -> list[tuple[tree_sitter.Node, str]]:
        text = ctx.source.node_text
        return [(node, text(node)) for node in ctx.source.nodes("string_content")]

    result: list[tuple[tree_sitter.Node, str]] = ctx.memo("shape.string_texts", compute)
    return result


def marker_spans(ctx: RuleContext) -> list[tuple[int, int]]:
    """Byte spans of comments and strings that say the code is unfinished (TODO, placeholder...)."""

    def compute() -> list[tuple[int, int]]:
        spans = [
            (f.node.start_byte, f.node.end_byte) for f in comment_facts(ctx) if f.kind == "marker"
        ]
        # A string of "..." is a loading label, not elided code: strings count
        # only when they say TODO or hold a placeholder message.
        spans += [
            (node.start_byte, node.end_byte)
            for node, text in string_texts(ctx)
            if prose.is_todo(text) or prose.is_placeholder(text)
        ]
        return spans

    result: list[tuple[int, int]] = ctx.memo("shape.marker_spans", compute)
    return result


def _has_marker(spans: list[tuple[int, int]], node: tree_sitter.Node) -> bool:
    return any(node.start_byte <= start and end <= node.end_byte for start, end in spans)


def stub_functions(ctx: RuleContext) -> list[FunctionInfo]:
    """Functions that are placeholders: an empty body, or a short body that carries a
    TODO/placeholder and does nothing real itself (a literal return, a print, an
    `error("not implemented")`). A complete short function with a FIXME note about
    a workaround, or one that returns a closure, is not a stub."""

    def compute() -> list[FunctionInfo]:
        # What counts as work is the substance formula's call.
        from luaurft.scoring.substance import statement_units

        stubs = []
        source = ctx.source
        markers = marker_spans(ctx)
        for fn in functions(ctx):
            stmts = block_statements(fn.body)
            if is_empty_body(fn):
                stubs.append(fn)
            elif len(stmts) <= 2 and _has_marker(markers, fn.node):
                # Work nested in its own blocks counts: `if not ok then error(...) end`
                # under a TODO note is a finished function, not a stub.
                body = fn.body
                nested = [
                    stmt
                    for block, block_stmts in statements(ctx)
                    if body is not None and contains(body, block)
                    for stmt in block_stmts
                ]
                work = sum(
                    statement_units(source, s, markers, frozenset(), results_count=False)[0]
                    for s in nested
                )
                if work <= STUB_WORK_MAX:
                    stubs.append(fn)
        return stubs

    result: list[FunctionInfo] = ctx.memo("shape.stub_functions", compute)
    return result


# -- lines -----------------------------------------------------------------


def comment_only_lines(source: LuauSource) -> set[int]:
    """1-based lines that hold nothing but comment text."""
    lines: set[int] = set()
    for comment in source.comments:
        first, last = comment.start_point[0], comment.end_point[0]
        before = source.lines[first][: _char_column(source, comment.start_point)]
        after = source.lines[last][_char_column(source, comment.end_point) :]
        for row in range(first, last + 1):
            if (row == first and before.strip()) or (row == last and after.strip()):
                continue
            lines.add(row + 1)
    return lines


def _char_column(source: LuauSource, point: tree_sitter.Point) -> int:
    row, byte_col = point
    if source.is_ascii:
        return min(byte_col, len(source.lines[row]))
    return len(
        source.lines[row].encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "replace")
    )


def code_line_set(ctx: RuleContext) -> frozenset[int]:
    """`code_lines` of the context's source, computed once."""
    result: frozenset[int] = ctx.memo("shape.code_lines", lambda: frozenset(code_lines(ctx.source)))
    return result


def code_lines(source: LuauSource) -> Iterator[int]:
    """1-based lines with code on them (not blank, not comment-only)."""
    comment_lines = comment_only_lines(source)
    for number, text in enumerate(source.lines, start=1):
        if text.strip() and number not in comment_lines:
            yield number


# -- comments ------------------------------------------------------------------


@dataclass(frozen=True)
class CommentFact:
    """One comment and what it is worth.

    `kind` is one of: directive (`--!strict`), marker (TODO, placeholder,
    elision), evaluator (addressed to a grader), restating (says what its
    code line says), informative (prose that adds something), label (too short
    to explain anything).
    """

    node: tree_sitter.Node
    line: int
    text: str
    code: str  # the code line it annotates ('' when none)
    kind: str


def _annotated_code(source: LuauSource, comment: tree_sitter.Node, comment_lines: set[int]) -> str:
    """The code a comment talks about: the code before it on its line, else the next code line."""
    row = comment.start_point[0]
    before = source.lines[row][: _char_column(source, comment.start_point)]
    if before.strip():
        return before.strip()
    number = comment.end_point[0] + 2
    while number <= len(source.lines):
        text = source.lines[number - 1]
        if not text.strip():
            return ""  # a blank line ends the comment's reach
        if number not in comment_lines:
            return _strip_trailing_comment(text).strip()
        number += 1
    return ""


def _strip_trailing_comment(line: str) -> str:
    # Good enough for the restatement check: a `--` outside quotes starts a comment.
    if "--" not in line:
        return line
    in_quote = ""
    for i, ch in enumerate(line):
        if in_quote:
            if ch == in_quote:
                in_quote = ""
        elif ch in "\"'`":
            in_quote = ch
        elif line.startswith("--", i):
            return line[:i]
    return line


def comment_facts(ctx: RuleContext) -> list[CommentFact]:
    """Every comment, classified (see `CommentFact`)."""

    def compute() -> list[CommentFact]:
        source = ctx.source
        lines = comment_only_lines(source)
        facts = []
        for node in source.comments:
            text = prose.comment_text(source, node)
            code = _annotated_code(source, node, lines)
            single_line = node.start_point[0] == node.end_point[0]
            kind = prose.classify_comment(text, code, single_line)
            facts.append(CommentFact(node, node.start_point[0] + 1, text, code, kind))
        return facts

    result: list[CommentFact] = ctx.memo("shape.comment_facts", compute)
    return result
