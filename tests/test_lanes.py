"""The pieces of api/lanes.py on their own: single flight (state.Memo), a lane's slots, queue time
limit and time limit on plain functions (no server), and the worker processes of api/compute.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from rkg.api.errors import ApiError
from rkg.api.lanes import Lane, Lanes
from rkg.api.state import Memo
from rkg.settings import Settings


def test_a_herd_of_threads_computes_a_key_once():
    memo, runs = Memo(), []

    def compute():
        runs.append(1)
        time.sleep(0.2)
        return "value"

    with ThreadPoolExecutor(20) as threads:
        values = list(threads.map(lambda _: memo.get("k", compute), range(20)))
    assert values == ["value"] * 20 and runs == [1]
    assert "k" in memo and memo.get("k", lambda: "other") == "value"


def test_an_error_reaches_every_waiter_and_is_not_kept():
    memo, runs = Memo(), []

    def fail():
        runs.append(1)
        time.sleep(0.2)
        raise ValueError("no")

    def ask(_):
        try:
            return memo.get("k", fail)
        except ValueError as error:
            return str(error)

    with ThreadPoolExecutor(10) as threads:
        assert list(threads.map(ask, range(10))) == ["no"] * 10
    assert runs == [1] and "k" not in memo
    assert memo.get("k", lambda: "now") == "now"  # the next caller computes again


def test_a_sized_memo_keeps_the_most_recently_used():
    memo = Memo(2)
    for key in "abc":
        memo.get(key, lambda key=key: key.upper())
    assert len(memo) == 2 and "a" not in memo
    memo.get("b", lambda: "?")  # b is used: c is the oldest now
    memo.get("d", lambda: "D")
    assert "b" in memo and "c" not in memo


def lane(workers: int = 1, queue: float = 0.3, limit: float = 1.0) -> Lane:
    return Lane("analyses", "analysis", workers, queue, limit, "analysis")


def test_a_lane_runs_at_most_its_workers_at_once_and_refuses_past_its_queue_time():
    # the computations hold their slots until every other request has had its answer, so what is
    # checked does not hang on how fast this machine happens to be
    lanes, memo, running, most = lane(workers=2, queue=0.3, limit=30), Memo(), [0], [0]
    lock, release = threading.Lock(), threading.Event()

    def work(n):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(20)
        with lock:
            running[0] -= 1
        return n

    async def main():
        asked = [asyncio.ensure_future(lanes.get(memo, n, lambda n=n: work(n))) for n in range(8)]
        for _ in range(400):  # until the six that found no slot are answered (within 20 s)
            if sum(task.done() for task in asked) >= 6:
                break
            await asyncio.sleep(0.05)
        release.set()
        return await asyncio.gather(*asked, return_exceptions=True)

    answers = asyncio.run(main())
    done = [a for a in answers if not isinstance(a, BaseException)]
    refused = [a for a in answers if isinstance(a, ApiError)]
    assert most[0] == 2 and len(done) == 2 and len(refused) == 6
    error = refused[0]
    assert (error.status, error.code) == (503, "busy") and error.headers["Retry-After"].isdigit()
    assert "RKG_ANALYSIS_WORKERS" in error.message and "RKG_ANALYSIS_QUEUE_TIMEOUT" in error.message
    for _ in range(100):  # a computation's thread gives its slot back just after its answer is out
        if lanes.status()["busy"] == 0:
            break
        time.sleep(0.05)
    status = lanes.status()
    assert status["busy"] == 0 and status["queued"] == 0 and status["refused"] == 6


def test_past_the_time_limit_a_request_is_refused_and_the_value_is_kept():
    lanes, memo, release = lane(limit=0.3), Memo(), threading.Event()

    async def ask():
        return await lanes.get(memo, "k", lambda: release.wait(20) and "late")

    with pytest.raises(ApiError) as refused:
        asyncio.run(ask())
    assert not release.is_set()  # refused while the computation still runs: it did not wait for it
    assert refused.value.code == "analysis-timeout" and refused.value.extra["setting"] == "RKG_ANALYSIS_TIMEOUT"
    assert refused.value.extra["limit_seconds"] == 0.3 and refused.value.headers["Retry-After"] == "1"
    release.set()
    for _ in range(200):  # the computation ends on its own and its value is kept for the next request
        if "k" in memo and lanes.status()["busy"] == 0:
            break
        time.sleep(0.05)
    assert asyncio.run(ask()) == "late" and lanes.status()["kept"] == 1 and lanes.status()["busy"] == 0


def test_identical_requests_share_one_computation_and_take_no_slot():
    lanes, memo, runs = lane(workers=1, queue=0.1, limit=5), Memo(), []

    def work():
        runs.append(1)
        time.sleep(0.5)
        return "shared"

    async def main():
        return await asyncio.gather(*(lanes.get(memo, "k", work) for _ in range(50)))

    assert asyncio.run(main()) == ["shared"] * 50 and runs == [1]  # none waited for the one slot
    assert lanes.status()["shared"] == 49


def test_a_request_that_goes_away_while_queued_leaves_no_slot_taken():
    lanes, memo = lane(workers=1, queue=5, limit=5), Memo()

    async def main():
        first = asyncio.ensure_future(lanes.get(memo, "a", lambda: time.sleep(0.3) or "a"))
        await asyncio.sleep(0.05)
        second = asyncio.ensure_future(lanes.get(memo, "b", lambda: "b"))
        await asyncio.sleep(0.05)
        second.cancel()
        assert await first == "a"
        with pytest.raises(asyncio.CancelledError):
            await second
        return await lanes.get(memo, "c", lambda: "c")

    assert asyncio.run(main()) == "c"
    assert lanes.status()["busy"] == 0 and lanes.status()["queued"] == 0


def test_one_lane_serves_several_event_loops():
    """The tests' TestClient runs an event loop per request: a slot freed on one loop wakes a waiter on another."""
    lanes, memo = lane(workers=1, queue=3, limit=5), Memo()
    answers = []

    def loop(n):
        answers.append(asyncio.run(lanes.get(memo, n, lambda: time.sleep(0.2) or n)))

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(answers) == [0, 1, 2, 3] and lanes.status()["busy"] == 0


def test_lanes_take_their_limits_from_the_settings():
    lanes = Lanes(Settings(analysis_workers=3, analysis_timeout=4, report_queue_timeout=7))
    assert (lanes.analyses.workers, lanes.analyses.time_limit, lanes.reports.queue_timeout) == (3, 4, 7)
    assert lanes.reports.variables["timeout"] == "RKG_REPORT_TIMEOUT"
    with pytest.raises(ValueError):
        Settings(analysis_workers=0)
    assert Settings.from_env({"RKG_ANALYSIS_TIMEOUT": "2.5", "RKG_REPORT_WORKERS": "2"}).report_workers == 2


DAY = dt.date(2026, 12, 6)


@pytest.mark.slow
def test_a_pool_of_processes_answers_refuses_and_stops_what_passes_the_limit(analytics_build, mini):
    """ComputePool on the analytics fixture: a job's answer, a job's RkgError as such, a job past its
    limit killed (Overrun) and its worker replaced, a new graph loaded."""
    from rkg.api.analysis import query_job
    from rkg.api.compute import ComputePool, Overrun
    from rkg.api.reports import report_job
    from rkg.errors import RkgError
    from rkg.graph.build import build
    from rkg.graph.parameters import Vocabulary
    from rkg.graph.queries import check_values, get
    from rkg.graph.store import EmbeddedStore

    store = EmbeddedStore.from_graph(analytics_build.graph)
    checked = check_values(get("coverage-matrix"), {"country": "BGD"}, Vocabulary.from_store(store))
    pool = ComputePool("analyses", 1, ("rkg.api.analysis", "rkg.api.reports"))
    pool.load(store.export(), analytics_build.version)
    try:
        cells = pool.run((query_job, ("coverage-matrix", checked)), 30)
        assert len(cells) == 9 and {c["country"] for c in cells} == {"BGD"}
        with pytest.raises(RkgError) as unknown:
            pool.run((report_job, ("XYZ", "md", DAY)), 30)
        assert unknown.value.code == "not-found" and "BGD" in unknown.value.allowed
        with pytest.raises(Overrun):
            pool.run((report_job, ("BGD", "pdf", DAY)), 0.05)
        assert pool.stats["killed"] == 1 and pool.stats["restarts"] == 1
        assert pool.run((query_job, ("coverage-matrix", checked)), 30) == cells  # a new worker took its place
        report = pool.run((report_job, ("BGD", "md", DAY)), 60)
        assert report.startswith(b"# ") and analytics_build.version.encode() in report and b"6 December 2026" in report
        other = build(mini)
        pool.load(EmbeddedStore.from_graph(other.graph).export(), other.version)
        assert other.version.encode() in pool.run((report_job, ("BGD", "md", DAY)), 60)
    finally:
        pool.close()
