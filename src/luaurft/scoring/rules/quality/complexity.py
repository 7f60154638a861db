"""quality/complexity: cyclomatic complexity above `MAX_COMPLEXITY`.

Complexity is 1 + branches (`if`, `elseif`, loops, if-expressions) + `and`/`or`
operators, per function; nested functions are measured on their own. A hint
to split the function (severity info), never a defect on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from luaurft.scoring.analysis.functions import functions, innermost_function
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity
from luaurft.scoring.rules.quality._node_key import NodeKey, node_key

MAX_COMPLEXITY = 15

_BRANCH_TYPES = (
    "if_statement",
    "elseif_statement",
    "while_statement",
    "for_statement",
    "repeat_statement",
    "if_expression",
    "elseif_clause",
)


def _branches(n: int) -> str:
    arms = "".join(f"\telseif kind == 'k{i}' then\n\t\treturn {i}\n" for i in range(n))
    return f"local function classify(kind)\n\tif kind == 'none' then\n\t\treturn 0\n{arms}\tend\n\treturn -1\nend\nprint(classify('k1'))\n"


class ComplexityRule(Rule):
    id = "quality/complexity"
    scorer = "quality"
    severity = Severity.INFO
    summary = f"A function with cyclomatic complexity above {MAX_COMPLEXITY}: too many paths to test or follow."
    bad = _branches(MAX_COMPLEXITY)
    good = _branches(3)
    needs_clean_tree = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.source
        decisions: dict[NodeKey, int] = defaultdict(int)
        # Decisions are counted, so the node types are read one list at a time
        # (no mixed list sorted into document order).
        for kind in _BRANCH_TYPES:
            for node in source.nodes(kind):
                owner = innermost_function(ctx, node)
                decisions[node_key(owner.node if owner else None)] += 1
        for node in source.nodes("binary_expression"):
            operator = node.child(1)
            if operator is None or operator.type not in ("and", "or"):
                continue
            owner = innermost_function(ctx, node)
            decisions[node_key(owner.node if owner else None)] += 1
        for fn in functions(ctx):
            complexity = 1 + decisions.get(node_key(fn.node), 0)
            if complexity > MAX_COMPLEXITY:
                yield self.at(
                    ctx,
                    fn.node,
                    f"{fn.label} has cyclomatic complexity {complexity} (more than {MAX_COMPLEXITY})",
                    "split the decisions into smaller functions or a lookup table",
                )
