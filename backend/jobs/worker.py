"""The worker: claim a batch, run the handlers under a heartbeated lease, record the outcome.

Three ways to run it: ``Worker.run_once()`` (tests, with an injected clock); ``start_background``
— a thread in the API process (the default, ``LEDGER_WORKER_IN_PROCESS``); and ``serve`` — the
``ledger-layer worker`` processes for scale-out. SIGTERM/SIGINT stop claiming and let the
current job finish; a second signal exits at once (the job's lease then expires and it is retried).
"""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

from backend.engine.errors import EngineError
from backend.services.platform.context import Runtime
from backend.jobs import housekeeping, lease_tasks, ledger_tasks, registry, webhook_tasks  # noqa: F401 (registers handlers)
from backend.jobs import revenue_tasks  # noqa: F401 (registers revenue handlers)
from backend.jobs.queue import ClaimedJob, PermanentJobError, claim, complete, fail, heartbeat

log = logging.getLogger("ledger_layer.jobs")


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(self, rt, worker_id: str | None = None, *, poll_interval: float = 1.0, lease_seconds: float = 60.0,
                 concurrency: int = 1, kinds: list[str] | None = None, schedule_housekeeping: bool = True):
        if concurrency < 1 or lease_seconds <= 0:
            raise ValueError("concurrency must be >= 1 and lease_seconds > 0")
        self.rt = rt
        self.worker_id = worker_id or default_worker_id()
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        self.concurrency = concurrency
        self.kinds = kinds
        self.schedule_housekeeping = schedule_housekeeping
        self._scheduled_hour: str | None = None

    def run_once(self) -> int:
        """Claim up to ``concurrency`` due jobs, run them to an outcome; the number run."""
        jobs = claim(self.rt.db, worker_id=self.worker_id, now=self.rt.clock(), lease_seconds=self.lease_seconds,
                     limit=self.concurrency, kinds=self.kinds)
        if not jobs:
            return 0
        with self._heartbeat(jobs) as finished:
            if len(jobs) == 1:
                self._execute(jobs[0], finished)
            else:
                with ThreadPoolExecutor(len(jobs), thread_name_prefix="ledger-job") as pool:
                    list(pool.map(lambda j: self._execute(j, finished), jobs))
        return len(jobs)

    def run_forever(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set; the batch in hand is always finished first."""
        log.info("worker %s started (lease %ss, concurrency %s)", self.worker_id, self.lease_seconds, self.concurrency)
        while not stop.is_set():
            try:
                self._maybe_schedule()
                ran = self.run_once()
            except Exception:  # a DB outage must not kill the loop; leases cover half-done work
                log.exception("worker %s: poll failed", self.worker_id)
                ran = 0
            if not ran:
                stop.wait(self.poll_interval)
        log.info("worker %s stopped", self.worker_id)

    def _maybe_schedule(self) -> None:
        if not self.schedule_housekeeping:
            return
        now = self.rt.clock()
        hour = now.strftime("%Y-%m-%dT%H")
        if hour != self._scheduled_hour:  # the dedupe key makes this safe; the check saves a write per poll
            housekeeping.schedule(self.rt, now)
            self._scheduled_hour = hour

    def _execute(self, job: ClaimedJob, finished: set[str]) -> None:
        try:
            outcome = self._run(job)
        finally:
            finished.add(job.id)
        if outcome is None:
            log.warning("job %s: lease lost before the outcome was recorded (another worker owns it)", job.id)
        else:
            log.info("job %s (%s) attempt %s -> %s", job.id, job.kind, job.attempt, outcome)

    def _run(self, job: ClaimedJob) -> str | None:
        """Run the handler and record the outcome; the new status, or None when the lease was lost."""
        db, clock = self.rt.db, self.rt.clock

        def failed(code: str, message: str, permanent: bool) -> str | None:
            status = fail(db, job.id, job.worker_id, code, message, clock(), permanent=permanent, attempt=job.attempt)
            hook = registry.give_up_hook(job.kind)
            if status in ("failed", "dead") and hook is not None:
                try:
                    hook(self.rt, job, code, message)
                except Exception:  # the job's outcome is recorded; a failing notification must not undo it
                    log.exception("give-up hook of job %s (%s) failed", job.id, job.kind)
            return status

        fn = registry.get(job.kind)
        if fn is None:
            return failed("unknown_job_kind", f"No handler is registered for job kind {job.kind!r}.", True)
        try:
            result = fn(self.rt, job)
        except PermanentJobError as exc:
            return failed(exc.code, exc.message, True)
        except EngineError as exc:  # the engine rejected the input: the same input fails again
            return failed(exc.code, exc.message, True)
        except Exception as exc:
            log.exception("job %s (%s) attempt %s raised", job.id, job.kind, job.attempt)
            # The client sees the job's error: name the kind of failure, keep details in the log.
            return failed("handler_error", f"The job failed unexpectedly ({type(exc).__name__}); it is retried "
                                           "with backoff. Quote the job id when you report it.", False)
        result = {} if result is None else result
        problem = _result_problem(result)
        if problem:
            return failed("invalid_result", problem, True)
        if not complete(db, job.id, job.worker_id, result, clock(), attempt=job.attempt):
            return None
        return "completed_with_failures" if result.get("failed") else "succeeded"

    @contextmanager
    def _heartbeat(self, jobs: list[ClaimedJob]) -> Iterator[set[str]]:
        """Extend the leases every third of the lease while the batch runs, so only a dead worker's
        lease expires, however long the job."""
        finished: set[str] = set()
        done = threading.Event()

        def beat() -> None:
            while not done.wait(self.lease_seconds / 3):
                for job in jobs:
                    if job.id in finished:
                        continue
                    try:
                        if not heartbeat(self.rt.db, job.id, job.worker_id, self.rt.clock(), self.lease_seconds,
                                         attempt=job.attempt):
                            log.warning("job %s: lease lost while running", job.id)
                    except Exception:
                        log.exception("job %s: heartbeat failed", job.id)

        thread = threading.Thread(target=beat, name="ledger-heartbeat", daemon=True)
        thread.start()
        try:
            yield finished
        finally:
            done.set()
            thread.join()


def _result_problem(result) -> str | None:
    if not isinstance(result, dict):
        return f"The handler returned {type(result).__name__}, not a JSON object."
    try:
        json.dumps(result)
    except (TypeError, ValueError) as exc:
        return f"The handler's result is not JSON: {exc}"
    return None


class BackgroundWorker:
    """A Worker on a daemon thread of the API process (started and stopped by the app lifespan)."""

    def __init__(self, rt, **options):
        self.worker = Worker(rt, **options)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.worker.run_forever, args=(self.stop_event,),
                                       name="ledger-worker", daemon=True)

    def start(self) -> "BackgroundWorker":
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def stop_on_signals(stop: threading.Event, *, sigint: bool = True) -> None:
    """First SIGTERM (or SIGINT): stop claiming, finish the current job. Second: exit now."""

    def on_signal(signum, _frame):
        if stop.is_set():
            raise SystemExit(128 + signum)
        log.info("signal %s: finishing the current job, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    # A child of `serve` ignores SIGINT: a terminal's Ctrl-C reaches the whole process group, and
    # the parent forwards it once as SIGTERM — otherwise each child would see it twice.
    signal.signal(signal.SIGINT, on_signal if sigint else signal.SIG_IGN)


def run_process(imports: list[str], options: dict, child: bool = False, settings: dict | None = None) -> None:
    """One worker process: its own Runtime (engines are per process), signals, the poll loop.
    ``settings``: the parent's settings (a pool beside a server); otherwise read from the environment."""

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    registry.load(imports)
    from backend.settings import Settings

    rt = Runtime.from_settings(Settings(**settings, _env_file=None) if settings else None)
    stop = threading.Event()
    stop_on_signals(stop, sigint=not child)
    try:
        Worker(rt, **options).run_forever(stop)
    finally:
        rt.db.dispose()


def serve(*, processes: int, imports: list[str], options: dict) -> int:
    """Run ``processes`` worker processes (1: this process); returns the exit code."""
    if processes <= 1:
        run_process(imports, options)
        return 0
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")  # no inherited engines, locks or threads
    children = [ctx.Process(target=run_process, args=(imports, options, True), name=f"ledger-worker-{i}")
                for i in range(processes)]
    for child in children:
        child.start()

    def forward(_signum, _frame):
        for child in children:
            if child.is_alive() and child.pid:
                os.kill(child.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.join()
    return max((c.exitcode or 0) for c in children)


def start_background(rt) -> BackgroundWorker:
    return BackgroundWorker(rt).start()


class WorkerPool:
    """Worker processes beside a serving process (``ledger-layer serve --workers N``): the same
    processes ``ledger-layer worker --processes N`` runs, started and stopped with the server."""

    def __init__(self, processes: int, settings, options: dict | None = None, imports: list[str] | None = None):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # no inherited engines, locks or threads
        # The children take the server's settings (resolved secret included), not the environment's.
        conf = {**settings.model_dump(exclude={"xlwings_license_key"}), "secret_key": settings.resolved_secret_key()}
        self.children = [ctx.Process(target=run_process, args=(list(imports or []), options or {}, True, conf),
                                     name=f"ledger-worker-{i}", daemon=True) for i in range(processes)]

    def start(self) -> "WorkerPool":
        for child in self.children:
            child.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM: each finishes its current job and exits; one that does not in time is killed
        (its job's lease expires and another worker runs it again)."""
        for child in self.children:
            if child.is_alive() and child.pid:
                os.kill(child.pid, signal.SIGTERM)
        for child in self.children:
            child.join(timeout)
            if child.is_alive():
                child.kill()
                child.join(5)


def default_worker_processes() -> int:
    """Sized to the machine: one worker process per core, at least one, at most eight."""
    return max(1, min(8, os.cpu_count() or 1))
