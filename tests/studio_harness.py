"""Runs the Studio plugin's own Luau code headless, against a fake Studio.

`LuauVM` is the one place that knows which Luau VM runs the code: today
pluau directly in sandbox mode; when `luaurft.luau.sandbox` lands on main,
only this class changes. `FakeStudio` loads tests/fixtures/studio/fake_studio.luau
(DataModel, Selection, ChangeHistoryService, ScriptEditorService, LogService,
plugin settings, toolbar and widget) whose HttpService:RequestAsync calls back
into Python and makes real HTTP requests with httpx, so the plugin talks to a
real `StudioBridge` over a real socket.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pluau

import luaurft.studio
from luaurft.studio import StudioBridge

PLUGIN_DIR = Path(luaurft.studio.__file__).resolve().parent / "plugin"
FAKE_STUDIO = Path(__file__).resolve().parent / "fixtures" / "studio" / "fake_studio.luau"
ENTRY_FILE = "Main.server.luau"

_BOOT = """
local world, loadModule, moduleNames, entryName = ...
local base = setmetatable(world.env, { __index = _G })
local cache = {}
local root = { Name = entryName, ClassName = "Script" }
local function require(ref)
    local name = ref.Name
    if cache[name] == nil then
        cache[name] = loadModule(name)()
    end
    return cache[name]
end
base.require = require
for _, name in moduleNames do
    root[name] = { Name = name, ClassName = "ModuleScript", Parent = root }
end
local function envFor(name)
    local script = if name == entryName then root else root[name]
    local env = { script = script }
    if name == entryName then
        env.plugin = world.plugin
    end
    return setmetatable(env, { __index = base })
end
return { root = root, require = require, envFor = envFor }
"""


class LuauVM:
    """A sandboxed Luau VM with Python <-> Luau value conversion."""

    def __init__(self, memory_limit: int = 256 * 1024 * 1024) -> None:
        self.lua = pluau.Lua()
        self.lua.sandbox(True)
        self.lua.set_memory_limit(memory_limit)

    def load(self, source: str, name: str, env: pluau.Table | None = None) -> pluau.Function:
        return self.lua.load_chunk(source, name=f"={name}", env=env)

    def function(self, fn: Callable[..., Any]) -> pluau.Function:
        """Expose `fn` to Luau: it gets Python values and its return value goes back converted."""

        def callback(_lua: Any, args: tuple[Any, ...]) -> Any:
            # pluau reads a callback's return value as the list of Luau results.
            return (self.to_lua(fn(*(self.to_python(a) for a in args))),)

        return self.lua.create_function(callback)

    def raw_function(self, fn: Callable[..., Any]) -> pluau.Function:
        """Expose `fn` to Luau with the raw pluau arguments (tables stay tables)."""
        return self.lua.create_function(lambda _lua, args: (fn(*args),))

    def to_lua(self, value: Any) -> Any:
        if isinstance(value, dict):
            table = self.lua.create_table()
            for key, item in value.items():
                if item is not None:
                    table.set(key, self.to_lua(item))
            return table
        if isinstance(value, list | tuple):
            table = self.lua.create_table()
            for index, item in enumerate(value, start=1):
                table.set(index, self.to_lua(item))
            return table
        return value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, pluau.String):
            return value.as_bytes().decode("utf-8")
        if isinstance(value, pluau.Table):
            pairs = [(self.to_python(k), v) for k, v in value]
            if not pairs:
                return []  # like Roblox's JSONEncode, an empty table is an array
            keys = [k for k, _ in pairs]
            if all(isinstance(k, int) for k in keys) and sorted(keys) == list(
                range(1, len(keys) + 1)
            ):
                ordered = dict(pairs)
                return [self.to_python(ordered[i]) for i in range(1, len(keys) + 1)]
            if all(isinstance(k, str) for k in keys):
                return {k: self.to_python(v) for k, v in pairs}
            raise ValueError("a table mixes array and dictionary keys; JSONEncode refuses that")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class CoreHandle:
    """The plugin's headless Core object, with its methods callable from Python."""

    def __init__(self, studio: FakeStudio, table: pluau.Table) -> None:
        self.studio = studio
        self.table = table

    def call(self, method: str, *args: Any) -> list[Any]:
        fn = self.table.get(method)
        return [self.studio.vm.to_python(v) for v in fn(self.table, *args)]

    def step(self) -> tuple[bool, Any]:
        ok, *rest = self.call("step")
        return bool(ok), rest[0] if rest else None

    def accept(self) -> Any:
        return self.call("accept")[0]

    def reject(self, reason: str = "rejected in test") -> Any:
        return self.call("reject", reason)[0]

    def run(self, max_steps: int) -> None:
        self.call("run", max_steps)

    def get(self, field: str) -> Any:
        return self.studio.vm.to_python(self.table.get(field))

    @property
    def state(self) -> str:
        return str(self.get("state"))

    def pending_review_count(self) -> int:
        reviews = self.table.get("reviews")
        return len(reviews)


class FakeStudio:
    """A fake Studio world in a Luau VM, with the plugin's modules loadable into it."""

    def __init__(self, vm: LuauVM | None = None) -> None:
        self.vm = vm or LuauVM()
        self.http = httpx.Client(timeout=httpx.Timeout(30.0))
        # (method, path prefix) -> how many more responses to lose after the server saw the request
        self.drop_responses: dict[tuple[str, str], int] = {}
        py = self.vm.to_lua({})
        py.set("request", self.vm.raw_function(self._request))
        py.set("jsonEncode", self.vm.function(self._json_encode))
        py.set("jsonDecode", self.vm.function(self._json_decode))
        self.world: pluau.Table = self.vm.load(FAKE_STUDIO.read_text(), "fake_studio")(py)[0]
        self.module_sources = {
            p.name.removesuffix(".luau"): p.read_text(encoding="utf-8")
            for p in sorted(PLUGIN_DIR.glob("*.luau"))
            if p.name != ENTRY_FILE
        }
        boot = self.vm.load(_BOOT, "boot")
        self.loader: pluau.Table = boot(
            self.world,
            self.vm.raw_function(lambda name: self._load_module(str(name))),
            self.vm.to_lua(list(self.module_sources)),
            "luaurft",
        )[0]

    def close(self) -> None:
        self.http.close()

    # -- Python functions the fake calls ---------------------------------------------------

    def _json_encode(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def _json_decode(self, text: str) -> Any:
        return json.loads(text)

    def _request(self, request: pluau.Table) -> pluau.Table:
        options = self.vm.to_python(request)
        method = options.get("Method", "GET")
        url = options["Url"]
        headers = options.get("Headers") or {}
        body = options.get("Body")
        try:
            response = self.http.request(method, url, headers=headers, content=body)
        except httpx.TransportError as exc:
            raise RuntimeError(f"HttpError: ConnectFail ({exc})") from None
        path = httpx.URL(url).path
        for (drop_method, prefix), count in list(self.drop_responses.items()):
            if count > 0 and drop_method == method and path.startswith(prefix):
                self.drop_responses[(drop_method, prefix)] = count - 1
                raise RuntimeError("HttpError: NetFail (connection dropped by the test)")
        return self.vm.to_lua(
            {
                "Success": 200 <= response.status_code < 300,
                "StatusCode": response.status_code,
                "StatusMessage": response.reason_phrase,
                "Headers": dict(response.headers),
                "Body": response.text,
            }
        )

    def _load_module(self, name: str) -> pluau.Function:
        if name == "luaurft":
            source = (PLUGIN_DIR / ENTRY_FILE).read_text(encoding="utf-8")
        else:
            source = self.module_sources[name]
        env = self.loader.get("envFor")(name)[0]
        return self.vm.load(source, name, env)

    # -- the plugin ---------------------------------------------------------------------

    def require(self, name: str) -> pluau.Table:
        root = self.loader.get("root")
        return self.loader.get("require")(root.get(name))[0]

    def eval(self, code: str, *args: Any) -> list[Any]:
        """Run a Luau snippet inside the fake world; it gets (world, *args) as `...`."""
        env = self.loader.get("envFor")("luaurft")[0]
        return list(self.vm.load(code, "probe", env)(self.world, *args))

    def run_entry(self) -> None:
        """Run Main.server.luau the way Studio starts a plugin."""
        self._load_module("luaurft")()

    def core(
        self, *, auto_approve: bool = False, url: str | None = None, token: str | None = None
    ) -> CoreHandle:
        if token is not None:
            self.set_setting("luaurft.token", token)
        if url is not None:
            self.set_setting("luaurft.url", url)
        core_module = self.require("Core")
        options = self.vm.to_lua({"autoApprove": auto_approve})
        options.set("wait", self.world.get("env").get("task").get("wait"))
        return CoreHandle(self, core_module.get("new")(self.world.get("plugin"), options)[0])

    # -- the fake world -------------------------------------------------------------------

    def set_setting(self, key: str, value: str) -> None:
        self.world.get("settings").set(key, value)

    def setting(self, key: str) -> Any:
        return self.vm.to_python(self.world.get("settings").get(key))

    def scripts(self) -> dict[str, dict[str, str]]:
        result = self.vm.to_python(self.world.get("scripts")()[0])
        return result if isinstance(result, dict) else {}

    def paths(self) -> list[str]:
        return self.vm.to_python(self.world.get("paths")()[0])

    def recordings(self) -> list[dict[str, Any]]:
        return self.vm.to_python(self.world.get("recordings"))

    def source_updates(self) -> list[dict[str, Any]]:
        return self.vm.to_python(self.world.get("sourceUpdates"))

    def direct_source_writes(self) -> int:
        return int(self.world.get("directSourceWrites"))

    def waits(self) -> list[float]:
        return self.vm.to_python(self.world.get("waits"))

    def requests(self) -> list[dict[str, str]]:
        return self.vm.to_python(self.world.get("requests"))

    def find(self, path: str) -> pluau.Table | None:
        return self.world.get("find")(path)[0]

    def new_instance(self, class_name: str, name: str, parent_path: str) -> pluau.Table:
        parent = self.find(parent_path)
        assert parent is not None, parent_path
        return self.world.get("newInstance")(class_name, name, parent)[0]

    def new_script(self, path: str, class_name: str, source: str) -> pluau.Table:
        parent_path, _, name = path.rpartition("/")
        instance = self.new_instance(class_name, name, parent_path)
        # Bypass the write counter: this is the place as it was before the plugin ran.
        set_source = self.vm.load(
            "local world, i, s = ... local before = world.directSourceWrites i.Source = s world.directSourceWrites = before",
            "set_source",
        )
        set_source(self.world, instance, source)
        return instance

    def open_in_editor(self, path: str, unsaved_text: str) -> None:
        """Simulate a script open in a Studio tab with edits not yet committed to Source."""
        instance = self.find(path)
        assert instance is not None, path
        self.world.get("editorText").set(instance, unsaved_text)

    def normalize_newlines(self) -> None:
        """Make the fake editor store CRLF as LF, as an editor may."""
        self.world.set("normalizeNewlines", True)

    def fail_update_for(self, script_name: str, message: str) -> None:
        self.world.get("failUpdate").set(script_name, message)

    def select(self, *paths: str) -> None:
        instances = [self.find(p) for p in paths]
        assert all(i is not None for i in instances), paths
        table = self.vm.lua.create_table()
        for index, instance in enumerate(instances, start=1):
            table.set(index, instance)
        self.world.get("select")(table)

    def emit_log(self, message: str, message_type: str = "MessageOutput") -> None:
        self.world.get("emitLog")(message, message_type)


class Call:
    """`bridge.request` on a thread, so the plugin can be stepped on this one."""

    def __init__(
        self, bridge: StudioBridge, op_type: str, payload: dict[str, Any], timeout: float = 15
    ) -> None:
        self.value: dict[str, Any] | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(
            target=self._run, args=(bridge, op_type, payload, timeout), daemon=True
        )
        self.thread.start()

    def _run(
        self, bridge: StudioBridge, op_type: str, payload: dict[str, Any], timeout: float
    ) -> None:
        try:
            self.value = bridge.request(op_type, payload, timeout=timeout)
        except BaseException as exc:
            self.error = exc

    def done(self) -> bool:
        return not self.thread.is_alive()

    def join(self, timeout: float = 10) -> None:
        self.thread.join(timeout=timeout)
        assert not self.thread.is_alive()


def drive(core: CoreHandle, call: Call, max_steps: int = 8) -> dict[str, Any]:
    for _ in range(max_steps):
        core.step()
        call.thread.join(timeout=0.05)
        if call.done():
            break
    call.thread.join(timeout=5)
    assert call.done(), "the plugin never answered"
    if call.error is not None:
        raise call.error
    assert call.value is not None
    return call.value
