# The two commands of the README. Both set up the environment first (a no-op when synced).
.PHONY: demo test lint setup

setup:
	./scripts/bootstrap

demo: setup
	.venv/bin/luaurft demo

test: setup
	.venv/bin/pytest

lint: setup
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/ruff format --check src tests benchmarks
	.venv/bin/mypy
