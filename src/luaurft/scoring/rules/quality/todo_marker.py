"""quality/todo-marker: a TODO/FIXME/XXX marker says the code is not finished."""

from __future__ import annotations

from collections.abc import Iterator

from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._texts import marked_texts


class TodoMarkerRule(Rule):
    id = "quality/todo-marker"
    scorer = "quality"
    severity = Severity.WARNING
    summary = "A TODO/FIXME/XXX marker: the author says this code is not finished."
    bad = "local function save(player)\n\t-- TODO: save the player's data\n\tprint(player.Name)\nend\n"
    good = "local function save(player)\n\t-- Saving happens on leave so a crash loses one session at most.\n\tprint(player.Name)\nend\n"
    cost = 0.08
    reads_tree = False

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for node, _, _, marks in marked_texts(ctx):
            if marks.todo:
                yield self.at(
                    ctx, node, "unfinished-work marker", "finish the work or remove the marker"
                )
