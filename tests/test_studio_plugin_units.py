"""Pieces of the Studio plugin run in the Luau VM: sha256, line diff, naming rules, logs, the UI."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luaurft.studio import BridgeLimits, ScriptFile, StudioBridge, apply_scripts_payload
from studio_harness import Call, FakeStudio, drive

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def shared_studio() -> Iterator[FakeStudio]:
    fake = FakeStudio()
    yield fake
    fake.close()


@pytest.fixture
def studio() -> Iterator[FakeStudio]:
    fake = FakeStudio()
    yield fake
    fake.close()


# -- sha256 ------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000])
def test_sha256_matches_hashlib_at_padding_boundaries(
    shared_studio: FakeStudio, length: int
) -> None:
    digest = shared_studio.require("Sha256").get("hex")
    data = bytes((i * 7 + length) % 256 for i in range(length))
    assert (
        str(digest(shared_studio.vm.lua.create_string(data))[0]) == hashlib.sha256(data).hexdigest()
    )


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300))
def test_sha256_matches_hashlib_on_utf8_text(shared_studio: FakeStudio, text: str) -> None:
    digest = shared_studio.require("Sha256").get("hex")
    assert str(digest(text)[0]) == hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- line diff -----------------------------------------------------------------------------


def _lcs(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    return table[0][0]


def _split(text: str) -> list[str]:
    """Lines as the plugin counts them: a final newline ends the last line, it does not start one."""
    parts = text.split("\n")
    return parts[:-1] if parts[-1] == "" else parts


lines = st.lists(
    st.sampled_from(["local a = 1", "end", "", "return x", "print(a)", "  if x then"]), max_size=14
)


@settings(max_examples=80, deadline=None)
@given(old=lines, new=lines)
def test_diff_is_a_minimal_edit_that_rebuilds_both_sides(
    shared_studio: FakeStudio, old: list[str], new: list[str]
) -> None:
    diff = shared_studio.vm.to_python(
        shared_studio.require("Diff").get("lines")("\n".join(old), "\n".join(new))[0]
    )
    ops = diff["lines"] if isinstance(diff["lines"], list) else []
    old_lines, new_lines = _split("\n".join(old)), _split("\n".join(new))
    assert [o["text"] for o in ops if o["op"] in "=-"] == old_lines
    assert [o["text"] for o in ops if o["op"] in "=+"] == new_lines
    kept = sum(1 for o in ops if o["op"] == "=")
    assert kept == _lcs(old_lines, new_lines)
    assert diff["added"] == len(new_lines) - kept and diff["removed"] == len(old_lines) - kept


def test_diff_of_large_files_stays_correct_past_the_table_cap(shared_studio: FakeStudio) -> None:
    old = [f"line {i}" for i in range(700)]
    new = [f"line {i}" if i % 3 else f"changed {i}" for i in range(700)]
    diff = shared_studio.vm.to_python(
        shared_studio.require("Diff").get("lines")("\n".join(old), "\n".join(new))[0]
    )
    assert [o["text"] for o in diff["lines"] if o["op"] in "=-"] == old
    assert [o["text"] for o in diff["lines"] if o["op"] in "=+"] == new


# -- naming rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "declared", "expected"),
    [
        ("Main.server.luau", None, ("Main", "Script", [])),
        ("Tower/Input.client.luau", None, ("Input", "LocalScript", ["Tower"])),
        ("Shared/Util.luau", None, ("Util", "ModuleScript", ["Shared"])),
        ("Legacy.server.lua", None, ("Legacy", "Script", [])),
        ("Old.lua", None, ("Old", "ModuleScript", [])),
        ("NoSuffix", None, ("NoSuffix", "ModuleScript", [])),
        ("Hud.luau", "LocalScript", ("Hud", "LocalScript", [])),
        ("Boot.server.luau", "ModuleScript", ("Boot", "ModuleScript", [])),
        ("A\\B\\C.client.luau", None, ("C", "LocalScript", ["A", "B"])),
        ("Upper.SERVER.LUAU", None, ("Upper", "Script", [])),
    ],
)
def test_classify_by_file_name_or_declared_class(
    shared_studio: FakeStudio, path: str, declared: str | None, expected: tuple[str, str, list[str]]
) -> None:
    name, class_name, folders = shared_studio.require("Apply").get("classify")(path, declared)
    assert (str(name), str(class_name), shared_studio.vm.to_python(folders)) == expected


def test_classify_refuses_unknown_classes_and_empty_names(shared_studio: FakeStudio) -> None:
    classify = shared_studio.require("Apply").get("classify")
    with pytest.raises(RuntimeError, match="className must be"):
        classify("A.luau", "Part")
    with pytest.raises(RuntimeError, match="needs a name"):
        classify("Folder/.server.luau", None)


# -- logs ----------------------------------------------------------------------------------


def test_log_ring_is_bounded_and_resumable(shared_studio: FakeStudio) -> None:
    result = shared_studio.eval(
        """
        local world, Logs = ...
        local logs = Logs.new(3)
        for i = 1, 5 do
            logs:add("message " .. i, Enum.MessageType.MessageOutput)
        end
        logs:add("[luaurft] own status line", Enum.MessageType.MessageOutput)
        local first = logs:since(0, 2)
        local rest = logs:since(first.next)
        return first, rest
        """,
        shared_studio.require("Logs"),
    )
    first, rest = (shared_studio.vm.to_python(r) for r in result)
    assert [e["message"] for e in first["entries"]] == ["message 3", "message 4"]
    assert first["dropped"] == 2
    assert [e["message"] for e in rest["entries"]] == ["message 5"]


# -- the UI --------------------------------------------------------------------------------


def test_entry_script_adds_a_toolbar_button_that_toggles_the_widget(studio: FakeStudio) -> None:
    studio.run_entry()
    state = studio.eval(
        """
        local world = ...
        local toolbar = world.toolbars[1]
        local button = toolbar:GetChildren()[1]
        local widget = world.widgets[1]
        local before = widget.Enabled
        button.Click:Fire()
        local labels = 0
        for _, d in world.descendants(widget) do
            if d.ClassName == "TextButton" then labels += 1 end
        end
        return toolbar.Name, button.Text, widget.Title, before, widget.Enabled, button.Active, labels
        """
    )
    assert [studio.vm.to_python(v) for v in state] == [
        "luaurft",
        "luaurft",
        "luaurft",
        False,
        True,
        True,
        3,
    ]
    # Without a saved token the plugin does not touch the network.
    assert studio.requests() == []


def test_widget_shows_the_diff_and_accept_applies_it(studio: FakeStudio) -> None:
    studio.new_script("ReplicatedStorage/Config", "ModuleScript", "return { damage = 1 }\n")
    with StudioBridge(port=0, limits=BridgeLimits(poll_timeout_s=0.3)) as bridge:
        core = studio.core(url=bridge.url, token=bridge.token)
        ui = studio.eval(
            """
            local world, core, Ui = ...
            return Ui.mount(world.plugin, core, { connect = function() end, disconnect = function() end })
            """,
            core.table,
            studio.require("Ui"),
        )[0]
        payload = apply_scripts_payload(
            [
                ScriptFile("Config.luau", "return { damage = 2 }\n"),
                ScriptFile("Main.server.luau", "print(1)\n"),
            ],
            title="Balance",
        )
        call = Call(bridge, "apply_scripts", payload)
        while core.pending_review_count() == 0:
            core.step()
        shown = studio.eval(
            """
            local world, ui = ...
            local texts = {}
            for _, child in ui.diffFrame:GetChildren() do
                if child.ClassName == "TextLabel" then
                    texts[child.LayoutOrder] = child.Text
                end
            end
            return texts, ui.buttons.accept.Visible
            """,
            ui,
        )
        texts, accept_visible = (studio.vm.to_python(v) for v in shown)
        assert texts == [
            "edit Config.luau (ModuleScript, +1 -1)",
            "- return { damage = 1 }",
            "+ return { damage = 2 }",
            "new Main.server.luau (Script, +1 -0)",
            "+ print(1)",
        ]
        assert accept_visible is True
        studio.eval("local world, ui = ... ui.buttons.accept.Activated:Fire()", ui)
        result = drive(core, call)
        assert result["status"] == "applied"
        assert studio.scripts()["ReplicatedStorage/Config"]["source"] == "return { damage = 2 }\n"
        hidden = studio.eval("local world, ui = ... return ui.buttons.accept.Visible", ui)[0]
        assert hidden is False
