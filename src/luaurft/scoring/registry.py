"""The rule registry: every `Rule` subclass in `luaurft.scoring.rules`, found by import.

Adding a rule is adding a module under `luaurft/scoring/rules/<scorer>/`; nothing
else has to be edited. The scorer version is a hash of the rule set's metadata
and the code of the rules and formulas, so it changes whenever either does and
cached scores are never stale.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
from functools import cache
from pathlib import Path

from luaurft.errors import UnknownRuleError
from luaurft.scoring.rule import Rule

SCORER_VERSION_MAJOR = 1


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


def rules_for(scorer: str) -> tuple[Rule, ...]:
    return tuple(r for r in all_rules() if r.scorer == scorer)


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


def scorer_version() -> str:
    """`<major>.<hash>`: changes whenever a rule or a formula changes.

    When a full Roblox API dump is merged over the curated facts, the API rules
    know more, so the dump's fingerprint is appended (`+api.<fingerprint>`).
    """
    from luaurft.roblox.api import default_index

    version = f"{SCORER_VERSION_MAJOR}.{rule_set_hash()[:12]}"
    fingerprint = default_index().fingerprint()
    return f"{version}+api.{fingerprint[:10]}" if fingerprint else version
