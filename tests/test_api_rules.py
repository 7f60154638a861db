"""The API rules on whole scripts, the API scorer's formula, and script-kind inference.

Per-rule firing and silent cases live in tests/fixtures/rules/api/<rule>/ and run
through tests/test_rule_registry.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import example_files
from luaurft.luau import LuauSource, detect_kind
from luaurft.luau.kind import ScriptKind
from luaurft.roblox import api
from luaurft.scoring import run_rules, score_source
from luaurft.scoring.registry import rules_for, scorer_version
from luaurft.scoring.rule import RuleContext, Severity
from luaurft.scoring.scorer import available_scorers

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "roblox-api"
FULL_DUMP = SHARED / "Full-API-Dump.json"
EXAMPLES = example_files()


@pytest.fixture(autouse=True)
def _curated_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(api.API_DUMP_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def api_findings(code: str, *, kind: str | None = None, path: str | None = None):  # type: ignore[no-untyped-def]
    source = LuauSource(code)
    ctx = RuleContext(source=source, kind=detect_kind(code, kind=kind, path=path))
    return run_rules(ctx, ["api"])


LEGACY = """\
local players = game.Players
local part = Instance.new("Part", workspace)
part.Velocity = Vector3.new(0, 10, 0)
part.Transparancy = 0.5
local mover = Instance.new("BodyVelocity")
local store = game:GetService("DataStoreservice")
part.Touched:connect(function(hit)
\tlocal humanoid = hit.Parent:FindFirstChild("Humanoid")
\tif humanoid then
\t\thumanoid:LoadAnimation(script.Animation):Play()
\tend
end)
wait(1)
local info = TweenInfo.new(1, Enum.EasingStyle.Smooth)
local base = Instance.new("BasePart")
part.AssemblyMass = 3
print(players, mover, store, info, base)
"""


def test_a_legacy_script_gets_each_kind_of_finding() -> None:
    found = {(f.rule, f.line) for f in api_findings(LEGACY, kind="Script")}
    assert found == {
        ("api/service-by-index", 1),
        ("api/instance-new-parent", 2),
        ("api/deprecated-member", 3),
        ("api/unknown-member", 4),
        ("api/deprecated-class", 5),
        ("api/unknown-service", 6),
        ("api/deprecated-member", 7),
        ("api/deprecated-member", 10),
        ("api/deprecated-global", 13),
        ("api/unknown-enum", 14),
        ("api/unknown-class", 15),
        ("api/readonly-property", 16),
    }


def test_fixes_name_the_replacement() -> None:
    by_line = {f.line: f for f in api_findings(LEGACY, kind="Script")}
    assert by_line[1].fix == 'use game:GetService("Players")'
    assert by_line[3].fix == "use part.AssemblyLinearVelocity"
    assert by_line[4].fix == "did you mean .Transparency?"
    assert by_line[5].fix == 'use Instance.new("LinearVelocity")'
    assert by_line[6].fix == 'GetService("DataStoreService")'
    assert by_line[7].fix is not None and ":Connect()" in by_line[7].fix
    assert by_line[10].fix == "use Animator:LoadAnimation"
    assert by_line[13].fix == "use task.wait"


def test_suggestions_for_a_call_are_methods() -> None:
    (finding,) = api_findings('local p = Instance.new("Part")\np:Destory()\n')
    assert finding.rule == "api/unknown-member" and finding.fix == "did you mean :Destroy?"
    (called,) = api_findings('local p = Instance.new("Part")\np:Anchored()\n')
    assert "is a property, not a method" in called.message


def test_async_renames_are_only_info() -> None:
    code = (
        'local MarketplaceService = game:GetService("MarketplaceService")\n'
        "local info = MarketplaceService:GetProductInfo(123)\n"
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player)\n\tplayer:LoadCharacter()\nend)\n"
        "print(info)\n"
    )
    found = [f for f in api_findings(code, kind="Script") if f.rule == "api/deprecated-member"]
    assert [(f.line, f.severity) for f in found] == [(2, Severity.INFO), (5, Severity.INFO)]
    assert found[0].fix == "use MarketplaceService:GetProductInfoAsync()"


@pytest.mark.skipif(not EXAMPLES, reason="examples/ has no scripts yet")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_clean_examples_have_no_api_warnings(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    serious = [
        f for f in api_findings(text, path=str(path)) if f.severity.rank >= Severity.WARNING.rank
    ]
    assert not serious, [f.to_dict() for f in serious]
    assert score_source(text, path=str(path)).scores["api"] >= 0.9


@pytest.mark.skipif(not FULL_DUMP.is_file(), reason=f"no Roblox API dump at {FULL_DUMP}")
@pytest.mark.skipif(not EXAMPLES, reason="examples/ has no scripts yet")
def test_clean_examples_stay_clean_with_the_full_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(api.API_DUMP_ENV, str(FULL_DUMP))
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        serious = [f for f in api_findings(text, path=str(path)) if f.severity.rank >= 2]
        assert not serious, (path.name, [f.to_dict() for f in serious])


@pytest.mark.skipif(not FULL_DUMP.is_file(), reason=f"no Roblox API dump at {FULL_DUMP}")
def test_the_full_dump_lets_rules_check_classes_the_curated_table_only_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = 'local AdService = game:GetService("AdService")\nAdService:Frobnicate()\n'
    assert api_findings(code) == []
    monkeypatch.setenv(api.API_DUMP_ENV, str(FULL_DUMP))
    (finding,) = api_findings(code)
    assert finding.rule == "api/unknown-member" and finding.line == 2
    assert "+api." in scorer_version()


def test_client_and_server_rules_follow_the_script_kind() -> None:
    code = (
        'local Players = game:GetService("Players")\n'
        "print(Players.LocalPlayer)\n"
        'local store = game:GetService("DataStoreService"):GetDataStore("Coins")\n'
    )
    on_server = {f.rule for f in api_findings(code, kind="Script")}
    on_client = {f.rule for f in api_findings(code, kind="LocalScript")}
    in_module = {f.rule for f in api_findings(code, kind="ModuleScript")}
    assert on_server == {"api/client-only-api"}
    assert on_client == {"api/server-only-api"}
    assert in_module == set()
    server_path = {f.rule for f in api_findings(code, path="game/Stats.server.luau")}
    assert server_path == {"api/client-only-api"}


def test_text_chat_callbacks_of_the_other_side_are_reported() -> None:
    client_callback = (
        'local TextChatService = game:GetService("TextChatService")\n'
        "TextChatService.OnIncomingMessage = function(message)\n\treturn nil\nend\n"
    )
    found = [(f.rule, f.line) for f in api_findings(client_callback, kind="Script")]
    assert found == [("api/client-only-api", 2)]
    assert api_findings(client_callback, kind="LocalScript") == []
    server_callback = (
        'local channel = Instance.new("TextChannel")\n'
        "channel.ShouldDeliverCallback = function(message, source)\n\treturn true\nend\n"
    )
    found = [(f.rule, f.line) for f in api_findings(server_callback, kind="LocalScript")]
    assert found == [("api/server-only-api", 2)]


def test_kind_inference_leans_to_the_side_the_code_uses_most() -> None:
    client = 'local p = game:GetService("Players").LocalPlayer\nlocal m = p:GetMouse()\n'
    server = (
        'local DataStoreService = game:GetService("DataStoreService")\n'
        "remote.OnServerEvent:Connect(function(player) remote:FireClient(player) end)\n"
        "print(game:GetService('Players').LocalPlayer)\n"
    )
    assert detect_kind(client) is ScriptKind.LOCAL_SCRIPT
    assert detect_kind(server) is ScriptKind.SCRIPT
    assert detect_kind(server, kind="client") is ScriptKind.LOCAL_SCRIPT
    assert detect_kind("-- kind: LocalScript\n" + server) is ScriptKind.LOCAL_SCRIPT
    assert detect_kind(server + "return {}\n") is ScriptKind.MODULE_SCRIPT
    # The one client API in mostly-server code is what gets reported.
    found = [f.rule for f in api_findings(server)]
    assert found == ["api/client-only-api"]


@pytest.mark.parametrize(
    "code",
    [
        'local r = game:GetService("ReplicatedStorage").GetCoins\nprint(r:InvokeServer())\n',
        'game:GetService("RunService"):BindToRenderStep("cam", 200, function() end)\n',
        'game:GetService("StarterGui"):SetCoreGuiEnabled(Enum.CoreGuiType.Backpack, false)\n',
        "script.Parent.MouseButton1Click:Connect(function()\n\tscript.Parent.Visible = false\nend)\n",
    ],
    ids=["InvokeServer", "BindToRenderStep", "SetCoreGuiEnabled", "gui-button"],
)
def test_kind_inference_reads_the_client_server_table_the_api_rules_read(code: str) -> None:
    # Every client-only member of the table the API rules check is also a client hint,
    # so a LocalScript is never taken for a Script and then reported for its own APIs.
    assert detect_kind(code) is ScriptKind.LOCAL_SCRIPT
    assert "api/client-only-api" not in {f.rule for f in api_findings(code)}


def test_every_client_only_member_of_the_table_is_a_kind_hint() -> None:
    from luaurft.luau.kind import side_api_names
    from luaurft.roblox.api import curated_index

    client, server = side_api_names()
    index = curated_index()
    for (_cls, member), restriction in index.side_members.items():
        assert member in (client if restriction.side == "client" else server), member
    assert set(index.client_only_services) <= client
    assert set(index.server_only_services) <= server


def test_the_card_says_when_the_kind_was_a_guess() -> None:
    assert "kind_reason" not in score_source("local p = game.Players.LocalPlayer\n").extra
    absent = score_source("workspace.Gravity = 50\n")
    assert absent.kind == "Script"
    assert "no client or server API" in absent.extra["kind_reason"]
    mixed = score_source(
        "local p = game:GetService('Players').LocalPlayer\n"
        "remote.OnServerEvent:Connect(function() end)\nremote:FireClient(p)\n"
    )
    assert mixed.kind == "Script"
    assert "both used" in mixed.extra["kind_reason"] and "LocalPlayer" in mixed.extra["kind_reason"]
    # Stated kinds are not guesses.
    assert "kind_reason" not in score_source("workspace.Gravity = 50\n", kind="Script").extra


def test_a_bare_return_in_a_final_if_does_not_make_a_module() -> None:
    code = "local ok = check()\nif ok then\n\treturn\nend\n"
    assert detect_kind(code) is ScriptKind.SCRIPT


# -- the scorer ---------------------------------------------------------------------------


def test_api_scorer_formula() -> None:
    scorer = available_scorers()["api"]
    assert "penalty" in scorer.formula and "Blank" in scorer.formula
    assert score_source("").scores["api"] == 0.0
    assert score_source("local x = 1 + 2\nprint(x)\n").scores["api"] == 1.0
    one_warning = "wait(1)\nprint('done')\n"
    two_warnings = "wait(1)\nwait(2)\nprint('done')\n"
    assert score_source(one_warning).scores["api"] == pytest.approx(0.9)
    # The second finding of one rule costs half as much as the first.
    assert score_source(two_warnings).scores["api"] == pytest.approx(0.85)
    assert score_source(LEGACY).scores["api"] == 0.0


def test_api_scorer_ranks_worse_api_use_lower() -> None:
    modern = (
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player)\n\tprint(player.Name)\nend)\n"
    )
    dated = modern.replace('game:GetService("Players")', "game.Players").replace(
        ":Connect", ":connect"
    )
    broken = dated.replace("print(player.Name)", "player:Kik()")
    scores = [score_source(c, kind="Script").scores["api"] for c in (modern, dated, broken)]
    assert scores[0] == 1.0 and scores[0] > scores[1] > scores[2]


def test_every_api_rule_is_registered_with_a_cost_by_severity() -> None:
    ids = {r.id for r in rules_for("api")}
    assert ids == {
        "api/bare-asset-id",
        "api/cframe-degrees",
        "api/client-only-api",
        "api/color3-range",
        "api/deprecated-class",
        "api/deprecated-global",
        "api/deprecated-member",
        "api/instance-new-parent",
        "api/not-an-instance",
        "api/readonly-property",
        "api/restricted-member",
        "api/server-only-api",
        "api/service-by-index",
        "api/tween-goal",
        "api/unknown-class",
        "api/udim2-two-numbers",
        "api/unknown-enum",
        "api/unknown-library-member",
        "api/unknown-member",
        "api/unknown-service",
        "api/wrong-arg-count",
        "api/wrong-property-type",
    }


@pytest.mark.parametrize(
    "code",
    [
        'return {\n\tName = "kill",\n\tAliases = { "slay" },\n}\n',
        "local StarterGui = game:GetService('StarterGui')\n"
        "return function(cmdr)\n\tStarterGui:SetCore('ResetButtonCallback', false)\nend\n",
        "local M = {}\nreturn setmetatable(M, {\n\t__index = function() return 0 end,\n})\n-- end\n",
    ],
    ids=["multi-line-table", "function", "call-over-lines"],
)
def test_a_value_returned_over_several_lines_makes_a_module(code: str) -> None:
    assert detect_kind(code) is ScriptKind.MODULE_SCRIPT
    # ...so client APIs inside it are not reported as if a server Script ran them.
    assert "api/client-only-api" not in {f.rule for f in api_findings(code)}


def test_returns_inside_functions_do_not_make_a_module() -> None:
    code = (
        "local function double(x)\n\treturn x * 2\nend\n"
        "for i = 1, 3 do\n\tif i == 2 then\n\t\treturn\n\tend\n\tprint(double(i))\nend\n"
    )
    assert detect_kind(code) is ScriptKind.SCRIPT


def test_a_deprecated_global_right_after_concatenation_is_found() -> None:
    code = 'print("uptime: "..tick())\n'
    assert [f.rule for f in api_findings(code)] == ["api/deprecated-global"]


def test_the_get_user_cframe_fix_names_the_vr_service() -> None:
    code = (
        "local UserInputService = game:GetService('UserInputService')\n"
        "print(UserInputService:GetUserCFrame(Enum.UserCFrame.Head))\n"
    )
    found = [f for f in api_findings(code, kind="LocalScript") if f.rule == "api/deprecated-member"]
    assert [f.line for f in found] == [2]
    assert found[0].fix == "use VRService:GetUserCFrame"


def test_a_deprecated_member_reached_through_a_local_binding_is_found() -> None:
    # `hit.Parent` is an Instance (a class), so the child hint for HumanoidRootPart
    # makes `root` a BasePart and `root.Velocity` the deprecated property.
    code = (
        "script.Parent.Touched:Connect(function(hit)\n"
        '\tlocal root = hit.Parent:FindFirstChild("HumanoidRootPart")\n'
        "\tif root then\n\t\troot.Velocity = Vector3.new(0, 100, 0)\n\tend\nend)\n"
    )
    found = [f for f in api_findings(code) if f.rule == "api/deprecated-member"]
    assert [(f.line, f.message) for f in found] == [(4, "BasePart.Velocity is deprecated")]
    assert found[0].fix == "use root.AssemblyLinearVelocity"


def test_tween_goal_reads_the_runtime_list_of_tweenable_types() -> None:
    from luaurft.scoring.rules.api.tween_goal import tweenable_types

    types = tweenable_types()
    assert {"number", "boolean", "Vector3", "CFrame", "Color3", "UDim2", "EnumItem"} <= types
    assert not {"string", "Instance", "BrickColor"} & types
