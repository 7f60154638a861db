"""Scoring on a Ray cluster: a local Ray instance (2 CPUs) stands in for one.

`luaurft score DIR --ray auto` must print exactly what the in-process run prints,
and a Ray worker that dies mid-chunk is retried with each result delivered once.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, LEADERSTATS_SCRIPT

ray = pytest.importorskip("ray")

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    # Ray workers (and the executor workers they start) import this module's job functions.
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), old) if p)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def _score(*args: str) -> str:
    from luaurft.cli import app

    result = CliRunner().invoke(app, ["score", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _folder(root: Path, count: int) -> Path:
    """`count` small scripts over a few folders, some with findings."""
    for i in range(count):
        folder = root / f"pkg{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        text = LEADERSTATS_SCRIPT.replace('"Coins"', f'"Coins{i}"').replace(
            "coins.Value = 0", f"coins.Value = {i}"
        )
        if i % 5 == 0:
            text += f"\nlocal unused{i} = wait(1)\n"
        (folder / f"s{i}.server.luau").write_text(text)
    return root


@pytest.mark.usefixtures("local_ray")
def test_score_on_ray_equals_score_in_process_byte_for_byte(tmp_path: Path) -> None:
    assert _score(str(EXAMPLES), "--format", "json", "--ray", "auto") == _score(
        str(EXAMPLES), "--format", "json"
    )
    many = _folder(tmp_path / "many", 210)
    on_ray = _score(str(many), "--format", "json", "--ray", "auto")
    assert on_ray == _score(str(many), "--format", "json")
    assert len(json.loads(on_ray)["results"]) == 210


@pytest.mark.usefixtures("local_ray")
def test_ray_refuses_standard_input() -> None:
    from luaurft.errors import LuaurftError
    from luaurft.scoring.report import score_paths

    with pytest.raises(LuaurftError, match="--ray"):
        list(score_paths(["-"], read_stdin=lambda: b"print(1)", ray="auto"))


def die_once(item: int, *, setup: str) -> int:
    """A job that takes down the Ray worker running it (its executor's parent) the first
    time it sees item 5, and records every time it is computed."""
    marks = Path(setup)
    with (marks / f"computed-{item}").open("a") as log:
        log.write("x")
    died = marks / "died"
    if item == 5 and not died.exists():
        ray_worker = _ray_worker_pid()
        died.write_text(str(ray_worker))
        os.kill(ray_worker, signal.SIGKILL)
    return item * item


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _ray_worker_pid() -> int:
    """The Ray worker above this executor worker (Ray titles it `ray::TASK`): the parent of
    the executor worker, or of the forkserver that forked it."""
    pid = os.getppid()
    for _ in range(4):
        if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::"):
            return pid
        pid = _parent_of(pid)
    raise AssertionError("no Ray worker above this process")


@pytest.mark.usefixtures("local_ray")
def test_a_killed_ray_worker_is_retried_and_each_result_arrives_once(tmp_path: Path) -> None:
    from luaurft.luau.cluster import ray_map

    results = list(
        ray_map(die_once, range(12), address="auto", wall_seconds=60, chunk=4, setup=str(tmp_path))
    )
    assert results == [i * i for i in range(12)]
    assert (tmp_path / "died").exists()  # a Ray worker really died
    # Item 5's chunk ran again on a fresh worker; the driver got each result once.
    assert (tmp_path / "computed-5").read_text() == "xx"
    assert (tmp_path / "computed-0").read_text() == "x"


@pytest.mark.usefixtures("local_ray")
def test_eval_on_ray_stores_what_the_in_process_eval_stores(tmp_path: Path) -> None:
    """Checks run and samples scored as Ray tasks; the driver stores them, in order."""
    from eval_fakes import ScriptedGenerator
    from luaurft.eval.harness import (
        EXEC_KEY,
        REWARD_KEY,
        EvalSettings,
        eval_config,
        evaluate,
        open_eval_store,
    )
    from luaurft.eval.tasks import builtin_suite

    suite = builtin_suite().select(ids=["leaderstats-basic", "ui-shop-toggle"])

    def answers(task, index):  # type: ignore[no-untyped-def]
        return task.solution if index % 2 == 0 else "local x = 1"

    stored = []
    for name, ray_address in (("here", None), ("ray", "auto")):
        settings = EvalSettings(samples=2, ray=ray_address)
        generator = ScriptedGenerator("alt", suite, answers)
        folder = tmp_path / name
        with open_eval_store(folder, eval_config("alt", suite, settings)) as store:
            summary = evaluate(generator, suite, store, settings)
            rewards = {
                key: sorted((r.value, json.dumps(r.parts, sort_keys=True))
                            for r in store.rewards(0, key).values())
                for key in (EXEC_KEY, REWARD_KEY)
            }  # fmt: skip
        stored.append((summary.metrics["pass@1"].estimate, rewards))
    assert stored[0] == stored[1]
    assert stored[0][0] == pytest.approx(0.5)


@pytest.mark.usefixtures("local_ray")
def test_the_rft_reward_on_ray_equals_the_reward_in_process() -> None:
    from luaurft.reward import HybridReward, RewardConfig

    weights = {"syntax": 0.1, "api": 0.1, "bug": 0.1, "quality": 0.1, "exec": 0.2}
    config = RewardConfig(weights=weights)
    items = [("Give players leaderstats", LEADERSTATS_SCRIPT), ("Print", "print('hi')\n")] * 3
    here = HybridReward(config).score_many(items)
    there = HybridReward(config, ray="auto").score_many(items)
    assert [(r.value, r.parts) for r in here] == [(r.value, r.parts) for r in there]
