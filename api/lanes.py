"""Bounded lanes for the API's expensive work, so that it never holds up the cheap requests.

The named queries and analyses (/queries/..., /gaps/..., /coordination/..., the findings'
evidence, the network) and the documents (reports, export downloads, the whole graph) used to run
on the threads FastAPI runs every synchronous route on, in the server's process, without a limit:
72 concurrent cold reports pinned every thread and /health waited 11 s; varied parameters (which
the cache cannot help with) brought 32 clients down to 29 requests a second. Now each class of
work is a `Lane`:

- at most `workers` computations at once, each in a worker process of the lane's own (api/compute.py:
  out of the server's GIL, below it in CPU priority), waited for by a thread of the lane's own
  (never one of the threads the other routes run on); a request waits for a free slot on the event
  loop, holding no thread, so /health (a coroutine that blocks on nothing), the records, /queries
  and the static files always answer at once;
- a request that finds every slot busy waits at most `queue_timeout` seconds for one, then gets
  503 `busy` with Retry-After: requests never pile up;
- identical requests share one computation (single flight, `state.Memo`): the requests that ask
  for a value already being computed wait for that computation and take no slot, so a herd of
  cold requests for one report computes it once and every request gets it;
- a request gets its answer within `time_limit` seconds of its arrival, or a 503
  `<kind>-timeout` with Retry-After naming the limit and the setting that raises it; a computation
  that has itself run `time_limit` seconds has its process killed (and replaced), as a runaway
  SPARQL query has. One that ends after its request gave up (it waited for a slot, or for a worker
  to start) is kept, so the retry gets it.

An app assembled without `create_app` (some tests) gets lanes without processes: the same bounds,
the computations on the lanes' threads.

A request waits for a slot with an asyncio future of its own event loop, woken through
`call_soon_threadsafe`, so one lane serves any event loop (the tests' TestClient runs one per
request).
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..settings import ENVIRONMENT, Settings
from .compute import ComputePool, Overrun
from .errors import ApiError
from .state import KG, Memo

log = logging.getLogger("rkg.api")

T = TypeVar("T")
VARIABLE = {name: variable for variable, name in ENVIRONMENT.items()}  # setting -> its RKG_* variable


class _Waiter:
    """A request waiting for a slot: its event loop, the future that wakes it, and whether it was
    given the slot (read under the lane's lock: it may give up just as the slot comes)."""

    __slots__ = ("future", "granted", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop, self.future, self.granted = loop, loop.create_future(), False


def _wake(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


class Lane:
    """One class of expensive work: `workers` slots, a queue of at most `queue_timeout` seconds and
    an answer within `time_limit` seconds. `kind` names it in errors ("analysis"); `settings`
    names its settings (`analysis`: analysis_workers, analysis_timeout, analysis_queue_timeout)."""

    def __init__(self, name: str, kind: str, workers: int, queue_timeout: float, time_limit: float, settings: str,
                 pool: ComputePool | None = None):
        self.name, self.kind, self.pool = name, kind, pool
        self.workers, self.queue_timeout, self.time_limit = workers, queue_timeout, time_limit
        self.variables = {what: VARIABLE.get(f"{settings}_{what}", f"{settings}_{what}")
                          for what in ("workers", "timeout", "queue_timeout")}
        self._lock = threading.Lock()
        self._busy = 0
        self._queue: deque[_Waiter] = deque()
        self._seconds = 1.0  # a moving average of the computations' durations: the Retry-After of a `busy`
        self.stats = {"computed": 0, "shared": 0, "kept": 0, "refused": 0, "timeouts": 0, "errors": 0}

    # ------------------------------------------------------------------ the entry points
    def job(self, kg: KG, function: Callable[..., T], *args) -> Callable[[], T]:
        """The computation `function(kg, *args)` in one of the lane's processes, on its copy of the
        graph (`function` a module-level function, `args` picklable), or here on `kg` in a lane
        without processes: for `get`."""
        if self.pool is None:
            return lambda: function(kg, *args)
        pool = self.pool
        return lambda: pool.run((function, args), self.time_limit)

    async def get(self, memo: Memo, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of `key` in `memo`: kept, or being computed (shared), or computed now in a slot
        of this lane (`compute()` on the lane's thread). Raises ApiError 503 past the queue time or
        the time limit, and whatever `compute` raises."""
        arrived = time.monotonic()
        flight, leads = memo.claim(key)
        if flight.done():
            self._count("kept")
            return flight.result()
        if leads:
            try:
                await self._acquire(arrived)
            except BaseException as error:  # refused or cancelled: those waiting for it are refused too
                memo.abandon(key, flight, error if isinstance(error, ApiError) else self._refusal())
                raise
            threading.Thread(target=self._compute, args=(memo, key, flight, compute), daemon=True,
                             name=f"rkg-{self.name}").start()
        else:
            self._count("shared")
        remaining = arrived + self.time_limit - time.monotonic()
        try:
            # shielded: a request that gives up leaves the computation, and the others waiting for it, alone
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(flight)), timeout=max(remaining, 0.0))
        except TimeoutError:
            self._count("timeouts")
            raise self._too_slow() from None

    def status(self) -> dict[str, Any]:
        with self._lock:
            status = {"workers": self.workers, "busy": self._busy, "queued": len(self._queue),
                      "timeout_seconds": self.time_limit, "queue_timeout_seconds": self.queue_timeout} | self.stats
        return status | (self.pool.status() if self.pool else {})

    # ------------------------------------------------------------------ slots
    async def _acquire(self, arrived: float) -> None:
        """Take a slot, waiting (FIFO) until `queue_timeout` after `arrived` at most."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._busy < self.workers and not self._queue:
                self._busy += 1
                return
            waiter = _Waiter(loop)
            self._queue.append(waiter)
        try:
            await asyncio.wait_for(waiter.future, timeout=max(arrived + self.queue_timeout - time.monotonic(), 0.0))
        except (TimeoutError, asyncio.CancelledError) as error:
            with self._lock:
                granted = waiter.granted
                if not granted:
                    self._queue.remove(waiter)
            if not granted:
                if isinstance(error, TimeoutError):
                    self._count("refused")
                    raise self._refusal() from None
                raise
            if isinstance(error, asyncio.CancelledError):  # the slot came as the request went: pass it on
                self._release()
                raise
            # the slot came just as the wait ended: take it

    def _release(self) -> None:
        """A slot is free: it passes to the first request waiting (on its own event loop), or is given back."""
        with self._lock:
            while self._queue:
                waiter = self._queue.popleft()
                try:
                    waiter.loop.call_soon_threadsafe(_wake, waiter.future)
                except RuntimeError:  # its event loop has closed: nobody waits there any more
                    continue
                waiter.granted = True
                return
            self._busy -= 1

    def _compute(self, memo: Memo, key: Hashable, flight, compute: Callable[[], Any]) -> None:
        """On the lane's thread: compute, keep, give the value (or the error) to every request waiting."""
        started = time.monotonic()

        def bounded():
            try:
                return compute()
            except Overrun:  # its process passed the time limit and was killed
                raise self._too_slow() from None

        try:
            memo.settle(key, flight, bounded)
            self._count("computed")
        except BaseException:  # already given to the requests waiting for it, which answer with it
            self._count("errors")
        finally:
            with self._lock:
                self._seconds = 0.7 * self._seconds + 0.3 * (time.monotonic() - started)
            self._release()

    def _count(self, what: str) -> None:
        with self._lock:
            self.stats[what] += 1

    # ------------------------------------------------------------------ refusals
    def _refusal(self) -> ApiError:
        retry = max(1, min(60, math.ceil(self._seconds)))
        return ApiError(503, "busy", f"every {self.kind} slot has been busy for {self.queue_timeout:g} s "
                                     f"({self.workers} at once: {self.variables['workers']}; the wait: "
                                     f"{self.variables['queue_timeout']}); try again in {retry} s",
                        headers={"Retry-After": str(retry)}, retry_after=retry)

    def _too_slow(self) -> ApiError:
        retry = max(1, math.ceil(self.time_limit))
        return ApiError(503, f"{self.kind}-timeout",
                        f"the {self.kind} took more than {self.time_limit:g} s ({self.variables['timeout']} raises "
                        f"the limit); it runs on to its end and its answer will be kept: ask again in a while",
                        headers={"Retry-After": str(retry)}, retry_after=retry, limit_seconds=self.time_limit,
                        setting=self.variables["timeout"])


class Lanes:
    """The lanes of one app: `analyses` (named queries, analyses, the findings' evidence, the
    network) and `reports` (reports, export downloads, the whole graph)."""

    def __init__(self, settings: Settings, processes: bool = False):
        def pool(name: str, size: int, *modules: str) -> ComputePool | None:
            return ComputePool(name, size, modules) if processes else None

        self.analyses = Lane("analyses", "analysis", settings.analysis_workers, settings.analysis_queue_timeout,
                             settings.analysis_timeout, "analysis",
                             pool("analyses", settings.analysis_workers, "rkg.api.analysis"))
        self.reports = Lane("reports", "report", settings.report_workers, settings.report_queue_timeout,
                            settings.report_timeout, "report",
                            pool("reports", settings.report_workers, "rkg.api.reports", "rkg.api.exports"))

    @property
    def pools(self) -> list[ComputePool]:
        return [lane.pool for lane in (self.analyses, self.reports) if lane.pool is not None]

    def load(self, ntriples: bytes, version: str) -> None:
        """The graph the lanes' processes compute on from now on."""
        for pool in self.pools:
            pool.load(ntriples, version)

    def start(self) -> None:
        for pool in self.pools:
            pool.start()

    def close(self) -> None:
        for pool in self.pools:
            pool.close()

    def status(self) -> dict[str, Any]:
        return {"analyses": self.analyses.status(), "reports": self.reports.status()}

    @classmethod
    def of(cls, app) -> Lanes:
        """The app's lanes (`create_app` makes them from its settings; an app assembled otherwise,
        as some tests do, gets the default ones)."""
        lanes = getattr(app.state, "lanes", None)
        if lanes is None:
            lanes = app.state.lanes = cls(getattr(app.state, "settings", None) or Settings())
        return lanes
