"""The rule registry: every `Rule` subclass in `luaurft.scoring.rules`, found by import.

Adding a rule is adding a module under `luaurft/scoring/rules/<scorer>/`, named
after the rule id; nothing else has to be edited (the steps around it, fixtures
and snapshots, are in `luaurft.scoring.rules`). The scorer version is a hash of the rule set's metadata
and the code of the rules and formulas, so it changes whenever either does and
cached scores are never stale.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from luaurft.errors import UnknownRuleError
from luaurft.scoring.rule import Rule

if TYPE_CHECKING:
    from luaurft.roblox.api import ApiIndex

SCORER_VERSION_MAJOR = 1
EXEC_VERSION_MAJOR = 1


@cache
def all_rules() -> tuple[Rule, ...]:
    """One instance of every registered rule, sorted by id."""
    import luaurft.scoring.rules as rules_pkg

    found: dict[str, type[Rule]] = {}
    for info in pkgutil.walk_packages(rules_pkg.__path__, prefix=rules_pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, Rule)
                and obj is not Rule
                and obj.__module__ == module.__name__
                and "id" in obj.__dict__
            ):
                if obj.id in found and found[obj.id] is not obj:
                    raise RuntimeError(f"two rules share the id {obj.id!r}")
                found[obj.id] = obj
    return tuple(found[rid]() for rid in sorted(found))


@cache
def rules_for(scorer: str) -> tuple[Rule, ...]:
    return tuple(r for r in all_rules() if r.scorer == scorer)


@cache
def rule_costs(scorer: str) -> dict[str, float | None]:
    """Each of the scorer's rules' `cost` by rule id, for its penalty (a shared dict:
    do not modify it)."""
    return {r.id: r.cost for r in rules_for(scorer)}


def get_rule(rule_id: str) -> Rule:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise UnknownRuleError(f"no rule {rule_id!r}; `luaurft rules` lists the rule ids")


@cache
def rule_set_hash() -> str:
    """A hash over every rule's metadata and every file that decides a score.

    That is the code of the scoring package (rules, analyses, scorers and their
    formulas) and the curated Roblox facts the rules read.
    """
    import luaurft.roblox as roblox_pkg
    import luaurft.scoring as scoring_pkg

    digest = hashlib.sha256()
    for rule in all_rules():
        digest.update(repr(sorted(rule.metadata().items())).encode())
    for pkg, patterns in ((scoring_pkg, ("*.py",)), (roblox_pkg, ("*.py", "*.json", "*.toml"))):
        root = Path(next(iter(pkg.__path__)))
        for pattern in patterns:
            for file in sorted(root.rglob(pattern)):
                if "__pycache__" in file.parts or "runtime" in file.relative_to(root).parts:
                    continue
                digest.update(file.relative_to(root).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def hash_files(files: Iterable[tuple[str, Path]]) -> str:
    """sha256 over (name, content) pairs, in the order given."""
    digest = hashlib.sha256()
    for name, file in files:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def exec_inputs() -> list[tuple[str, Path]]:
    """Every file besides the rules that decides how code runs in the mock world.

    The Luau runtime (`roblox/runtime/*.luau`, which the scorer version leaves out),
    the generated engine surface it answers from, the sandbox and its prelude, the world, placement and project-tree code, the kind detection
    and the exec scorer's settings. Named relative to the package.
    """
    import luaurft

    root = Path(next(iter(luaurft.__path__)))
    files: list[Path] = []
    files.extend(sorted((root / "roblox" / "runtime").rglob("*.luau")))
    files.extend(sorted((root / "luau").glob("*.py")))
    files.extend(sorted((root / "luau").glob("*.luau")))
    for name in ("mock.py", "scaffold.py", "project.py", "checks.py", "surface.py"):
        files.append(root / "roblox" / name)
    # The generated engine surface decides what every class and member answers.
    files.append(root / "roblox" / "data" / "api_surface.txt.gz")
    files.append(root / "scoring" / "execution.py")
    files.append(root / "scoring" / "scorers" / "exec.py")
    files.extend(sorted((root / "scoring" / "rules" / "exec").glob("*.py")))
    return [(f.relative_to(root).as_posix(), f) for f in files if f.is_file()]


@cache
def exec_hash() -> str:
    """A hash over `exec_inputs()`, the exec rules' metadata and the Luau VM's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        vm = version("pluau")
    except PackageNotFoundError:
        vm = "unknown"
    rules = repr([sorted(r.metadata().items()) for r in rules_for("exec")])
    return hash_files(exec_inputs()) + hashlib.sha256(f"{vm}|{rules}".encode()).hexdigest()


def exec_version() -> str:
    """`<major>.<hash>`: the version of exec results (the `exec` score and findings).

    It changes whenever the mock runtime, the sandbox or the exec rules change, so
    cached exec scores are never reused across such changes. A card scored with
    exec carries `<scorer_version>+exec.<exec_version>`; deterministic cards carry
    the scorer version alone.
    """
    return f"{EXEC_VERSION_MAJOR}.{hashlib.sha256(exec_hash().encode()).hexdigest()[:12]}"


def card_version(exec: bool = False, index: ApiIndex | None = None) -> str:
    """The version a ScoreCard carries: the scorer version, plus the exec version
    when the code also ran. `index` is the API index the rules read, when the
    caller has it already (see `scorer_version`)."""
    version = scorer_version(index)
    return f"{version}+exec.{exec_version()}" if exec else version


def scorer_version(index: ApiIndex | None = None) -> str:
    """`<major>.<hash>`: changes whenever a rule or a formula changes.

    When a full Roblox API dump is merged over the curated facts, the API rules
    know more, so the dump's fingerprint is appended (`+api.<fingerprint>`).
    `index` is that index when the caller has it (scoring a piece of code asks
    for it once); else the current `default_index()`.
    """
    from luaurft.roblox.api import default_index

    version = f"{SCORER_VERSION_MAJOR}.{rule_set_hash()[:12]}"
    fingerprint = (index if index is not None else default_index()).fingerprint()
    return f"{version}+api.{fingerprint[:10]}" if fingerprint else version
