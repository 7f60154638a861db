"""Near-duplicate removal: MinHash LSH over normalised token shingles.

Records are visited best first (highest deterministic score, then input
order); each is kept unless it is a near-duplicate (estimated Jaccard at or
above the threshold) of one already kept. So every group of near-copies keeps
exactly its best member, the result does not depend on hash-table order, and
a chain A~B~C never removes C for resembling a B that was itself dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from luaurft.data.records import CodeRecord
from luaurft.data.tokens import normalized_tokens, shingles


class DedupConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(default=0.7, gt=0.0, le=1.0)
    num_perm: int = Field(default=128, ge=16)
    shingle_size: int = Field(default=5, ge=1)
    seed: int = 1


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A removed record and the kept one it nearly copies."""

    record: CodeRecord
    kept_id: str
    jaccard: float


@dataclass
class DedupResult:
    kept: list[CodeRecord]
    removed: list[Duplicate] = field(default_factory=list)

    @property
    def clusters(self) -> int:
        """Kept records that absorbed at least one near-duplicate."""
        return len({d.kept_id for d in self.removed})

    def to_dict(self) -> dict[str, Any]:
        return {
            "kept": len(self.kept),
            "removed": len(self.removed),
            "clusters_with_duplicates": self.clusters,
            "examples": [
                {
                    "removed": d.record.path or d.record.id,
                    "kept": d.kept_id,
                    "jaccard": round(d.jaccard, 3),
                }
                for d in self.removed[:20]
            ],
        }


def code_shingles(text: str, size: int = 5) -> set[str]:
    """The shingle set dedup compares (normalised tokens, see `luaurft.data.tokens`)."""
    return shingles(normalized_tokens(text), size)


def _priority(record: CodeRecord, index: int) -> tuple[float, int]:
    score = record.score if record.score is not None else float("-inf")
    return (-score, index)


def deduplicate(
    records: Sequence[CodeRecord],
    config: DedupConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> DedupResult:
    """Drop near-duplicates, keeping the best-scoring (then first) record of each group."""
    from datasketch import MinHash, MinHashLSH

    cfg = config or DedupConfig()
    hashes: list[MinHash] = []
    # `bulk` shares one set of permutations across the batch; building them per
    # record otherwise dominates the cost on small files.
    chunk = 256
    for start in range(0, len(records), chunk):
        batch = records[start : start + chunk]
        hashes.extend(
            MinHash.bulk(
                [
                    [
                        s.encode("utf-8", "surrogatepass")
                        for s in sorted(code_shingles(r.text, cfg.shingle_size))
                    ]
                    for r in batch
                ],
                num_perm=cfg.num_perm,
                seed=cfg.seed,
            )
        )
        if progress is not None:
            progress(len(batch))

    # The index only proposes candidates; each is verified against the real
    # threshold. Proposing a little below it loses fewer true pairs to LSH
    # banding, and LSH cannot band for thresholds near 1.
    lsh = MinHashLSH(threshold=max(0.05, min(0.9, cfg.threshold - 0.05)), num_perm=cfg.num_perm)
    order = sorted(range(len(records)), key=lambda i: _priority(records[i], i))
    kept_index: set[int] = set()
    removed: list[Duplicate] = []
    for i in order:
        best: tuple[float, int] | None = None
        for j in lsh.query(hashes[i]):
            jaccard = float(hashes[i].jaccard(hashes[j]))
            if jaccard >= cfg.threshold and (best is None or (jaccard, -j) > (best[0], -best[1])):
                best = (jaccard, j)
        if best is None:
            lsh.insert(i, hashes[i])
            kept_index.add(i)
        else:
            removed.append(Duplicate(records[i], records[best[1]].id, best[0]))
    removed.sort(key=lambda d: d.record.id)
    return DedupResult(kept=[r for i, r in enumerate(records) if i in kept_index], removed=removed)
