"""`assist`: generate → score → rewrite with feedback → (Studio) → the best version.

The loop, with threshold T and at most K rewrites (both from
``Settings.agent`` unless given):

1. ask the model for the task; split the answer into files; score each file;
2. while the best version so far scores below T and rewrites are left, send
   the model that version with a feedback message built from its findings
   (and runtime errors) and score the new answer;
3. with Studio, push the best version; if Studio's Output then shows errors
   from the pushed scripts and rewrites are left, they become the feedback of
   one more rewrite (whose result is pushed and checked again).

Each rewrite starts from the best version so far, not the last one, so a
rewrite that made things worse is never built on.

With a `place` (a place file's tree), the first turn also gives the model an
outline of that place (`luaurft.roblox.place_outline`), and every run of a
version (its exec score, the world diff) happens inside the place. The returned best version is
the highest-scoring one (a version Studio reported errors for ranks below any
without); ties go to fewer findings, then the earlier round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from luaurft.agent.execution import (
    answer_project,
    answer_world_change,
    in_answer,
    runs_in_project,
)
from luaurft.agent.feedback import (
    DEFAULT_MAX_CHARS,
    FileFeedback,
    build_feedback,
    rewrite_request,
)
from luaurft.agent.files import FILE_CONVENTION, AnswerFile, render_answer, split_answer
from luaurft.agent.result import AssistResult, AssistRound, RoundPurpose, ScoredFile, StudioPush
from luaurft.agent.scoring import (
    Aggregate,
    ScoreFn,
    accepts_project,
    aggregate_scores,
    make_score_fn,
)
from luaurft.agent.studio_push import BridgeLike, StudioSession
from luaurft.config import Settings
from luaurft.errors import LuaurftError
from luaurft.llm.completion import Completion
from luaurft.llm.errors import LLMError
from luaurft.llm.types import Conversation, Generator, SamplingParams
from luaurft.roblox.place_outline import place_outline
from luaurft.roblox.project import ProjectTree

Progress = Callable[[str], None]


class AssistError(LuaurftError):
    """The assistant could not produce any code."""


PLACE_INTRO = (
    "The code runs in an existing place. Its instance tree, in part "
    "(Name (Class), indented under its parent):"
)


def task_prompt(
    task: str, *, multi_file_hint: bool = True, place: ProjectTree | None = None
) -> str:
    """The first user turn: the task, the outline of the place it is for, and how
    to lay out several scripts."""
    parts = [task.strip()]
    outline = place_outline(place, task) if place is not None else ""
    if outline:
        parts.append(f"{PLACE_INTRO}\n{outline}")
    if multi_file_hint:
        parts.append(FILE_CONVENTION)
    return "\n\n".join(parts)


def build_conversation(
    system_prompt: str, first_turn: str, base: AssistRound | None, request: str | None
) -> Conversation:
    """The chat for one round: the task, then (for a rewrite) the version and its feedback."""
    conversation: Conversation = [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": first_turn},
    ]
    if base is not None and request is not None:
        answer = [AnswerFile(f.path, f.source) for f in base.files]
        conversation.append({"role": "assistant", "content": render_answer(answer)})
        conversation.append({"role": "user", "content": request})
    return conversation


def score_files(
    files: Sequence[AnswerFile], score: ScoreFn, place: ProjectTree | None = None
) -> tuple[ScoredFile, ...]:
    """A card per file; the files of a multi-file answer run together, so one
    may require another, and inside `place` when there is one (when `score`
    takes a `project`, see `accepts_project`)."""
    together = runs_in_project(files, place) and accepts_project(score)
    tree = answer_project(files, place) if together else None
    scored = []
    for f in files:
        if tree is None:
            card = score(f.source, kind=f.kind, path=f.path)
        else:
            in_project: Any = score
            card = in_project(f.source, kind=f.kind, path=f.path, project=in_answer(tree, f))
        scored.append(ScoredFile(path=f.path, kind=f.kind, source=f.source, card=card))
    return tuple(scored)


def _rank(r: AssistRound) -> tuple[bool, float, int, int]:
    return (not r.studio_errors, r.score, -len(r.findings), -r.index)


def pick_best(rounds: Sequence[AssistRound]) -> AssistRound:
    """The best version (see module docstring)."""
    return max(rounds, key=_rank)


def feedback_for(version: AssistRound, threshold: float, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    items = [
        FileFeedback(
            path=f.path,
            card=f.card,
            studio_errors=tuple(e for e in version.studio_errors if e.path == f.path),
        )
        for f in version.files
    ]
    return build_feedback(items, score=version.score, threshold=threshold, max_chars=max_chars)


def _generate(
    generator: Generator, conversation: Conversation, sampling: SamplingParams
) -> Completion:
    rows = generator.generate([conversation], n=1, sampling=sampling)
    if not rows or not rows[0]:
        return Completion.failure("the generator returned no completion")
    return rows[0][0]


def default_sampling(settings: Settings) -> SamplingParams:
    """The configured sampling, one answer per round."""
    return SamplingParams.from_settings(settings.sampling, n=1)


def assist(
    task: str,
    generator: Generator,
    *,
    settings: Settings | None = None,
    threshold: float | None = None,
    max_rounds: int | None = None,
    sampling: SamplingParams | None = None,
    system_prompt: str | None = None,
    score: ScoreFn | None = None,
    exec: bool | None = None,
    aggregate: Aggregate = "min",
    studio: BridgeLike | StudioSession | None = None,
    studio_title: str | None = None,
    multi_file_hint: bool = True,
    max_feedback_chars: int = DEFAULT_MAX_CHARS,
    progress: Progress | None = None,
    world: bool = False,
    place: ProjectTree | None = None,
) -> AssistResult:
    """Generate code for `task`, self-correct it, optionally push it into Studio.

    `max_rounds` is K, the number of rewrites after the first answer (the
    Studio correction round counts as one). `score` replaces the scorer
    (deterministic + execution when available, see `make_score_fn`); `studio`
    is a running `StudioBridge` (or a `StudioSession` around one). `world`
    runs the best version's main script once more in the mock world and keeps
    what it changed there (`AssistResult.world`: the diff and the world after).
    `place` (`luaurft.roblox.place.load_place`) is the world every run happens
    in, and the model is shown its outline.
    Returns every round and the best version; raises `AssistError` when no
    round produced any code.
    """
    settings = settings or Settings()
    threshold = settings.agent.rewrite_threshold if threshold is None else threshold
    max_rounds = settings.agent.max_rounds if max_rounds is None else max_rounds
    if not 0.0 <= threshold <= 1.0:
        raise LuaurftError(f"the threshold must be in [0, 1], got {threshold}")
    if max_rounds < 0:
        raise LuaurftError(f"the number of rewrite rounds must be >= 0, got {max_rounds}")
    if not task.strip():
        raise LuaurftError("the task is empty; describe the script you want")
    sampling = sampling or default_sampling(settings)
    system = system_prompt if system_prompt is not None else settings.model.system_prompt
    score_fn = score or make_score_fn(exec)
    uses_exec = score is None and exec is not False
    session = (
        studio if isinstance(studio, StudioSession) or studio is None else StudioSession(studio)
    )
    title = studio_title or f"luaurft: {task.strip()[:60]}"
    first_turn = task_prompt(task, multi_file_hint=multi_file_hint, place=place)
    say = progress or (lambda _message: None)
    if place is not None:
        say(f"every version runs in {place.root} ({len(place.nodes)} instances)")

    rounds: list[AssistRound] = []
    pushes: list[StudioPush] = []
    base: AssistRound | None = None
    request: str | None = None
    purpose: RoundPurpose = "generate"
    stop_reason = "max-rounds"

    def set_round(updated: AssistRound) -> AssistRound:
        rounds[updated.index] = updated
        return updated

    def push(version: AssistRound) -> AssistRound:
        assert session is not None
        say(f"pushing round {version.index} to Studio ({len(version.files)} file(s))")
        result = session.push(version.files, f"{title} (round {version.index})")
        pushes.append(result)
        if result.errors:
            say(f"Studio reported {len(result.errors)} error(s) from the pushed scripts")
        elif not result.applied:
            say(f"Studio push {result.status}: {result.message}")
        return set_round(replace(version, studio=result))

    while True:
        index = len(rounds)
        conversation = build_conversation(system, first_turn, base, request)
        try:
            completion = _generate(generator, conversation, sampling)
        except LLMError:
            if not any(r.files for r in rounds):
                raise
            stop_reason = "generation-error"
            break
        files = score_files(split_answer(completion.text, task), score_fn, place)
        composite, scores = aggregate_scores(
            [f.card for f in files], [len(f.source.splitlines()) for f in files], aggregate
        )
        current = AssistRound(
            index=index,
            purpose=purpose,
            request=conversation[-1]["content"],
            completion=completion,
            files=files,
            score=composite,
            scores=scores,
            base_round=None if base is None else base.index,
        )
        rounds.append(current)
        findings = len(current.findings)
        say(
            f"round {index} ({purpose}): score {composite:.3f}, {len(files)} file(s), "
            f"{findings} finding(s)"
            + (f", generation error: {completion.error}" if completion.error else "")
        )
        best = pick_best(rounds)
        rewrites_left = max_rounds - index
        if not best.files and rewrites_left > 0:
            # Nothing to correct yet (an empty or failed answer): ask again from the task.
            base, request, purpose = None, None, "generate"
            continue
        if best.score < threshold or not best.files:
            if rewrites_left > 0:
                text = feedback_for(best, threshold, max_feedback_chars)
                base = set_round(replace(best, feedback=text))
                request = rewrite_request(text, multi_file=len(best.files) > 1)
                purpose = "rewrite"
                continue
            stop_reason = "max-rounds"
            break
        if session is None:
            stop_reason = "threshold"
            break
        best = push(best)
        if best.studio is None or not best.studio.applied:
            stop_reason = f"studio-{best.studio.status if best.studio else 'error'}"
            break
        if not best.studio_errors:
            stop_reason = "studio-clean"
            break
        if rewrites_left == 0:
            stop_reason = "max-rounds"
            break
        text = feedback_for(best, threshold, max_feedback_chars)
        base = set_round(replace(best, feedback=text))
        request = rewrite_request(text, multi_file=len(best.files) > 1)
        purpose = "studio-fix"

    if not any(r.files for r in rounds):
        errors = [r.completion.error for r in rounds if r.completion.error]
        detail = f": {errors[-1]}" if errors else ""
        raise AssistError(f"the model produced no code in {len(rounds)} round(s){detail}")
    best = pick_best(rounds)
    if (
        session is not None
        and not pushes
        and stop_reason
        in {
            "max-rounds",
            "generation-error",
        }
    ):
        # Below the threshold but still the best there is: the developer reviews it in Studio.
        best = push(best)
    change = None
    if world:
        say(f"running round {best.index}'s main script to see what it changes in the world")
        change = answer_world_change(
            [AnswerFile(f.path, f.source) for f in best.files], place=place
        )
    return AssistResult(
        task=task,
        rounds=tuple(rounds),
        best_index=pick_best(rounds).index,
        threshold=threshold,
        max_rounds=max_rounds,
        aggregate=aggregate,
        stop_reason=stop_reason,
        exec_scoring=bool(uses_exec),
        pushes=tuple(pushes),
        world=change,
    )


__all__ = [
    "AssistError",
    "assist",
    "build_conversation",
    "default_sampling",
    "feedback_for",
    "pick_best",
    "score_files",
    "task_prompt",
]
