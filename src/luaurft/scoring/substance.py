"""Substance: is there real code here at all? The formula, and the one place it gates a score.

Rules find problems; code with no problems can still be empty, a `return {}`,
a module of stubs or prints and constants around nothing. The syntax, API and
bug scorers measure the *absence* of problems, and that absence means nothing
when there is no code, so their 1.0s must not lift trivial code. Substance is
not size: a short correct example, a script of helper functions, a data or a
types module is as substantial as a long script. It only separates trivial
code (empty, stubs, logging/setup/dead-code padding around nothing) from code.

    units   = behaviour statements + used or exported type definitions
              (+ data in a ModuleScript)
              + min(PADDING_CAP, logging + setup)
              (or, when the live code holds less, the units of the functions
               it defines without calling: a file of helpers is not trivial)
    factor  = min(1, units / SUBSTANCE_FULL) × (1 − stub functions / live functions)

`gated_scores` applies the factor, once, to every score that measures the
absence of problems; the quality score carries it already (completeness is
part of quality: `scorers/quality.py`), so it is not gated again.
`composite_of` and the task-blind hybrid reward both go through
`gated_scores`, so each score in either blend carries substance exactly once.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from luaurft.luau.kind import ScriptKind
from luaurft.luau.source import field_id
from luaurft.roblox.behaviour import only_pauses
from luaurft.scoring.analysis.calls import WRAPPER_CALLS
from luaurft.scoring.analysis.dead_code import dead_code
from luaurft.scoring.analysis.functions import functions, unused_local_functions
from luaurft.scoring.analysis.lines import code_line_set
from luaurft.scoring.analysis.nodes import first_of_type, is_literal
from luaurft.scoring.analysis.scope import Declaration, DeclKind, scope_analysis
from luaurft.scoring.analysis.statements import typed_statements
from luaurft.scoring.analysis.stubs import has_marker, marker_spans, stub_functions

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource
    from luaurft.scoring.rule import RuleContext

# One real statement (`workspace.Gravity = 50`) already does something: only
# code with none is trivial. Substance is full from here on, so length never
# raises a score.
SUBSTANCE_FULL = 1.0

# Logging and setup (constants, services, modules, `return M`) are real but say
# nothing about behaviour: together they add at most this, so a file of prints
# or of GetService lines stays trivial (factor ≤ PADDING_CAP / SUBSTANCE_FULL).
PADDING_CAP = 0.25

# Calls that only log: real but thin, unless they print something computed.
LOGGING_CALLS: frozenset[str] = frozenset({"print", "warn"})

BEHAVIOUR, PADDING = "behaviour", "padding"
# A ModuleScript may be data: a config table, an item catalogue, a command
# definition. Each constant in a table written at the top level counts as data.
# Data counts only in ModuleScripts: in a Script a table nobody returns does
# nothing by itself, and padding a script with constants must not pay. A table
# of one or two values (`return { Name = "x" }`) is still trivial.
DATA_UNIT = 0.25
# A type definition declares a contract (a types module is real code); it runs nothing.
TYPE_UNIT = 1.0
# Setup and logging lines (a constant, a service, a module, a print of a constant, `return M`).
SETUP_UNIT = 0.5

SCORES_GATED: tuple[str, ...] = ("syntax", "api", "bug", "exec")

FORMULA = (
    f"substance = min(1, units / {SUBSTANCE_FULL:g}) × (1 − stubs / live named functions), "
    "where stubs count only in code that marks a function unfinished (TODO, not implemented, "
    "a placeholder): then its empty functions are stubs too; elsewhere an empty function is a "
    "no-op. "
    "units are counted over statements outside dead code and stub functions: a call, an "
    "assignment, a local bound to a computed value, a print of a computed value or a return of "
    "an expression, an if/while/repeat/for whose header calls a function 1; a type definition "
    f"{TYPE_UNIT:g} when a ModuleScript exports it or the code uses it, else {SETUP_UNIT:g}; "
    "print/warn of constants (a numeric for's counter is computed), a call that only waits "
    "(task.wait, wait, :Wait()), a local bound to a constant (a literal, an Enum item, a plain "
    "name, a table of them, or Vector3.new/CFrame.new/TweenInfo.new/table.freeze/... of them), "
    f"to GetService/WaitForChild/require, and `return name` {SETUP_UNIT:g}, all of those "
    f"together at most {PADDING_CAP:g}; pcall/xpcall wrappers, asserts, control-flow constructs "
    "themselves, placeholder calls, calls that pass a stub function, calls of a function the "
    "code defines (`main()`, `(function() ... end)()`: its body counts on its own) and literal "
    "returns 0 (so `if x ~= nil then` around code adds nothing); a local whose value has no "
    "side effects (a clock, math, a CFrame) and that only such locals read is at most "
    f"{SETUP_UNIT:g}, as padding; in a ModuleScript each "
    f"constant of a table written at the top level (a config, a catalogue) adds {DATA_UNIT:g}. "
    "Functions defined but never called count when they hold more than the live code (a file "
    "of helpers) and nothing is a stub, never on top of it. Substance measures whether there "
    "is code at all, not its length: empty, stub and padding-only code is near 0, anything "
    "else 1. It gates the syntax, api, bug (and exec) scores once, in the composite and in the "
    "task-blind reward; the quality score carries it already."
)

_TRIVIAL_RETURN_VALUE = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")
_SETUP_CALL = re.compile(r"(?:^|[.:])(?:GetService|WaitForChild)$|^require$")


@dataclass(frozen=True)
class Substance:
    units: float
    factor: float  # see FORMULA
    stubs: int = 0  # the stub functions the factor counts (code marked unfinished)
    functions: int = 0  # the live functions they are counted among


def gated_scores(scores: dict[str, float | None], substance: float) -> dict[str, float | None]:
    """`scores` with substance applied once to each score that measures the absence of problems."""
    factor = min(1.0, max(0.0, substance))
    return {
        name: (value * factor if value is not None and name in SCORES_GATED else value)
        for name, value in scores.items()
    }


def substance(ctx: RuleContext) -> Substance:
    """How much real code there is, in [0, 1] (see `FORMULA`)."""

    def compute() -> Substance:
        source = ctx.source
        if source.is_blank:
            return Substance(0.0, 0.0)
        dead_regions = [(d.start_byte, d.end_byte) for d in dead_code(ctx)]
        markers = marker_spans(ctx)
        stubs = stub_functions(ctx)
        stub_names = frozenset(f.name.encode() for f in stubs if f.name)
        stub_starts = frozenset(f.node.start_byte for f in stubs)
        stub_ranges = [(f.node.start_byte, f.node.end_byte) for f in stubs]
        is_module = ctx.kind == ScriptKind.MODULE_SCRIPT
        helpers = unused_local_functions(ctx)
        helper_ranges = [(f.node.start_byte, f.node.end_byte) for f in helpers]
        # Statements worth nothing: dead code, unused functions, stubs.
        dead = _Spans(dead_regions + helper_ranges + stub_ranges)
        helper_spans = _Spans(helper_ranges)
        truly_dead = _Spans(dead_regions + stub_ranges)
        own = frozenset(f.name for f in functions(ctx) if f.name is not None)
        counters = _loop_counter_reads(ctx)
        calls = _call_index(ctx)
        declarations = _declaration_parts(ctx)
        unused_types = _unused_types(ctx) | _unread_pure_locals(ctx)
        live = {BEHAVIOUR: 0.0, PADDING: 0.0}
        unused = {BEHAVIOUR: 0.0, PADDING: 0.0}
        # Where nothing is dead and no type or local is unused, no start is asked.
        any_dead = bool(dead)
        need_start = any_dead or bool(unused_types)
        for block, stmts in typed_statements(ctx):
            in_chunk = is_module and block.type == "chunk"
            for stmt, kind in stmts:
                if kind in _WORTH_NOTHING:
                    continue  # adds 0 wherever it stands, and holds no data
                start = stmt.start_byte if need_start else -1
                values = None
                if kind == "variable_declaration":
                    values = declarations[start if start >= 0 else stmt.start_byte].values
                live_statement = not any_dead or not dead.covers(start)
                if not live_statement and (
                    not helper_spans.covers(start) or truly_dead.covers(start)
                ):
                    continue
                value, category = _units(
                    source,
                    stmt,
                    kind,
                    values,
                    markers,
                    stub_names,
                    stub_starts,
                    True,
                    own,
                    counters,
                    calls,
                )
                if not live_statement:
                    # In a helper nobody calls: counted apart (see below).
                    unused[category] += value
                    continue
                if start in unused_types:
                    value, category = min(value, SETUP_UNIT), PADDING
                live[category] += value
                if in_chunk:
                    live[BEHAVIOUR] += _statement_data(stmt, kind, values)
        # A module that is mostly stubs is a stub, whatever boilerplate surrounds
        # them. In code that marks any function unfinished (TODO, "not
        # implemented", a placeholder), its empty named functions are stubs too;
        # elsewhere an empty function is a deliberate no-op (a default callback,
        # a `Destroy` with nothing to clean), which quality/empty-function
        # reports when it is not.
        marked = [f for f in stubs if has_marker(markers, f.node)]
        named_stubs = (
            [f for f in stubs if f.name is not None] + [f for f in marked if f.name is None]
            if marked
            else []
        )
        units = live[BEHAVIOUR] + min(PADDING_CAP, live[PADDING])
        if not named_stubs:
            # Helpers nobody calls yet: a file of them is code, but they never add
            # to live code, and never dilute stubs.
            units = max(units, unused[BEHAVIOUR] + min(PADDING_CAP, unused[PADDING]))
        factor = min(1.0, units / SUBSTANCE_FULL)
        unused_at = {f.node.start_byte for f in helpers}
        counted = [
            f for f in functions(ctx) if f.node.start_byte not in unused_at and f.name is not None
        ]
        counted_at = {f.node.start_byte for f in counted}
        live_functions = len(counted) + sum(
            1 for f in named_stubs if f.node.start_byte not in counted_at
        )
        stubbed = 0
        if live_functions > 0 and named_stubs:
            stubbed = len(named_stubs)
            share = 1.0 - min(1.0, stubbed / live_functions)
            units *= share
            factor *= share
        if source.tree_has_errors and source.compiles and factor < 1.0:
            # tree-sitter could not parse everything the compiler accepts:
            # estimate from lines of code so partial analysis never costs.
            units = max(units, 0.6 * len(code_line_set(ctx)))
            factor = max(factor, min(1.0, units / SUBSTANCE_FULL))
        return Substance(units, factor, stubbed, live_functions if stubbed else 0)

    result: Substance = ctx.memo("substance", compute)
    return result


class _Spans:
    """Byte spans, merged once, so asking whether one holds an offset is a binary search."""

    __slots__ = ("_ends", "_starts")

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(spans):
            if start >= end:
                continue  # holds no offset
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        self._starts, self._ends = starts, ends

    def covers(self, offset: int) -> bool:
        """Some span holds `offset` (start <= offset < end)."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ends[index]


class _CallIndex(NamedTuple):
    """The code's calls in order, their start bytes, and where functions are defined."""

    nodes: list[tree_sitter.Node]
    starts: list[int]
    definition_starts: list[int]


def _call_index(ctx: RuleContext) -> _CallIndex:
    def compute() -> _CallIndex:
        source = ctx.source
        found = source.nodes("function_call")
        definitions = source.nodes("function_definition")
        return _CallIndex(found, [n.start_byte for n in found], [n.start_byte for n in definitions])

    result: _CallIndex = ctx.memo("substance.calls", compute)
    return result


class _Parts(NamedTuple):
    """A `local` statement, its names and its values (either None when it has none)."""

    statement: tree_sitter.Node
    names: tree_sitter.Node | None
    values: tree_sitter.Node | None


def _declaration_parts(ctx: RuleContext) -> dict[int, _Parts]:
    """Every `local` statement's parts, by its start byte, read once for every question."""

    def compute() -> dict[int, _Parts]:
        found: dict[int, _Parts] = {}
        for stmt in ctx.source.nodes("variable_declaration"):
            assignment = first_of_type(stmt, "assignment_statement")
            names = values = None
            if assignment is not None:
                for child in assignment.named_children:
                    kind = child.type
                    if kind == "variable_list" and names is None:
                        names = child
                    elif kind == "expression_list" and values is None:
                        values = child
            found[stmt.start_byte] = _Parts(stmt, names, values)
        return found

    result: dict[int, _Parts] = ctx.memo("substance.declarations", compute)
    return result


def _starts_within(starts: list[int], start: int, end: int) -> bool:
    """Some offset of the ordered `starts` lies in [start, end)."""
    index = bisect.bisect_left(starts, start)
    return index < len(starts) and starts[index] < end


def statement_units(
    source: LuauSource,
    stmt: tree_sitter.Node,
    markers: list[tuple[int, int]],
    stub_names: frozenset[bytes],
    stub_starts: frozenset[int] = frozenset(),
    *,
    results_count: bool = True,
    own_functions: frozenset[str] = frozenset(),
    loop_counters: frozenset[int] = frozenset(),
    calls: _CallIndex | None = None,
) -> tuple[float, str]:
    """What one statement adds to substance, and whether it is behaviour or padding.

    `stub_starts` are the start bytes of stub functions (a call that only passes
    them does nothing); with `results_count` off, printing a computed value is
    padding like any print (how stub detection weighs a function's own work).
    `own_functions` are the names of the functions the code defines: calling one
    adds nothing, its body counts on its own. `loop_counters` are the start bytes of
    the reads of numeric `for` counters (printing one shows what the loop computes).
    `calls`, the code's call index, only saves looking for a call in a header
    that holds none.
    """
    kind = stmt.type
    values = None
    if kind == "variable_declaration":
        assignment = first_of_type(stmt, "assignment_statement")
        values = first_of_type(assignment, "expression_list") if assignment is not None else None
    return _units(
        source,
        stmt,
        kind,
        values,
        markers,
        stub_names,
        stub_starts,
        results_count,
        own_functions,
        loop_counters,
        calls,
    )


# Statements that add nothing whatever holds them: what they contain counts on its own.
_WORTH_NOTHING = frozenset(
    {
        "function_declaration",
        "break_statement",
        "continue_statement",
        "empty_statement",
        "do_statement",
    }
)


def _units(
    source: LuauSource,
    stmt: tree_sitter.Node,
    kind: str,
    values: tree_sitter.Node | None,
    markers: list[tuple[int, int]],
    stub_names: frozenset[bytes],
    stub_starts: frozenset[int],
    results_count: bool,
    own_functions: frozenset[str],
    loop_counters: frozenset[int],
    calls: _CallIndex | None = None,
) -> tuple[float, str]:
    """`statement_units` of `stmt`, whose type is `kind`, and, for a `local` statement,
    whose values are `values` (positional: it runs once per statement)."""
    if kind == "function_call":
        callee, name = _callee(source, stmt)
        if name in WRAPPER_CALLS or _calls_own_function(callee, name, own_functions):
            return 0.0, BEHAVIOUR
        if name == "assert":
            # A check that stops a broken run; it does none of the work itself.
            return 0.0, BEHAVIOUR
        if markers and has_marker(markers, stmt):
            return 0.0, BEHAVIOUR  # error("not implemented"), print("TODO")
        if name in LOGGING_CALLS:
            if results_count and _logs_a_computation(stmt, loop_counters):
                return 1.0, BEHAVIOUR
            return SETUP_UNIT, PADDING
        if only_pauses(name):
            # `task.wait(1)` paces work; on its own (or around prints) it is none.
            return SETUP_UNIT, PADDING
        if (stub_names or stub_starts) and _passes_stub(source, stmt, stub_names, stub_starts):
            # `Players.PlayerAdded:Connect(onPlayerAdded)` to a stub, or to `function() end`
            return 0.0, BEHAVIOUR
        return 1.0, BEHAVIOUR
    if kind == "variable_declaration":
        if values is None:
            return SETUP_UNIT, PADDING  # `local x`
        items = values.named_children
        first = items[0] if len(items) == 1 else None
        if first is not None and first.type == "function_call":
            # One call: constant only when it builds a value from constants, never inert.
            callee, name = _callee(source, first)
            if _built_constant(source, first, name):
                return SETUP_UNIT, PADDING  # `local SIZE = Vector3.new(4, 1, 4)`
            if _SETUP_CALL.search(name):
                return SETUP_UNIT, PADDING
            if _calls_own_function(callee, name, own_functions):
                return 0.0, BEHAVIOUR  # `local ok = main()`: main's body counts
            if (stub_names or stub_starts) and _passes_stub(source, first, stub_names, stub_starts):
                return 0.0, BEHAVIOUR  # `local c = part.Touched:Connect(function() end)`
            return 1.0, BEHAVIOUR
        if all(_constant(source, v, names=True) for v in items):
            # `local LIMIT = 5`, `local alias = LIMIT`
            return SETUP_UNIT, PADDING
        if stub_starts and all(_inert(v, stub_starts) for v in items):
            return 0.0, BEHAVIOUR  # `local handlers = { onBuy = function() end }`
        return 1.0, BEHAVIOUR
    if kind == "assignment_statement" or kind == "update_statement":
        if stub_starts:
            values = first_of_type(stmt, "expression_list")
            if values is not None:
                items = values.named_children
                if any(_holds_stub(v, stub_starts) for v in items) and all(
                    _inert(v, stub_starts) for v in items
                ):
                    return 0.0, BEHAVIOUR  # `Shop.Handlers = { Purchase = function() end }`
        return 1.0, BEHAVIOUR
    if kind == "return_statement":
        values = first_of_type(stmt, "expression_list")
        if values is None:
            return 0.0, BEHAVIOUR
        items = values.named_children
        if all(is_literal(v) for v in items):
            return 0.0, BEHAVIOUR
        if len(items) == 1:
            first = items[0]
            if first.type == "function_call":
                callee, name = _callee(source, first)
                if _calls_own_function(callee, name, own_functions):
                    return 0.0, BEHAVIOUR  # `return (function() ... end)()`: the body counts
            if _TRIVIAL_RETURN_VALUE.match(source.node_text(values)):
                return SETUP_UNIT, PADDING
        return 1.0, BEHAVIOUR
    if kind == "type_definition":
        return TYPE_UNIT, BEHAVIOUR
    if kind in _DECIDING and _decides_on_a_call(stmt, calls):
        # `if #Players:GetPlayers() > 10 then`, `for _, p in Players:GetPlayers()`:
        # the header computes something, as the same call on its own line would.
        return 1.0, BEHAVIOUR
    # Other control flow, declarations of functions, break/continue: what they
    # contain counts, the construct itself does not, so wrapping code in checks
    # (`if x ~= nil then`) or loops adds nothing.
    return 0.0, BEHAVIOUR


_DECIDING = ("if_statement", "while_statement", "repeat_statement", "for_statement")

# Calls that build a value from constants alone and do nothing else: a local bound
# to one is a constant (`local SPAWN = CFrame.new(0, 5, 0)`), setup like any other.
_CONSTANT_BUILDERS: frozenset[str] = frozenset(
    {
        "table.freeze",
        "Vector3.new",
        "Vector2.new",
        "CFrame.new",
        "Color3.new",
        "Color3.fromRGB",
        "Color3.fromHex",
        "UDim.new",
        "UDim2.new",
        "UDim2.fromScale",
        "UDim2.fromOffset",
        "BrickColor.new",
        "NumberRange.new",
        "TweenInfo.new",
    }
)


def _constant(source: LuauSource, node: tree_sitter.Node, *, names: bool = False) -> bool:
    """A literal, an `Enum.X.Y`, a table of constants, or a constant builder called on them;
    with `names`, a plain name too (`{ onBuy, onSell }` only gathers what exists)."""
    # Every part must be constant: the parts still to check wait in a list (with
    # whether a name counts), so deep nesting cannot exhaust Python's stack.
    pending = [(node, names)]
    while pending:
        current, names_count = pending.pop()
        kind = current.type
        if kind == "identifier":
            if not names_count:
                return False
        elif kind == "dot_index_expression":
            if not source.bytes.startswith(b"Enum.", current.start_byte, current.end_byte):
                return False
        elif kind == "table_constructor":
            # Every table of literals passes this test too, so `is_literal` need not walk it first.
            for field in current.named_children:
                value = field.child_by_field_id(_F_VALUE) if field.type == "field" else None
                if value is not None:
                    pending.append((value, names_count))
        elif kind == "function_call":
            if _callee(source, current)[1] not in _CONSTANT_BUILDERS:
                return False
            arguments = current.child_by_field_id(_F_ARGUMENTS)
            if arguments is None:
                return False
            pending.extend((argument, False) for argument in arguments.named_children)
        elif not is_literal(current):
            return False
    return True


def _built_constant(source: LuauSource, call: tree_sitter.Node, name: str) -> bool:
    """`call`, named `name`, builds a value from constants alone (`Vector3.new(0, 5, 0)`)."""
    if name not in _CONSTANT_BUILDERS:
        return False
    arguments = call.child_by_field_id(_F_ARGUMENTS)
    return arguments is not None and all(_constant(source, arg) for arg in arguments.named_children)


# Calls without side effects: reading a clock, converting, computing.
_PURE_CALL = re.compile(
    r"^(?:os\.(?:clock|time|date)|tick|time|elapsedTime|tostring|tonumber|typeof|type|"
    r"select|math\.\w+|string\.\w+|table\.(?:freeze|clone|concat|find)|utf8\.\w+|"
    r"bit32\.\w+|[\w.]+:GenerateGUID|(?:Vector3|Vector2|CFrame|Color3|UDim2?|BrickColor|"
    r"NumberRange|TweenInfo)\.\w+)$"
)


def _side_effect_free(
    source: LuauSource, node: tree_sitter.Node, calls: _CallIndex | None = None
) -> bool:
    """No call in `node` can change anything (functions defined there do not run)."""
    if calls is not None:
        # The calls below `node` are those that start inside its span; where no
        # function is defined there, each of them runs.
        start, end = node.start_byte, node.end_byte
        first = bisect.bisect_left(calls.starts, start)
        last = bisect.bisect_left(calls.starts, end, first)
        if first == last:
            return True
        if not _starts_within(calls.definition_starts, start, end):
            for call in calls.nodes[first:last]:
                callee = _callee(source, call)[1]
                if not (_PURE_CALL.match(callee) or only_pauses(callee)):
                    return False
            return True
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current.type
        if kind == "function_call":
            callee = _callee(source, current)[1]
            if not (_PURE_CALL.match(callee) or only_pauses(callee)):
                return False
        if kind != "function_definition":
            stack.extend(current.named_children)
    return True


def _unread_pure_locals(ctx: RuleContext) -> frozenset[int]:
    """Start bytes of `local` statements that do nothing: their values have no side
    effects, and nothing reads their names but other such statements
    (`local startedAt = os.clock()` read only by an unused `local elapsed`)."""
    source = ctx.source
    calls = _call_index(ctx)
    # Each candidate's end byte and declarations, by its start byte.
    candidates: dict[int, tuple[int, list[Declaration]]] = {}
    scopes = None
    for start, (stmt, names, values) in _declaration_parts(ctx).items():
        if names is None or values is None or not _side_effect_free(source, values, calls):
            continue
        if scopes is None:
            scopes = scope_analysis(ctx)
        declarations = []
        for ident in names.named_children:
            decl = scopes.declaration(ident) if ident.type == "identifier" else None
            if decl is None or not scopes.reliable(decl) or decl.type_uses:
                break
            declarations.append(decl)
        else:
            candidates[start] = (stmt.end_byte, declarations)
    # Drop, until none is left to drop, every candidate something live reads.
    changed = True
    while changed:
        changed = False
        spans = _Spans([(start, end) for start, (end, _decls) in candidates.items()])
        for start, (_end, declarations) in list(candidates.items()):
            if not all(
                spans.covers(ref.node.start_byte) for decl in declarations for ref in decl.reads
            ):
                del candidates[start]
                changed = True
    return frozenset(candidates)


_F_NAME = field_id("name")
_F_VALUE = field_id("value")
_F_ARGUMENTS = field_id("arguments")
_F_CONDITION = field_id("condition")


def _callee(source: LuauSource, call: tree_sitter.Node) -> tuple[tree_sitter.Node | None, str]:
    """A call's name part and its text (`callee_name`), read once for all the checks."""
    callee = call.child_by_field_id(_F_NAME)
    return callee, (source.node_text(callee) if callee is not None else "")


def _calls_own_function(
    callee: tree_sitter.Node | None, name: str, own_functions: frozenset[str]
) -> bool:
    """`main()`, `Utility.Init()` for functions the code defines, `(function() ... end)()`."""
    if name in own_functions:
        return True
    return (
        callee is not None
        and callee.type == "parenthesized_expression"
        and any(c.type == "function_definition" for c in callee.named_children)
    )


def _unused_types(ctx: RuleContext) -> frozenset[int]:
    """Start bytes of type definitions nothing reads: outside a ModuleScript's exports a
    type only matters where the code annotates with it, so an unused one is padding."""
    source = ctx.source
    definitions = source.nodes("type_definition")
    if not definitions:
        return frozenset()
    exporting = ctx.kind == ScriptKind.MODULE_SCRIPT
    data = source.bytes
    names: dict[str, list[tree_sitter.Node]] = {}
    # How many identifiers spell each name as a definition's own name, not a use.
    defining: dict[str, int] = {}
    for definition in definitions:
        name = definition.child_by_field_id(_F_NAME)
        if name is None:
            continue
        text = source.node_text(name)
        if name.type == "identifier":
            defining[text] = defining.get(text, 0) + 1
        if exporting and data.startswith(b"export", definition.start_byte):
            continue
        names.setdefault(text, []).append(definition)
    if not names:
        return frozenset()
    # A name is used when more identifiers spell it than define it.
    spelled = source.identifier_counts
    return frozenset(
        d.start_byte
        for name, defs in names.items()
        if spelled[name] <= defining.get(name, 0)
        for d in defs
    )


_HEADER_TYPES = ("for_generic_clause", "for_numeric_clause")


def _decides_on_a_call(stmt: tree_sitter.Node, calls: _CallIndex | None) -> bool:
    header = stmt.child_by_field_id(_F_CONDITION)
    if header is None:
        header = next((c for c in stmt.children if c.type in _HEADER_TYPES), None)
    if header is None:
        return False
    if calls is not None and not _starts_within(calls.starts, header.start_byte, header.end_byte):
        return False
    return _holds_call(header)


def _holds_call(header: tree_sitter.Node) -> bool:
    """A function call inside `header`, outside any function defined there."""
    stack = [header]
    while stack:
        node = stack.pop()
        if node.type == "function_call":
            return True
        if node.type != "function_definition":
            stack.extend(node.named_children)
    return False


def _inert(node: tree_sitter.Node, stub_starts: frozenset[int]) -> bool:
    """A constant, a stub function, or a table of them: a value that does nothing."""
    if node.type == "function_definition":
        return node.start_byte in stub_starts
    if node.type == "table_constructor":
        for field in node.named_children:
            value = field.child_by_field_id(_F_VALUE) if field.type == "field" else None
            if value is not None and not _inert(value, stub_starts):
                return False
        return True
    return is_literal(node)


def _holds_stub(node: tree_sitter.Node, stub_starts: frozenset[int]) -> bool:
    if node.type == "function_definition":
        return node.start_byte in stub_starts
    return node.type == "table_constructor" and any(
        (value := field.child_by_field_id(_F_VALUE)) is not None and _holds_stub(value, stub_starts)
        for field in node.named_children
        if field.type == "field"
    )


def _logs_a_computation(call: tree_sitter.Node, loop_counters: frozenset[int]) -> bool:
    # `print(v.Magnitude)`, `print(string.upper(s))`: an example showing a result,
    # not a progress message. Literals and bare names stay padding, but for the
    # counter of a numeric `for` (a countdown prints what the loop computes).
    arguments = call.child_by_field_id(_F_ARGUMENTS)
    if arguments is None:
        return False
    return any(
        arg.start_byte in loop_counters
        if arg.type == "identifier"
        else arg.type not in ("string", "number", "true", "false", "nil")
        for arg in arguments.named_children
    )


def _loop_counter_reads(ctx: RuleContext) -> frozenset[int]:
    """Start bytes of the reads of numeric `for` counters (`i` in `for i = 1, 3 do print(i)`)."""
    if not ctx.source.nodes("for_numeric_clause"):
        return frozenset()
    return frozenset(
        ref.node.start_byte
        for decl in scope_analysis(ctx).declarations
        if decl.kind is DeclKind.LOOP_VARIABLE
        and decl.node.parent is not None
        and decl.node.parent.type == "for_numeric_clause"
        for ref in decl.reads
    )


def _passes_stub(
    source: LuauSource,
    call: tree_sitter.Node,
    stub_names: frozenset[bytes],
    stub_starts: frozenset[int],
) -> bool:
    arguments = call.child_by_field_id(_F_ARGUMENTS)
    data = source.bytes
    return arguments is not None and any(
        (arg.type == "identifier" and data[arg.start_byte : arg.end_byte] in stub_names)
        or (arg.type == "function_definition" and arg.start_byte in stub_starts)
        for arg in arguments.named_children
    )


def _data_values(node: tree_sitter.Node) -> int:
    """Constants (not nil) inside a table constructor, nested tables included;
    functions inside it are not entered (their statements count on their own)."""
    count = 0
    for field in node.named_children:
        if field.type != "field":
            continue
        value = field.child_by_field_id(_F_VALUE)
        if value is None:
            continue
        if value.type == "table_constructor":
            count += _data_values(value)
        elif value.type != "nil" and is_literal(value):
            count += 1
    return count


def _statement_data(stmt: tree_sitter.Node, kind: str, values: tree_sitter.Node | None) -> float:
    """Data units of one top-level statement of type `kind`: the constants of the tables
    it writes. `values` are a `local` statement's values, read already."""
    if kind == "assignment_statement" or kind == "return_statement":
        values = first_of_type(stmt, "expression_list")
    elif kind != "variable_declaration":
        return 0.0
    if values is None:
        return 0.0
    return DATA_UNIT * sum(
        _data_values(v) for v in values.named_children if v.type == "table_constructor"
    )
