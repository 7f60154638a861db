"""A tiny Mistral-architecture model and tokenizer, built locally from nothing.

Tests and the CPU demo need a real causal LM with a chat template, but nothing
may be downloaded. `build_tiny_model` trains a byte-level BPE tokenizer on a
few Luau snippets (plus any corpus given), wraps it with a Mistral-style chat
template, initialises a `MistralForCausalLM` with tiny sizes from a seed, and
saves both with `save_pretrained`, so every loader (transformers, peft, TRL)
opens the directory like any checkpoint. Same seed and corpus, same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Mistral-v0.3-like: the system prompt goes in front of the first user turn,
# [INST] ... [/INST] around user turns, the answer ends with </s>. Like
# Mistral's own template it has no generation markers.
TINY_CHAT_TEMPLATE = (
    "{{- bos_token -}}"
    "{%- set ns = namespace(system='', first=true) -%}"
    "{%- for m in messages -%}{%- if m['role'] == 'system' -%}"
    "{%- set ns.system = ns.system + m['content'] + '\n\n' -%}"
    "{%- endif -%}{%- endfor -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] == 'user' -%}"
    "{{- '[INST] ' -}}{%- if ns.first -%}{{- ns.system -}}{%- set ns.first = false -%}{%- endif -%}"
    "{{- m['content'] + ' [/INST]' -}}"
    "{%- elif m['role'] == 'assistant' -%}"
    "{{- ' ' + m['content'] + eos_token -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
)

SPECIAL_TOKENS = ("<unk>", "<s>", "</s>", "<pad>", "[INST]", "[/INST]")

# Enough Luau for the tokenizer to learn common pieces (keywords, services,
# method calls); the model itself starts from random weights.
SEED_CORPUS: tuple[str, ...] = (
    'local Players = game:GetService("Players")\n'
    "Players.PlayerAdded:Connect(function(player)\n"
    '\tprint(player.Name .. " joined")\nend)\n',
    'local ReplicatedStorage = game:GetService("ReplicatedStorage")\n'
    'local remote = ReplicatedStorage:WaitForChild("Remote")\n'
    "remote.OnServerEvent:Connect(function(player, amount)\n"
    '\tif typeof(amount) ~= "number" then return end\nend)\n',
    'local part = Instance.new("Part")\npart.Anchored = true\n'
    "part.Size = Vector3.new(4, 1, 4)\npart.Parent = workspace\n",
    "local Module = {}\n\nfunction Module.add(a: number, b: number): number\n"
    "\treturn a + b\nend\n\nreturn Module\n",
    "for i = 1, 10 do\n\ttask.wait(1)\n\tprint(i)\nend\n",
    'local DataStoreService = game:GetService("DataStoreService")\n'
    'local store = DataStoreService:GetDataStore("Coins")\n'
    "local ok, value = pcall(function()\n\treturn store:GetAsync(key)\nend)\n",
    "Write a Roblox script that prints hello when a player joins.",
    "You are an expert Roblox Luau programmer. Generate complete, production-ready "
    "Luau scripts. Output only code, no markdown.",
)


def build_tiny_tokenizer(
    corpus: Iterable[str] = (),
    *,
    vocab_size: int = 512,
    seed_corpus: bool = True,
    compositional: bool = False,
) -> Any:
    """A byte-level BPE `PreTrainedTokenizerFast` with the tiny chat template.

    Byte-level, so any text (any Unicode, any code) round-trips through it.
    `compositional` keeps digits and capitalised word pieces apart, so a model
    can copy numbers and PascalCase names from a request piece by piece.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    if compositional:
        backend.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(r"\s?\p{Lu}\p{Ll}+"), behavior="isolated"),
                pre_tokenizers.Digits(individual_digits=True),
                byte_level,
            ]
        )
    else:
        backend.pre_tokenizer = byte_level
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    texts = [*SEED_CORPUS, *corpus] if seed_corpus else list(corpus)
    backend.train_from_iterator(texts, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        additional_special_tokens=["[INST]", "[/INST]"],
        clean_up_tokenization_spaces=False,
    )
    tokenizer.chat_template = TINY_CHAT_TEMPLATE
    tokenizer.padding_side = "left"
    return tokenizer


def tiny_config(tokenizer: Any, *, hidden_size: int = 64, layers: int = 2) -> Any:
    from transformers import MistralConfig

    heads = 4
    return MistralConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=2,
        head_dim=hidden_size // heads,
        max_position_embeddings=2048,
        sliding_window=None,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def build_tiny_model(
    out_dir: str | Path,
    *,
    corpus: Iterable[str] = (),
    seed: int = 0,
    vocab_size: int = 512,
    hidden_size: int = 64,
    layers: int = 2,
) -> Path:
    """Build, initialise from `seed` and save a tiny Mistral model and its tokenizer.

    Returns `out_dir`, loadable with `AutoModelForCausalLM.from_pretrained`.
    """
    import torch
    from transformers import GenerationConfig, MistralForCausalLM

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tiny_tokenizer(corpus, vocab_size=vocab_size)
    config = tiny_config(tokenizer, hidden_size=hidden_size, layers=layers)
    torch.manual_seed(seed)
    model = MistralForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
