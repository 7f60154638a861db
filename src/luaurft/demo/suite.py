"""The demo's procedural suite: task families drawn into three disjoint splits.

- **train**: prompts with their reference solutions, the SFT data (and the
  corpus the tiny base model is pre-trained on);
- **rft**: prompts only, the tasks the SFT model samples candidates for;
  besides a few of each family, optionally more (`rft_more_per_family`) and
  combination requests (`rft_per_combination`): request shapes the SFT data
  has no solution for, which only the reward can teach;
- **validation**: tasks drawn like the held-out ones (reserved values) but
  disjoint from them: what settings are chosen on;
- **eval**: held-out tasks, never trained on in any form and never used to
  choose settings;
- **practice** (empty unless `practice_combinations`): practice combination
  requests with their solutions, SFT data beside train (never the base's
  pre-training corpus): other pairs than the held-out combinations, every key
  value open and one no rft, validation or eval task has.

Disjointness is by construction and checked (`DemoSuite.check_disjoint`):

1. no two tasks share a parameter choice (so no prompt or solution repeats);
2. a quarter of the values of each family's key slot (its name, its start
   value, ...) is reserved for evaluation; a reserved value is chosen by a
   hash of the value itself, so the same name is reserved in every family
   that uses names, and no training or RFT task anywhere contains it — each
   eval task has at least one value no training task has;
3. the combination families (two requests in one) never appear in train; in
   rft only with open values, in validation and eval only with reserved ones.

The first draw of each family (train, the first `rft_per_family` rft tasks,
eval) comes from one seeded stream; everything added later (more rft tasks,
validation, rft combinations) from a stream per split of its own, sharing the
set of taken parameter choices. With `rft_unseen_values` the added RFT tasks
take key values no train task has, where the open pool has any left: requests
the SFT data never showed, as the held-out ones are. With `rft_fresh_keys` a
family with `fresh` key values (outside its pool, so in no other split) draws
its added RFT tasks' keys from those instead. Practice combinations come last,
each from a stream of its own. So adding tasks leaves the train split exactly as
it was, and with it the pre-trained base (`luaurft.demo.shipped`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luaurft.demo.families import COMBINATIONS, FAMILIES, PRACTICE_COMBINATIONS, Family
from luaurft.errors import LuaurftError
from luaurft.eval.tasks import Task, TaskSuite

SPLITS = ("train", "rft", "validation", "eval")
# SFT data beside train, only with `SuiteSpec.practice_combinations`; not one of SPLITS, so
# a suite without it reports and writes exactly the four splits it always had.
PRACTICE = "practice"
# One value in RESERVED_EVERY of a key slot's pool is kept for evaluation.
RESERVED_EVERY = 4


class SuiteError(LuaurftError):
    """A suite that cannot be drawn as asked."""


def reserved(value: Any) -> bool:
    """Whether a slot value is kept for the held-out split (stable across runs and families)."""
    digest = hashlib.sha256(repr(value).encode("utf-8")).digest()
    return digest[0] % RESERVED_EVERY == 0


@dataclass(frozen=True)
class SuiteSpec:
    """How many tasks of each family go to each split."""

    train_per_family: int = 16
    rft_per_family: int = 4
    eval_per_family: int = 3
    eval_per_combination: int = 3
    seed: int = 0
    families: tuple[str, ...] = ()  # empty: all of them
    combinations: tuple[str, ...] | None = None  # None: all of them
    rft_more_per_family: int = 0
    rft_per_combination: int = 0
    validation_per_family: int = 0
    validation_per_combination: int = 0
    rft_unseen_values: bool = False
    rft_fresh_keys: bool = False
    practice_combinations: int = 0  # tasks per practice combination family


@dataclass(frozen=True)
class DemoSuite:
    train: TaskSuite
    rft: TaskSuite
    validation: TaskSuite
    eval: TaskSuite
    practice: TaskSuite = field(default_factory=lambda: TaskSuite(f"demo-{PRACTICE}", ()))

    def split(self, name: str) -> TaskSuite:
        return {"train": self.train, "rft": self.rft, "validation": self.validation,
                "eval": self.eval, PRACTICE: self.practice}[name]  # fmt: skip

    def splits(self) -> tuple[str, ...]:
        """The split names, practice only where it has tasks."""
        return (*SPLITS, PRACTICE) if len(self.practice) else SPLITS

    def counts(self) -> dict[str, int]:
        return {name: len(self.split(name)) for name in self.splits()}

    def check_disjoint(self) -> None:
        """Raise `SuiteError` if the splits share a prompt or solution, or if an eval task
        of a base family has no reserved value."""
        seen: dict[str, str] = {}
        for split in self.splits():
            for task in self.split(split):
                for text in (task.prompt, task.solution):
                    other = seen.get(text)
                    if other is not None and other != split:
                        raise SuiteError(f"task {task.id} repeats text of the {other} split")
                    seen[text] = split


def _pick(
    rng: random.Random,
    family: Family,
    *,
    held_out: bool,
    avoid: frozenset[Any] = frozenset(),
    exclude: frozenset[Any] = frozenset(),
) -> dict[str, Any]:
    """One parameter choice. Key slots (`key` and `open_slots`) take reserved values for the
    held-out splits and open ones otherwise, never one in `exclude`, and one outside `avoid`
    where the pool has any."""
    params: dict[str, Any] = {}
    for slot, pool in family.slots.items():
        values = list(pool)
        if slot == family.key or slot in family.open_slots:
            values = [v for v in values if reserved(v) == held_out and v not in exclude]
            if not values:
                raise SuiteError(f"family {family.name}: no {'reserved' if held_out else 'open'} "
                                 f"values of {slot}")  # fmt: skip
            fresh = [v for v in values if v not in avoid]
            values = fresh or values
        params[slot] = rng.choice(values)
    return params


def _draw(
    rng: random.Random,
    family: Family,
    count: int,
    *,
    held_out: bool,
    taken: set[str],
    avoid: frozenset[Any] = frozenset(),
    exclude: frozenset[Any] = frozenset(),
) -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []
    tries = 0
    while len(drawn) < count:
        tries += 1
        if tries > 200 * (count + 1):
            raise SuiteError(f"family {family.name}: cannot draw {count} distinct tasks")
        params = _pick(rng, family, held_out=held_out, avoid=avoid, exclude=exclude)
        key = repr(sorted(params.items()))
        if key in taken:
            continue
        taken.add(key)
        drawn.append(params)
    return drawn


def _family_seed(seed: int, name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:8], "big")


# A combination's slots carry its pieces' key values under the pieces' slot names.
_PIECE_KEYS = frozenset(f.key for f in FAMILIES)


def _key_values(family: Family, draws: Iterable[dict[str, Any]]) -> set[Any]:
    """The key values in `draws`: the family's key and open slots, and for a combination
    every slot that holds the key of one of its pieces (leaderstats+walkspeed: the speed)."""
    slots = {family.key, *family.open_slots}
    if family.combination:
        slots |= _PIECE_KEYS & set(family.slots)
    return {params[slot] for params in draws for slot in slots}


def _selected(all_families: Sequence[Family], names: Iterable[str] | None) -> list[Family]:
    if names is None:
        return list(all_families)
    wanted = list(names)
    known = {f.name for f in all_families}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SuiteError(f"unknown families {unknown}; known: {sorted(known)}")
    return [f for f in all_families if f.name in wanted]


def build_suite(spec: SuiteSpec | None = None) -> DemoSuite:
    """Draw the splits (deterministic for a spec)."""
    spec = spec or SuiteSpec()
    families = _selected(FAMILIES, spec.families or None)
    combinations = _selected(COMBINATIONS, spec.combinations)
    out: dict[str, list[Task]] = {s: [] for s in (*SPLITS, PRACTICE)}
    # Every key value an rft, validation or eval task has: practice tasks have none of them.
    measured: set[Any] = set()
    for family in families:
        rng = random.Random(_family_seed(spec.seed, family.name))
        taken: set[str] = set()
        open_draws = _draw(
            rng, family, spec.train_per_family + spec.rft_per_family, held_out=False, taken=taken
        )
        held = _draw(rng, family, spec.eval_per_family, held_out=True, taken=taken)
        plan = (
            ("train", open_draws[: spec.train_per_family]),
            ("rft", open_draws[spec.train_per_family :]),
            ("eval", held),
        )
        measured |= _key_values(family, open_draws[spec.train_per_family :]) | _key_values(
            family, held
        )
        for split, draws in plan:
            for i, params in enumerate(draws):
                out[split].append(
                    family.task(f"{family.name}.{split}-{i:02d}", params, rng.randrange(8),
                                split=split)
                )  # fmt: skip
        # SFT has seen these key values (its train split): RFT tasks avoid them when asked.
        seen = frozenset(p[family.key] for p in open_draws[: spec.train_per_family])
        nothing: frozenset[Any] = frozenset()
        later: tuple[tuple[str, int, bool, int, frozenset[Any]], ...] = (
            ("rft", spec.rft_more_per_family, False, spec.rft_per_family,
             seen if spec.rft_unseen_values else nothing),
            ("validation", spec.validation_per_family, True, 0, nothing),
        )  # fmt: skip
        for split, count, held_out, first, avoid in later:
            # Each split its own stream: more RFT tasks never move the validation split.
            stream = random.Random(_family_seed(spec.seed, f"{family.name}/{split}"))
            source = family
            if split == "rft" and spec.rft_fresh_keys and family.fresh:
                source = dataclasses.replace(family, slots={**family.slots,
                                                            family.key: family.fresh})  # fmt: skip
            draws = _draw(stream, source, count, held_out=held_out, taken=taken, avoid=avoid)
            measured |= _key_values(family, draws)
            for i, params in enumerate(draws, start=first):
                out[split].append(family.task(f"{family.name}.{split}-{i:02d}", params,
                                              stream.randrange(8), split=split))  # fmt: skip
    for family in combinations:
        rng = random.Random(_family_seed(spec.seed, family.name))
        taken = set()
        held = _draw(rng, family, spec.eval_per_combination, held_out=True, taken=taken)
        measured |= _key_values(family, held)
        stem = family.name.replace("+", "-and-")
        for i, params in enumerate(held):
            out["eval"].append(family.task(f"{stem}.eval-{i:02d}", params, 0, split="eval"))
        for split, count, held_out in (
            ("rft", spec.rft_per_combination, False),
            ("validation", spec.validation_per_combination, True),
        ):
            stream = random.Random(_family_seed(spec.seed, f"{family.name}/{split}"))
            draws = _draw(stream, family, count, held_out=held_out, taken=taken)
            measured |= _key_values(family, draws)
            for i, params in enumerate(draws):
                out[split].append(family.task(f"{stem}.{split}-{i:02d}", params, 0, split=split))
    if spec.practice_combinations:
        for family in PRACTICE_COMBINATIONS:
            stream = random.Random(_family_seed(spec.seed, f"{family.name}/{PRACTICE}"))
            draws = _draw(stream, family, spec.practice_combinations, held_out=False, taken=set(),
                          exclude=frozenset(measured))  # fmt: skip
            stem = family.name.replace("+", "-and-")
            for i, params in enumerate(draws):
                out[PRACTICE].append(family.task(f"{stem}.{PRACTICE}-{i:02d}", params, 0,
                                                 split=PRACTICE))  # fmt: skip
    suite = DemoSuite(*(TaskSuite(f"demo-{s}", tuple(out[s])) for s in (*SPLITS, PRACTICE)))
    suite.check_disjoint()
    return suite


# -- files ------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    if "'''" not in text:
        return "'''\n" + text + "'''"
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def task_toml(task: Task) -> str:
    """One task as a `[[tasks]]` table of the task file format."""
    lines = [
        "[[tasks]]",
        f'id = "{task.id}"',
        f'category = "{task.category}"',
        f'difficulty = "{task.difficulty.value}"',
        f'kind = "{task.kind.value}"',
        "tags = [" + ", ".join(f'"{t}"' for t in task.tags) + "]",
    ]
    if task.seconds:
        lines.append(f"seconds = {task.seconds}")
    lines.append("prompt = " + _toml_string(task.prompt))
    if task.setup:
        lines.append("setup = " + _toml_string(task.setup))
    lines.append("solution = " + _toml_string(task.solution))
    for check in task.checks:
        lines += ["", "[[tasks.checks]]", "name = " + _toml_string_line(check.name),
                  "body = " + _toml_string(check.body)]  # fmt: skip
    return "\n".join(lines) + "\n"


def _toml_string_line(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_suite(suite: DemoSuite, folder: str | Path) -> dict[str, Path]:
    """`<folder>/<split>.toml` per split that has tasks, readable by `luaurft tasks` and
    `luaurft check`."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for split in suite.splits():
        if not len(suite.split(split)):
            continue
        path = out / f"{split}.toml"
        header = f"# The demo's {split} split (generated by luaurft demo; do not edit).\n\n"
        path.write_text(header + "\n".join(task_toml(t) for t in suite.split(split)),
                        encoding="utf-8")  # fmt: skip
        paths[split] = path
    return paths


__all__ = [
    "PRACTICE",
    "SPLITS",
    "DemoSuite",
    "SuiteError",
    "SuiteSpec",
    "build_suite",
    "reserved",
    "task_toml",
    "write_suite",
]
