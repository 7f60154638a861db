"""Every rule's metadata is complete and its own examples behave: bad fires, good stays silent.

Each rule's fixtures live in `tests/fixtures/rules/<scorer>/<rule>/`: `good*.luau`
must raise nothing; `bad*.luau` starts with `-- expect: L1, L2` (the lines the
rule must fire at, written by hand) and has a snapshot beside it,
`bad*.expected`, that pins every finding's `line:column message` (and its fix on
an indented `fix:` line). A changed message fails until the snapshot is
regenerated and the diff reviewed:

    PYTHONPATH=src:tests .venv/bin/python tests/test_rule_registry.py --update

(without `--update` it names the snapshots that differ and exits 1.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from luaurft.luau import LuauSource, detect_kind
from luaurft.scoring.registry import all_rules, get_rule
from luaurft.scoring.rule import (
    Finding,
    Rule,
    RuleContext,
    Severity,
    iter_rule_findings,
    sorted_findings,
)
from luaurft.scoring.scorer import DETERMINISTIC_SCORERS

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
RULES = all_rules()
RULE_ID = re.compile(r"^(syntax|api|bug|quality|exec)/[a-z0-9]+(?:-[a-z0-9]+)*$")
UPDATE_COMMAND = "PYTHONPATH=src:tests .venv/bin/python tests/test_rule_registry.py --update"


def _findings(rule_id: str, text: str) -> list[Finding]:
    rule = get_rule(rule_id)
    source = LuauSource(text)
    ctx = RuleContext(source=source, kind=detect_kind(text))
    return sorted_findings(iter_rule_findings(rule, ctx))


def _fire(rule_id: str, text: str) -> list[int]:
    return [f.line for f in _findings(rule_id, text)]


def _one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def snapshot_of(findings: list[Finding]) -> str:
    """The `.expected` text: `line:column message` per finding, its fix indented below."""
    rows = []
    for f in findings:
        rows.append(f"{f.line}:{f.column} {_one_line(f.message)}")
        if f.fix:
            rows.append(f"    fix: {_one_line(f.fix)}")
    return "".join(row + "\n" for row in rows)


def snapshot_path(fixture: Path) -> Path:
    return fixture.with_suffix(".expected")


def test_registry_is_not_empty_and_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert ids, "no rules registered"
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule) -> None:
    assert RULE_ID.match(rule.id), rule.id
    assert rule.id.split("/")[0] == rule.scorer
    assert rule.scorer in (*DETERMINISTIC_SCORERS, "exec")
    assert isinstance(rule.severity, Severity)
    assert rule.summary.strip() and rule.summary.strip()[-1] in ".?!"
    assert rule.bad.strip() and rule.good.strip() and rule.bad != rule.good


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_module_is_named_after_its_id(rule) -> None:
    """`quality/dead-code` lives in `luaurft.scoring.rules.quality.dead_code`, alone."""
    scorer, name = rule.id.split("/")
    module = type(rule).__module__
    assert module == f"luaurft.scoring.rules.{scorer}.{name.replace('-', '_')}"
    assert [r.id for r in RULES if type(r).__module__ == module] == [rule.id]


# Rules whose bad example can only illustrate: the fault it names has no known
# trigger left in plain code (each is tested where the fault can be staged).
ILLUSTRATIVE = {
    # A worker crash: no known Luau kills the VM since the heap-edge fix;
    # test_isolation.py stages one by undoing that fix inside the worker.
    "exec/crashed",
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_bad_example_fires_and_good_example_is_silent(rule) -> None:
    if rule.id not in ILLUSTRATIVE:
        assert _fire(rule.id, rule.bad), f"{rule.id}: its bad example raised no finding"
    assert not _fire(rule.id, rule.good), f"{rule.id}: its good example raised a finding"


def _fixture_cases() -> list[tuple[str, Path]]:
    cases = []
    for file in sorted(FIXTURES.rglob("*.luau")):
        rule_id = file.parent.relative_to(FIXTURES).as_posix()
        cases.append((rule_id, file))
    return cases


@pytest.mark.parametrize(("rule_id", "file"), _fixture_cases(), ids=lambda v: str(v)[-60:])
def test_rule_fixture(rule_id: str, file: Path) -> None:
    """`bad*.luau` starts with `-- expect: L1, L2`: the rule fires at exactly those lines,
    with the messages its `.expected` snapshot pins. `good*.luau`: the rule does not fire."""
    text = file.read_text(encoding="utf-8")
    findings = _findings(rule_id, text)
    lines = sorted({f.line for f in findings})
    if file.name.startswith("bad"):
        header = re.match(r"--\s*expect:\s*([\d,\s]+)", text)
        assert header, f"{file}: first line must be '-- expect: LINE, ...'"
        expected = sorted({int(x) for x in re.findall(r"\d+", header.group(1))})
        assert lines == expected
        snapshot = snapshot_path(file)
        assert snapshot.is_file(), f"{snapshot} is missing: run {UPDATE_COMMAND}"
        assert snapshot_of(findings) == snapshot.read_text(encoding="utf-8"), (
            f"{file}: findings differ from {snapshot.name}; if the change is meant, "
            f"run {UPDATE_COMMAND} and review the diff"
        )
    else:
        assert lines == [], f"{file}: fired at lines {lines}"


def test_every_snapshot_belongs_to_a_bad_fixture() -> None:
    for snapshot in FIXTURES.rglob("*.expected"):
        fixture = snapshot.with_suffix(".luau")
        assert fixture.name.startswith("bad") and fixture.is_file(), f"stray {snapshot}"


def test_a_changed_message_fails_the_snapshot(monkeypatch) -> None:
    """The snapshot pins the message text, not only the line."""
    rule_id = "quality/restating-comment"
    file = FIXTURES / rule_id / "bad.luau"
    text = file.read_text(encoding="utf-8")
    pinned = snapshot_path(file).read_text(encoding="utf-8")
    before = _findings(rule_id, text)
    assert before and snapshot_of(before) == pinned

    rule_type = type(get_rule(rule_id))
    original = rule_type.at

    def reworded(
        self: Rule, ctx: RuleContext, where: Any, message: str, *args: Any, **kwargs: Any
    ) -> Finding:
        return original(self, ctx, where, message + " (reworded)", *args, **kwargs)

    monkeypatch.setattr(rule_type, "at", reworded)
    after = _findings(rule_id, text)
    assert [f.line for f in after] == [f.line for f in before]
    assert snapshot_of(after) != pinned


def main(argv: list[str]) -> int:
    update = "--update" in argv
    differ = []
    for rule_id, file in _fixture_cases():
        if not file.name.startswith("bad"):
            continue
        text = snapshot_of(_findings(rule_id, file.read_text(encoding="utf-8")))
        snapshot = snapshot_path(file)
        current = snapshot.read_text(encoding="utf-8") if snapshot.is_file() else None
        if current == text:
            continue
        differ.append(snapshot.relative_to(FIXTURES).as_posix())
        if update:
            snapshot.write_text(text, encoding="utf-8")
    verb = "written" if update else "differ"
    print(f"{len(differ)} snapshot(s) {verb}" + "".join(f"\n  {name}" for name in differ))
    return 0 if update or not differ else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
