"""The transformers backend on a tiny Mistral model built in the test (CPU, no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from luaurft.llm import SamplingParams, make_generator
from luaurft.llm.tiny import build_tiny_model
from luaurft.llm.transformers_backend import TransformersGenerator

pytest.importorskip("transformers")

CONVERSATIONS = [
    [
        {"role": "system", "content": "You are an expert Roblox Luau programmer."},
        {"role": "user", "content": "Write a script that prints hello."},
    ],
    "Make a part spin.",
    "Count the players.",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", seed=0)


@pytest.fixture(scope="module")
def generator(tiny_model: Path) -> TransformersGenerator:
    return TransformersGenerator(tiny_model, batch_size=4)


def test_tiny_model_is_mistral_with_a_chat_template(tiny_model: Path) -> None:
    from transformers import AutoConfig, AutoTokenizer

    assert AutoConfig.from_pretrained(tiny_model).model_type == "mistral"
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    rendered = tokenizer.apply_chat_template(CONVERSATIONS[0], tokenize=False)
    assert rendered.startswith("<s>[INST] You are an expert")
    assert rendered.endswith("prints hello. [/INST]")
    text = 'local s = "héllo 🎮"\nprint(s)\n'
    assert tokenizer.decode(tokenizer(text, add_special_tokens=False)["input_ids"]) == text


def test_building_twice_gives_the_same_model(tiny_model: Path, tmp_path: Path) -> None:
    again = build_tiny_model(tmp_path / "again", seed=0)
    assert (again / "model.safetensors").read_bytes() == (
        tiny_model / "model.safetensors"
    ).read_bytes()
    assert (again / "tokenizer.json").read_text() == (tiny_model / "tokenizer.json").read_text()


def test_n_samples_per_conversation_reproducible_with_a_seed(
    generator: TransformersGenerator,
) -> None:
    sampling = SamplingParams(n=4, max_new_tokens=8, seed=11, temperature=1.0, top_p=1.0)
    first = generator.generate(CONVERSATIONS, sampling=sampling)
    assert [len(row) for row in first] == [4, 4, 4]
    for row in first:
        for completion in row:
            assert completion.ok and completion.prompt_tokens > 0
            assert 0 < completion.completion_tokens <= 8
            assert completion.finish_reason in {"stop", "length"}
    # A random tiny model's samples differ from each other...
    assert len({c.text for c in first[0]}) > 1
    # ...and the same seed gives the same samples, another seed others.
    again = generator.generate(CONVERSATIONS, sampling=sampling)
    assert [[c.text for c in row] for row in again] == [[c.text for c in row] for row in first]
    other = generator.generate(CONVERSATIONS, sampling=sampling.model_copy(update={"seed": 12}))
    assert [[c.text for c in row] for row in other] != [[c.text for c in row] for row in first]


def test_greedy_decoding_gives_identical_samples(generator: TransformersGenerator) -> None:
    rows = generator.generate(["x"], n=2, sampling=SamplingParams(temperature=0, max_new_tokens=6))
    assert rows[0][0].text == rows[0][1].text
    assert rows[0][0].finish_reason == "length" or rows[0][0].completion_tokens < 6


def test_adapter_is_loaded_through_the_spec(tiny_model: Path, tmp_path: Path) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    peft_model = get_peft_model(
        base,
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False),
    )
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.add_(0.5)
    adapter_dir = tmp_path / "adapter"
    peft_model.save_pretrained(adapter_dir)

    sampling = SamplingParams(n=1, max_new_tokens=8, temperature=0)
    plain = make_generator(f"transformers:{tiny_model}")
    adapted = make_generator(f"transformers:{tiny_model}+{adapter_dir}")
    assert adapted.name.endswith(f"+{adapter_dir}")
    from peft import PeftModel

    assert isinstance(adapted.model, PeftModel)  # type: ignore[attr-defined]
    prompts = ["Write a script.", "Make a part."]
    plain_text = [r[0].text for r in plain.generate(prompts, sampling=sampling)]
    adapted_text = [r[0].text for r in adapted.generate(prompts, sampling=sampling)]
    assert plain_text != adapted_text


def test_missing_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    from luaurft.llm import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="local checkpoint"):
        TransformersGenerator(tmp_path / "nothing-here")
