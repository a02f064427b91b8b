"""Helpers for the tests of hostile input (no tests here): a build run in a child process with a
memory limit (RLIMIT_AS) and a time limit, so that an input that makes a build grow without end
fails the test instead of taking the test run down with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GIB = 1 << 30

_CHILD = """
import json, resource, sys
from pathlib import Path
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from rkg.graph.build import build
from rkg.loaders.problems import LoadError
try:
    result = build(Path(sys.argv[1]), Path(sys.argv[2]))
    answer = {"outcome": "built", "triples": result.triples}
except LoadError as error:
    problems = [p.as_dict() for p in error.problems]
    answer = {"outcome": "refused", "count": len(problems), "problems": problems[:50]}
sys.stdout.write(json.dumps(answer))
"""


def bounded_build(data_dir: Path, memory: int = GIB, seconds: float = 20.0) -> dict:
    """Build `data_dir` (sources beside it) in a child limited to `memory` bytes and `seconds`.
    {"outcome": "built", "triples"} or {"outcome": "refused", "count", "problems"}; otherwise
    {"outcome": "timeout"} or {"outcome": "crashed", "error"} (a MemoryError, a traceback)."""
    command = [sys.executable, "-c", _CHILD, str(data_dir), str(data_dir.parent / "sources"), str(memory)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        return {"outcome": "timeout"}
    if done.returncode != 0:
        return {"outcome": "crashed", "error": done.stderr.decode(errors="replace")[-2000:]}
    return json.loads(done.stdout)
