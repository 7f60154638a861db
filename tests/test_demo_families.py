"""The demo's procedural suite: every family's reference solution passes its own checks and
an empty one fails them; the splits are disjoint, held-out values stay held out, files
round-trip; the demo preset file matches the embedded one."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest

from luaurft.config import REFERENCE_SYSTEM_PROMPT
from luaurft.demo.config import demo_preset, load_demo_config
from luaurft.demo.families import COMBINATIONS, FAMILIES, PRACTICE_COMBINATIONS, Family
from luaurft.demo.pipeline import sft_rows, suite_spec
from luaurft.demo.suite import PRACTICE, SPLITS, SuiteSpec, build_suite, reserved, write_suite
from luaurft.eval.checks import check_solution
from luaurft.eval.tasks import load_tasks
from luaurft.eval.validate import validate_task

ROOT = Path(__file__).resolve().parents[1]
ALL_FAMILIES = (*FAMILIES, *COMBINATIONS, *PRACTICE_COMBINATIONS)


def _draws(family: Family, count: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    return [
        {slot: rng.choice(list(pool)) for slot, pool in family.slots.items()} for _ in range(count)
    ]


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.name)
def test_reference_passes_and_empty_fails_for_every_wording(family: Family) -> None:
    for i, params in enumerate(_draws(family, family.phrasings + 1, seed=7)):
        task = family.task(f"t{i}", params, i, split="eval")
        validation = validate_task(task)
        assert validation.ok, (params, validation.problems)
        assert validation.empty.passed_count == 0


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.name)
def test_checks_follow_the_parameters(family: Family) -> None:
    """A solution written for other parameter values fails: the checks read the values."""
    first, second = _draws(family, 2, seed=11)
    while all(first[k] == second[k] for k in first):
        second = _draws(family, 1, seed=random.randrange(10**6))[0]
    task = family.task("a", first, 0, split="eval")
    other = family.task("b", second, 0, split="eval")
    assert not check_solution(task, other.solution).passed


def test_a_script_that_errors_half_way_fails() -> None:
    family = next(f for f in FAMILIES if f.name == "leaderstats")
    task = family.task("x", {"stat": "Gems", "start": 15}, 0, split="eval")
    broken = task.solution.replace("leaderstats.Parent = player", 'error("boom")')
    report = check_solution(task, broken)
    assert not report.passed and report.passed_count == 0


def test_families_cover_the_requested_ground() -> None:
    names = {f.name for f in FAMILIES}
    assert len(FAMILIES) >= 8
    assert {"part", "leaderstats", "kill-brick", "remote-event", "module-function", "tween-door",
            "countdown", "coin-pickup", "datastore"} <= names  # fmt: skip
    assert all(f.combination for f in COMBINATIONS) and COMBINATIONS


def test_splits_are_disjoint_and_held_out_values_stay_held_out() -> None:
    suite = build_suite(SuiteSpec(train_per_family=20))
    assert suite.counts()["train"] == 20 * len(FAMILIES)
    by_id = {f.name: f for f in ALL_FAMILIES}
    texts: dict[str, set[str]] = {s: set() for s in SPLITS}
    for split in SPLITS:
        for task in suite.split(split):
            texts[split] |= {task.prompt, task.solution}
            family = by_id[task.category]
            assert split in task.tags
            if split != "eval":
                assert not family.combination, f"{task.id}: combinations are eval-only"
    assert not texts["train"] & texts["rft"]
    assert not texts["eval"] & (texts["train"] | texts["rft"])
    # The key values of eval tasks are reserved; no training or RFT text contains any
    # reserved name (names are shared by several families, so this is checked globally).
    reserved_names = {
        n for f in ALL_FAMILIES if f.key == "name" for n in f.slots["name"] if reserved(n)
    }
    assert reserved_names
    seen = " ".join(texts["train"] | texts["rft"])
    assert not [n for n in reserved_names if f'"{n}"' in seen]
    eval_names = [n for n in reserved_names if any(f'"{n}"' in t for t in texts["eval"])]
    assert eval_names, "eval tasks use the reserved names"
    combos = {t.category for t in suite.eval} - {f.name for f in FAMILIES}
    assert combos == {f.name for f in COMBINATIONS}


def test_suite_is_deterministic_and_seeded() -> None:
    a, b = build_suite(), build_suite()
    assert [t.prompt for t in a.eval] == [t.prompt for t in b.eval]
    c = build_suite(SuiteSpec(seed=1))
    assert [t.prompt for t in a.train] != [t.prompt for t in c.train]


def test_suite_files_round_trip(tmp_path: Path) -> None:
    suite = build_suite(SuiteSpec(train_per_family=2, rft_per_family=1, eval_per_family=1,
                                  validation_per_family=1))  # fmt: skip
    paths = write_suite(suite, tmp_path)
    assert set(paths) == set(SPLITS)
    for split in SPLITS:
        loaded = load_tasks(paths[split])
        assert [t.model_dump(exclude={"source"}) for t in loaded] == [
            t.model_dump(exclude={"source"}) for t in suite.split(split)
        ]


def test_sft_rows_carry_the_reference_system_prompt() -> None:
    suite = build_suite(SuiteSpec(train_per_family=2))
    rows = sft_rows(suite.train, REFERENCE_SYSTEM_PROMPT)
    assert len(rows) == len(suite.train)
    for row, task in zip(rows, suite.train, strict=True):
        assert row["prompt"][0] == {"role": "system", "content": REFERENCE_SYSTEM_PROMPT}
        assert row["prompt"][1]["content"] == task.prompt
        assert row["completion"] == [{"role": "assistant", "content": task.solution}]


def test_configs_demo_toml_is_the_embedded_preset() -> None:
    assert load_demo_config(ROOT / "configs" / "demo.toml") == demo_preset()


def test_demo_preset_keeps_the_judge_off_and_execution_on() -> None:
    settings = demo_preset().settings
    assert settings.reward.judge == "none"
    assert settings.reward.weights["exec"] > 0
    assert settings.model.system_prompt == REFERENCE_SYSTEM_PROMPT
    assert settings.rft.rounds == 1


def test_demo_reward_runs_the_tasks_own_checks_and_bars_wrong_code() -> None:
    from luaurft.demo.pipeline import task_rows
    from luaurft.eval.tasks import TaskSuite
    from luaurft.rft.factories import hybrid_reward
    from luaurft.rft.select import task_spec

    family = next(f for f in FAMILIES if f.name == "leaderstats")
    task = family.task("g", {"stat": "Gems", "start": 15}, 0, split="rft")
    other = family.task("h", {"stat": "Gems", "start": 20}, 0, split="rft")
    (row,) = task_rows(TaskSuite("rft", (task,)))
    assert task_spec(row) == task
    reward = hybrid_reward(demo_preset().settings)
    right, wrong, no_task = reward.score_many(
        [(task.user_prompt(), task.solution), (task.user_prompt(), other.solution),
         (task.user_prompt(), task.solution)],
        kinds=["Script"] * 3, tasks=[task, task, None],
    )  # fmt: skip
    assert right.parts["checks"] == 1.0 and not right.barred and right.keep
    # Same code shape, wrong start value: the scorers cannot tell, the task's checks can.
    assert wrong.checks is not None and wrong.checks["passed"] == 1
    assert wrong.checks["expected"] == 3
    assert wrong.barred and not wrong.keep
    assert wrong.value is not None and right.value is not None and wrong.value < right.value
    # No task: no checks component, and nothing to bar by.
    assert "checks" in no_task.parts and no_task.parts["checks"] is None
    assert not no_task.barred


def test_more_rft_validation_and_rft_combinations_leave_the_train_split_as_it_was() -> None:
    core = SuiteSpec(train_per_family=10, rft_per_family=2)
    wider = SuiteSpec(train_per_family=10, rft_per_family=2, rft_more_per_family=3,
                      rft_per_combination=2, validation_per_family=2,
                      validation_per_combination=1)  # fmt: skip
    a, b = build_suite(core), build_suite(wider)
    # The train split (what the base is pre-trained on) and the held-out split are unchanged.
    assert a.train == b.train and a.eval == b.eval
    assert [t.id for t in b.rft][: len(a.rft)] != []
    assert {t.id for t in a.rft} < {t.id for t in b.rft}
    counts = b.counts()
    assert counts["rft"] == (2 + 3) * len(FAMILIES) + 2 * len(COMBINATIONS)
    assert counts["validation"] == 2 * len(FAMILIES) + len(COMBINATIONS)
    by_id = {f.name: f for f in ALL_FAMILIES}
    texts = {s: {t.prompt for t in b.split(s)} for s in SPLITS}
    assert not texts["validation"] & texts["eval"] and not texts["rft"] & texts["eval"]
    assert not texts["validation"] & (texts["rft"] | texts["train"])
    # Each added split has its own stream: more RFT tasks do not move the validation split.
    only_validation = build_suite(SuiteSpec(train_per_family=10, rft_per_family=2,
                                            validation_per_family=2,
                                            validation_per_combination=1))  # fmt: skip
    assert only_validation.validation == b.validation
    unseen = build_suite(SuiteSpec(train_per_family=10, rft_per_family=2, rft_more_per_family=3,
                                   rft_unseen_values=True))  # fmt: skip
    assert unseen.train == a.train and unseen.eval == a.eval
    assert unseen.rft != build_suite(SuiteSpec(train_per_family=10, rft_per_family=2,
                                               rft_more_per_family=3)).rft  # fmt: skip
    combos = [t for t in b.rft if by_id[t.category].combination]
    assert len(combos) == 2 * len(COMBINATIONS) and all(t.solution for t in combos)


def test_fresh_keys_give_added_rft_tasks_names_no_other_split_has() -> None:
    """Train uses up the remote-event family's open names, so its added RFT tasks could only
    repeat trained names; `rft_fresh_keys` gives them names from outside the pool instead and
    leaves every other split as it was."""
    remote = next(f for f in FAMILIES if f.name == "remote-event")
    spec = dict(train_per_family=120, rft_per_family=2, rft_more_per_family=4,
                validation_per_family=2, rft_unseen_values=True, families=("remote-event",),
                combinations=())  # fmt: skip
    plain = build_suite(SuiteSpec(**spec))  # type: ignore[arg-type]
    fresh = build_suite(SuiteSpec(**spec, rft_fresh_keys=True))  # type: ignore[arg-type]
    for split in ("train", "validation", "eval"):
        assert fresh.split(split) == plain.split(split)
    assert list(fresh.rft)[:2] == list(plain.rft)[:2]

    def asked(task: object) -> str:
        return next(n for n in (*remote.slots["remote"], *remote.fresh)
                    if f'"{n}"' in task.prompt)  # type: ignore[attr-defined]  # fmt: skip

    trained = {asked(t) for t in plain.train}
    assert all(asked(t) in trained for t in list(plain.rft)[2:])
    added = list(fresh.rft)[2:]
    names = {asked(t) for t in added}
    assert len(added) == 4 and names <= set(remote.fresh)
    assert not names & set(remote.slots["remote"]) and not any(reserved(n) for n in names)
    others = " ".join(t.prompt + t.solution for s in ("train", "validation", "eval")
                      for t in fresh.split(s))  # fmt: skip
    assert not [n for n in names if f'"{n}"' in others]
    for task in added:
        assert validate_task(task).ok, task.id


# Where a solution writes a key value, and which families' solutions write it the same way
# (None: every family; names are shared by several families).
_KEY_LINES: tuple[tuple[re.Pattern[str], set[str] | None], ...] = (
    (re.compile(r'(?:part\.Name = |workspace:WaitForChild\()"(\w+)"'), None),
    (re.compile(r"\bstat\.Value = (\d+)\n"), {"leaderstats", "leaderstats+walkspeed"}),
    (re.compile(r"\btimer\.Value = (\d+)\n"), {"countdown"}),
    (re.compile(r"WalkSpeed = (\d+)\n"), {"walkspeed", "leaderstats+walkspeed"}),
)


def _validation_spec(**changes: object) -> SuiteSpec:
    """The suite the validation runs draw (the preset's, with a validation split)."""
    preset = load_demo_config(ROOT / "configs" / "demo-validation.toml")
    return dataclasses.replace(suite_spec(preset), **changes)  # type: ignore[arg-type]


def test_practice_combinations_leave_every_split_byte_identical(tmp_path: Path) -> None:
    plain = build_suite(_validation_spec())
    practice = build_suite(_validation_spec(practice_combinations=3))
    for split in SPLITS:
        assert practice.split(split) == plain.split(split)
    assert not len(plain.practice) and set(plain.counts()) == set(SPLITS)
    assert practice.counts()[PRACTICE] == 3 * len(PRACTICE_COMBINATIONS)
    off, on = write_suite(plain, tmp_path / "off"), write_suite(practice, tmp_path / "on")
    assert set(off) == set(SPLITS) and set(on) == {*SPLITS, PRACTICE}
    for split in SPLITS:
        assert on[split].read_bytes() == off[split].read_bytes()
    assert [t.id for t in load_tasks(on[PRACTICE])] == [t.id for t in practice.practice]


def test_practice_combinations_are_other_pairs_with_key_values_no_measured_split_has() -> None:
    suite = build_suite(_validation_spec(practice_combinations=6))
    practice = list(suite.practice)
    assert {t.category for t in practice} == {f.name for f in PRACTICE_COMBINATIONS}
    # Never the held-out pairs, nor a base family.
    assert not {f.name for f in PRACTICE_COMBINATIONS} & {
        f.name for f in (*FAMILIES, *COMBINATIONS)
    }
    measured = [t for split in ("rft", "validation", "eval") for t in suite.split(split)]
    for pattern, families in _KEY_LINES:
        mine = {v for t in practice for v in pattern.findall(t.solution)}
        theirs = {v for t in measured if families is None or t.category in families
                  for v in pattern.findall(t.solution)}  # fmt: skip
        assert mine and theirs, pattern.pattern
        assert not mine & theirs, (pattern.pattern, sorted(mine & theirs))
        assert not [v for v in mine if reserved(int(v) if v.isdigit() else v)], pattern.pattern
    # Every practice task's reference solution passes its own checks; an empty one fails them.
    for task in practice[:: len(practice) // 10]:
        validation = validate_task(task)
        assert validation.ok and validation.empty.passed_count == 0, (task.id, validation.problems)
