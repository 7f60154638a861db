"""`luaurft rules` and docs/rules.md, generated from the rule metadata."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import ROOT
from luaurft.cli import app
from luaurft.scoring.reference import REGENERATE_COMMAND, rules_markdown, rules_table
from luaurft.scoring.registry import all_rules
from luaurft.scoring.scorer import available_scorers

runner = CliRunner()
DOCS = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date() -> None:
    assert DOCS.exists(), f"docs/rules.md is missing: run `{REGENERATE_COMMAND}`"
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        f"docs/rules.md is stale: regenerate it with `{REGENERATE_COMMAND}`"
    )


def test_markdown_covers_every_rule_and_formula() -> None:
    text = rules_markdown()
    for rule in all_rules():
        assert f"### {rule.id}\n" in text
        assert rule.summary in text
    for scorer in available_scorers().values():
        assert scorer.formula in text


def test_rules_json_lists_every_rule() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == [rule.id for rule in all_rules()]
    assert rows == rules_table()
    for row in rows:
        assert set(row) == {"id", "scorer", "severity", "cost", "summary"}


def test_rules_table_and_markdown_commands() -> None:
    table = runner.invoke(app, ["rules"])
    assert table.exit_code == 0 and "syntax/unclosed-block" in table.stdout
    markdown = runner.invoke(app, ["rules", "--markdown"])
    assert markdown.exit_code == 0 and markdown.stdout == rules_markdown()
