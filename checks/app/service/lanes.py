"""The two lanes ``/api/check`` is screened in, so one big check never holds up the small ones.

- The **small lane**: ``check_threads`` threads of this process, for checks estimated at most
  :attr:`~.costs.CostLimits.small` units (points, modest outlines): the page's checks.
- The **big lane**: one worker process (``mode="process"``, the default) that holds its own copy
  of the layer set, for the checks above that.  Screening is mostly Python holding the GIL, so a
  big check in a thread of this process would slow every other request; in its own process it
  takes the other core.  A check that runs past ``timeout`` seconds is stopped by ending the
  worker (a new one is started for the next big check) and answered 504; at most ``max_waiting``
  big checks wait their turn, more are answered 503 with ``Retry-After``.
  ``mode="thread"`` runs the big lane in one thread of this process instead (no second copy of the
  layers, but a big check then slows the others, and its time limit only stops the wait for it).

Events of the small lane are bounded too: past ``timeout`` the client is answered 504 (the thread
finishes its check, which small checks do quickly).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from redline.checks.app.service.errors import ApiError
from redline.checks.app.service.screening import SMALL_VERTICES, CheckOutcome, CheckTask, Screener, rough_vertices

__all__ = ["BIG_LANE_MODES", "Lanes"]

log = logging.getLogger("redline.service")

#: How the big lane runs: its own worker process, or a thread of the service.
BIG_LANE_MODES: tuple[str, ...] = ("process", "thread")
#: Seconds a new worker process may take to load the layers.
_START_TIMEOUT = 300.0


def _worker_main(conn, state: bytes) -> None:
    """Run the big lane's worker process: load the screener, say ready, then screen task after task."""
    screener: Screener = pickle.loads(state)
    screener.warm_up()
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            outcome = screener.run(task, "big")
        except Exception as exc:  # an internal error: said to the service, which logs it
            log.exception("big check failed")
            outcome = CheckOutcome(error=(500, None, f"internal error ({type(exc).__name__})"))
        if outcome.result is not None:  # the service has the layer set and rules already
            outcome.result.layerset = outcome.result.catalog = None
        conn.send(outcome)


class _Worker:
    """One worker process of the big lane, and the pipe to it."""

    def __init__(self, state: bytes) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, state), name="redline-big-check", daemon=True)
        self.process.start()
        child.close()
        if self._wait(_START_TIMEOUT) != "ready":
            self.kill()
            raise RuntimeError("the worker of big checks did not start (see the messages above)")

    def _wait(self, timeout: float) -> Any:
        """Return the worker's next message; None when it ended or sent nothing within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self.conn.poll(min(0.5, max(0.0, deadline - time.monotonic()))):
            if not self.process.is_alive() or time.monotonic() >= deadline:
                return None
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return None

    def call(self, task: CheckTask, timeout: float) -> CheckOutcome:
        """Screen ``task``; raise TimeoutError (after ending the worker) when it takes over ``timeout`` seconds."""
        started = time.monotonic()
        self.conn.send(task)
        outcome = self._wait(timeout)
        if outcome is None:
            self.kill()
            if time.monotonic() - started >= timeout:
                raise TimeoutError
            raise EOFError("the worker of big checks ended")
        return outcome

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        """End the worker now."""
        self.process.kill()
        self.process.join(10)
        self.conn.close()

    def close(self) -> None:
        """Ask the worker to stop; end it if it does not."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.kill()


class _BigLane:
    """The big lane: one check at a time, in a worker process (or a thread), with a time limit."""

    def __init__(self, screener: Screener, *, mode: str, timeout: float, max_waiting: int) -> None:
        self.screener, self.mode, self.timeout, self.max_waiting = screener, mode, timeout, max_waiting
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="redline-big-lane")
        self.waiting = 0
        self._worker: _Worker | None = None
        self._state: bytes | None = None
        self._lock = threading.Lock()

    def _state_bytes(self) -> bytes:
        if self._state is None:
            self._state = pickle.dumps(self.screener)
        return self._state

    def start(self) -> None:
        """Start the worker process now rather than at the first big check (process mode)."""
        if self.mode == "process":
            with self._lock:
                if self._worker is None or not self._worker.alive():
                    self._worker = _Worker(self._state_bytes())

    def _call(self, task: CheckTask) -> CheckOutcome:
        if self.mode == "thread":
            return self.screener.run(task, "big")
        self.start()
        worker = self._worker
        try:
            return worker.call(task, self.timeout)
        except TimeoutError:
            self._worker = None
            raise
        except (EOFError, OSError, BrokenPipeError):
            self._worker = None
            log.error("the worker of big checks ended unexpectedly")
            return CheckOutcome(error=(500, None, "internal error (details are in the server log)"))

    async def run(self, task: CheckTask) -> CheckOutcome:
        if self.waiting >= self.max_waiting:
            raise ApiError(
                503,
                None,
                f"{self.waiting} big checks are waiting already; try again later, or send large sites to /api/batch",
                headers={"Retry-After": str(max(5, int(self.timeout)))},
            )
        self.waiting += 1
        try:
            future = asyncio.get_running_loop().run_in_executor(self.pool, self._call, task)
            if self.mode == "thread":
                return await _within(future, self.timeout, "big")
            return await future
        except TimeoutError:
            raise _timed_out(self.timeout) from None
        finally:
            self.waiting -= 1

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None
        self.pool.shutdown(wait=False, cancel_futures=True)


def _timed_out(timeout: float) -> ApiError:
    return ApiError(
        504,
        "site",
        f"site: screening it took longer than the time limit of {timeout:g} s; give a smaller buffer, "
        "nearby=nearest or a simpler outline, or send it to /api/batch",
    )


async def _within(future, timeout: float, lane: str) -> Any:
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        log.warning("a check of the %s lane took longer than %g s", lane, timeout)
        raise


class Lanes:
    """Send each check to its lane and wait for its outcome.

    Parameters
    ----------
    screener : Screener
    check_threads : int
        Threads of the small lane.
    big_lane : {"process", "thread"}
    timeout : float
        Time limit of a check, in seconds.
    max_waiting : int
        Big checks that may wait for the big lane.
    """

    def __init__(
        self, screener: Screener, *, check_threads: int, big_lane: str, timeout: float, max_waiting: int
    ) -> None:
        self.screener, self.timeout = screener, timeout
        self.small = ThreadPoolExecutor(check_threads, thread_name_prefix="redline-check")
        self.big = _BigLane(screener, mode=big_lane, timeout=timeout, max_waiting=max_waiting)

    async def run(self, task: CheckTask) -> CheckOutcome:
        """Screen ``task`` in its lane; raise ApiError for a check that timed out or found the big lane full."""
        started = time.monotonic()
        if rough_vertices(task.site) <= SMALL_VERTICES:
            future = asyncio.get_running_loop().run_in_executor(self.small, self.screener.run, task, "small")
            try:
                outcome = await _within(future, self.timeout, "small")
            except TimeoutError:
                raise _timed_out(self.timeout) from None
            if not outcome.promote:
                return outcome
            log.info("check %s goes to the big lane (%s)", task.check_id, outcome.cost.text())
        outcome = await self.big.run(task)
        log.debug("check %s screened in %.2f s", task.check_id, time.monotonic() - started)
        return outcome

    def close(self) -> None:
        """Stop the lanes (the big lane's worker process too)."""
        self.big.close()
        self.small.shutdown(wait=False, cancel_futures=True)
