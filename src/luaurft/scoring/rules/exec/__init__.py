"""Execution rules: what went wrong when the code ran in the mock Roblox world.

These rules read one run of the code (`luaurft.scoring.execution.execute`); they
are skipped by deterministic scoring and run only when execution is asked for.
"""
