"""Golden score cards: every scorer's output on a fixed corpus, pinned byte for byte.

The corpus is every `examples/` script, every `tests/fixtures/**/*.luau` file,
every hack of the hack-resistance tests applied to every clean script, the
trivial and stub snippets, every rule's own bad and good example, and
non-ASCII variants (multi-byte characters before and after the code on each
line) of the clean scripts and of every rule's bad fixtures. Each is
scored with the curated API facts only; the clean scripts are scored a second
time with the full Roblox API dump from ../shared/roblox-api/ when it is there.

The test exists so that work on speed cannot change a result. When a rule or a
formula changes *on purpose*, regenerate the golden files and review the diff:

    PYTHONPATH=src:tests .venv/bin/python tests/test_golden_scores.py

(`--check` compares instead of writing, and names the first cards that differ.)
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SHARED, example_files
from luaurft.luau import LuauSource
from luaurft.roblox import api
from luaurft.scoring import score_source
from luaurft.scoring.registry import all_rules
from test_hack_resistance import HACKS, STUB_MODULE, TRIVIAL, clean_scripts, every_hack

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
CURATED_GOLDEN = GOLDEN / "curated.json"
DUMP_GOLDEN = GOLDEN / "full_dump.json"
FULL_DUMP = SHARED / "roblox-api" / "Full-API-Dump.json"
FIXTURES = Path(__file__).parent / "fixtures"
KINDS = ("Script", "LocalScript", "ModuleScript")


# Byte offsets and character columns part ways on non-ASCII text: these variants
# put multi-byte characters before and after the code on every line.
_WIDE = "ü→漢🎮"


def _literal_rows(text: str) -> set[int]:
    """0-based rows that start inside a multi-line string or comment."""
    rows: set[int] = set()
    for node in LuauSource(text).nodes("string", "comment"):
        rows.update(range(node.start_point[0] + 1, node.end_point[0] + 1))
    return rows


def wide_prefix_on_every_line(text: str) -> str:
    inside = _literal_rows(text)
    return "\n".join(
        line if row in inside or not line.strip() else f"--[[{_WIDE}]] {line}"
        for row, line in enumerate(text.split("\n"))
    )


def wide_strings_and_comments(text: str) -> str:
    lines = [f'print("Grüße {_WIDE}") -- ñ {_WIDE}']
    inside = _literal_rows(text)
    for row, line in enumerate(text.split("\n")):
        ends_inside = row + 1 in inside
        lines.append(line if ends_inside or not line.strip() else f"{line} -- {_WIDE} é")
    return "\n".join(lines)


WIDE = {"wide-prefix": wide_prefix_on_every_line, "wide-text": wide_strings_and_comments}


def _rel(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def _card(text: str, *, path: str | None = None, kind: str | None = None) -> dict[str, Any]:
    card = score_source(text, path=path, kind=kind)
    # The scorer version hashes the scoring code itself, so it changes with any
    # edit; everything else on the card is the result and must not.
    return {
        "kind": card.kind,
        "compiles": card.compiles,
        "sha256": card.sha256,
        "scores": {**card.scores, "composite": card.composite},
        "extra": card.extra,
        "findings": [
            [f.rule, f.severity.value, f.line, f.column, f.message, f.fix] for f in card.findings
        ],
    }


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _clean_cases() -> Iterator[tuple[str, str, str | None, str | None]]:
    """(case id, text, path, kind) for the clean scripts, each also under every script kind."""
    for file in clean_scripts():
        text = _read(file)
        yield _rel(file), text, file.name, None
        for kind in KINDS:
            yield f"{_rel(file)}#kind={kind}", text, file.name, kind


def curated_cases() -> Iterator[tuple[str, str, str | None, str | None]]:
    yield from _clean_cases()
    examples = {f.resolve() for f in example_files()}
    for file in sorted(FIXTURES.rglob("*.luau")):
        if file.resolve() in examples or GOLDEN in file.parents:
            continue
        yield _rel(file), _read(file), file.name, None
    for file in clean_scripts():
        text = _read(file)
        for name, hack in {**HACKS, **WIDE}.items():
            yield f"{_rel(file)}#hack={name}", hack(text), file.name, None
    for name, text in TRIVIAL.items():
        yield f"trivial/{name}", text, None, None
    yield "trivial/stub-module#hack=all-at-once", every_hack(STUB_MODULE), None, None
    for file in sorted((FIXTURES / "rules").rglob("bad*.luau")):
        for name, hack in WIDE.items():
            yield f"{_rel(file)}#hack={name}", hack(_read(file)), file.name, None
    for rule in all_rules():
        yield f"rule/{rule.id}#bad", rule.bad, None, None
        yield f"rule/{rule.id}#good", rule.good, None, None


def dump_cases() -> Iterator[tuple[str, str, str | None, str | None]]:
    yield from _clean_cases()
    for file in sorted((FIXTURES / "rules" / "api").rglob("*.luau")):
        yield _rel(file), _read(file), file.name, None
    for file in clean_scripts():
        text = wide_prefix_on_every_line(_read(file))
        yield f"{_rel(file)}#hack=wide-prefix", text, file.name, None


def _dump_sha256() -> str:
    return hashlib.sha256(FULL_DUMP.read_bytes()).hexdigest()


def _with_index(dump: Path | None) -> Any:
    """Environment for `default_index()`: exactly `dump`, or the curated facts alone."""

    class _Scope:
        def __enter__(self) -> None:
            self.saved = {k: os.environ.get(k) for k in (api.API_DUMP_ENV, "XDG_CACHE_HOME")}
            os.environ.pop(api.API_DUMP_ENV, None)
            # A user's cached dump must not leak into the curated run.
            os.environ["XDG_CACHE_HOME"] = str(GOLDEN / "no-such-cache")
            api.set_api_dump(dump)

        def __exit__(self, *exc: object) -> None:
            api.set_api_dump(None)
            for key, value in self.saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    return _Scope()


def compute(which: str) -> dict[str, Any]:
    if which == "curated":
        with _with_index(None):
            cards = {cid: _card(t, path=p, kind=k) for cid, t, p, k in curated_cases()}
        return {"cards": cards}
    with _with_index(FULL_DUMP):
        cards = {cid: _card(t, path=p, kind=k) for cid, t, p, k in dump_cases()}
    return {"dump_sha256": _dump_sha256(), "cards": cards}


def _dumps(data: dict[str, Any]) -> str:
    # One card per line keeps a regenerated file's diff readable.
    lines = ["{"]
    meta = {k: v for k, v in data.items() if k != "cards"}
    for key, value in meta.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value)},")
    lines.append('"cards": {')
    items = sorted(data["cards"].items())
    for i, (cid, card) in enumerate(items):
        sep = "," if i < len(items) - 1 else ""
        lines.append(f"{json.dumps(cid)}: {json.dumps(card, sort_keys=True)}{sep}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def _differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    exp, act = expected["cards"], actual["cards"]
    problems = [f"missing card {cid}" for cid in sorted(exp.keys() - act.keys())]
    problems += [f"new card {cid}" for cid in sorted(act.keys() - exp.keys())]
    for cid in sorted(exp.keys() & act.keys()):
        if exp[cid] != act[cid]:
            e, a = exp[cid], act[cid]
            fields = [k for k in e if e.get(k) != a.get(k)]
            detail = ""
            if "findings" in fields:
                lost = [f for f in e["findings"] if f not in a["findings"]]
                gained = [f for f in a["findings"] if f not in e["findings"]]
                detail = f" lost={lost[:3]} gained={gained[:3]}"
            problems.append(f"{cid}: {fields} differ{detail}")
    return problems


def test_curated_cards_match_the_golden_file() -> None:
    expected = json.loads(CURATED_GOLDEN.read_text(encoding="utf-8"))
    assert len(expected["cards"]) > 400
    problems = _differences(expected, compute("curated"))
    assert not problems, "\n".join(problems[:20])


def test_full_dump_cards_match_the_golden_file() -> None:
    if not FULL_DUMP.is_file():
        pytest.skip(f"no full API dump at {FULL_DUMP}")
    expected = json.loads(DUMP_GOLDEN.read_text(encoding="utf-8"))
    if expected["dump_sha256"] != _dump_sha256():
        pytest.skip("the shared API dump is not the one the golden file was recorded with")
    problems = _differences(expected, compute("dump"))
    assert not problems, "\n".join(problems[:20])


def main(argv: list[str]) -> int:
    check = "--check" in argv
    status = 0
    targets = [("curated", CURATED_GOLDEN)]
    if FULL_DUMP.is_file():
        targets.append(("dump", DUMP_GOLDEN))
    for which, path in targets:
        data = compute(which)
        if check:
            problems = _differences(json.loads(path.read_text(encoding="utf-8")), data)
            print(f"{path.name}: {len(data['cards'])} cards, {len(problems)} differ")
            for line in problems[:20]:
                print("  " + line)
            status |= bool(problems)
        else:
            GOLDEN.mkdir(parents=True, exist_ok=True)
            path.write_text(_dumps(data), encoding="utf-8")
            print(f"wrote {len(data['cards'])} cards to {path}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
