"""`luaurft rft` under `accelerate launch`: rank 0 runs the rounds, every rank trains them.

Sampling, scoring, selection, the run store and the reports belong to the main
process (global rank 0) alone: it is the store's only writer, as it is the only
writer of an adapter's tokenizer and metadata (`luaurft.rft.distributed`).
Training belongs to every process: when rank 0's loop reaches a training stage
it sends the request (settings, rows, output folder, adapter to start from) to
the other ranks and all of them train it together with the Hugging Face
trainer. The other ranks do nothing else; they wait for the next request or the
end of the run. A resumed run is therefore consistent on every rank by
construction: they train exactly the stages rank 0 finds still to do.

The waiting has a gloo group of its own with a long timeout: a round's sampling
and scoring can take hours, far beyond the timeout of the launch's own group,
which the trainer's collectives use (NCCL on GPUs). Requests travel in that group,
not through files, so ranks on other machines need no shared folder to receive
them; they still load the base model and the adapter a round starts from by
path, so a multi-machine run keeps its run folder (and models) at the same path
on every machine.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from luaurft.errors import LuaurftError
from luaurft.rft.distributed import is_main_process, world_size
from luaurft.rft.loop import TrainerFn, TrainRequest
from luaurft.rft.sft import TrainResult, cuda_available

log = logging.getLogger(__name__)

#: How long a rank waits for rank 0's next request: longer than any round's
#: sampling and scoring.
ROUND_WAIT = timedelta(days=3)


class MainProcessStopped(LuaurftError):
    """Rank 0 stopped the run before its end (an error there); the other ranks stop too."""


@dataclass(frozen=True)
class _Message:
    """Rank 0 to the others: train this, or the run is over (with rank 0's error, if any)."""

    request: TrainRequest | None = None
    error: str | None = None


class _Channel:
    """Rank 0's messages to every other rank, over a gloo group of their own."""

    def __init__(self) -> None:
        import torch.distributed as dist

        if not dist.is_initialized():
            # The launch's own group, made as the trainer would make it (the trainer
            # finds it made and uses it): gloo on CPUs, NCCL on GPUs.
            from accelerate import PartialState
            from transformers import TrainingArguments

            PartialState(
                cpu=not cuda_available(),
                timeout=timedelta(seconds=TrainingArguments.ddp_timeout),
            )
        self._dist = dist
        self._group = dist.new_group(backend="gloo", timeout=ROUND_WAIT)

    def send(self, message: _Message) -> None:
        self._dist.broadcast_object_list([message], src=0, group=self._group)

    def receive(self) -> _Message:
        box: list[Any] = [None]
        self._dist.broadcast_object_list(box, src=0, group=self._group)
        message = box[0]
        if not isinstance(message, _Message):
            raise RuntimeError(f"rank 0 sent {type(message).__name__}, not a training message")
        return message


@contextmanager
def lead_followers(train: TrainerFn) -> Iterator[TrainerFn]:
    """On rank 0: `train`, sending each request to the other ranks before training it.

    Outside a multi-process launch `train` itself. Leaving the block tells the
    other ranks the run is over; leaving it with an error tells them that error
    where they are waiting for a message. Where they are inside a training with
    rank 0 (rank 0 failed mid-training) nothing is sent: they are stuck in the
    trainer's collectives, and the launcher stops them when rank 0 exits.
    """
    if world_size() == 1:
        yield train
        return
    channel = _Channel()
    listening = True

    def lead(request: TrainRequest) -> TrainResult:
        nonlocal listening
        channel.send(_Message(request=request))
        listening = False
        result = train(request)
        listening = True
        return result

    try:
        yield lead
    except Exception as exc:
        if listening:
            channel.send(_Message(error=f"{type(exc).__name__}: {exc}"))
        raise
    channel.send(_Message())


def follow_main_process(train: TrainerFn) -> int:
    """On every rank but 0: train each request rank 0 sends until the run is over.

    Returns how many trainings this rank took part in; raises `MainProcessStopped`
    when rank 0 ends the run with an error.
    """
    if is_main_process():
        raise RuntimeError("rank 0 leads the run; only the other ranks follow it")
    channel = _Channel()
    trained = 0
    while True:
        message = channel.receive()
        if message.request is None:
            if message.error is not None:
                raise MainProcessStopped(f"the main process (rank 0) stopped: {message.error}")
            return trained
        log.info("training %s with rank 0", message.request.name)
        train(message.request)
        trained += 1
        # Rank 0 samples next, maybe on this process's GPU too: hold no model meanwhile.
        gc.collect()
        _empty_cuda_cache()


def _empty_cuda_cache() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


__all__ = ["ROUND_WAIT", "MainProcessStopped", "follow_main_process", "lead_followers"]
