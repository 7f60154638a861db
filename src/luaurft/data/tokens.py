"""A small Luau lexer and the token normalisation shared by dedup and decontamination.

A regular-expression lexer rather than tree-sitter: corpus code is often broken
or uses syntax tree-sitter-luau rejects, and dedup must still see its tokens;
it is also much faster over hundreds of thousands of files.

Normalisation keeps what makes two scripts *do* different things and abstracts
what a copy-paste-and-rename changes: keywords, operators, Roblox/Luau globals
and member names (`:GetService`, `.Touched`) stay; local names become `ID`;
numbers become `NUM`; short strings (service, instance, event names) stay and
long ones become `STR`; comments are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from luaurft.roblox.globals import LUAU_GLOBALS, ROBLOX_GLOBALS


class TokenType(StrEnum):
    NAME = "name"
    KEYWORD = "keyword"
    STRING = "string"
    NUMBER = "number"
    OP = "op"
    COMMENT = "comment"


@dataclass(frozen=True, slots=True)
class Token:
    type: TokenType
    text: str


KEYWORDS: frozenset[str] = frozenset(
    {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
        "continue", "type", "export",
    }
)  # fmt: skip

_KEEP_NAMES = LUAU_GLOBALS | ROBLOX_GLOBALS | {"self"}

# Long brackets ([[...]], [==[...]==]) need their level matched, so they are
# handled by hand; everything else is one alternation.
_LONG_OPEN = re.compile(r"\[(=*)\[")
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.|\\\n)*"?|'(?:[^'\\\n]|\\.|\\\n)*'?|`(?:[^`\\]|\\.)*`?)
  | (?P<number>0[xX][0-9a-fA-F_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\.\.\.|\.\.=|//=|==|~=|<=|>=|::|->|\+=|-=|\*=|/=|%=|\^=|\.\.|//|[-+*/%^#&|<>=(){}\[\];:,.?@!~])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> Iterator[Token]:
    """Luau tokens of `text`, comments included; never raises on broken code."""
    pos = 0
    end = len(text)
    while pos < end:
        if text.startswith("--", pos):
            long = _LONG_OPEN.match(text, pos + 2)
            if long:
                close = "]" + long.group(1) + "]"
                stop = text.find(close, long.end())
                stop = end if stop < 0 else stop + len(close)
                yield Token(TokenType.COMMENT, text[pos:stop])
                pos = stop
                continue
        elif text.startswith("[", pos):
            long = _LONG_OPEN.match(text, pos)
            if long:
                close = "]" + long.group(1) + "]"
                stop = text.find(close, long.end())
                stop = end if stop < 0 else stop + len(close)
                yield Token(TokenType.STRING, text[pos:stop])
                pos = stop
                continue
        match = _TOKEN.match(text, pos)
        assert match is not None  # the `other` branch matches any character
        pos = match.end()
        group = match.lastgroup
        value = match.group()
        if group == "ws":
            continue
        if group == "name":
            yield Token(TokenType.KEYWORD if value in KEYWORDS else TokenType.NAME, value)
        elif group == "comment":
            yield Token(TokenType.COMMENT, value)
        elif group == "string":
            yield Token(TokenType.STRING, value)
        elif group == "number":
            yield Token(TokenType.NUMBER, value)
        else:
            yield Token(TokenType.OP, value)


def string_body(literal: str) -> str:
    """The contents of a string literal token, without quotes or long brackets."""
    if literal[:1] in {'"', "'", "`"}:
        body = literal[1:]
        return body[:-1] if body.endswith(literal[0]) else body
    long = _LONG_OPEN.match(literal)
    if long:
        body = literal[long.end() :]
        close = "]" + long.group(1) + "]"
        return body[: -len(close)] if body.endswith(close) else body
    return literal


def normalized_tokens(text: str, *, max_string: int = 24) -> list[str]:
    """Tokens of `text` with names, numbers and long strings abstracted (module docstring)."""
    tokens = [t for t in tokenize(text) if t.type is not TokenType.COMMENT]
    out: list[str] = []
    for i, token in enumerate(tokens):
        kind = token.type
        if kind is TokenType.NAME:
            previous = tokens[i - 1].text if i else ""
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            # Field and method names are API surface (`.Touched`, `:Connect(`), not
            # the author's choice; a name after ':' that is not called is a type
            # annotation, which renames like a local.
            is_method = (
                previous == ":"
                and following is not None
                and (following.text in {"(", "{"} or following.type is TokenType.STRING)
            )
            if previous == "." or is_method or token.text in _KEEP_NAMES:
                out.append(token.text)
            else:
                out.append("ID")
        elif kind is TokenType.NUMBER:
            out.append("NUM")
        elif kind is TokenType.STRING:
            body = string_body(token.text)
            out.append(f'"{body}"' if len(body) <= max_string and "\n" not in body else "STR")
        else:
            out.append(token.text)
    return out


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words of prose (or of anything), for natural-language overlap."""
    return _WORD.findall(text.lower())


def shingles(tokens: list[str], size: int) -> set[str]:
    """Every run of `size` consecutive tokens, joined; a shorter list is one shingle."""
    if not tokens:
        return set()
    if len(tokens) <= size:
        return {"\x1f".join(tokens)}
    return {"\x1f".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}
