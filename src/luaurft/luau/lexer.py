"""A tolerant Luau lexer: tokens with positions, for rules that must read broken code.

tree-sitter gives up on text that is not Luau (Python, JavaScript, markdown), but
the syntax rules need to see exactly that text to explain what is wrong. This
lexer never fails: it knows Luau's strings, long brackets, interpolated strings
and comments (so nothing inside them is mistaken for code), and it turns
characters Luau does not use into `UNKNOWN` or operator tokens instead of
stopping.

Optionally it recognises comments from other languages (`# ...`, `// ...`,
`/* ... */`) where they cannot be Luau, through a `ForeignCommentPolicy`: `#` is
also Luau's length operator and `//` its floor division, so the decision depends
on the position (see the policy's docstring).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple


class TokenKind(StrEnum):
    NAME = "name"
    KEYWORD = "keyword"
    NUMBER = "number"
    STRING = "string"  # quoted, long-bracket and interpolated strings
    COMMENT = "comment"  # Luau comments: `--` and `--[[ ]]`
    OP = "op"  # punctuation and operators, Luau's and a few foreign ones (`!=`, `&&`)
    UNKNOWN = "unknown"  # a character Luau has no use for (`$`, a non-ASCII letter)
    FOREIGN_COMMENT = "foreign_comment"  # `#`, `//` or `/* */` used as a comment


KEYWORDS: frozenset[str] = frozenset(
    {
        *("and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if"),
        *("in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until"),
        "while",
    }
)

# Longest first, so `...` wins over `..` and `===` over `==`. The foreign ones are
# lexed as single tokens so rules can name them.
_OPERATORS: tuple[str, ...] = (
    "...",
    "..=",
    "//=",
    "===",
    "!==",
    "..",
    "==",
    "~=",
    "<=",
    ">=",
    "//",
    "::",
    "->",
    "+=",
    "-=",
    "*=",
    "/=",
    "%=",
    "^=",
    "!=",
    "&&",
    "||",
    "=>",
    "++",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "#",
    "&",
    "~",
    "|",
    "<",
    ">",
    "=",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ":",
    ",",
    ".",
    "?",
    "@",
    "!",
)
_OPERATOR_RE = re.compile("|".join(re.escape(op) for op in _OPERATORS))
# First characters that may start a comment, a string or a long bracket.
_SLOW_START = frozenset("-\"'`[#/")
# The lexer's fast path, in one match: a run of whitespace, then a name, a number
# (a name glued to a number, `3rd`, stays one malformed number) or a plain
# operator, unless the next character needs the slow path.
_SPACED = re.compile(
    r"(?P<space>[ \t\f\v\r\n]*)"
    r"(?:(?![-\"'`\[#/])(?:"
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>(?:0[xX][0-9a-fA-F_]*|0[bB][01_]*|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)"
    r"(?:[eE][+-]?[0-9_]*)?)[A-Za-z0-9_]*)"
    r"|(?P<op>" + "|".join(re.escape(op) for op in _OPERATORS) + ")"
    r"))?"
)
_LONG_OPEN_RE = re.compile(r"\[(=*)\[")
_SPACE = " \t\f\v\r"


class Token(NamedTuple):
    """One token. `line` and `column` are 1-based; `start`/`end` are offsets into the text.

    A named tuple rather than a dataclass: files have thousands of tokens and a
    tuple is several times cheaper to build.
    """

    kind: TokenKind
    text: str
    line: int
    column: int
    start: int
    end: int
    # A string or comment whose closing delimiter never came.
    unterminated: bool = False

    @property
    def end_line(self) -> int:
        return self.line + self.text.count("\n")

    def is_op(self, *texts: str) -> bool:
        return self.kind is TokenKind.OP and self.text in texts

    def is_keyword(self, *texts: str) -> bool:
        return self.kind is TokenKind.KEYWORD and self.text in texts

    def is_name(self, *texts: str) -> bool:
        return self.kind is TokenKind.NAME and (not texts or self.text in texts)

    @property
    def is_trivia(self) -> bool:
        """Comments of either kind: not part of the code."""
        return self.kind in (TokenKind.COMMENT, TokenKind.FOREIGN_COMMENT)


def ends_expression(token: Token | None) -> bool:
    """Whether code can end an expression with this token (so a binary operator may follow)."""
    if token is None:
        return False
    if token.kind in (TokenKind.NAME, TokenKind.NUMBER, TokenKind.STRING):
        return True
    if token.kind is TokenKind.KEYWORD:
        return token.text in ("end", "nil", "true", "false")
    return token.is_op(")", "]", "}", "...")


class ForeignCommentPolicy:
    """Decides where `#`, `//` and `/*` start a comment from another language.

    - `/*` is always a block comment: Luau has no unary `*`.
    - `#` is Luau's (unary) length operator, so it starts a comment exactly
      where an operand cannot: after something that ends an expression, at the
      start of the text or where a statement begins (`then`, `do`, `;`...).
    - `//` is Luau's floor division, a binary operator: where no expression
      precedes it, it is a comment. After an expression it is division in code
      that compiles; in code that does not, it is a comment when it starts a
      line or is followed by prose (two bare words in a row) or nothing.
    """

    def __init__(self, *, compiles: bool, error_line: int | None = None) -> None:
        self.compiles = compiles
        self.error_line = error_line

    def starts_comment(self, marker: str, prev: Token | None, line: int, rest: str) -> bool:
        if marker == "/*":
            return True
        if marker == "#":
            return prev is None or ends_expression(prev) or _starts_statement(prev)
        if not ends_expression(prev):
            return True
        if self.compiles:
            return False
        # After an expression `//` may be division, even at the start of a line
        # (`total\n\t// 2`); it is a comment where what follows is no operand.
        return (
            line == self.error_line
            or not rest.strip()
            or not _OPERAND_START.match(rest.strip())
            or _looks_like_prose(rest)
        )


_OPERAND_START = re.compile(r"""[A-Za-z_0-9("'`{#.\[-]""")


def _starts_statement(token: Token) -> bool:
    return token.is_keyword("then", "do", "else", "repeat") or token.is_op(";")


_PROSE = re.compile(r"(?:^|[\s(])[A-Za-z][A-Za-z']*\s+[A-Za-z][A-Za-z']*(?=[\s,.!?:;)]|$)")


def _looks_like_prose(text: str) -> bool:
    """Two plain words in a row, or punctuation Luau has no use for: not an operand."""
    stripped = text.strip()
    if re.search(r"[!?$']", stripped):
        return True
    for match in _PROSE.finditer(stripped):
        words = match.group(0).split()
        if not any(w in KEYWORDS for w in words):
            return True
    return False


class _Lexer:
    def __init__(self, text: str, policy: ForeignCommentPolicy | None) -> None:
        self.text = text
        self.n = len(text)
        self.policy = policy
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.prev: Token | None = None  # last token that is not trivia

    def _make(self, kind: TokenKind, start: int, end: int, *, unterminated: bool = False) -> Token:
        text = self.text[start:end]
        token = Token(kind, text, self.line, start - self.line_start + 1, start, end, unterminated)
        newlines = text.count("\n")
        if newlines:
            self.line += newlines
            self.line_start = start + text.rindex("\n") + 1
        return token

    def _line_end(self, start: int) -> int:
        end = self.text.find("\n", start)
        return self.n if end < 0 else end

    def _long_bracket_end(self, start: int, level: int) -> tuple[int, bool]:
        close = "]" + "=" * level + "]"
        end = self.text.find(close, start)
        if end < 0:
            return self.n, True
        return end + len(close), False

    def _quoted_end(self, start: int) -> tuple[int, bool]:
        quote = self.text[start]
        i = start + 1
        while i < self.n:
            c = self.text[i]
            if c == "\\":
                if self.text.startswith("z", i + 1):
                    i += 2
                    while i < self.n and self.text[i] in _SPACE + "\n":
                        i += 1
                    continue
                i += 2
                continue
            if c == quote:
                return i + 1, False
            if c == "\n":
                return i, True
            i += 1
        return self.n, True

    def _interpolated_end(self, start: int) -> tuple[int, bool]:
        # Text parts end at a newline; `{ }` parts are code and may hold strings,
        # braces and interpolated strings of their own. The brace depths of the
        # enclosing strings wait in a list, so nesting cannot exhaust Python's stack.
        text, n = self.text, self.n
        i = start + 1
        depth = 0
        enclosing: list[int] = []
        while i < n:
            c = text[i]
            if depth == 0:
                if c == "\\":
                    i += 2
                    continue
                if c == "`" or c == "\n":
                    end, unterminated = (i + 1, False) if c == "`" else (i, True)
                    if not enclosing:
                        return end, unterminated
                    i, depth = end, enclosing.pop()
                    continue
                if c == "{":
                    depth = 1
                i += 1
                continue
            if c in "\"'":
                i, _ = self._quoted_end(i)
                continue
            if c == "`":
                enclosing.append(depth)
                depth = 0
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            i += 1
        return n, True

    def tokens(self) -> list[Token]:
        """Every token, in order. The fast path keeps the lexer's state in locals."""
        text = self.text
        n = self.n
        fast = _SPACED.match
        slow_start = _SLOW_START
        keywords = KEYWORDS
        name_kind, keyword_kind = TokenKind.NAME, TokenKind.KEYWORD
        number_kind, op_kind = TokenKind.NUMBER, TokenKind.OP
        new_tuple = tuple.__new__
        out: list[Token] = []
        append = out.append
        pos, line, line_start, prev = self.pos, self.line, self.line_start, self.prev
        while pos < n:
            c = text[pos]
            if c in slow_start:
                self.pos, self.line, self.line_start, self.prev = pos, line, line_start, prev
                append(self._slow_token(pos, c))
                pos, line, line_start, prev = self.pos, self.line, self.line_start, self.prev
                continue
            # Most of any file: whitespace, names, numbers and plain operators.
            match = fast(text, pos)
            assert match is not None  # every part of the pattern may match nothing
            start = match.end("space")
            if start > pos:
                newlines = text.count("\n", pos, start)
                if newlines:
                    line += newlines
                    line_start = text.rindex("\n", pos, start) + 1
            group = match.lastgroup
            if group == "space":  # no token after the whitespace (if any)
                if start > pos:
                    pos = start
                    continue
                # One character Luau has no use for (never a newline).
                token = Token(TokenKind.UNKNOWN, c, line, pos - line_start + 1, pos, pos + 1)
            else:
                end = match.end()
                word = text[start:end]
                if group == "name":
                    kind = keyword_kind if word in keywords else name_kind
                else:
                    kind = number_kind if group == "number" else op_kind
                # `Token(...)` without the named tuple's Python-level `__new__`.
                token = new_tuple(
                    Token, (kind, word, line, start - line_start + 1, start, end, False)
                )
            pos = token.end
            prev = token
            append(token)
        self.pos, self.line, self.line_start, self.prev = pos, line, line_start, prev
        return out

    def _slow_token(self, start: int, c: str) -> Token:
        """A token whose first character needs a closer look: comments, strings, `#`, `/`, `[`."""
        text = self.text
        if text.startswith("--", start):
            long = _LONG_OPEN_RE.match(text, start + 2)
            if long:
                end, open_ = self._long_bracket_end(long.end(), len(long.group(1)))
            else:
                end, open_ = self._line_end(start), False
            token = self._make(TokenKind.COMMENT, start, end, unterminated=open_)
            self.pos = end
            return token
        if self.policy is not None and (c == "#" or text.startswith(("//", "/*"), start)):
            marker = "/*" if text.startswith("/*", start) else c * (1 if c == "#" else 2)
            if marker == "//" and text.startswith("//=", start):
                marker = ""
            line_end = self._line_end(start)
            rest = text[start + len(marker) : line_end]
            if marker and self.policy.starts_comment(marker, self.prev, self.line, rest):
                if marker == "/*":
                    close = text.find("*/", start + 2)
                    end, open_ = (self.n, True) if close < 0 else (close + 2, False)
                else:
                    end, open_ = line_end, False
                token = self._make(TokenKind.FOREIGN_COMMENT, start, end, unterminated=open_)
                self.pos = end
                return token
        if c in "\"'":
            end, open_ = self._quoted_end(start)
            kind = TokenKind.STRING
        elif c == "`":
            end, open_ = self._interpolated_end(start)
            kind = TokenKind.STRING
        elif c == "[" and (long := _LONG_OPEN_RE.match(text, start)):
            end, open_ = self._long_bracket_end(long.end(), len(long.group(1)))
            kind = TokenKind.STRING
        elif (match := _OPERATOR_RE.match(text, start)) is not None:
            end, open_, kind = match.end(), False, TokenKind.OP
        else:
            end, open_, kind = start + 1, False, TokenKind.UNKNOWN
        token = self._make(kind, start, end, unterminated=open_)
        self.pos = end
        self.prev = token
        return token


def tokenize(text: str, *, foreign: ForeignCommentPolicy | None = None) -> list[Token]:
    """Every token of `text`, comments included. Never raises.

    Without `foreign`, `#`, `//` and `/*` are always operators, as Luau reads
    them; with it, the policy decides where they start a comment instead.
    """
    return _Lexer(text, foreign).tokens()


def code_tokens(tokens: list[Token]) -> list[Token]:
    """The tokens that are code: everything but comments."""
    return [t for t in tokens if not t.is_trivia]
