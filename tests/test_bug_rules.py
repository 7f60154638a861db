"""Edge cases of the bug-risk rules: idioms that must stay silent, and the risky forms next to them."""

from __future__ import annotations

import pytest

from luaurft.luau import LuauSource, detect_kind
from luaurft.scoring import score_source
from luaurft.scoring.registry import get_rule
from luaurft.scoring.rule import RuleContext, iter_rule_findings


def fired(rule_id: str, code: str) -> list[int]:
    ctx = RuleContext(source=LuauSource(code), kind=detect_kind(code))
    return sorted(f.line for f in iter_rule_findings(get_rule(rule_id), ctx))


STORE = 'local store = game:GetService("DataStoreService"):GetDataStore("S")\n'

CASES: list[tuple[str, str, list[int]]] = [
    # -- unprotected web calls ---------------------------------------------------
    ("bug/unprotected-web-call", STORE + "local ok, v = pcall(store.GetAsync, store, 'k')\n", []),
    ("bug/unprotected-web-call", STORE + "local ok, v = pcall(store:GetAsync('k'))\n", [2]),
    (
        "bug/unprotected-web-call",
        STORE
        + "local function get(k)\n\treturn store:GetAsync(k)\nend\nlocal ok = pcall(get, 'k')\n",
        [],
    ),
    (
        "bug/unprotected-web-call",
        STORE + "local function get(k)\n\treturn store:GetAsync(k)\nend\nprint(get('k'))\n",
        [3],
    ),
    (
        "bug/unprotected-web-call",
        STORE
        + "pcall(function()\n\ttask.spawn(function()\n\t\tstore:SetAsync('k', 1)\n\tend)\nend)\n",
        [4],
    ),
    (
        "bug/unprotected-web-call",
        STORE + "Promise.new(function(resolve)\n\tresolve(store:GetAsync('k'))\nend)\n",
        [],
    ),
    (
        "bug/unprotected-web-call",
        STORE + "local M = {}\nfunction M.load(k)\n\treturn store:GetAsync(k)\nend\n"
        "local ok = pcall(M.load, 'k')\nreturn M\n",
        [],
    ),
    (
        "bug/unprotected-web-call",
        'local ds = game:GetService("DataStoreService")\nprint(ds:GetDataStore("x"))\n',
        [],
    ),
    # -- loops without a yield ---------------------------------------------------------
    ("bug/loop-without-yield", "while true do\n\tprint(1)\nend\n", [1]),
    ("bug/loop-without-yield", "while true do\n\ttask.wait()\nend\n", []),
    ("bug/loop-without-yield", "while true do\n\tif x then\n\t\ttask.wait()\n\tend\nend\n", [1]),
    (
        "bug/loop-without-yield",
        "while true do\n\tif x then continue end\n\ttask.wait()\nend\n",
        [1],
    ),
    ("bug/loop-without-yield", "while true do\n\tif done() then break end\nend\n", []),
    ("bug/loop-without-yield", "while true do\n\tupdateWorld()\nend\n", []),  # unknown: may yield
    (
        "bug/loop-without-yield",
        "local function step()\n\treturn 1\nend\nwhile true do\n\tstep()\nend\n",
        [4],
    ),
    (
        "bug/loop-without-yield",
        "local function step()\n\ttask.wait(1)\nend\nwhile true do\n\tstep()\nend\n",
        [],
    ),
    ("bug/loop-without-yield", "repeat\n\tprint(1)\nuntil false\n", [1]),
    ("bug/loop-without-yield", "repeat\n\tprint(1)\nuntil done\n", []),
    ("bug/loop-without-yield", "while task.wait(1) do\n\tprint(1)\nend\n", []),
    (
        "bug/loop-without-yield",
        "while true do\n\tif #jobs > 0 then\n\t\tprint(table.remove(jobs, 1))\n\telse\n\t\ttask.wait()\n\tend\nend\n",
        [],
    ),
    # -- unchecked FindFirstChild ------------------------------------------------------
    ("bug/unchecked-find", 'local h = workspace:WaitForChild("Part")\nprint(h.Name)\n', []),
    ("bug/unchecked-find", 'local h = workspace:WaitForChild("Part", 5)\nprint(h.Name)\n', [2]),
    ("bug/unchecked-find", 'local h = workspace:FindFirstChild("P")\nprint(h and h.Name)\n', []),
    (
        "bug/unchecked-find",
        'local h = workspace:FindFirstChild("P")\nassert(h, "missing")\nprint(h.Name)\n',
        [],
    ),
    (
        "bug/unchecked-find",
        'local h = workspace:FindFirstChild("P")\nif h then print(1) end\nprint(h.Name)\n',
        [3],
    ),
    (
        "bug/unchecked-find",
        'local h = workspace:FindFirstChild("P")\nif not h then\n\th = Instance.new("Part")\nend\nprint(h.Name)\n',
        [],
    ),
    ("bug/unchecked-find", 'print(workspace:FindFirstChild("P").Name)\n', [1]),
    ("bug/unchecked-find", 'print((workspace:FindFirstChild("P") :: Part).Size)\n', [1]),
    (
        "bug/unchecked-find",
        'for _, c in workspace:GetChildren() do\n\tlocal h = c:FindFirstChild("H")\n\tif not h then continue end\n\tprint(h.Name)\nend\n',
        [],
    ),
    # -- unknown globals ---------------------------------------------------------------
    (
        "bug/unknown-global",
        "print(Vector3.zero, task.wait, Enum.Material.Grass, buffer.create(1))\n",
        [],
    ),
    ("bug/unknown-global", "local Players = game:GetService('Players')\nprint(Player)\n", [2]),
    ("bug/unknown-global", "_G.Config = {}\nprint(Config)\n", []),
    ("bug/unknown-global", "local Players = game:GetService('Players')\nprint(Play", []),  # cut off
    ("bug/unknown-global", "local x: SomeType = nil\ntype SomeType = number\nprint(x)\n", []),
    # -- remove while iterating --------------------------------------------------------
    (
        "bug/remove-while-iterating",
        "local t = {}\nfor i, v in t do\n\ttable.remove(t, i)\nend\n",
        [3],
    ),
    (
        "bug/remove-while-iterating",
        "local t, u = {}, {}\nfor i, v in t do\n\ttable.remove(u, i)\nend\n",
        [],
    ),
    # -- unbalanced assignments --------------------------------------------------------
    ("bug/unbalanced-assignment", "local a, b = (f())\n", [1]),
    ("bug/unbalanced-assignment", "local a, b = f()\n", []),
    ("bug/unbalanced-assignment", "local a, b = ...\n", []),
    # -- NaN -------------------------------------------------------------------------------
    ("bug/nan-comparison", "local x = 1\nprint(x ~= x)\n", []),
    ("bug/nan-comparison", "local x = 1\nprint(x == 0/0)\n", [2]),
    ("bug/nan-comparison", "local x = 1\nprint(x == 0/1, x / 0 == 1)\n", []),
    # -- shadowing and unused --------------------------------------------------------------
    ("bug/shadowed-local", "local _ = 1\nfor _, v in {} do\n\tprint(v)\nend\n", []),
    (
        "bug/shadowed-local",
        "local ok, e = pcall(f)\nprint(ok, e)\nlocal ok, e = pcall(g)\nprint(ok, e)\n",
        [],
    ),
    ("bug/shadowed-local", "local n = 1\nif n then\n\tlocal n = 2\n\tprint(n)\nend\n", [3]),
    (
        "bug/unused-local",
        "local conn\nconn = workspace.ChildAdded:Connect(function()\n\tconn:Disconnect()\nend)\n",
        [],
    ),
    ("bug/unused-parameter", "local function f(a, b)\n\treturn b\nend\nreturn f\n", []),
]


@pytest.mark.parametrize(
    ("rule_id", "code", "lines"), CASES, ids=[f"{c[0]}#{i}" for i, c in enumerate(CASES)]
)
def test_rule_case(rule_id: str, code: str, lines: list[int]) -> None:
    assert fired(rule_id, code) == lines


def test_parse_errors_never_produce_unknown_global_or_unused_findings() -> None:
    # tree-sitter-luau rejects attributes and generic type packs that the compiler accepts.
    code = (
        "local Players = game:GetService('Players')\n"
        "@native\n"
        "local function sum<T...>(...: T...): number\n"
        "\tlocal total = 0\n"
        "\tfor _, value in { ... } do\n"
        "\t\ttotal += value\n"
        "\tend\n"
        "\treturn total\n"
        "end\n"
        "print(sum(1, 2), Players)\n"
    )
    assert LuauSource(code).compiles
    assert LuauSource(code).tree_has_errors
    for rule_id in (
        "bug/unknown-global",
        "bug/unused-local",
        "bug/unused-parameter",
        "bug/shadowed-local",
    ):
        assert fired(rule_id, code) == [], rule_id


def test_findings_carry_a_fix() -> None:
    code = STORE + "store:SetAsync('k', 1)\n"
    ctx = RuleContext(source=LuauSource(code), kind=detect_kind(code))
    (finding,) = iter_rule_findings(get_rule("bug/unprotected-web-call"), ctx)
    assert finding.fix and "pcall" in finding.fix
    assert finding.line == 2 and finding.column == 1


def test_rules_survive_broken_and_cut_off_code() -> None:
    """Generated code often stops mid-statement: every rule must still finish without error."""
    from conftest import example_files
    from luaurft.scoring import run_rules

    texts = [p.read_text(encoding="utf-8") for p in example_files()[:6]]
    texts += [
        "local function f(\n",
        "end end end",
        "x = = 1",
        "for i in do",
        "local t = {a = ",
        "`{`",
    ]
    for text in texts:
        for cut in range(1, 11):
            piece = text[: len(text) * cut // 10]
            ctx = RuleContext(source=LuauSource(piece), kind=detect_kind(piece))
            for finding in run_rules(ctx, scorers=["bug"]):
                assert finding.line >= 1 and finding.column >= 1


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        (
            "local Players = game:GetService('Players')\nprint(#Player:GetPlayers())\n",
            "use `Players`",
        ),
        ("local p = Instnace.new('Part')\n", "use `Instance`"),
        (
            "print(gameSettings.Volume)\n",
            "define `gameSettings` (local gameSettings = ...) before use",
        ),
        ("print(matchEnd)\n", "define `matchEnd` (local matchEnd = ...) before use"),
        (
            "print(blasterConfig.Damage)\n",
            "define `blasterConfig` (local blasterConfig = ...) before use",
        ),
        # A local declared in another scope is not a suggestion for itself.
        (
            "do\n\tlocal total = 1\nend\nprint(total)\n",
            "define `total` (local total = ...) before use",
        ),
        # A library is never called with `:` and has only its own members.
        (
            "print(instance:GetAttribute('Speed'))\n",
            "define `instance` (local instance = ...) before use",
        ),
        ("print(maht.floor(2.5))\n", "use `math`"),
        ("print(vector3.Magnitude)\n", "define `vector3` (local vector3 = ...) before use"),
    ],
    ids=[
        "typo-local",
        "typo-global",
        "unrelated-1",
        "unrelated-2",
        "unrelated-3",
        "itself",
        "method-of-a-library",
        "library-member",
        "no-such-library-member",
    ],
)
def test_unknown_global_suggests_only_plausible_typos(code: str, fix: str) -> None:
    findings = [f for f in score_source(code).findings if f.rule == "bug/unknown-global"]
    assert len(findings) == 1
    assert findings[0].fix == fix
    assert ("did you mean" in findings[0].message) == fix.startswith("use")


def test_the_user_datatype_is_a_known_global() -> None:
    assert not [
        f
        for f in score_source("local u = User.new()\nprint(u)\n").findings
        if f.rule == "bug/unknown-global"
    ]


def test_unchecked_find_pins_line_and_message_and_spares_stated_claims() -> None:
    code = (
        'local model = workspace:WaitForChild("Model")\n'
        'local root = model:FindFirstChild("Root") :: BasePart?\n'
        "root.Anchored = true\n"
        'local sure = model:FindFirstChild("Root") :: BasePart\n'
        "sure.Anchored = true\n"
    )
    found = [f for f in score_source(code).findings if f.rule == "bug/unchecked-find"]
    assert [(f.line, f.message) for f in found] == [
        (
            3,
            '`root` comes from `model:FindFirstChild("Root")`, which can return nil, '
            "and is indexed without a nil check",
        )
    ]


def test_infinite_recursion_pins_line_and_message() -> None:
    code = "local function countdown(n)\n\tprint(n)\n\tcountdown(n - 1)\nend\ncountdown(10)\n"
    found = [f for f in score_source(code).findings if f.rule == "bug/infinite-recursion"]
    assert [(f.line, f.severity.value, f.message) for f in found] == [
        (
            3,
            "error",
            "`countdown` calls itself before anything can stop it: every call recurses until "
            "the stack overflows",
        )
    ]


def test_unchecked_tonumber_pins_line_and_message() -> None:
    code = (
        "local function add(stats, text)\n"
        "\tlocal amount = tonumber(text)\n"
        "\tstats.Value += amount\n"
        "end\n"
        "add({ Value = 0 }, '3')\n"
    )
    found = [f for f in score_source(code).findings if f.rule == "bug/unchecked-tonumber"]
    assert [(f.line, f.message) for f in found] == [
        (
            3,
            "`amount` comes from `tonumber(...)`, which is nil for text that is not a number, "
            "and is used as a number without a nil check",
        )
    ]


def test_a_client_amount_reaching_health_through_a_truthiness_check_is_found() -> None:
    code = (
        'local remote = game:GetService("ReplicatedStorage"):WaitForChild("Damage")\n'
        "remote.OnServerEvent:Connect(function(player, target, amount)\n"
        "\tif target and amount then\n"
        "\t\ttarget.Humanoid.Health -= amount\n"
        "\tend\n"
        "end)\n"
    )
    found = [f for f in score_source(code).findings if f.rule == "bug/unvalidated-remote-number"]
    assert [(f.line, f.message) for f in found] == [
        (4, "`amount` comes from the client and feeds a compound assignment without validation")
    ]


def test_an_unused_local_function_is_reported_once() -> None:
    code = "local function helper(x)\n\treturn x * 2\nend\nlocal spare = 2\nprint('ready')\n"
    found = [(f.rule, f.line) for f in score_source(code).findings if "unused" in f.rule]
    assert found == [("quality/unused-function", 1), ("bug/unused-local", 4)]


def test_a_process_receipt_callback_nested_past_the_recursion_limit_is_judged() -> None:
    # 1,100 nested ifs, each with an else that returns: every path returns, and the
    # check must walk them without Python's recursion limit (about 1,000 frames).
    depth = 1100
    body = "if x then\n" * depth + "return Enum.ProductPurchaseDecision.PurchaseGranted\n"
    body += "else return nil end\n" * depth
    code = (
        'local MarketplaceService = game:GetService("MarketplaceService")\n'
        "MarketplaceService.ProcessReceipt = function(receipt)\n"
        "local x = receipt.PurchaseId\n" + body + "end\n"
    )
    card = score_source(code)
    assert "bug/process-receipt-decision" not in {f.rule for f in card.findings}
    # Without the final else, one path runs off the end.
    cut = code.replace("else return nil end\n", "end\n", 1)
    card = score_source(cut)
    assert [f.line for f in card.findings if f.rule == "bug/process-receipt-decision"] == [2]
