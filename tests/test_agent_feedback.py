"""The rewrite feedback message and the attribution of Studio Output errors."""

from __future__ import annotations

from luaurft.agent.feedback import FileFeedback, StudioError, build_feedback, rewrite_request
from luaurft.agent.studio_logs import PushedScript, attribute_errors, pushed_scripts
from luaurft.scoring.card import ScoreCard
from luaurft.scoring.rule import Finding, Severity


def finding(
    rule: str, line: int, severity: Severity = Severity.WARNING, fix: str | None = None
) -> Finding:
    scorer = rule.split("/")[0]
    return Finding(
        rule=rule,
        scorer=scorer,
        severity=severity,
        line=line,
        column=1,
        message=f"problem {rule}",
        fix=fix,
    )


def card(composite: float, *findings: Finding) -> ScoreCard:
    return ScoreCard(
        scores={"syntax": composite},
        composite=composite,
        findings=tuple(findings),
        scorer_version="t",
        kind="Script",
        compiles=True,
        sha256="0" * 64,
    )


def test_feedback_names_rule_line_message_and_fix_most_severe_first() -> None:
    text = build_feedback(
        [
            FileFeedback(
                "Main.server.luau",
                card(
                    0.5,
                    finding("quality/magic-number", 3, Severity.INFO),
                    finding("bug/unguarded-datastore", 9, Severity.ERROR, fix="wrap it in pcall"),
                    finding("api/deprecated-global", 5, Severity.WARNING, fix="use task.wait"),
                ),
            )
        ],
        score=0.5,
        threshold=0.85,
    )
    assert "0.50" in text and "0.85" in text
    lines = text.splitlines()
    order = [
        i
        for rule in ("bug/unguarded-datastore", "api/deprecated-global", "quality/magic-number")
        for i, line in enumerate(lines)
        if rule in line
    ]
    assert order == sorted(order) and len(order) == 3
    datastore = next(line for line in lines if "bug/unguarded-datastore" in line)
    assert "line 9" in datastore and "[error]" in datastore
    assert "problem bug/unguarded-datastore" in datastore and "Fix: wrap it in pcall" in datastore


def test_repeats_of_one_rule_are_one_line_listing_their_lines() -> None:
    many = [finding("quality/global", n) for n in (4, 2, 8, 2)]
    text = build_feedback([FileFeedback("A.luau", card(0.7, *many))], score=0.7, threshold=0.85)
    (line,) = [x for x in text.splitlines() if "quality/global" in x]
    assert "lines 2, 4, 8" in line


def test_grouped_per_file_worst_file_first_studio_errors_on_top() -> None:
    good = FileFeedback("ReplicatedStorage/Config.luau", card(0.9, finding("quality/x", 1)))
    bad = FileFeedback(
        "ServerScriptService/Shop.server.luau",
        card(0.4, finding("bug/y", 7, Severity.ERROR)),
        studio_errors=(
            StudioError("ServerScriptService/Shop.server.luau", "attempt to index nil", 12),
        ),
    )
    text = build_feedback([good, bad], score=0.4, threshold=0.85)
    shop = text.index("ServerScriptService/Shop.server.luau (score 0.40)")
    config = text.index("ReplicatedStorage/Config.luau (score 0.90)")
    assert shop < config
    studio = text.index("[Studio error] attempt to index nil")
    assert shop < studio < text.index("bug/y")
    assert "line 12 [Studio error]" in text


def test_studio_errors_on_a_passing_version_say_so() -> None:
    item = FileFeedback(
        "A.server.luau", card(0.95), studio_errors=(StudioError("A.server.luau", "boom", 3),)
    )
    text = build_feedback([item], score=0.95, threshold=0.85)
    assert text.startswith("Roblox Studio reported 1 error")
    assert "boom" in text


def test_feedback_is_capped_and_counts_what_it_left_out() -> None:
    files = [
        FileFeedback(
            f"F{i}.luau",
            card(0.3, *(finding(f"bug/rule-{i}-{j}", j + 1, Severity.ERROR) for j in range(20))),
        )
        for i in range(6)
    ]
    text = build_feedback(files, score=0.3, threshold=0.85, max_chars=800, max_items_per_file=5)
    assert len(text) <= 800
    assert "more problems not shown" in text
    # Per-file cap: no file lists more than five problems.
    assert sum("] bug/rule-0-" in line for line in text.splitlines()) <= 5
    # 6 files x 20 problems were found; the note counts the ones that are not shown.
    shown = text.count("[error]")
    note = next(line for line in text.splitlines() if "not shown" in line)
    assert int(note.strip("(").split()[0]) == 120 - shown


def test_rewrite_request_asks_for_every_file_with_its_marker() -> None:
    multi = rewrite_request("fix it", multi_file=True)
    assert "-- file:" in multi and multi.startswith("fix it")
    assert "-- file:" not in rewrite_request("fix it", multi_file=False)


# -- Studio Output -> pushed scripts ---------------------------------------------------------

SCRIPTS = [
    PushedScript("Shop.server.luau", "ServerScriptService/Shop"),
    PushedScript("Hud.client.luau", "StarterPlayer/StarterPlayerScripts/Hud"),
    PushedScript("ShopConfig.luau", "ReplicatedStorage/Shop/Config"),
]


def entry(seq: int, message: str, kind: str = "error") -> dict[str, object]:
    return {"seq": seq, "message": message, "type": kind, "time": 0}


def test_errors_are_attributed_by_full_name_copy_tail_or_stack() -> None:
    entries = [
        entry(1, "ServerScriptService.Shop:12: attempt to index nil with 'Parent'"),
        entry(2, "Stack Begin", "info"),
        entry(3, "Script 'ServerScriptService.Shop', Line 12", "info"),
        entry(4, "Stack End", "info"),
        # A LocalScript runs as a copy under the player.
        entry(5, "Players.Builderman.PlayerScripts.Hud:4: Frame is not a valid member"),
        # No location in the message: the stack says where.
        entry(6, "Requested module experienced an error while loading"),
        entry(7, "Script 'ReplicatedStorage.Shop.Config', Line 2", "info"),
        entry(8, "Stack End", "info"),
        # Someone else's script, and a warning from ours: both left alone.
        entry(9, "Workspace.OldScript:1: nope"),
        entry(10, "ServerScriptService.Shop:3: just a warning", "warning"),
        entry(11, "Script 'ServerScriptService.Shop', Line 99", "info"),
    ]
    errors = attribute_errors(entries, SCRIPTS)
    assert [(e.path, e.line) for e in errors] == [
        ("Shop.server.luau", 12),
        ("Hud.client.luau", 4),
        ("ShopConfig.luau", 2),
    ]
    assert errors[0].message == "attempt to index nil with 'Parent'"
    assert errors[2].message == "Requested module experienced an error while loading"


def test_the_longest_matching_name_wins_between_same_named_scripts() -> None:
    scripts = [
        PushedScript("A/Main.server.luau", "ServerScriptService/A/Main"),
        PushedScript("B/Main.server.luau", "ServerScriptService/B/Main"),
    ]
    (error,) = attribute_errors([entry(1, "ServerScriptService.B.Main:5: bad")], scripts)
    assert error.path == "B/Main.server.luau"


def test_pushed_scripts_reads_the_apply_result() -> None:
    result = {
        "status": "applied",
        "files": [
            {"path": "Shop.server.luau", "instancePath": "ServerScriptService/Shop"},
            {"path": "broken"},
        ],
    }
    assert pushed_scripts(result) == [PushedScript("Shop.server.luau", "ServerScriptService/Shop")]
