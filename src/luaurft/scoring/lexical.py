"""A token-level view of code, for rules that must read text tree-sitter cannot parse.

Model output that fails to compile is often not Luau at all: Python, JavaScript,
markdown, prose. `CodeView` lexes it once (see `luaurft.luau.lexer`), takes the
markdown fences and prose out of the token stream (reporting where they were)
and indexes what the rules ask about: tokens per line, which names the code
defines, which methods it declares. Rules get it through `code_view(ctx)`, which
builds it once per piece of code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from luaurft.luau.lexer import (
    ForeignCommentPolicy,
    Token,
    TokenKind,
    ends_expression,
    tokenize,
)
from luaurft.scoring.analysis.typos import typo_of
from luaurft.scoring.rule import RuleContext

# A line that is only a markdown fence, with an optional language tag.
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w+#.-]*)[ \t]*$")
# Contextual keywords: a statement may start with `type Foo` or `export type`.
_CONTEXTUAL = frozenset({"type", "export", "continue"})
# Words that start a statement in Python or JavaScript: such a line is foreign code,
# reported by its own rule, not prose.
_FOREIGN_STATEMENT_WORDS = frozenset(
    {
        *("def", "elif", "class", "import", "from", "async", "await", "try", "except"),
        *("finally", "with", "pass", "raise", "lambda", "yield", "del", "global", "nonlocal"),
        *("assert", "print", "let", "const", "var", "switch", "case", "catch", "throw", "new"),
    }
)
# First words of Python block headers (`if x:`) and of JavaScript brace blocks (`if (x) {`).
_PY_HEADERS = frozenset(
    {"if", "elif", "else", "for", "while", "def", "class", "try", "except", "finally", "with"}
)
_JS_HEADER_WORDS = frozenset(
    {"if", "elseif", "else", "for", "while", "function", "switch", "try", "catch", "finally"}
)


@dataclass(frozen=True, slots=True)
class Fence:
    line: int
    text: str
    language: str


@dataclass(frozen=True, slots=True)
class ProseRun:
    """Consecutive lines of natural language; `fenced` when found outside a code fence."""

    line: int
    text: str
    fenced: bool


@dataclass
class CodeView:
    tokens: list[Token]  # code and comments, without fences and prose
    fences: list[Fence] = field(default_factory=list)
    prose: list[ProseRun] = field(default_factory=list)

    @cached_property
    def code(self) -> list[Token]:
        """The code tokens: no comments of any kind."""
        trivia = (TokenKind.COMMENT, TokenKind.FOREIGN_COMMENT)
        return [t for t in self.tokens if t.kind not in trivia]  # `not t.is_trivia`

    @cached_property
    def foreign_comments(self) -> list[Token]:
        return [t for t in self.tokens if t.kind is TokenKind.FOREIGN_COMMENT]

    @cached_property
    def _positions(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for i, tok in enumerate(self.code):
            found.setdefault(tok.text, []).append(i)
        return found

    def positions(self, *texts: str) -> list[int]:
        """Indexes into `code` of the tokens spelled as one of `texts`, in order: rules
        that look for a few words visit just those instead of every token."""
        index = self._positions
        if len(texts) == 1:
            return index.get(texts[0], [])
        return sorted(i for text in texts for i in index.get(text, ()))

    def prev(self, index: int) -> Token | None:
        return self.code[index - 1] if index > 0 else None

    def next(self, index: int, offset: int = 1) -> Token | None:
        j = index + offset
        return self.code[j] if 0 <= j < len(self.code) else None

    @cached_property
    def line_first(self) -> set[int]:
        """Indexes into `code` of the first code token of each line."""
        first: set[int] = set()
        last_line = 0
        for i, tok in enumerate(self.code):
            if tok.line != last_line:
                first.add(i)
            last_line = tok.line + tok.text.count("\n")  # `tok.end_line`
        return first

    @cached_property
    def line_last(self) -> set[int]:
        """Indexes into `code` of the last code token of each line."""
        return {i - 1 for i in self.line_first if i > 0} | (
            {len(self.code) - 1} if self.code else set()
        )

    def at_statement_start(self, index: int) -> bool:
        """Whether a statement may begin at `code[index]`: nothing before it is left open."""
        prev = self.prev(index)
        if prev is None:
            return True
        if prev.is_keyword("then", "do", "else", "repeat", "end") or prev.is_op(";"):
            return True
        return ends_expression(prev) and index in self.line_first

    @cached_property
    def defined_names(self) -> frozenset[str]:
        """Names the code declares or assigns: locals, parameters, loop variables,
        global functions and global assignments (an over-approximation on purpose:
        a rule that asks whether a name is "ours" should rather say yes)."""
        names = {
            tok.text
            for i, tok in enumerate(self.code)
            if tok.kind is TokenKind.NAME and self._declared_at(i)
        }
        names.update(self._parameter_names)
        return frozenset(names)

    def defines(self, name: str) -> bool:
        """`name in self.defined_names`, reading only the tokens spelled `name` and the
        parameter lists: rules ask about a word or two, the set reads every token."""
        if "defined_names" in self.__dict__:
            return name in self.defined_names
        code = self.code
        for i in self.positions(name):
            if code[i].kind is TokenKind.NAME and self._declared_at(i):
                return True
        return name in self._parameter_names

    def _declared_at(self, index: int) -> bool:
        # The name `code[index]` is declared (`local x`, `function f`, `for i`, `local a, x`)
        # or assigned (`x =`), and not as a field (`t.x = ...`).
        prev, nxt = self.prev(index), self.next(index)
        after_dot = prev is not None and prev.is_op(".", ":")
        declared = prev is not None and prev.is_keyword("local", "function", "for")
        assigned = nxt is not None and nxt.is_op("=")
        listed = prev is not None and prev.is_op(",") and self._in_name_list(index)
        return ((declared or assigned) and not after_dot) or listed

    def _in_name_list(self, index: int) -> bool:
        # `local a, b` / `for k, v in`: walk back over `name ,` pairs to the keyword.
        j = index - 1
        while j >= 1 and self.code[j].is_op(",") and self.code[j - 1].kind is TokenKind.NAME:
            j -= 2
        return j >= 0 and self.code[j].is_keyword("local", "for")

    @cached_property
    def _parameter_names(self) -> frozenset[str]:
        params: set[str] = set()
        code = self.code
        for i in self.positions("function"):
            if not code[i].is_keyword("function"):
                continue
            j = i + 1
            while j < len(code) and not code[j].is_op("("):
                if code[j].kind not in (TokenKind.NAME,) and not code[j].is_op(".", ":"):
                    break
                j += 1
            if j >= len(code) or not code[j].is_op("("):
                continue
            j += 1
            while j < len(code) and not code[j].is_op(")"):
                if code[j].kind is TokenKind.NAME and code[j - 1].is_op("(", ","):
                    params.add(code[j].text)
                j += 1
        return frozenset(params)

    @cached_property
    def defined_fields(self) -> frozenset[str]:
        """Field and method names the code defines: `function T.f`, `function T:m`,
        `x.f = ...` and table keys `{ f = ... }`."""
        fields: set[str] = set()
        for i, tok in enumerate(self.code):
            if tok.kind is not TokenKind.NAME:
                continue
            prev, nxt = self.prev(i), self.next(i)
            if prev is None or nxt is None:
                continue
            declared = prev.is_op(".", ":") and self._after_function_name(i)
            assigned = prev.is_op(".", "{", ",", ";") and nxt.is_op("=")
            if declared or assigned:
                fields.add(tok.text)
        return frozenset(fields)

    def _after_function_name(self, index: int) -> bool:
        # `function A.b.c(` : walk back over `name .` to the `function` keyword.
        j = index - 1
        while j >= 1 and self.code[j].is_op(".", ":") and self.code[j - 1].kind is TokenKind.NAME:
            j -= 2
        return j >= 0 and self.code[j].is_keyword("function")

    @cached_property
    def methods(self) -> frozenset[str]:
        """Names declared as methods: `function T:m(` or `function T.m(self`."""
        found: set[str] = set()
        code = self.code
        for i, tok in enumerate(code):
            if tok.kind is not TokenKind.NAME or i < 2 or not self._after_function_name(i):
                continue
            sep = code[i - 1]
            if sep.is_op(":") or (
                sep.is_op(".")
                and i + 2 < len(code)
                and code[i + 1].is_op("(")
                and code[i + 2].is_name("self")
            ):
                found.add(tok.text)
        return frozenset(found)

    @cached_property
    def assigned_self_fields(self) -> frozenset[str]:
        """Fields stored on `self` (`self.f = ...`): callbacks, not methods."""
        found: set[str] = set()
        code = self.code
        for i in range(2, len(code) - 1):
            if code[i - 2].is_name("self") and code[i - 1].is_op(".") and code[i + 1].is_op("="):
                found.add(code[i].text)
        return frozenset(found)

    def line_end(self, index: int) -> int:
        """Index of the last code token on the line where `code[index]` starts."""
        return self._line_ends[index]

    @cached_property
    def _line_ends(self) -> list[int]:
        code = self.code
        ends = list(range(len(code)))
        for j in range(len(code) - 2, -1, -1):
            if code[j + 1].line == code[j].line:
                ends[j] = ends[j + 1]
        return ends

    @cached_property
    def python_headers(self) -> list[int]:
        """Indexes of the first tokens of lines that are Python block headers (`if x:`)."""
        found = []
        code = self.code
        for i in sorted(self.line_first):
            tok = code[i]
            if tok.text not in _PY_HEADERS or tok.kind not in (TokenKind.NAME, TokenKind.KEYWORD):
                continue
            j = self.line_end(i)
            if code[j].is_op(":") and not any(t.is_keyword("then", "do") for t in code[i:j]):
                found.append(i)
        return found

    @cached_property
    def brace_blocks(self) -> list[int]:
        """Indexes of `{` tokens that open a JavaScript-style block (`if (x) {`, `} else {`)."""
        found = []
        code = self.code
        for i in sorted(self.line_first):
            j = self.line_end(i)
            tok = code[j]
            if not tok.is_op("{") or j == i:
                continue
            prev = code[j - 1]
            if not (
                prev.is_op(")", "=>")
                or prev.is_keyword("else", "do", "repeat")
                or prev.is_name("try", "finally")
            ):
                continue
            line_words = {t.text for t in code[i:j]}
            if code[i].is_op("}") or prev.is_op("=>") or line_words & _JS_HEADER_WORDS:
                found.append(j)
        return found

    @cached_property
    def foreign_header_lines(self) -> frozenset[int]:
        """Lines that open a block the Python or JavaScript way."""
        lines = {self.code[i].line for i in self.python_headers}
        lines.update(self.code[j].line for j in self.brace_blocks)
        return frozenset(lines)

    def argument_count(self, open_index: int) -> int | None:
        """Top-level arguments of the call whose `(` is `code[open_index]` (None when unclosed)."""
        depth = 0  # brackets, and blocks of function literals passed as arguments
        count = 0
        code = self.code
        for j in range(open_index, len(code)):
            tok = code[j]
            if depth == 1 and count == 0 and not tok.is_op(")"):
                count = 1
            if tok.is_op("(", "[", "{") or tok.is_keyword("function", "if", "do", "repeat"):
                depth += 1
            elif tok.is_op(")", "]", "}") or tok.is_keyword("end", "until"):
                depth -= 1
                if depth == 0:
                    return count
            elif depth == 1 and tok.is_op(","):
                count += 1
        return None


def build_code_view(
    text: str,
    *,
    compiles: bool,
    error_line: int | None = None,
    conflict_lines: tuple[int, ...] = (),
) -> CodeView:
    """Lex `text`, separating markdown fences and prose from the code.

    `conflict_lines` (`LuauSource.conflict_marker_lines`) are left out: a merge's
    `=======` is not an `===` of JavaScript, nor the branch after `<<<<<<<` a name.
    """
    policy = ForeignCommentPolicy(compiles=compiles, error_line=error_line)
    lines = text.split("\n")
    if conflict_lines:
        for number in conflict_lines:
            lines[number - 1] = _blank(lines[number - 1])
        text = "\n".join(lines)
    candidates = [i + 1 for i, line in enumerate(lines) if _FENCE.match(line)]
    if candidates and not compiles:
        fences = _real_fences(text, lines, candidates, policy)
        if fences:
            return _fenced_view(lines, fences, policy)
    tokens = tokenize(text, foreign=policy)
    view = CodeView(tokens=tokens)
    if not compiles:
        runs = _unfenced_prose(view, lines)
        if runs:
            prose_lines = {line for run in runs for line in _run_lines(run)}
            view = CodeView(
                tokens=[t for t in tokens if t.line not in prose_lines],
                prose=runs,
            )
    return view


def code_view(ctx: RuleContext) -> CodeView:
    """The shared `CodeView` of the code being scored (built at most once per run)."""
    source = ctx.source
    error = source.compiled.error
    view: CodeView = ctx.memo(
        "lexical.code_view",
        lambda: build_code_view(
            source.text,
            compiles=source.compiles,
            error_line=error.line if error else None,
            conflict_lines=source.conflict_marker_lines,
        ),
    )
    return view


# A name token's edges: the lexer's names are ASCII (`[A-Za-z_][A-Za-z0-9_]*`).
NAME_START = r"(?<![A-Za-z0-9_])"
NAME_END = r"(?![A-Za-z0-9_])"


def spelled(*words: str) -> str:
    """A pattern for one of `words` not preceded by a name character: `NAME_START` and
    the words, but with the letters first, so a search skips to them. (A pattern that
    opens with a lookbehind is tried at every position of the text, many times slower.)"""
    return "(?:" + "|".join(f"{re.escape(w)}(?<![A-Za-z0-9_]{re.escape(w)})" for w in words) + ")"


def token_gap(n: int) -> str:
    """What may stand between two tokens of code that compiles: whitespace, Luau's
    comments (a long one closed at its own level) and the foreign comments the
    lexer also skips. Possessive, so a failed search never backtracks into it.
    `n` names its group: one pattern's gaps each need their own."""
    return (
        rf"(?:--\[(?P<eq{n}>=*)\[[\s\S]*?\](?P=eq{n})\]|--[^\n]*|\s+"
        r"|/\*[\s\S]*?\*/|#[^\n]*|//[^\n]*)*+"
    )


def token_run(*tokens: str) -> re.Pattern[str]:
    """A pattern found in the text of any code that compiles whose `code_view` holds
    these tokens (regexes, one per token) in a row. A miss proves they are not there,
    so a rule can skip lexing; a hit (in a string, say) proves nothing."""
    return re.compile(
        "".join(t + (token_gap(i) if i < len(tokens) - 1 else "") for i, t in enumerate(tokens))
    )


def may_hold(ctx: RuleContext, run: re.Pattern[str]) -> bool:
    """False when `code_view(ctx).code` cannot hold the tokens `run` was built for.

    Only code that compiles is lexed token for token; elsewhere prose and fences are
    taken out, so tokens apart in the text may stand side by side: always True there.
    """
    return not ctx.source.compiles or run.search(ctx.source.text) is not None


def may_name(ctx: RuleContext, *names: str) -> bool:
    """False when `code_view(ctx).code` holds no name token spelled as one of `names`.

    Where the code compiles and tree-sitter parses all of it, every name token of
    the lexer (contextual keywords such as `type` and `continue` aside) is an
    identifier of the tree, so the tree's identifiers answer without lexing.
    """
    source = ctx.source
    if not source.compiles or source.tree_has_errors:
        return True
    identifiers = source.identifier_counts
    return any(name in identifiers for name in names)


def surely_defines(ctx: RuleContext, name: str) -> bool:
    """True when `name in code_view(ctx).defined_names`, proven without lexing: the
    text holds `local <name>` or `function <name>` and the tree says both words are
    code (a keyword and an identifier, where code that compiles and parses cleanly
    has the lexer's tokens). False proves nothing: ask the view.
    """
    source = ctx.source
    if not source.compiles or source.tree_has_errors:
        return False
    root = source.root
    # In the UTF-8 bytes, so offsets are the tree's; `\s` of a bytes pattern is the
    # lexer's whitespace (ASCII only).
    word = name.encode()
    pattern = re.compile(
        rb"(local(?<![A-Za-z0-9_]local)|function(?<![A-Za-z0-9_]function))\s+"
        + re.escape(word)
        + rb"(?![A-Za-z0-9_])"
    )
    for hit in pattern.finditer(source.bytes):
        keyword = root.descendant_for_byte_range(hit.start(1), hit.end(1))
        start = hit.end() - len(word)
        ident = root.descendant_for_byte_range(start, hit.end())
        if (
            keyword is not None
            and keyword.type == hit.group(1).decode()
            and ident is not None
            and ident.type == "identifier"
            and (ident.start_byte, ident.end_byte) == (start, hit.end())
        ):
            return True
    return False


def _run_lines(run: ProseRun) -> range:
    return range(run.line, run.line + run.text.count("\n") + 1)


def _blank(line: str) -> str:
    return " " * len(line)


def _real_fences(
    text: str, lines: list[str], candidates: list[int], policy: ForeignCommentPolicy
) -> list[Fence]:
    # A fence line inside a long comment or long string is documentation, not markdown.
    blanked = "\n".join(
        _blank(line) if i + 1 in candidates else line for i, line in enumerate(lines)
    )
    spans = [
        (t.line, t.end_line)
        for t in tokenize(blanked, foreign=policy)
        if t.kind in (TokenKind.COMMENT, TokenKind.STRING) and t.end_line > t.line
    ]
    fences = []
    for line in candidates:
        if any(start < line <= end for start, end in spans):
            continue
        match = _FENCE.match(lines[line - 1])
        assert match is not None
        fences.append(Fence(line=line, text=lines[line - 1].strip(), language=match.group(2)))
    return fences


def _fenced_view(lines: list[str], fences: list[Fence], policy: ForeignCommentPolicy) -> CodeView:
    fence_lines = {f.line for f in fences}
    inside = False
    # An odd number of fences with an untagged first one that has more text before
    # it than after it is a closing fence whose opening one was left out.
    if len(fences) % 2 == 1 and not fences[0].language:
        before = sum(1 for line in lines[: fences[0].line - 1] if line.strip())
        after = sum(1 for line in lines[fences[0].line :] if line.strip())
        inside = before > after
    code_lines: set[int] = set()
    for number in range(1, len(lines) + 1):
        if number in fence_lines:
            inside = not inside
        elif inside:
            code_lines.add(number)
    prose: list[ProseRun] = []
    run: list[int] = []
    for number in range(1, len(lines) + 2):
        # Outside the fences everything is prose, except Luau comments.
        is_prose = (
            number <= len(lines)
            and number not in code_lines
            and number not in fence_lines
            and bool(lines[number - 1].strip())
            and not lines[number - 1].lstrip().startswith("--")
        )
        if is_prose:
            run.append(number)
        elif run:
            text = "\n".join(lines[n - 1] for n in run)
            prose.append(ProseRun(line=run[0], text=text, fenced=True))
            run = []
    masked = "\n".join(
        line if i + 1 in code_lines else _blank(line) for i, line in enumerate(lines)
    )
    return CodeView(tokens=tokenize(masked, foreign=policy), fences=fences, prose=prose)


def _unfenced_prose(view: CodeView, lines: list[str]) -> list[ProseRun]:
    """Runs of lines that read as natural language where a statement should begin."""
    prose_lines: list[int] = []
    code = view.code
    for i in sorted(view.line_first):
        tok = code[i]
        if tok.column != len(lines[tok.line - 1]) - len(lines[tok.line - 1].lstrip()) + 1:
            continue
        # A statement may begin after a prose line just as after a finished statement.
        after_prose = i > 0 and bool(prose_lines) and code[i - 1].line == prose_lines[-1]
        if _is_prose_line(view, i, after_prose):
            prose_lines.append(tok.line)
    runs: list[ProseRun] = []
    for number in prose_lines:
        if runs and number == runs[-1].line + runs[-1].text.count("\n") + 1:
            last = runs[-1]
            runs[-1] = ProseRun(last.line, last.text + "\n" + lines[number - 1], False)
        else:
            runs.append(ProseRun(number, lines[number - 1], False))
    return runs


def _is_prose_line(view: CodeView, i: int, after_prose: bool) -> bool:
    code = view.code
    line = code[i].line
    words = [t for t in code[i : i + 5] if t.line == line]
    first = words[0]
    if not (after_prose or view.at_statement_start(i)) or first.text in _FOREIGN_STATEMENT_WORDS:
        return False
    # Markdown list items: "- Put this in ServerScriptService", "1. Create a Part".
    if (
        first.is_op("-", "*") or (first.kind is TokenKind.NUMBER and first.text.endswith("."))
    ) and (len(words) >= 3 and _bare_words(words[1], words[2])):
        return True
    if first.kind is not TokenKind.NAME or first.text in _CONTEXTUAL:
        return False
    if len(words) == 1:
        return False
    second = words[1]
    if _bare_words(first, second):
        return not _misspelt_keyword(words)
    if second.is_op(":", "!", "?", ".", ","):
        rest = words[2:]
        if not rest:
            return second.text != "."
        return len(rest) >= 2 and (_bare_words(rest[0], rest[1]) or _contraction(rest[0], rest[1]))
    return _contraction(first, second)


# Keywords that open a declaration, and the token that may follow `keyword name`.
_DECLARATION_KEYWORDS = {"local": ("=", ","), "function": ("(", ".", ":")}


def _misspelt_keyword(words: list[Token]) -> bool:
    """`dlocal x = 1`, `fucntion f()`: a declaration whose keyword has a typo (the
    compile error's business), not two words of prose."""
    keyword = typo_of(words[0].text, _DECLARATION_KEYWORDS)
    if keyword is None or words[1].kind is not TokenKind.NAME:
        return False
    if len(words) == 2:
        return keyword == "local"
    return words[2].is_op(*_DECLARATION_KEYWORDS[keyword])


def _contraction(a: Token, b: Token) -> bool:
    """An apostrophe glued to a word ("Here's") opens a string that never closes."""
    return (
        a.kind is TokenKind.NAME
        and b.kind is TokenKind.STRING
        and b.unterminated
        and b.start == a.end
        and b.text.startswith("'")
    )


def _bare_words(a: Token, b: Token) -> bool:
    """Two words in a row separated by space: never Luau outside a string."""
    return (
        a.kind in (TokenKind.NAME, TokenKind.KEYWORD)
        and b.kind in (TokenKind.NAME, TokenKind.KEYWORD)
        and a.line == b.line
        and b.start > a.end
        and not (a.kind is TokenKind.KEYWORD or b.kind is TokenKind.KEYWORD)
    )
