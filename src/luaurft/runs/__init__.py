"""Runs: the `RunStore` every sampling run (evaluation, RFT, the demo) writes and resumes
from, and the one way a completion becomes a stored candidate (`luaurft.runs.store`).

Below `eval/` and `rft/`, above `data/` and the reward: both pipelines sample into it,
score from it and read back what it holds, so a resumed run never computes anything twice.
"""
