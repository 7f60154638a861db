"""bug/duplicate-key: a table constructor that sets the same key twice (the first value is lost)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.builtins import number_value
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    from tree_sitter import Node

    from luaurft.luau.source import LuauSource


def constant_key(source: LuauSource, field: Node) -> str | None:
    """`a = v` and `["a"] = v` give "a"; `[1] = v` gives "1"; other keys None."""
    children = field.children
    if len(children) < 3:
        return None
    first = children[0]
    if first.type == "identifier" and children[1].type == "=":
        return repr(source.node_text(first))
    if first.type == "[" and len(children) >= 5:
        key = children[1]
        if key.type == "string":
            content = [c for c in key.children if c.type == "string_content"]
            if any(c.type == "escape_sequence" for c in key.children):
                return None
            return repr(source.node_text(content[0]) if content else "")
        value = number_value(source, key)
        if value is not None:
            return _number(value)
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


class DuplicateKeyRule(Rule):
    id = "bug/duplicate-key"
    scorer = "bug"
    severity = Severity.WARNING
    summary = (
        "A table constructor sets the same key twice; the later value silently replaces "
        "the earlier one (usually a copy-paste slip)."
    )
    bad = "local prices = {\n\tSword = 100,\n\tShield = 80,\n\tSword = 150,\n}\nreturn prices\n"
    good = "local prices = {\n\tSword = 100,\n\tShield = 80,\n\tBow = 150,\n}\nreturn prices\n"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        for table in source.nodes("table_constructor"):
            if table.named_child_count < 2:
                continue  # `{}` or one entry: nothing to set twice
            seen: dict[str, Node] = {}
            position = 0
            for field in table.named_children:
                if field.type != "field":
                    continue
                key = constant_key(source, field)
                if key is None and len(field.named_children) == 1:
                    position += 1  # a positional value: key 1, 2, ...
                    key = _number(position)
                if key is None:
                    continue
                first = seen.get(key)
                if first is None:
                    seen[key] = field
                    continue
                line = first.start_point[0] + 1
                yield self.at(
                    ctx,
                    field,
                    f"key {key.strip(chr(39))} is already set on line {line}; this value replaces it",
                    "remove one of the two, or give this one its own key",
                )
