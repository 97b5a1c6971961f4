"""What the import and export benchmarks share: each phase runs in a child process of the
script (its own memory peak, production settings on the benchmark's database)."""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_env(database: str, folder: str, *, database_url: str | None = None) -> dict:
    """The phases' environment: the SQLite file `database`, or the database `database_url` names."""
    return {
        **os.environ,
        "DATABASE_URL": database_url or f"sqlite:///{database}",
        "KAYSE_VAR_DIR": folder,
        "DEBUG": "0",  # as in production: no query log
        "DJANGO_SETTINGS_MODULE": "kayse.settings",
        "DUPLICATE_AUTO_REFRESH": "0",
    }


def run(options, phases: dict, bench, prefix: str) -> None:
    """A benchmark script's main: with --phase, run that phase here and print its JSON (the
    child's side of run_phase); without, run the whole benchmark in a scratch folder."""
    if options.phase:
        args = [int(value) if value.isdigit() else value for value in options.args]
        print(json.dumps(phases[options.phase](*args)))
        return
    folder = tempfile.mkdtemp(prefix=prefix)
    try:
        bench(options, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_phase(script: str, phase: str, env: dict, *args) -> dict:
    """Run `script --phase PHASE ARGS…` and return the JSON it prints last."""
    output = subprocess.run(
        [sys.executable, script, "--phase", phase, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if output.returncode:
        sys.exit(f"phase {phase} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
