from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_helpers import corpus_texts, stack_rows, write_parquet
from luaurft.data.loaders import LoadReport, SourceSpec, load_hf_dataset, load_source, load_sources
from luaurft.errors import LuaurftError

LATIN1 = (
    "-- caf\xe9 sign\nlocal sign = workspace.Sign\nsign.Text = 'caf\xe9'\nprint(sign)\n".encode(
        "latin-1"
    )
)


def test_stack_parquet_through_datasets_maps_columns(tmp_path: Path) -> None:
    texts = corpus_texts()
    shard = write_parquet(tmp_path / "stack" / "train-00000.parquet", stack_rows(texts))
    report = LoadReport()
    records = list(load_hf_dataset(shard, report=report))
    assert [r.text for r in records] == list(texts.values())
    first = records[0]
    assert first.path == "src/daily_reward.luau" and first.repo == "someone/obby"
    assert first.license == "MIT" and first.source == "the-luau-stack"
    assert first.meta["stars"] == 3
    assert len({r.id for r in records}) == len(records)
    assert report.loaded["the-luau-stack"] == len(texts) and not report.problems


def test_a_corrupt_shard_is_reported_and_the_others_load(tmp_path: Path) -> None:
    texts = corpus_texts()
    items = list(texts.items())
    folder = tmp_path / "stack"
    write_parquet(folder / "a.parquet", stack_rows(dict(items[:4])))
    (folder / "b.parquet").write_bytes(b"PAR1 this is not really parquet")
    write_parquet(folder / "c.parquet", stack_rows(dict(items[4:])))
    for loader in (
        lambda r: load_hf_dataset(folder, report=r),
        lambda r: load_source(SourceSpec(location=str(folder), format="table"), r),
    ):
        report = LoadReport()
        records = list(loader(report))
        assert sorted(r.text for r in records) == sorted(texts.values())
        assert [p.category for p in report.problems] == ["unreadable"]
        assert report.problems[0].origin.endswith("b.parquet")


def test_non_utf8_file_in_a_folder_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    texts = corpus_texts()
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "latin1.lua").write_bytes(LATIN1)
    (tmp_path / "bom.luau").write_bytes(b"\xef\xbb\xbf" + texts["killbrick.luau"].encode())
    (tmp_path / "notes.txt").write_text("not code")
    records, report = load_sources([str(tmp_path)])
    assert len(records) == len(texts) + 1
    assert {r.path for r in records} >= {"bom.luau", "killbrick.luau"}
    assert next(r for r in records if r.path == "bom.luau").text == texts["killbrick.luau"]
    assert [(Path(p.origin).name, p.category) for p in report.problems] == [
        ("latin1.lua", "non-utf8")
    ]


def test_non_utf8_bytes_in_a_binary_column_are_reported(tmp_path: Path) -> None:
    texts = list(corpus_texts().values())[:3]
    table = pa.table(
        {
            "file_content": pa.array(
                [texts[0].encode(), LATIN1, texts[1].encode(), texts[2].encode()], pa.binary()
            ),
            "file_path": ["a.lua", "b.lua", "c.lua", "d.lua"],
            "repo_name": ["r"] * 4,
            "license": ["MIT"] * 4,
        }
    )
    pq.write_table(table, tmp_path / "bin.parquet")
    report = LoadReport()
    records = list(load_source(str(tmp_path / "bin.parquet"), report))
    assert [r.path for r in records] == ["a.lua", "c.lua", "d.lua"]
    assert [p.category for p in report.problems] == ["non-utf8"]


def test_luau_corpus_jsonl_joins_prompt_and_completion(tmp_path: Path) -> None:
    text = corpus_texts()["round_timer.luau"]
    cut = text.index("while true do")
    path = tmp_path / "train.jsonl"
    lines = [
        json.dumps({"prompt": text[:cut], "completion": text[cut:]}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"prompt": "local a = 1\n", "completion": "print(a)\n"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    report = LoadReport()
    records = list(load_source(SourceSpec(location=str(path), format="luau_corpus"), report))
    assert [r.text for r in records] == [text, "local a = 1\nprint(a)\n"]
    assert records[0].meta["split_at"] == cut and records[0].license == "mit"
    assert records[0].task is None
    assert sorted(p.category for p in report.problems) == ["bad-row", "bad-row"]


def test_generic_jsonl_with_task_column_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    rows = [
        {"code": t, "instruction": f"Write script {i}", "license": "apache-2.0"}
        for i, t in enumerate(corpus_texts().values())
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    report = LoadReport()
    records = list(load_source(SourceSpec(location=str(path), limit=2), report))
    assert [r.task for r in records] == ["Write script 0", "Write script 1"]
    assert records[0].license == "apache-2.0"


def test_ids_are_stable_across_loads(tmp_path: Path) -> None:
    write_parquet(tmp_path / "s.parquet", stack_rows(corpus_texts()))
    first, _ = load_sources([str(tmp_path / "s.parquet")])
    second, _ = load_sources([str(tmp_path / "s.parquet")])
    assert [r.id for r in first] == [r.id for r in second]


def test_unknown_local_file_type_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b")
    with pytest.raises(LuaurftError, match="unknown file type"):
        list(load_source(str(tmp_path / "x.csv"), LoadReport()))
