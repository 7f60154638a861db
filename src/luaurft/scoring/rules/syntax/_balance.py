"""Unbalanced blocks and brackets: point at the opener that is never closed, or the stray closer.

The compiler notices a missing `end` only where the file runs out, and names
the outermost block it was still inside. The useful place is the opener that
lost its `end`: when openers and closers do not pair up, closers that start a
line are matched by indentation (an `end` closes the opener indented like it),
which finds the inner `if` whose `end` was forgotten rather than the function
around it. Balanced code is never reported, whatever its indentation.

Lines that open a block the Python (`if x:`) or JavaScript (`if (x) {`) way are
reported by their own rules and left out here, so one mistake is one finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from luaurft.luau.lexer import Token, TokenKind
from luaurft.scoring.lexical import CodeView, code_view
from luaurft.scoring.rule import RuleContext

_BRACKETS = {")": "(", "]": "[", "}": "{"}
_BLOCK_OPENERS = frozenset({"function", "if", "while", "for", "repeat", "do"})
_OPENER_OF = {closer: frozenset(opener) for closer, opener in _BRACKETS.items()}
_END_CLOSES = frozenset(_BLOCK_OPENERS - {"repeat"})
_UNTIL_CLOSES = frozenset({"repeat"})
_ELSE_CLOSES = frozenset({"if"})
_TAB_WIDTH = 4


@dataclass
class _Open:
    token: Token
    indent: int
    is_block: bool
    awaits_do: bool = False
    # `x = if a then b else c`: an if-expression ends at its `else`, not at an `end`.
    is_expression: bool = False


@dataclass(frozen=True, slots=True)
class Imbalance:
    kind: Literal["unclosed-block", "unclosed-bracket", "unexpected-closer"]
    token: Token


def _indent_of(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += _TAB_WIDTH
        else:
            break
    return width


class _Matcher:
    def __init__(
        self, view: CodeView, lines: list[str], by_indent: bool, else_if_as_elseif: bool = False
    ) -> None:
        self.view = view
        self.lines = lines
        self.by_indent = by_indent
        # Read `else if` on one line as `elseif` (what the writer usually meant).
        self.else_if_as_elseif = else_if_as_elseif
        self.stack: list[_Open] = []
        self.problems: list[Imbalance] = []
        self._indents: dict[int, int] = {}

    def indent(self, token: Token) -> int:
        line = token.line
        found = self._indents.get(line)
        if found is None:
            found = _indent_of(self.lines[line - 1]) if line <= len(self.lines) else 0
            self._indents[line] = found
        return found

    def _unclosed(self, entry: _Open) -> None:
        kind: Literal["unclosed-block", "unclosed-bracket"] = (
            "unclosed-block" if entry.is_block else "unclosed-bracket"
        )
        self.problems.append(Imbalance(kind, entry.token))

    def _find(self, token: Token, first_on_line: bool, opens: frozenset[str]) -> int | None:
        """Stack index of the opener `token` closes, or None when it closes nothing.

        Scans down from the top and stops at the first fit, so deep nesting
        (100,000 parentheses) costs what it closes, never the stack's depth."""
        stack = self.stack
        top = next(
            (
                i
                for i in range(len(stack) - 1, -1, -1)
                if stack[i].token.text in opens and not stack[i].is_expression
            ),
            None,
        )
        if top is None:
            return None
        if not (self.by_indent and first_on_line):
            return top
        indent = self.indent(token)
        for i in range(top, -1, -1):
            entry = stack[i]
            if entry.indent == indent and entry.token.text in opens and not entry.is_expression:
                return i
        if stack[top].indent < indent:
            return None
        return top

    def _close(self, token: Token, first_on_line: bool, opens: frozenset[str], pop: bool) -> None:
        index = self._find(token, first_on_line, opens)
        if index is None:
            self.problems.append(Imbalance("unexpected-closer", token))
            return
        for entry in self.stack[index + 1 :]:
            if not entry.is_expression:
                self._unclosed(entry)
        del self.stack[index + (0 if pop else 1) :]

    def run(self) -> list[Imbalance]:
        view = self.view
        skip_lines = view.foreign_header_lines
        else_ifs = set(else_if_indexes(view))
        line_first = view.line_first
        op_kind, keyword_kind = TokenKind.OP, TokenKind.KEYWORD
        for i, tok in enumerate(view.code):
            kind = tok.kind
            if kind is not op_kind and kind is not keyword_kind:
                continue
            first = i in line_first
            text = tok.text
            if kind is op_kind:
                if text in ("(", "[", "{"):
                    self.stack.append(_Open(tok, self.indent(tok), is_block=False))
                elif text in _BRACKETS:
                    self._close(tok, first, _OPENER_OF[text], pop=True)
                continue
            if tok.line in skip_lines:
                continue
            if text == "do" and self.stack and self.stack[-1].awaits_do:
                self.stack[-1].awaits_do = False
            elif text == "if" and self.else_if_as_elseif and i in else_ifs:
                continue
            elif text == "if" and _in_expression(view.prev(i)):
                self.stack.append(_Open(tok, self.indent(tok), is_block=True, is_expression=True))
            elif text in ("else", "elseif") and self.stack and self.stack[-1].is_expression:
                if text == "else":
                    self.stack.pop()
            elif text in _BLOCK_OPENERS:
                entry = _Open(tok, self.indent(tok), is_block=True)
                entry.awaits_do = text in ("while", "for")
                self.stack.append(entry)
            elif text == "end":
                self._close(tok, first, _END_CLOSES, pop=True)
            elif text == "until":
                self._close(tok, first, _UNTIL_CLOSES, pop=True)
            elif text in ("else", "elseif"):
                self._close(tok, first, _ELSE_CLOSES, pop=False)
        for entry in self.stack:
            if not entry.is_expression:
                self._unclosed(entry)
        return self.problems


_EXPRESSION_KEYWORDS = frozenset(
    {"return", "and", "or", "not", "in", "until", "if", "elseif", "while"}
)


def _in_expression(prev: Token | None) -> bool:
    """Whether a token after `prev` stands where an expression is expected."""
    if prev is None:
        return False
    if prev.kind is TokenKind.OP:
        return prev.text not in (")", "]", "}", "...", ";")
    return prev.kind is TokenKind.KEYWORD and prev.text in _EXPRESSION_KEYWORDS


def else_if_indexes(view: CodeView) -> list[int]:
    """Indexes of `if` tokens that follow `else` on the same line."""
    code = view.code
    return [
        i
        for i in view.positions("if")
        if i >= 1
        and code[i].is_keyword("if")
        and code[i - 1].is_keyword("else")
        and code[i - 1].line == code[i].line
    ]


@dataclass(frozen=True, slots=True)
class Balance:
    imbalances: list[Imbalance]
    # `else if` that leaves an `if` unclosed where `elseif` would balance the file.
    else_ifs: list[Token]


def find_imbalances(view: CodeView, lines: list[str]) -> Balance:
    """Unclosed openers and stray closers; nothing when blocks and brackets pair up."""
    if not _Matcher(view, lines, by_indent=False).run():
        return Balance([], [])
    else_ifs = else_if_indexes(view)
    if else_ifs and not _Matcher(view, lines, by_indent=False, else_if_as_elseif=True).run():
        return Balance([], [view.code[i - 1] for i in else_ifs])
    return Balance(_Matcher(view, lines, by_indent=True).run(), [])


def balance(ctx: RuleContext) -> Balance:
    if ctx.source.compiles:
        return Balance([], [])
    found: Balance = ctx.memo(
        "syntax.balance", lambda: find_imbalances(code_view(ctx), ctx.source.lines)
    )
    return found


def imbalances(ctx: RuleContext) -> list[Imbalance]:
    return balance(ctx).imbalances


_CLOSER_FOR = {"repeat": "until <condition>", "(": ")", "[": "]", "{": "}"}


def unclosed(
    ctx: RuleContext, kind: Literal["unclosed-block", "unclosed-bracket"]
) -> Iterator[tuple[Token, str, str]]:
    """(opener, message, closer) for every opener of this kind that is never closed."""
    for problem in imbalances(ctx):
        if problem.kind == kind:
            tok = problem.token
            closer = _CLOSER_FOR.get(tok.text, "end")
            message = f"`{tok.text}` opened on line {tok.line} is never closed: add its `{closer}`"
            yield tok, message, closer
