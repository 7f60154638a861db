"""Rules, grouped by scorer: `syntax/`, `api/`, `bug/`, `quality/`, `exec/`.

One rule per module, the module named after the rule id (`quality/dead-code`
lives in `quality/dead_code.py`) and holding the rule's metadata (id, summary,
bad and good examples). Logic several rules of a scorer share lives in a private
module of that folder (`api/_side.py`, `syntax/_balance.py`, ...); facts about
the code that any rule may read live in `luaurft.scoring.analysis`.

Adding a rule: add its module (the registry finds it by import; nothing else is
edited), its fixtures `tests/fixtures/rules/<scorer>/<rule>/good*.luau` and
`bad*.luau` (first line `-- expect: L1, L2`, the lines it must fire at), then
write the bad fixtures' message snapshots with
`PYTHONPATH=src:tests .venv/bin/python tests/test_rule_registry.py --update`
and review them, regenerate `docs/rules.md` (`luaurft rules --markdown`) and,
when cards change on purpose, the golden cards (`tests/test_golden_scores.py`).
"""
