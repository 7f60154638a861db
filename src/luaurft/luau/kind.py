"""Which kind of Roblox script a piece of code is: Script, LocalScript or ModuleScript."""

from __future__ import annotations

import gzip
import re
import tomllib
from collections import Counter
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from luaurft.errors import LuaurftError
from luaurft.luau.lexer import TokenKind, tokenize

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource


class ScriptKind(StrEnum):
    SCRIPT = "Script"
    LOCAL_SCRIPT = "LocalScript"
    MODULE_SCRIPT = "ModuleScript"


_ALIASES = {
    "script": ScriptKind.SCRIPT,
    "server": ScriptKind.SCRIPT,
    "serverscript": ScriptKind.SCRIPT,
    "localscript": ScriptKind.LOCAL_SCRIPT,
    "local": ScriptKind.LOCAL_SCRIPT,
    "client": ScriptKind.LOCAL_SCRIPT,
    "modulescript": ScriptKind.MODULE_SCRIPT,
    "module": ScriptKind.MODULE_SCRIPT,
}

# The reason given when nothing in the code says which side it runs on.
NO_SIDE_SIGNAL = "no client or server API in the code: assumed a server Script"

_KIND_COMMENT = re.compile(r"^\s*--\s*kind\s*:\s*([A-Za-z]+)", re.MULTILINE)

# Where APIs run is a Roblox fact with one home: the table the API rules read
# (`roblox/data/api/context.toml`: client_only, server_only, the side hints and
# the side names). It is read here as data, so this bottom layer does not import
# `roblox/`; names.toml gives the Roblox service names, which are not a
# project's own names, and classes.toml the members only GUI objects have.
_API_DATA = Path(__file__).resolve().parent.parent / "roblox" / "data" / "api"
_SIDE_TABLE = _API_DATA / "context.toml"
_SIDES = ("client", "server")

# A side API (client_only / server_only) is proof the code runs there unless it
# is wrong; a hint is only what such code usually does, so it weighs less.
_API_WEIGHT = 2
_HINT_WEIGHT = 1


@cache
def _side_table() -> dict[str, Any]:
    return tomllib.loads(_SIDE_TABLE.read_text("utf-8"))


@cache
def side_api_names() -> tuple[frozenset[str], frozenset[str]]:
    """(client, server): the API names (services, members) that prove a script runs on
    one side, from the table the API rules read."""
    table = _side_table()
    found: list[frozenset[str]] = []
    for side in _SIDES:
        block = table.get(f"{side}_only", {})
        names = set(block.get("services", {}))
        names.update(key.partition(".")[2] for key in block.get("members", {}))
        found.append(frozenset(names))
    return found[0], found[1]


class _SideWords(NamedTuple):
    """The `side_names` table: words that name a side as the last word of a name
    (or, `leading`, as its first), and the names that carry them but are Roblox's."""

    client: frozenset[str]
    server: frozenset[str]
    leading: frozenset[str]
    not_names: frozenset[str]


@cache
def _side_words() -> _SideWords:
    block = _side_table().get("side_names", {})
    names = tomllib.loads((_API_DATA / "names.toml").read_text("utf-8"))
    client, server = frozenset(block.get("client", ())), frozenset(block.get("server", ()))
    # Roblox's own class names (`AnimationController`, `HumanoidController`) name
    # the engine's objects, not the project's code; a class that is a side word
    # itself (`Camera`) still says what the code works with.
    classes = {c for c in names.get("creatable", ()) if c.lower() not in client | server}
    return _SideWords(
        client,
        server,
        frozenset(block.get("leading", ())),
        frozenset(block.get("not_names", ())) | frozenset(names.get("services", ())) | classes,
    )


@cache
def _comment_phrases() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(client, server): the `side_comments` phrases, each side as one pattern."""
    return _phrases("side_comments")


@cache
def _message_phrases() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(client, server): the `side_messages` phrases, each side as one pattern."""
    return _phrases("side_messages")


def _phrases(table: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    block = _side_table().get(table, {})
    client, server = (
        re.compile("|".join(f"(?:{p})" for p in block.get(side, ())) or r"(?!)", re.IGNORECASE)
        for side in ("client", "server")
    )
    return client, server


_WORD_CHAR = re.compile(r"\w")
# The words of one identifier, or one word of a string: `BallClient` -> Ball,
# Client; `SERVER_READY` -> SERVER, READY.
_NAME_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_TRAILING_RETURN = re.compile(r"(?:^|\n)[ \t]*return[ \t]+[A-Za-z_{(][^\n]*\s*$")
_RETURN_VALUE = re.compile(r"return[ \t]+[^\s-]")
_TOP_LEVEL_DESCRIBE = re.compile(r"^describe\(", re.MULTILINE)
# `export type` exports only to a requirer: a chunk of nothing but type
# definitions that exports one is a types-only ModuleScript.
_EXPORT_TYPE = re.compile(r"^export[ \t]+type[ \t]+[A-Za-z_]", re.MULTILINE)
_RETURN_WORD = re.compile(r"return\b")


def _word_hits(pattern: re.Pattern[str] | None, text: str) -> list[str]:
    """The hits of `pattern` that start a word (what a leading `\b` would find)."""
    if pattern is None:
        return []
    hits = []
    for hit in pattern.finditer(text):
        start = hit.start()
        if start == 0 or not _WORD_CHAR.match(text, start - 1):
            hits.append(hit.group())
    return hits


class _Named(NamedTuple):
    """Words of the code that name a side (`side_names`)."""

    client: list[str]
    server: list[str]

    @property
    def side(self) -> ScriptKind | None:
        if len(self.client) == len(self.server):
            return None
        return ScriptKind.LOCAL_SCRIPT if len(self.client) > len(self.server) else ScriptKind.SCRIPT


class _Said(NamedTuple):
    """Where the code names its side: the tags its messages open with
    (`"[Client] Booting"`), the project's own names and strings, its comments (a
    header's `-- Client entry point`)."""

    messages: _Named
    names: _Named
    comments: _Named


def _named_sides(code: str, source: LuauSource | None = None) -> _Said:
    """The words that say client or server, by where the code says them (`_Said`)."""
    client_phrase, server_phrase = _comment_phrases()
    client_tag, server_tag = _message_phrases()
    in_messages, in_code, in_comments = _Named([], []), _Named([], []), _Named([], [])
    names, strings, comments = _names_strings_comments(code, source)
    for text in strings:
        for tag_pattern, tags in (
            (client_tag, in_messages.client),
            (server_tag, in_messages.server),
        ):
            if tag_pattern.match(text) is not None:
                # The tag as written, up to its closing bracket (`[Client]`).
                tags.append(text[1:].lstrip().partition("]")[0] + "]")
                break
    for comment in comments:
        # A comment names its script's side only in a phrase about the script
        # itself; a bare "clients" is as often the other side being described.
        in_comments.client.extend(h.group() for h in client_phrase.finditer(comment))
        in_comments.server.extend(h.group() for h in server_phrase.finditer(comment))
    words = names.copy()
    words.update(w for text in strings for w in _WORD_SPLIT.split(text))
    for word, count in words.items():
        side = _side_of_word(word) if word else None
        if side == "client":
            in_code.client.extend([word] * count)
        elif side == "server":
            in_code.server.extend([word] * count)
    return _Said(in_messages, in_code, in_comments)


def _names_strings_comments(
    code: str, source: LuauSource | None
) -> tuple[Counter[str], list[str], list[str]]:
    """The texts of the names, string literals and comments of the code.

    The lexer's answer, or, where the code compiles and parses cleanly, the
    tree's: its identifiers are the lexer's names but for contextual keywords
    (`type`, `export`) and builtin types (`number`), none of them a side word,
    and names inside an interpolated string belong to that string's text.
    Only which words occur, and how often, matters, not their order.
    """
    if source is None or not source.compiles or source.tree_has_errors:
        tokens = tokenize(code)
        return (
            Counter(t.text for t in tokens if t.kind is TokenKind.NAME),
            [t.text for t in tokens if t.kind is TokenKind.STRING],
            [t.text for t in tokens if t.is_trivia],
        )
    text = source.node_text
    string_nodes = source.nodes("string")
    strings = [text(node) for node in string_nodes]
    interpolated = [
        (node.start_byte, node.end_byte)
        for node, body in zip(string_nodes, strings, strict=True)
        if body.startswith("`")
    ]
    names = source.identifier_counts
    if interpolated:
        # Names inside an interpolated string are words of that string's text.
        names = names - Counter(
            text(node)
            for node in source.nodes("identifier")
            if any(start < node.start_byte < end for start, end in interpolated)
        )
    return names, strings, [text(node) for node in source.comments]


@lru_cache(maxsize=16384)
def _side_of_word(word: str) -> str | None:
    """The side ("client" or "server") a name, or a word of a string, names; None if none."""
    words = _side_words()
    # A local named after what it holds (`animationController`) is the class's name.
    if word in words.not_names or word[:1].upper() + word[1:] in words.not_names:
        return None
    # A name says what a thing is in its last word (`BallClient`,
    # `PlacementController`, `GameServer`; a `ServiceBag` is a bag), and
    # whose it is in a leading Client or Server (`ClientHook`).
    parts = [p.lower() for p in _NAME_PART.findall(word)]
    if not parts:
        return None
    role = parts[-1] if parts[-1] in words.client | words.server else parts[0]
    if role in words.client and (role == parts[-1] or role in words.leading):
        return "client"
    if role in words.server and (role == parts[-1] or role in words.leading):
        return "server"
    return None


_WORD_SPLIT = re.compile(r"[^A-Za-z0-9_]+")


class _Leaning(NamedTuple):
    """The side signals of a piece of code, strongest tier first."""

    client_apis: list[str]
    server_apis: list[str]
    client_hints: list[str]
    server_hints: list[str]

    @property
    def client_weight(self) -> int:
        return _API_WEIGHT * len(self.client_apis) + _HINT_WEIGHT * len(self.client_hints)

    @property
    def server_weight(self) -> int:
        return _API_WEIGHT * len(self.server_apis) + _HINT_WEIGHT * len(self.server_hints)

    @property
    def client(self) -> list[str]:
        return self.client_apis + self.client_hints

    @property
    def server(self) -> list[str]:
        return self.server_apis + self.server_hints


class _SideScan(NamedTuple):
    """The names of all four tiers (`_Leaning`) as one pattern, so the code is
    scanned once; each tier's names; per side, `Instance.new("X")` of the classes
    it creates."""

    names: re.Pattern[str]
    tiers: tuple[frozenset[str], ...]
    created: tuple[re.Pattern[str] | None, re.Pattern[str] | None]


_ONE_WORD = re.compile(r"\w+")


@cache
def _side_scan() -> _SideScan:
    """The one-pass scan of the four tiers.

    A hit of a pattern of one-word names that starts a word is that whole word,
    so one scan for all names, sorted into tiers, finds what each tier's own
    scan would. A side's `Instance.new("X")` hit is found apart from its names,
    which holds while none of those names is a word of such a call. The table
    is package data: breaking either is an error in it, reported at once.
    """
    table = _side_table()
    tiers: list[frozenset[str]] = list(side_api_names())
    created: list[re.Pattern[str] | None] = []
    for side in _SIDES:
        block = table.get(f"{side}_hints", {})
        hints = frozenset(block.get("names", ()))
        tiers.append(hints)
        classes = block.get("created", ())
        clash = sorted(hints & {"Instance", "new", *classes}) if classes else []
        if clash:
            raise ValueError(
                f"{_SIDE_TABLE.name}: [{side}_hints] names {clash} are words of a `created` call"
            )
        created.append(
            re.compile(
                rf"""Instance\.new\(\s*["'](?:{"|".join(re.escape(c) for c in classes)})["']"""
            )
            if classes
            else None
        )
    every = frozenset().union(*tiers)
    several = sorted(name for name in every if not _ONE_WORD.fullmatch(name))
    if not every or several:
        raise ValueError(f"{_SIDE_TABLE.name}: side names must be single words: {several}")
    return _SideScan(_trie_pattern(every), tuple(tiers), (created[0], created[1]))


def _trie_pattern(names: frozenset[str]) -> re.Pattern[str]:
    """A pattern of whole words with the names' shared prefixes factored out
    (`Player(?:Added|Gui)`), so each position of the text tries one branch, not
    every name: at most one name ends at a word end from a given position."""
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def branches(node: dict[str, Any]) -> str:
        # Longer names first; the empty branch (a name ends here) last.
        parts = [re.escape(char) + branches(node[char]) for char in sorted(node) if char]
        if "" in node:
            parts.append("")
        return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"

    return re.compile(branches(trie) + r"\b")


# A string that is one word names a thing (`GetService("UserInputService")`,
# `Instance.new("ScreenGui")`); any other string is text, not a use of an API.
_WORD_STRING = re.compile(r"""(["'`])\w+\1""")


# Comments and strings, each matched whole from where it starts, so a `--` inside
# a string or quotes inside a comment are never taken for the other.
_TRIVIA_OR_STRING = re.compile(
    r"""--\[(=*)\[.*?\]\1\]|--[^\n]*|\[(=*)\[.*?\]\2\]"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`""",
    re.DOTALL,
)


def _blank_unless_word(hit: re.Match[str]) -> str:
    text = hit.group()
    return text if _WORD_STRING.fullmatch(text) else " "


def _code_only(code: str) -> str:
    """`code` with its comments and its strings other than single words blanked:
    an API named in a comment or inside a string (a script's source written into
    `script.Source`) is not used by the code."""
    if (
        "-" not in code
        and '"' not in code
        and "'" not in code
        and "[" not in code
        and "`" not in code
    ):
        return code
    return _TRIVIA_OR_STRING.sub(_blank_unless_word, code)


# The GUI classes: GuiBase2d and what inherits from it.
_GUI_BASE = "GuiBase2d"


@cache
def _gui_parent_members() -> frozenset[str]:
    """Members only GUI objects have among the instances a script can sit in: those of
    the GUI classes of `classes.toml` that no other creatable class or service there
    has (`Text`, `MaxVisibleGraphemes`, `MouseButton1Click`; not `Size` or `Visible`).
    Used on the script's own parent, they put it in a GUI, where only LocalScripts run
    (a SurfaceGui in the Workspace runs Scripts too: a hint, not proof)."""
    classes: dict[str, Any] = tomllib.loads((_API_DATA / "classes.toml").read_text("utf-8"))[
        "class"
    ]

    def chain(name: str | None) -> list[str]:
        names = []
        while name in classes:
            names.append(name)
            name = classes[name].get("superclass")
        return names

    def own(name: str) -> set[str]:
        # An entry is "Name", "Name: Type" or "Name(argument types)" (the table's
        # format, read in full by `roblox/api.py`); only the name matters here.
        spec = classes[name]
        kinds = ("properties", "methods", "events", "callbacks")
        return {
            re.split(r"[:(]", entry)[0].strip() for kind in kinds for entry in spec.get(kind, ())
        }

    gui: set[str] = set()
    other: set[str] = set()
    for name, spec in classes.items():
        if _GUI_BASE in chain(name):
            gui |= own(name)
        elif spec.get("service") or spec.get("creatable", True):
            other.update(m for up in chain(name) for m in own(up))
    return frozenset(gui - other)


# The engine surface's class lines (`@Name Superclass flags`; see scripts/gen_api_surface.py).
_SURFACE = _API_DATA.parent / "api_surface.txt.gz"
_SURFACE_CLASS = re.compile(r"^@(\S+) (\S+) (\S+)$", re.MULTILINE)


@cache
def _gui_parent_names() -> tuple[frozenset[str], frozenset[str]]:
    """(class names, last words), lower case, a local holding the script's parent is
    named for when that parent is a GUI object a LocalScript sits in: the creatable,
    browsable GuiObjects of the engine surface and ScreenGui (a BillboardGui or
    SurfaceGui sits in the world, where Scripts run too); and the last words of those
    names that no other creatable class's name ends with (`label`, `frame`, `button`)."""
    text = gzip.decompress(_SURFACE.read_bytes()).decode("utf-8")
    classes = {
        name: (superclass, flags) for name, superclass, flags in _SURFACE_CLASS.findall(text)
    }

    def is_gui_object(name: str) -> bool:
        while name in classes:
            if name == "GuiObject":
                return True
            name = classes[name][0]
        return False

    def last_word(name: str) -> str:
        return _NAME_PART.findall(name)[-1].lower()

    creatable = [name for name, (_, flags) in classes.items() if "c" in flags]
    gui = {n for n in creatable if "h" not in classes[n][1] and is_gui_object(n)} | {"ScreenGui"}
    others = {last_word(n) for n in creatable if n not in gui}
    return (
        frozenset(n.lower() for n in gui),
        frozenset(last_word(n) for n in gui) - others,
    )


def _named_for_gui(alias: str, members: set[str]) -> bool:
    """A local holding the script's parent is named for a GUI object (`textLabel`,
    `mainFrame`, `screenGui`). `button` alone names a physical button as often: only
    with `Activated`, an event of GuiButtons and Tools, used on it (a tool is not
    called a button)."""
    classes, words = _gui_parent_names()
    lowered = alias.lower()
    if any(lowered.endswith(name) for name in classes):
        return True
    parts = _NAME_PART.findall(alias)
    last = parts[-1].lower() if parts else ""
    if last == "button" or lowered.endswith("btn"):
        return "Activated" in members
    return last in words


# `script.Parent`, spaces allowed around the dot.
_SCRIPT_PARENT_TEXT = r"script[ \t]*\.[ \t]*Parent"
# `local label = script.Parent` (the whole statement, or the parent cast: `script.Parent
# :: TextLabel`; not `script.Parent.Parent`).
_PARENT_ALIAS = re.compile(
    r"(?<![\w.])local[ \t]+([A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w.]+[ \t]*)?=[ \t]*"
    + _SCRIPT_PARENT_TEXT
    + r"\b(?![ \t]*(?:[.\[(\w]|:(?!:)))"
)


def _gui_parent_hits(code: str) -> list[str]:
    """GUI-only members the code uses on its script's own parent (`script.Parent.Text`,
    `label.MaxVisibleGraphemes` with `local label = script.Parent`), one per use; and
    each local holding that parent named for a GUI object (`local textLabel =
    script.Parent`)."""
    if "Parent" not in code:
        return []
    aliases = {m.group(1) for m in _PARENT_ALIAS.finditer(code)}
    members = _gui_parent_members()
    hits = []
    used: dict[str, set[str]] = {alias: set() for alias in aliases}
    # One scan of every `name.member` (linear in the text however many aliases);
    # with no alias only `script.Parent.member` can count, and most names are not it.
    scan = _MEMBER_OF_NAME if aliases else _MEMBER_OF_SCRIPT_PARENT
    for root, name in scan.findall(code):
        if root in used:
            used[root].add(name)
        if name in members and (root in aliases or _SCRIPT_PARENT.fullmatch(root)):
            hits.append(f"{root}.{name}")
    hits.extend(
        f"{alias} = script.Parent"
        for alias in sorted(aliases)
        if _named_for_gui(alias, used[alias])
    )
    return hits


# `name.member` (or `script.Parent.member`) where `name` starts an expression.
_MEMBER_OF_NAME = re.compile(
    rf"(?<![\w.])({_SCRIPT_PARENT_TEXT}(?!\w)|[A-Za-z_]\w*)[ \t]*\.[ \t]*([A-Za-z_]\w*)"
)
_SCRIPT_PARENT = re.compile(_SCRIPT_PARENT_TEXT)
# The matches of `_MEMBER_OF_NAME` whose root is `script.Parent`.
_MEMBER_OF_SCRIPT_PARENT = re.compile(
    rf"(?<![\w.])({_SCRIPT_PARENT_TEXT})(?!\w)[ \t]*\.[ \t]*([A-Za-z_]\w*)"
)


def _leaning(code: str) -> _Leaning:
    code = _code_only(code)
    scan = _side_scan()
    hits = _word_hits(scan.names, code)
    client_api, server_api, client_hints, server_hints = (
        [hit for hit in hits if hit in tier] for tier in scan.tiers
    )
    if "Instance.new(" in code:
        client_hints += _word_hits(scan.created[0], code)
        server_hints += _word_hits(scan.created[1], code)
    client_hints += _gui_parent_hits(code)
    return _Leaning(client_api, server_api, client_hints, server_hints)


def _ends_in_return(text: str, source: LuauSource | None = None) -> bool:
    """The chunk's last statement returns a value (`return Module`, a multi-line
    `return { ... }`, `return function(...) ... end`, an `if` whose branches
    return the module or raise), or the chunk is a test spec or exports types and
    holds nothing else."""
    # Fast path: `return <name, table or expression>` on the last line, or on the
    # last non-blank line before it; a match can only begin there, so only that
    # tail is searched. Offsets, not copies: the text can be long.
    end = _end_of_content(text, len(text))
    last_line = text.rfind("\n", 0, end) + 1
    before = _end_of_content(text, last_line)
    start = text.rfind("\n", 0, before) + 1 if before else 0
    if _TRAILING_RETURN.search(text[start:end]) is not None:
        return True
    # Jest and TestEZ specs are ModuleScripts the test runner requires; Jest's
    # need not return anything.
    if registers_tests(text):
        return True
    if "export" in text and _EXPORT_TYPE.search(text) is not None:
        if source is None:
            from luaurft.luau.source import LuauSource

            source = LuauSource.of(text)
        if not source.root.has_error and all(
            c.type in ("type_definition", "comment") for c in source.root.named_children
        ):
            return True
    if not _has_line_start_return(text):
        return False
    # A value spread over lines: ask the parse tree (the caller's, or one shared
    # through LuauSource's cache, so scoring does not parse twice).
    if source is None:
        from luaurft.luau.source import LuauSource

        source = LuauSource.of(text)
    # The last statement, read from the end: the others are never asked.
    last = next((c for c in reversed(source.root.named_children) if c.type != "comment"), None)
    if last is not None and _returns_value(last):
        return True
    # Syntax the grammar does not know yet (newer Luau types) breaks the tree;
    # the layout still shows a module: a `return` at the left margin with
    # nothing after it but the indented or closing lines of its value.
    return source.root.has_error and _returns_at_margin(text[:end])


def registers_tests(text: str) -> bool:
    """The code is a Jest (or TestEZ-style) test file: it registers its tests with
    `describe(...)` at the top level as it loads. The test runner requires it as a
    ModuleScript and wants no value back."""
    return "describe(" in text and _TOP_LEVEL_DESCRIBE.search(text) is not None


def _has_line_start_return(text: str) -> bool:
    """A line that starts with `return` (after spaces or tabs): the word is searched
    for, and only its own line's start is read, not every position of the text."""
    for hit in _RETURN_WORD.finditer(text):
        start = hit.start()
        if not text[text.rfind("\n", 0, start) + 1 : start].strip(" \t"):
            return True
    return False


def _end_of_content(text: str, end: int) -> int:
    """Where `text[:end].rstrip()` ends."""
    while end and text[end - 1].isspace():
        end -= 1
    return end


def _returns_value(statement: tree_sitter.Node) -> bool:
    """`statement` returns a value, or is an `if` one of whose branches ends in
    returning a value (`if X then return X else error(...) end`)."""
    if statement.type == "return_statement":
        return any(c.type == "expression_list" for c in statement.named_children)
    if statement.type != "if_statement":
        return False
    for branch in statement.named_children:
        body = (
            branch
            if branch.type == "block"
            else next((c for c in branch.named_children if c.type == "block"), None)
        )
        if body is None:
            continue
        last = [c for c in body.named_children if c.type != "comment"]
        if last and _returns_value(last[-1]):
            return True
    return False


def _returns_at_margin(trimmed: str) -> bool:
    at = trimmed.rfind("\nreturn")
    at = at + 1 if at >= 0 else (0 if trimmed.startswith("return") else -1)
    if at < 0 or _RETURN_VALUE.match(trimmed, at) is None:
        return False
    return all(
        not line or line[0] in " \t})]" or line.startswith("--")
        for line in trimmed[at:].split("\n")[1:]
    )


def parse_kind(value: str) -> ScriptKind:
    """Parse a user-supplied kind ('Script', 'client', 'module', ...)."""
    kind = _ALIASES.get(value.strip().lower().replace("_", "").replace("-", ""))
    if kind is None:
        raise LuaurftError(
            f"unknown script kind {value!r}; use Script, LocalScript or ModuleScript"
        )
    return kind


def detect_kind(
    text: str | LuauSource, *, kind: str | None = None, path: str | None = None
) -> ScriptKind:
    """The script kind (see `kind_with_reason`)."""
    return kind_with_reason(text, kind=kind, path=path)[0]


def kind_with_reason(
    text: str | LuauSource, *, kind: str | None = None, path: str | None = None
) -> tuple[ScriptKind, str | None]:
    """The script kind, from (in order) `kind`, a `-- kind:` comment, the file name, inference,
    and, when it was inferred from weak, conflicting or absent signals, why.

    File names follow Rojo's convention: `*.server.luau` is a Script,
    `*.client.luau` a LocalScript. Inference: code whose last statement returns a
    value is a ModuleScript; code that uses more client-side APIs than
    server-side ones (`side_api_names`) is a LocalScript; anything else is a server
    Script. The reason is None when the kind was stated or the signals agree.
    """
    if kind:
        return parse_kind(kind), None
    source = None if isinstance(text, str) else text
    code = text if isinstance(text, str) else text.text
    if source is not None:
        path = path or source.path
    head = code[:2000]
    comment = _KIND_COMMENT.search(head) if "kind" in head else None
    if comment:
        try:
            return parse_kind(comment.group(1)), None
        except LuaurftError:
            pass
    if path:
        name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
        if name.endswith((".server.luau", ".server.lua")):
            return ScriptKind.SCRIPT, None
        if name.endswith((".client.luau", ".client.lua")):
            return ScriptKind.LOCAL_SCRIPT, None
    if _ends_in_return(code, source):
        return ScriptKind.MODULE_SCRIPT, None
    return _side_of(code, source)


def _side_of(code: str, source: LuauSource | None = None) -> tuple[ScriptKind, str | None]:
    """Script or LocalScript, for code that is not a module, and why when unsure."""
    signals = _leaning(code)
    client, server = signals.client, signals.server
    if client or server:
        # Code that mixes both sides is whichever it leans to, so the API rules
        # report the few calls that are on the wrong side rather than the many.
        leaning = (
            ScriptKind.LOCAL_SCRIPT
            if signals.client_weight > signals.server_weight
            else ScriptKind.SCRIPT
        )
        if client and server:
            return leaning, (
                f"client APIs ({_listed(client)}) and server APIs ({_listed(server)}) both used: "
                f"taken as a {leaning.value}, the side they lean to"
            )
        if not (signals.client_apis or signals.server_apis):
            # Only what such code usually does (a hint, no API of one side): when
            # the project's own names say the other side, the card says they differ.
            named = _named_sides(code, source).names
            if named.side is not None and named.side is not leaning:
                hints = client or server
                words = named.client if named.side is ScriptKind.LOCAL_SCRIPT else named.server
                return leaning, (
                    f"only hints ({_listed(hints)}) say {_side_word(leaning)} and its names "
                    f"({_listed(words)}) say {_side_word(named.side)}: taken as a "
                    f"{leaning.value}, the hints' side"
                )
        return leaning, None
    # No API: what the script says it is, in its messages' tags and then in its
    # comments, then the names the project gave its code.
    said = _named_sides(code, source)
    for named, where in zip(
        (said.messages, said.comments, said.names), ("messages", "comments", "names"), strict=True
    ):
        side = named.side
        if side is not None:
            words = named.client if side is ScriptKind.LOCAL_SCRIPT else named.server
            return side, (
                f"no client or server API in the code; its {where} ({_listed(words)}) "
                f"say {_side_word(side)}: taken as a {side.value}"
            )
    return ScriptKind.SCRIPT, NO_SIDE_SIGNAL


def _side_word(kind: ScriptKind) -> str:
    return "client" if kind is ScriptKind.LOCAL_SCRIPT else "server"


def module_side(code: str) -> str:
    """ "client" for a ModuleScript whose code leans to client APIs (`LocalPlayer`,
    `UserInputService`, ...; the same table and weights as `kind_with_reason`),
    else "server": the side it is required from when it runs alone."""
    signals = _leaning(code)
    return "client" if signals.client_weight > signals.server_weight else "server"


def _listed(hits: list[str]) -> str:
    names = sorted(set(hits))
    return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
