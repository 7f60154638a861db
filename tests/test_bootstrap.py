"""scripts/bootstrap hands uv the interpreter itself, never a shim in front of it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

BOOTSTRAP = Path(__file__).resolve().parents[1] / "scripts" / "bootstrap"


@pytest.mark.skipif(sys.version_info[:2] != (3, 12), reason="bootstrap looks for Python 3.12")
def test_bootstrap_resolves_a_shim_to_the_real_interpreter(tmp_path: Path) -> None:
    # A pyenv-style shim: a shell script that execs the real interpreter. uv would
    # rebuild .venv each time it is handed the shim's path.
    shim = tmp_path / "python3.12"
    real = Path(getattr(sys, "_base_executable", sys.executable))
    shim.write_text(f'#!/bin/sh\nexec "{real}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(BOOTSTRAP), "--print-python"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed = result.stdout.strip()
    assert printed != str(shim)
    assert Path(printed).resolve() == real.resolve()
