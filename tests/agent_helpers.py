"""Test doubles for the assistant: a scripted generator, a scorer driven by comments in
the code, and a fake Studio plugin that answers the real bridge over HTTP."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import httpx

from luaurft.agent.files import kind_from_path
from luaurft.llm import Completion, SamplingParams
from luaurft.luau.kind import ScriptKind
from luaurft.scoring.card import ScoreCard
from luaurft.scoring.rule import Finding, Severity
from luaurft.studio import StudioBridge, source_sha256


class ScriptedGenerator:
    """Answers with the given texts in order (the last one repeats); records every chat.

    An entry may be an exception to raise or a `Completion` to return as is.
    """

    name = "scripted"

    def __init__(self, answers: Sequence[str | Completion | Exception]) -> None:
        self.answers = list(answers)
        self.conversations: list[list[dict[str, str]]] = []

    def generate(
        self,
        conversations: Sequence[Any],
        n: int | None = None,
        sampling: SamplingParams | None = None,
    ) -> list[list[Completion]]:
        assert len(conversations) == 1 and n == 1
        self.conversations.append([dict(m) for m in conversations[0]])
        answer = self.answers[min(len(self.conversations), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Completion):
            return [[answer]]
        return [[Completion(text=answer, prompt_tokens=10, completion_tokens=len(answer.split()))]]


_SCORE = re.compile(r"--\s*score:\s*([0-9.]+)")
_ISSUE = re.compile(r"--\s*issue:\s*(\S+)")


def comment_scorer(source: str, *, kind: ScriptKind, path: str) -> ScoreCard:
    """Score = the `-- score: X` comment; one warning per `-- issue: rule/id` line."""
    match = _SCORE.search(source)
    composite = float(match.group(1)) if match else 0.0
    findings = tuple(
        Finding(
            rule=m.group(1),
            scorer=m.group(1).split("/")[0],
            severity=Severity.WARNING,
            line=source[: m.start()].count("\n") + 1,
            column=1,
            message=f"{m.group(1)} found",
            fix=f"fix {m.group(1)}",
        )
        for m in _ISSUE.finditer(source)
    )
    return ScoreCard(
        scores={"syntax": composite, "quality": composite},
        composite=composite,
        findings=findings,
        scorer_version="comments",
        kind=kind.value,
        compiles=True,
        sha256=source_sha256(source),
    )


def scored(score: float, *issues: str, body: str = "print('x')") -> str:
    lines = [f"-- score: {score}", *(f"-- issue: {i}" for i in issues), body]
    return "\n".join(lines) + "\n"


class FakePlugin:
    """Plays the Studio plugin against a real bridge with plain HTTP (httpx).

    `apply_scripts` places Scripts in ServerScriptService, LocalScripts in
    StarterPlayerScripts and modules in ReplicatedStorage, and answers with
    each file's instance path and hash; `on_apply(batch_number, files)` returns
    Output lines (message, type) that Studio "prints" after the batch, served
    by `get_logs` with sequence numbers.
    """

    CONTAINERS: ClassVar[dict[str, str]] = {
        "Script": "ServerScriptService",
        "LocalScript": "StarterPlayer/StarterPlayerScripts",
        "ModuleScript": "ReplicatedStorage",
    }

    def __init__(
        self,
        bridge: StudioBridge,
        on_apply: Callable[[int, list[dict[str, Any]]], list[tuple[str, str]]],
        *,
        earlier_logs: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.bridge = bridge
        self.on_apply = on_apply
        self.logs: list[dict[str, Any]] = []
        for message, kind in earlier_logs:
            self._log(message, kind)
        self.applied: list[list[dict[str, Any]]] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.held: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _log(self, message: str, kind: str) -> None:
        self.logs.append({"seq": len(self.logs) + 1, "message": message, "type": kind, "time": 0})

    def __enter__(self) -> FakePlugin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        headers = {"X-Luaurft-Token": self.bridge.token}
        with httpx.Client(base_url=self.bridge.url, headers=headers, timeout=10) as http:
            hello = http.get("/api/hello").json()
            http.post(
                "/api/register",
                json={"v": 1, "sessionId": hello["sessionId"], "pluginVersion": "fake-1"},
            ).raise_for_status()
            cursor = hello["cursor"]
            while not self._stop.is_set():
                response = http.get("/api/poll", params={"cursor": cursor})
                if response.status_code == 204:
                    continue
                response.raise_for_status()
                for message in response.json()["messages"]:
                    cursor = max(cursor, message["cursor"])
                    payload = self._answer(message["type"], message["payload"])
                    http.post(
                        "/api/result",
                        json={
                            "v": 1,
                            "sessionId": hello["sessionId"],
                            "id": message["id"],
                            "ok": True,
                            "payload": payload,
                        },
                    ).raise_for_status()

    def _answer(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((kind, payload))
        if kind == "get_logs":
            since = int(payload.get("since", 0))
            wanted = set(payload.get("types") or [])
            newer = [e for e in self.logs if e["seq"] > since]
            entries = [e for e in newer if not wanted or e["type"] in wanted]
            last = newer[-1]["seq"] if newer else since
            return {"entries": entries, "next": last, "dropped": 0}
        if kind == "apply_scripts":
            files = payload["files"]
            for f in files:
                expected = f.get("expectOldSha256")
                held = self.held.get(f["path"])
                if expected is not None and expected != held:
                    return {"status": "conflict", "recording": "cancelled", "files": []}
            reports = []
            for f in files:
                name = f["path"].split("/")[-1].split(".")[0]
                # Like the plugin: a declared class wins, else the file name's suffix decides.
                class_name = f.get("className") or kind_from_path(f["path"]).value
                container = self.CONTAINERS[class_name]
                digest = source_sha256(f["source"])
                reports.append(
                    {
                        "path": f["path"],
                        "status": "created" if f["path"] not in self.held else "updated",
                        "className": class_name,
                        "instancePath": f"{container}/{name}",
                        "sha256": digest,
                    }
                )
                self.held[f["path"]] = digest
            self.applied.append(files)
            for message, log_kind in self.on_apply(len(self.applied), files):
                self._log(message, log_kind)
            return {"status": "applied", "recording": "committed", "files": reports}
        if kind == "get_selection":
            return {
                "selection": [{"name": "Workspace", "className": "Workspace", "path": "Workspace"}]
            }
        raise AssertionError(f"unexpected operation {kind}")
