"""Every fenced shell command in README.md and docs/*.md runs, as written, on this checkout.

The commands run in bash in a scratch folder laid out as the README assumes
(`examples/`, a `src/` project, `Door.luau`, `kill.luau`, `my_script.luau`, a
`game.rbxl` place with a `Combat` script, eval runs under `runs/`, adapters
under `out/`, a corpus and a parquet table), with
`.venv/bin` first on PATH. Models are the keyless fake (`luaurft fake-llm
serve`): URLs of local servers in the docs point at it, and `anthropic:` specs
reach it through ANTHROPIC_BASE_URL. Only three kinds of edit are made, all
listed in `REWRITES`: those URLs, the fake's port (the docs' 8765 may be taken),
and ` [--studio]`-style optional flags. A command that cannot run offline in
seconds is skipped with its reason in `SKIPPED`; everything else must exit 0
(or what its comment documents).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
FAKE_PORT_IN_DOCS = 8765

SKIPPED: list[tuple[str, str]] = [
    (r"^make (demo|test)\b", "runs the whole demo or test suite (minutes); CI runs both"),
    (r"^luaurft demo\b", "trains a model from scratch (minutes); tests/test_demo.py covers it"),
    (r"^export \w+_API_KEY", "sets your own key; the test gives the fake model a fake one"),
    (r"^luaurft (sft|rft|grpo)\b", "trains Mistral-7B (a GPU and the model download)"),
    (r"^luaurft export\b", "merges an adapter into Mistral-7B (the model download)"),
    (r"--model (models/base|\./mistral-7b)", "needs a local model checkpoint"),
    (r"studio plugin --install", "writes into Roblox Studio's plugins folder"),
    (r"(assist|mcp)\b.*(?<!\[)--studio", "needs Roblox Studio with the luaurft plugin connected"),
    (r"anthropic:MODEL\b", "MODEL is a placeholder"),
    (
        r"^accelerate launch\b",
        "launches training on several GPUs; tests/test_accelerate_configs.py runs each "
        "config and a 2-process CPU launch",
    ),
    (r"boatbomber/the-luau-stack", "downloads a dataset from the Hugging Face hub"),
    (r"^ray start\b", "starts a Ray cluster head; tests/test_ray_cluster.py uses a local one"),
    (r"ray://HEAD\b", "HEAD is a placeholder for a cluster's head node"),
]
ALLOWED_EXIT = {r"--min-score": {0, 1}}  # "exit 1 if any file's composite is lower"
BACKGROUND = (r"&$", r"^luaurft studio serve\b")


@dataclass(frozen=True)
class Command:
    doc: str
    line: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def _commands() -> list[Command]:
    found: list[Command] = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in re.finditer(r"^```(sh|bash|shell)\n(.*?)^```", text, re.M | re.S):
            first = text.count("\n", 0, block.start(2)) + 1
            logical = ""
            for offset, raw in enumerate(block.group(2).splitlines()):
                if raw.rstrip().endswith("\\"):
                    logical += raw.rstrip()[:-1] + " "
                    continue
                logical += raw
                command = _strip_comment(logical).strip()
                logical = ""
                if command:
                    found.append(Command(doc.name, first + offset, command))
    return found


def _strip_comment(line: str) -> str:
    """The line without a trailing `# comment` (a # inside quotes stays)."""
    quote = None
    for i, ch in enumerate(line):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif ch == "#" and quote is None and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


COMMANDS = _commands()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Workspace:
    root: Path
    env: dict[str, str]
    rewrites: list[tuple[str, str]]
    background: list[subprocess.Popen[str]]

    def rewrite(self, command: str) -> str:
        for pattern, replacement in self.rewrites:
            command = re.sub(pattern, replacement, command)
        return command


PLACE = """<roblox version="4">
  <Item class="Workspace" referent="W"><Properties><string name="Name">Workspace</string>
  </Properties></Item>
  <Item class="ServerScriptService" referent="S">
    <Properties><string name="Name">ServerScriptService</string></Properties>
    <Item class="Script" referent="C"><Properties><string name="Name">Combat</string>
      <ProtectedString name="Source"><![CDATA[local Players = game:GetService("Players")
Players.PlayerAdded:Connect(function(player)
\tprint(player.Name .. " joined")
end)
]]></ProtectedString></Properties></Item>
  </Item>
</roblox>
"""


def _build_workspace(root: Path) -> None:
    from eval_fakes import ScriptedGenerator, reference_answer
    from luaurft.eval.harness import EvalSettings, eval_config, evaluate, open_eval_store
    from luaurft.eval.tasks import builtin_dir, builtin_suite
    from luaurft.runs.store import RunStore

    suite = builtin_suite()
    shutil.copytree(EXAMPLES, root / "examples")
    shutil.copytree(EXAMPLES, root / "src")
    shutil.copytree(EXAMPLES, root / "corpus")
    # Commands run from the checkout's root, where the presets are.
    shutil.copytree(ROOT / "configs", root / "configs")
    (root / "Door.luau").write_text(suite.get("tween-sliding-door").solution)
    (root / "kill.luau").write_text((EXAMPLES / "kill_brick.server.luau").read_text())
    (root / "my_script.luau").write_text(suite.get("leaderstats-basic").solution)
    (root / "probe.server.luau").write_text((EXAMPLES / "leaderstats.server.luau").read_text())
    (root / "Combat.server.luau").write_text((EXAMPLES / "kill_brick.server.luau").read_text())
    (root / "game.rbxl").write_text(PLACE)  # XML in a .rbxl: the format comes from the bytes
    tasks = root / "runs" / "demo" / "tasks"
    tasks.mkdir(parents=True)
    shutil.copy(Path(builtin_dir()) / "leaderstats.toml", tasks / "eval.toml")

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"file_content": p.read_text(), "file_path": p.name, "license": "mit"}
        for p in sorted(EXAMPLES.glob("*.luau"))
    ]
    pq.write_table(pa.Table.from_pylist(rows), root / "the-luau-stack.parquet")

    base_model = "mistralai/Mistral-7B-Instruct-v0.3"
    adapter_config = {"peft_type": "LORA", "r": 8, "base_model_name_or_path": base_model}
    for name in ("sft", "rft-1"):
        folder = root / "out" / name
        folder.mkdir(parents=True)
        (folder / "adapter_config.json").write_text(json.dumps(adapter_config))

    small = suite.select(ids=["leaderstats-basic", "oop-cooldown-class", "ui-shop-toggle"])

    def stub(task: object, index: int) -> str:
        return 'local Players = game:GetService("Players")\nprint(Players)'

    for run, answer, adapter in (
        ("base", stub, None),
        ("sft", reference_answer, root / "out" / "sft"),
        ("rft-1", reference_answer, root / "out" / "rft-1"),
    ):
        settings = EvalSettings(samples=2)
        config = eval_config(run, small, settings, label=run, adapter=str(adapter or "") or None)
        with open_eval_store(root / "runs" / run, config) as store:
            evaluate(ScriptedGenerator(run, small, answer), small, store, settings)

    reference = root / "runs" / "reference"
    reference.mkdir(parents=True)
    for name in ("sft", "round-1"):
        folder = reference / "adapters" / name
        folder.mkdir(parents=True)
        (folder / "adapter_config.json").write_text(json.dumps(adapter_config))
    with RunStore.in_dir(reference, kind="rft", config={"model": {"base_model": base_model}}) as s:
        for round_, name in ((0, "sft"), (1, "round-1")):
            s.add_artifact(
                "adapter",
                reference / "adapters" / name,
                kind="adapter",
                round=round_,
                meta={"base_model": base_model},
            )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from luaurft.testing.fake_llm_server import FakeLLMServer
    from luaurft.testing.keyless import keyless_responder

    root = tmp_path_factory.mktemp("readme")
    _build_workspace(root)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANTHROPIC_API_KEY": "test-key",
        "XDG_CACHE_HOME": str(root / ".cache"),
        "HF_HUB_OFFLINE": "1",
        "WANDB_MODE": "disabled",
        "COLUMNS": "120",
    }
    env.pop("OPENAI_API_KEY", None)
    port = _free_port()
    with FakeLLMServer(keyless_responder()) as fake:
        env["ANTHROPIC_BASE_URL"] = fake.anthropic_base_url
        rewrites = [
            (r"http://(localhost|127\.0\.0\.1):8000/v1", fake.openai_base_url),
            (rf"127\.0\.0\.1:{FAKE_PORT_IN_DOCS}\b", f"127.0.0.1:{port}"),
            (rf"--port {FAKE_PORT_IN_DOCS}\b", f"--port {port}"),
            (r" \[--[a-z-]+\]", ""),
            (r"^luaurft studio serve\b", "luaurft studio serve --port 0"),
        ]
        space = Workspace(root, env, rewrites, [])
        yield space
        for process in space.background:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _skip_reason(command: str) -> str | None:
    for pattern, reason in SKIPPED:
        if re.search(pattern, command):
            return reason
    return None


@pytest.mark.timeout(300)
@pytest.mark.parametrize("command", COMMANDS, ids=[c.id for c in COMMANDS])
def test_documented_command_runs(command: Command, workspace: Workspace) -> None:
    reason = _skip_reason(command.text)
    if reason is not None:
        pytest.skip(f"{command.text!r}: {reason}")
    text = workspace.rewrite(command.text)
    if any(re.search(pattern, command.text) for pattern in BACKGROUND):
        process = subprocess.Popen(
            ["bash", "-c", f"exec {text.rstrip('&').strip()}"],
            cwd=workspace.root,
            env=workspace.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        workspace.background.append(process)
        assert process.stdout is not None
        first = process.stdout.readline()  # it is up once it says where it listens
        assert "127.0.0.1" in first, f"{command.id}: {text!r} printed {first!r}"
        return
    result = subprocess.run(
        ["bash", "-c", text],
        cwd=workspace.root,
        env=workspace.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )
    allowed = {0}
    for pattern, codes in ALLOWED_EXIT.items():
        if re.search(pattern, command.text):
            allowed = codes
    assert result.returncode in allowed, (
        f"{command.id}: {text!r} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    )


def test_every_skip_reason_still_matches_a_documented_command() -> None:
    for pattern, reason in SKIPPED:
        assert any(re.search(pattern, c.text) for c in COMMANDS), (pattern, reason)


def test_the_collector_finds_the_readme_workflows() -> None:
    texts = [c.text for c in COMMANDS]
    assert "luaurft score examples/" in texts
    assert any(t.startswith("luaurft fake-llm serve") for t in texts)
    assert any("tasks validate runs/demo/tasks/eval.toml" in t for t in texts)
