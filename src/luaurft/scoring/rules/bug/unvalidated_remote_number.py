"""bug/unvalidated-remote-number: a server handler does arithmetic with client-sent values unchecked.

Every argument after `player` in `OnServerEvent` / `OnServerInvoke` comes from
the client and can be anything: a negative or huge number, NaN, `math.huge`, a
string or a table. The rule reports such a parameter the first time it feeds
arithmetic (`+ - * / // % ^`, unary minus, `+=`), a numeric `for` bound,
`TakeDamage`, a numeric property (`.Value`, `.Health`, `.WalkSpeed`, ...) or a
field or attribute named for health or currency (`data.Coins = amount`,
`SetAttribute("Gems", amount)`) before anything validates it; a field of a
table the client sent (`data.amount`) counts as the table. Validation is any earlier use of the parameter
in a condition (`if`, `while`, `until`, `and`/`or`, if-expressions) other than
a bare truthiness test (`if amount then`), in a comparison, or passed to `typeof`, `type`, `tonumber`, `math.clamp`,
`math.min`/`math.max`, `assert` or a function whose name says it validates
(`isValid`, `checkAmount`, `sanitize`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.bindings import TypeKind, bindings_for
from luaurft.scoring.analysis.calls import CallIndex, calls
from luaurft.scoring.analysis.handlers import handler_function, signal_field
from luaurft.scoring.analysis.nodes import ancestors, contains, named_children, operator_of, same
from luaurft.scoring.analysis.scope import Declaration, FunctionInfo, ScopeAnalysis, scope_analysis
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource

ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%", "^"})
COMPARISONS = frozenset({"==", "~=", "<", ">", "<=", ">="})
VALIDATING_FUNCTIONS = frozenset(
    {"typeof", "type", "tonumber", "math.clamp", "math.min", "math.max", "assert"}
)
_VALIDATOR_NAME = re.compile(
    r"valid|check|sanit|verify|clamp|^is[A-Z_]|ensure|guard", re.IGNORECASE
)
NUMERIC_PROPERTIES = frozenset(
    {"Value", "Health", "MaxHealth", "WalkSpeed", "JumpPower", "JumpHeight", "HipHeight"}
)
# Fields and attributes that hold a player's health or currency (`data.Coins = amount`,
# `player:SetAttribute("Gems", amount)`): whatever the client sends lands in them.
_STAKE_NAME = re.compile(
    r"health|coin|cash|gold|money|gem|point|score|xp\b|exp\b|level|credit|token|diamond|"
    r"damage|balance",
    re.IGNORECASE,
)
_CONDITIONAL = frozenset(
    {
        "if_statement",
        "elseif_statement",
        "while_statement",
        "repeat_statement",
        "if_expression",
        "elseif_clause",
    }
)


def server_handlers(
    source: LuauSource, scopes: ScopeAnalysis, index: CallIndex
) -> list[FunctionInfo]:
    """Functions connected to `OnServerEvent` or assigned to `OnServerInvoke`."""
    found: list[FunctionInfo] = []
    for call in index.all:
        if call.method == "Connect" and signal_field(source, call) == "OnServerEvent":
            info = handler_function(scopes, call)
            if info is not None:
                found.append(info)
    for statement in source.nodes("assignment_statement"):
        targets: list[Node] = []
        values: list[Node] = []
        for child in statement.children:
            if child.type == "variable_list":
                targets = named_children(child)
            elif child.type == "expression_list":
                values = named_children(child)
        for target, value in zip(targets, values, strict=False):
            if target.type != "dot_index_expression":
                continue
            field = target.child_by_field_name("field")
            if field is None or source.node_text(field) != "OnServerInvoke":
                continue
            info = scopes.function_info(value)
            if info is None and value.type == "identifier":
                decl = scopes.declaration(value)
                if decl is not None and decl.value is not None:
                    info = scopes.function_info(decl.value)
            if info is not None:
                found.append(info)
    return found


class _Uses:
    def __init__(self, source: LuauSource, index: CallIndex) -> None:
        self.source = source
        self.calls = index

    def validates(self, use: Node) -> bool:
        for parent in ancestors(use):
            kind = parent.type
            if kind in _CONDITIONAL:
                condition = parent.child_by_field_name("condition")
                if (
                    condition is not None
                    and contains(condition, use)
                    and not _only_truthiness(use, condition)
                ):
                    return True
            elif kind == "binary_expression":
                operator = operator_of(parent)
                if operator in COMPARISONS:
                    return True
                left = parent.child_by_field_name("left")
                if (
                    operator in ("and", "or")
                    and left is not None
                    and contains(left, use)
                    and not _only_truthiness(use, left)
                ):
                    return True
            elif kind == "arguments" and parent.parent is not None:
                call = self.calls.of(parent.parent)
                if call is not None and (
                    call.function in VALIDATING_FUNCTIONS
                    or (call.name is not None and _VALIDATOR_NAME.search(call.name))
                ):
                    return True
            elif kind in ("function_definition", "function_declaration", "block", "chunk"):
                return False
        return False

    def trusts(self, use: Node) -> tuple[str, Node | None] | None:
        """How `use` trusts the value as a number, if it does, and the operand it
        meets in arithmetic (whose type says what the value must be)."""
        # A field of a table the client sent (`data.amount`) is as untrusted as the table.
        parent = use.parent
        while (
            parent is not None
            and parent.type in _FIELD_READS
            and same(parent.child_by_field_name("table"), use)
        ):
            use, parent = parent, parent.parent
        parent = use.parent
        while parent is not None and parent.type == "parenthesized_expression":
            use, parent = parent, parent.parent
        if parent is None:
            return None
        kind = parent.type
        if kind == "binary_expression" and operator_of(parent) in ARITHMETIC:
            left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
            return "arithmetic", right if same(left, use) else left
        if kind == "unary_expression" and operator_of(parent) == "-":
            return "arithmetic", None
        if kind == "for_numeric_clause":
            return "a loop bound", None
        if kind == "arguments" and parent.parent is not None:
            call = self.calls.of(parent.parent)
            if call is not None and call.method == "TakeDamage":
                return "TakeDamage", None
            if call is not None and call.method in ("SetAttribute", "Set", "SetAsync"):
                # `player:SetAttribute("Coins", amount)`: the value lands in a stake.
                args = call.args
                key = self.source.node_text(args[0]) if args else ""
                if len(args) >= 2 and same(args[1], use) and _STAKE_NAME.search(key):
                    return f"`{call.method}({key}, ...)`", None
            return None
        if kind == "expression_list" and parent.parent is not None:
            statement = parent.parent
            if statement.type == "update_statement":
                return "a compound assignment", None
            if statement.type == "assignment_statement":
                target = self._numeric_property_target(statement, use)
                return (target, None) if target is not None else None
        return None

    def _numeric_property_target(self, statement: Node, value: Node) -> str | None:
        targets: list[Node] = []
        values: list[Node] = []
        for child in statement.children:
            if child.type == "variable_list":
                targets = named_children(child)
            elif child.type == "expression_list":
                values = named_children(child)
        for target, candidate in zip(targets, values, strict=False):
            if not same(candidate, value) or target.type != "dot_index_expression":
                continue
            field = target.child_by_field_name("field")
            name = self.source.node_text(field) if field is not None else ""
            if name in NUMERIC_PROPERTIES or _STAKE_NAME.search(name):
                return f"`.{name}`"
        return None


_FIELD_READS = frozenset({"dot_index_expression", "bracket_index_expression"})


def _only_truthiness(use: Node, condition: Node) -> bool:
    """`if amount then`, `if player and amount then`, `if not amount`: the value is only
    tested for being there, which says nothing about a number a client chose."""
    node = use
    while not same(node, condition):
        parent = node.parent
        if parent is None:
            return False
        operator = operator_of(parent) if parent.type != "parenthesized_expression" else None
        passes_through = (
            parent.type == "parenthesized_expression"
            or (parent.type == "binary_expression" and operator in ("and", "or"))
            or (parent.type == "unary_expression" and operator == "not")
        )
        if not passes_through:
            return False
        node = parent
    return True


class UnvalidatedRemoteNumberRule(Rule):
    id = "bug/unvalidated-remote-number"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A RemoteEvent/RemoteFunction server handler uses a client-sent value in arithmetic "
        "or to set a number before validating it (exploiters send anything)."
    )
    bad = (
        'local remote = game:GetService("ReplicatedStorage"):WaitForChild("AddCoins")\n'
        "remote.OnServerEvent:Connect(function(player, amount)\n"
        "\tplayer.leaderstats.Coins.Value += amount\n"
        "end)\n"
    )
    good = (
        'local remote = game:GetService("ReplicatedStorage"):WaitForChild("AddCoins")\n'
        "remote.OnServerEvent:Connect(function(player, amount)\n"
        '\tif typeof(amount) ~= "number" or amount ~= amount then\n'
        "\t\treturn\n"
        "\tend\n"
        "\tplayer.leaderstats.Coins.Value += math.clamp(amount, 0, 10)\n"
        "end)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "OnServer" not in ctx.source.text:
            return
        scopes = scope_analysis(ctx)
        index = calls(ctx)
        uses = _Uses(ctx.source, index)
        seen: set[int] = set()
        by_statement: dict[int, list[Declaration]] = {}
        for decl in scopes.declarations:
            by_statement.setdefault(decl.statement.id, []).append(decl)
        for handler in server_handlers(ctx.source, scopes, index):
            if handler.node.id in seen or scopes.in_error_region(handler.node):
                continue
            seen.add(handler.node.id)
            for param in handler.parameters[1:]:
                if any(
                    uses.validates(ref.node)
                    for derived in _derived_locals(param, by_statement)
                    for ref in derived.reads
                ):
                    # `local distance = (target - root.Position).Magnitude` then
                    # `if distance > MAX then return end`: checked through what it computed.
                    continue
                finding = self._first_untrusted(ctx, uses, param)
                if finding is not None:
                    yield finding

    def _first_untrusted(self, ctx: RuleContext, uses: _Uses, param: Declaration) -> Finding | None:
        for ref in param.reads:
            if uses.validates(ref.node):
                # Everything after the first check counts as checked.
                return None
            trusted = uses.trusts(ref.node)
            if trusted is None:
                continue
            how, partner = trusted
            name = param.name
            # Arithmetic with a vector (`mousePosition - origin`) takes a vector, not a number.
            partner_type = bindings_for(ctx).type_of(partner) if partner is not None else None
            if partner_type is not None and partner_type.kind is TypeKind.DATATYPE:
                fix = (
                    f'check it first: if typeof({name}) ~= "{partner_type.name}" then return '
                    "end, then check it is within the range the game allows (a distance from "
                    "the player, a magnitude)"
                )
            else:
                fix = (
                    f'check it first: if typeof({name}) ~= "number" or {name} ~= {name} then '
                    "return end, then clamp it to the allowed range"
                )
            return self.at(
                ctx,
                ref.node,
                f"`{name}` comes from the client and feeds {how} without validation",
                fix,
            )
        return None


def _derived_locals(
    param: Declaration, by_statement: dict[int, list[Declaration]]
) -> Iterator[Declaration]:
    """Locals whose initial value is computed from the parameter (`local d = p - origin`)."""
    for ref in param.reads:
        node = ref.node.parent
        while node is not None and node.type not in ("variable_declaration", "block", "chunk"):
            node = node.parent
        if node is not None and node.type == "variable_declaration":
            yield from by_statement.get(node.id, [])
