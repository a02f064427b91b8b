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


_RUNNER = """
import json, os, resource, signal, sys, traceback
from pathlib import Path
from rkg.graph.build import build
from rkg.loaders.problems import LoadError
for line in sys.stdin:
    data, sources, memory, seconds = json.loads(line)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        signal.alarm(int(seconds))  # SIGALRM's default action ends the process
        try:
            try:
                result = build(Path(data), Path(sources))
                answer = {"outcome": "built", "triples": result.triples}
            except LoadError as error:
                problems = [p.as_dict() for p in error.problems]
                answer = {"outcome": "refused", "count": len(problems), "problems": problems[:50]}
        except MemoryError:
            answer = {"outcome": "crashed", "error": "MemoryError"}
        except BaseException:
            answer = {"outcome": "crashed", "error": traceback.format_exc()[-2000:]}
        with os.fdopen(write, "wb") as pipe:
            pipe.write(json.dumps(answer).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        output = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not output:
        stopped = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM
        output = json.dumps({"outcome": "timeout" if stopped else "crashed", "error": f"wait status {status}"})
    sys.stdout.write(output.decode() if isinstance(output, bytes) else output)
    sys.stdout.write("\\n")
    sys.stdout.flush()
"""


class BoundedBuilds:
    """Many bounded builds without paying for an interpreter and its imports each time: a child
    imports the project once, then forks one process per build, limited to `memory` bytes
    (RLIMIT_AS) and `seconds` (SIGALRM). Validation stays in that process (no forks of its own)."""

    def __init__(self, memory: int = GIB, seconds: int = 20):
        import os

        self.memory, self.seconds = memory, seconds
        self.process = subprocess.Popen([sys.executable, "-c", _RUNNER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=dict(os.environ, RKG_VALIDATION_WORKERS="1"))

    def __call__(self, data_dir: Path) -> dict:
        """What `bounded_build` answers, for `data_dir` (sources beside it)."""
        import select

        request = [str(data_dir), str(data_dir.parent / "sources"), self.memory, self.seconds]
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], self.seconds + 15)
        if not ready:
            return {"outcome": "timeout", "error": "the runner did not answer"}
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
