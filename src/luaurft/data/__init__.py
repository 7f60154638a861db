"""Training data: corpus loading, filters, near-duplicate removal, decontamination,
reverse-labelling and gold generation, SFT formats and the data card.

    from luaurft.data import DataBuildConfig, SourceSpec, build_dataset
    result = build_dataset(DataBuildConfig(sources=(SourceSpec(location="corpus/"),)), "out/")
"""

from luaurft.data.card import DataCard, StepCount, text_histogram
from luaurft.data.decontam import (
    Contamination,
    DecontamConfig,
    Decontaminator,
    DecontamResult,
    EvalText,
    decontaminate,
)
from luaurft.data.dedup import DedupConfig, DedupResult, Duplicate, deduplicate
from luaurft.data.filters import (
    FilterChain,
    FilterConfig,
    FilterStats,
    filter_records,
    generated_reason,
)
from luaurft.data.formats import (
    read_jsonl,
    read_records,
    sft_rows,
    to_chat,
    to_hf_dataset,
    to_prompt_completion,
    write_jsonl,
    write_records,
)
from luaurft.data.labelling import (
    REVERSE_LABEL_PROMPT_VERSION,
    GoldConfig,
    GoldResult,
    GoldTask,
    LabelConfig,
    LabelResult,
    generate_gold,
    reverse_label,
    validate_task,
)
from luaurft.data.loaders import (
    LoadProblem,
    LoadReport,
    SourceSpec,
    load_folder,
    load_hf_dataset,
    load_luau_corpus,
    load_source,
    load_sources,
    load_table,
)
from luaurft.data.pipeline import (
    BuildResult,
    DataBuildConfig,
    build_dataset,
    eval_texts_from_rows,
    load_eval_texts,
    summarize,
)
from luaurft.data.records import REFERENCE_SYSTEM_PROMPT, CodeRecord

__all__ = [
    "REFERENCE_SYSTEM_PROMPT",
    "REVERSE_LABEL_PROMPT_VERSION",
    "BuildResult",
    "CodeRecord",
    "Contamination",
    "DataBuildConfig",
    "DataCard",
    "DecontamConfig",
    "DecontamResult",
    "Decontaminator",
    "DedupConfig",
    "DedupResult",
    "Duplicate",
    "EvalText",
    "FilterChain",
    "FilterConfig",
    "FilterStats",
    "GoldConfig",
    "GoldResult",
    "GoldTask",
    "LabelConfig",
    "LabelResult",
    "LoadProblem",
    "LoadReport",
    "SourceSpec",
    "StepCount",
    "build_dataset",
    "decontaminate",
    "deduplicate",
    "eval_texts_from_rows",
    "filter_records",
    "generate_gold",
    "generated_reason",
    "load_eval_texts",
    "load_folder",
    "load_hf_dataset",
    "load_luau_corpus",
    "load_source",
    "load_sources",
    "load_table",
    "read_jsonl",
    "read_records",
    "reverse_label",
    "sft_rows",
    "summarize",
    "text_histogram",
    "to_chat",
    "to_hf_dataset",
    "to_prompt_completion",
    "validate_task",
    "write_jsonl",
    "write_records",
]
