from __future__ import annotations

from pathlib import Path

import pytest

from data_helpers import (
    EVAL_PROMPT,
    EVAL_REFERENCE,
    corpus_texts,
    near_copy_of_killbrick,
    renamed_reference,
)
from luaurft.data.decontam import DecontamConfig, Decontaminator, EvalText, decontaminate
from luaurft.data.dedup import DedupConfig, code_shingles, deduplicate
from luaurft.data.records import CodeRecord


def _records() -> list[CodeRecord]:
    return [CodeRecord(id=name, text=text) for name, text in corpus_texts().items()]


def test_distinct_scripts_are_all_kept() -> None:
    records = _records()
    result = deduplicate(records)
    assert [r.id for r in result.kept] == [r.id for r in records]
    assert result.removed == []


def test_planted_near_duplicates_are_removed_keeping_the_best_scoring() -> None:
    texts = corpus_texts()
    original = texts["killbrick.luau"]
    copy = near_copy_of_killbrick(original)
    exact = original
    a = set(code_shingles(original))
    b = set(code_shingles(copy))
    assert len(a & b) / len(a | b) >= 0.8  # the plant really is a near copy
    records = [
        CodeRecord(id="copy", text=copy, score=0.6),
        *(CodeRecord(id=n, text=t, score=0.9) for n, t in texts.items()),
        CodeRecord(id="exact", text=exact, score=0.9),
    ]
    result = deduplicate(records)
    kept = [r.id for r in result.kept]
    # the best-scoring member survives; at equal score the first one does
    assert "killbrick.luau" in kept and "copy" not in kept and "exact" not in kept
    assert len(kept) == len(texts)
    assert {d.record.id: d.kept_id for d in result.removed} == {
        "copy": "killbrick.luau",
        "exact": "killbrick.luau",
    }
    assert result.clusters == 1


def test_dedup_is_deterministic_whatever_the_input_order() -> None:
    texts = corpus_texts()
    base = [CodeRecord(id=n, text=t) for n, t in texts.items()]
    base.append(CodeRecord(id="copy", text=near_copy_of_killbrick(texts["killbrick.luau"])))
    forward = {r.id for r in deduplicate(base).kept}
    # with no scores the first of a group is kept, so reversing flips which one survives
    backward = {r.id for r in deduplicate(list(reversed(base))).kept}
    assert forward - backward == {"killbrick.luau"} and backward - forward == {"copy"}
    assert {r.id for r in deduplicate(base, DedupConfig(seed=1)).kept} == forward


def test_threshold_controls_what_counts_as_a_duplicate() -> None:
    texts = corpus_texts()
    records = [
        CodeRecord(id="a", text=texts["killbrick.luau"]),
        CodeRecord(id="b", text=near_copy_of_killbrick(texts["killbrick.luau"])),
    ]
    assert len(deduplicate(records, DedupConfig(threshold=0.7)).kept) == 1
    assert len(deduplicate(records, DedupConfig(threshold=1.0)).kept) == 2


def test_planted_evaluation_solution_is_removed() -> None:
    reference = EVAL_REFERENCE.read_text(encoding="utf-8")
    texts = corpus_texts()
    planted = texts["leaderstats.luau"] + "\n" + renamed_reference(reference)
    records = [*_records(), CodeRecord(id="planted", text=planted)]
    result = decontaminate(records, [EvalText(reference, id="checkpoint:solution"), EVAL_PROMPT])
    assert [c.record.id for c in result.removed] == ["planted"]
    assert result.removed[0].eval_id == "checkpoint:solution"
    assert result.removed[0].kind == "code"
    assert len(result.kept) == len(texts)


def test_planted_evaluation_prompt_in_a_task_is_removed_and_kinds_are_detected() -> None:
    reference = EVAL_REFERENCE.read_text(encoding="utf-8")
    index = Decontaminator([reference, EVAL_PROMPT])
    assert len(index) == 2
    leaked = CodeRecord(
        id="t", text=corpus_texts()["door_tween.luau"], task="Please " + EVAL_PROMPT.lower()
    )
    hit = index.check(leaked)
    assert hit is not None and hit.kind == "prose" and hit.eval_id == "eval-1"
    clean = CodeRecord(
        id="c", text=corpus_texts()["door_tween.luau"], task="Make a door open when prompted."
    )
    assert index.check(clean) is None


def test_shared_boilerplate_is_not_contamination() -> None:
    reference = EVAL_REFERENCE.read_text(encoding="utf-8")
    index = Decontaminator(
        [EvalText(reference, id="ref", kind="code")], DecontamConfig(threshold=0.001)
    )
    worst = max(
        (hit.overlap for r in _records() if (hit := index.check(r)) is not None), default=0.0
    )
    assert worst < 0.2  # far below the 0.5 default


def test_short_prompts_match_whole() -> None:
    index = Decontaminator([EvalText("Make a kill brick", id="short", kind="prose")])
    assert (
        index.check(
            CodeRecord(id="x", text="print(1)", task="Make a kill brick that resets players")
        )
        is not None
    )
    assert index.check(CodeRecord(id="y", text="print(1)", task="Make a brick that kills")) is None


def test_the_clean_examples_survive_filters_and_dedup() -> None:
    from luaurft.data.filters import FilterConfig, filter_records
    from luaurft.data.loaders import load_sources

    examples = Path(__file__).resolve().parents[1] / "examples"
    if not any(examples.glob("*.luau")):
        pytest.skip("examples/ not present")
    records, report = load_sources([str(examples)])
    assert records and not report.problems
    kept, chain = filter_records(records, FilterConfig(license_allow=None))
    assert len(kept) == len(records), chain.to_dict()
    assert len(deduplicate(kept).kept) == len(kept)
