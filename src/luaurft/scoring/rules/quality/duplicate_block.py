"""quality/duplicate-block: the same run of statements written out twice (copy-paste).

A block pasted a second time is two places to fix every later bug, and the
copies drift. The unit is a run of consecutive statements in one block that
spans at least `MIN_LINES` lines and `MIN_CHARS` characters of code; two runs
are copies when their text is the same, whitespace aside. The later copy is
reported once, extended over every following statement that also repeats; a
copy inside another reported copy (the body of a pasted `if`) is the same paste
and is not reported again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from luaurft.scoring.analysis.spaces import ASCII_SPACE, squeezable
from luaurft.scoring.analysis.statements import statements
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

if TYPE_CHECKING:
    import tree_sitter

    from luaurft.luau.source import LuauSource

# Short runs repeat by nature (`part.Anchored = true` / `part.Parent = workspace`);
# these make a run worth a function of its own.
MIN_LINES = 5
MIN_CHARS = 120
# A run is at most this many statements long: longer copies are found through
# their first run and extended.
MAX_RUN = 8


class DuplicateBlockRule(Rule):
    id = "quality/duplicate-block"
    scorer = "quality"
    severity = Severity.WARNING
    summary = (
        "The same block of code appears twice (copy-paste): move it into a function and "
        "call it from both places."
    )
    bad = (
        "local function onRedTouched(hit)\n"
        '\tlocal humanoid = hit.Parent:FindFirstChildOfClass("Humanoid")\n'
        "\tif humanoid and humanoid.Health > 0 then\n"
        "\t\thumanoid.Health -= 10\n"
        '\t\tprint(hit.Parent.Name, "was hurt")\n'
        "\tend\nend\n"
        "local function onBlueTouched(hit)\n"
        '\tlocal humanoid = hit.Parent:FindFirstChildOfClass("Humanoid")\n'
        "\tif humanoid and humanoid.Health > 0 then\n"
        "\t\thumanoid.Health -= 10\n"
        '\t\tprint(hit.Parent.Name, "was hurt")\n'
        "\tend\nend\n"
        "workspace.Red.Touched:Connect(onRedTouched)\n"
        "workspace.Blue.Touched:Connect(onBlueTouched)\n"
    )
    good = (
        "local function onTouched(hit)\n"
        '\tlocal humanoid = hit.Parent:FindFirstChildOfClass("Humanoid")\n'
        "\tif humanoid and humanoid.Health > 0 then\n"
        "\t\thumanoid.Health -= 10\n"
        '\t\tprint(hit.Parent.Name, "was hurt")\n'
        "\tend\nend\n"
        "workspace.Red.Touched:Connect(onTouched)\n"
        "workspace.Blue.Touched:Connect(onTouched)\n"
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        blocks = [stmts for _block, stmts in statements(ctx) if len(stmts) >= 2]
        if not blocks:
            return
        texts, holding = _repeated_texts(source, blocks)
        if not texts:
            return
        first_seen: dict[str, tuple[int, int]] = {}  # run text -> (block index, start)
        covered: set[int] = set()  # statements already inside a reported copy
        copies: list[tuple[int, int, tree_sitter.Node, str]] = []
        for b, stmts in enumerate(blocks):
            if b not in holding:
                continue  # no statement here is written twice: no run starts here
            for i in range(len(stmts)):
                if stmts[i].id in covered or stmts[i].id not in texts:
                    continue
                end = _run_end(stmts, i, texts)
                if end is None:
                    continue
                key = "\n".join(texts[s.id] for s in stmts[i:end])
                original = first_seen.setdefault(key, (b, i))
                if original == (b, i):
                    continue
                ob, oi = original
                other = blocks[ob]
                # Extend over what keeps repeating, never into the original itself.
                length = end - i
                while (
                    i + length < len(stmts)
                    and oi + length < len(other)
                    and (ob != b or oi + length < i)
                    and _same(texts, stmts[i + length].id, other[oi + length].id)
                ):
                    length += 1
                copy = stmts[i : i + length]
                covered.update(s.id for s in copy)
                first = other[oi].start_point[0] + 1
                last = other[oi + length - 1].end_point[0] + 1
                lines = copy[-1].end_point[0] - copy[0].start_point[0] + 1
                copies.append(
                    (
                        copy[0].start_byte,
                        copy[-1].end_byte,
                        copy[0],
                        f"these {lines} lines repeat lines {first}-{last}: a copy-pasted block",
                    )
                )
        copies.sort(key=lambda c: (c[0], -c[1]))
        reach = -1  # where the last reported copy ends
        for _start, end, node, message in copies:
            if end <= reach:
                continue
            reach = end
            yield self.at(
                ctx, node, message, "move the block into a function and call it from both places"
            )


def _repeated_texts(
    source: LuauSource, blocks: list[list[tree_sitter.Node]]
) -> tuple[dict[int, str], set[int]]:
    """Statement id -> its code with whitespace folded, for the statements whose folded
    code some other statement shares (the only ones a run and its copy are made of);
    and the indexes of the blocks that hold such statements."""
    candidates = [(b, stmt) for b, stmts in enumerate(blocks) for stmt in stmts]
    if squeezable(source):
        # Equal folded code is equal with its spaces deleted, and deleting is one
        # cheap pass over the bytes: only statements that agree on that are folded.
        data = source.bytes
        keys = [data[s.start_byte : s.end_byte].translate(None, ASCII_SPACE) for _, s in candidates]
        twice = {key for key, count in Counter(keys).items() if count > 1}
        if not twice:
            return {}, set()
        candidates = [c for c, key in zip(candidates, keys, strict=True) if key in twice]
    # `split()` breaks on the same whitespace as `\s+` and is several times faster.
    text_of = source.node_text
    texts = {stmt.id: " ".join(text_of(stmt).split()) for _, stmt in candidates}
    repeated = {text for text, count in Counter(texts.values()).items() if count > 1}
    holding = {b for b, stmt in candidates if texts[stmt.id] in repeated}
    return {key: text for key, text in texts.items() if text in repeated}, holding


def _same(texts: dict[int, str], a: int, b: int) -> bool:
    # A statement missing from `texts` has code no other statement has.
    text = texts.get(a)
    return text is not None and text == texts.get(b)


def _run_end(stmts: list[tree_sitter.Node], start: int, texts: dict[int, str]) -> int | None:
    """End index of the shortest run from `start` big enough to count, if any."""
    chars = 0
    for end in range(start + 1, min(len(stmts), start + MAX_RUN) + 1):
        text = texts.get(stmts[end - 1].id)
        if text is None:
            # Code written once: no run through it has a copy anywhere.
            return None
        chars += len(text)
        lines = stmts[end - 1].end_point[0] - stmts[start].start_point[0] + 1
        if lines >= MIN_LINES and chars >= MIN_CHARS:
            return end
    return None
