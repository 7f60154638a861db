from __future__ import annotations

import pytest

from luaurft.llm import Completion, SamplingParams, extract_code
from luaurft.luau.source import LuauSource

SCRIPT = (
    'local Players = game:GetService("Players")\n'
    "\n"
    "Players.PlayerAdded:Connect(function(player)\n"
    '\tprint(player.Name .. " joined")\n'
    "end)\n"
)


def test_bare_code_is_kept_and_not_marked_cleaned() -> None:
    result = extract_code(SCRIPT)
    assert result.code == SCRIPT
    assert not result.cleaned


@pytest.mark.parametrize("tag", ["lua", "luau", "Luau", ""])
def test_fenced_block_is_unwrapped(tag: str) -> None:
    text = f"Here is the script you asked for:\n\n```{tag}\n{SCRIPT}```\n\nIt greets players."
    result = extract_code(text)
    assert result.code == SCRIPT
    assert "fenced" in result.notes
    assert result.cleaned


def test_the_largest_luau_block_wins_over_usage_snippets_and_other_languages() -> None:
    text = (
        "Install it like this:\n```bash\nrojo build -o game.rbxl and many more words here\n```\n"
        f"The module:\n```lua\n{SCRIPT}```\nUse it:\n```lua\nprint(1)\n```\n"
    )
    result = extract_code(text)
    assert result.code == SCRIPT
    assert "blocks:3" in result.notes


def test_first_of_equally_long_blocks_is_kept() -> None:
    text = "```lua\nprint(1)\n```\n\n```lua\nprint(2)\n```\n"
    assert extract_code(text).code == "print(1)\n"


def test_unterminated_fence_runs_to_the_end_and_is_recorded() -> None:
    text = f"```luau\n{SCRIPT}"
    result = extract_code(text)
    assert result.code == SCRIPT
    assert "unterminated-fence" in result.notes


def test_longer_fence_contains_triple_backticks_in_code() -> None:
    inner = "local s = [[\n```\n]]\nprint(s)\n"
    text = f"````lua\n{inner}````\n"
    assert extract_code(text).code == inner


def test_prose_before_and_after_unfenced_code_is_stripped() -> None:
    text = (
        "Sure! Here is a complete script that greets every player:\n\n"
        f"{SCRIPT}\n"
        "This script uses the Players service to listen for new players.\n"
        "- It prints each name when they join the game.\n"
    )
    result = extract_code(text)
    assert result.code == SCRIPT
    assert set(result.notes) == {"prose-before", "prose-after"}
    assert LuauSource.of(result.code).compiles


def test_luau_comments_and_code_lines_are_not_taken_for_prose() -> None:
    code = (
        "-- Gives every player a leaderstats folder when they join the game.\n"
        'local Players = game:GetService("Players")\n'
        "Players.PlayerAdded:Connect(function(player)\n"
        '\tlocal stats = Instance.new("Folder")\n'
        '\tstats.Name = "leaderstats"\n'
        "\tstats.Parent = player\n"
        "end)\n"
    )
    assert extract_code(code).code == code
    assert not extract_code(code).cleaned


def test_reasoning_block_is_dropped() -> None:
    result = extract_code(f"<think>They want a greeter.</think>\n{SCRIPT}")
    assert result.code == SCRIPT
    assert "reasoning" in result.notes


def test_only_prose_is_returned_unchanged_for_the_scorers_to_judge() -> None:
    text = "I cannot write that script without more details about the game."
    assert extract_code(text).code.strip() == text


def test_completion_failure_keeps_error_and_is_not_ok() -> None:
    failed = Completion.failure("gave up", model="m", attempts=5)
    assert not failed.ok and failed.finish_reason == "error" and failed.text == ""
    good = Completion(text=f"```lua\n{SCRIPT}```", finish_reason="length")
    assert good.ok and good.truncated
    assert good.extract_code() == SCRIPT
    assert good.extraction.cleaned


def test_sampling_params_validate_and_derive_seeds() -> None:
    params = SamplingParams(seed=10, stop="\nend")
    assert params.stop == ("\nend",)
    assert [params.sample_seed(j) for j in range(3)] == [10, 11, 12]
    assert SamplingParams().sample_seed(2) is None
    with pytest.raises(ValueError):
        SamplingParams(temperature=-1)
    with pytest.raises(ValueError):
        SamplingParams(max_new_tokens=0)


def test_sampling_params_from_the_run_settings() -> None:
    from luaurft.config import Settings

    params = SamplingParams.from_settings(Settings().sampling, max_new_tokens=64)
    assert (params.n, params.temperature, params.top_p) == (4, 0.8, 0.95)
    assert params.max_new_tokens == 64 and params.seed == Settings().sampling.seed
