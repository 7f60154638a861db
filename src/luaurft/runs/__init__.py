"""Runs: the `RunStore` every sampling run (evaluation, RFT, GRPO, the demo) writes and
resumes from (`luaurft.runs.store`), and the one sample → store → score pipeline over it
(`luaurft.runs.pipeline`).

Below `eval/` and `rft/`, above `data/` and the reward: both sample into it through the
pipeline, score from it and read back what it holds, so a resumed run never computes
anything twice.
"""
