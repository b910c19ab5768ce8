"""Real processes for the fault suite and its benchmark: API servers, `ledger-layer worker`s and a
private PostgreSQL cluster that may be crashed and restarted (never the shared server)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = os.path.dirname(sys.executable)
EXE = os.path.join(BIN, "ledger-layer")
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True) if Path("/usr/lib/postgresql").exists() \
    else []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float = 60.0, what: str = "", interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy (returned); AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = predicate()
        except Exception:  # e.g. the database is restarting: keep polling
            got = None
        if got:
            return got
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def child_env(db_url: str, secret: str, *, redis_url: str | None = None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=db_url, LEDGER_SECRET_KEY=secret, LEDGER_WORKER_IN_PROCESS="false",
               PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]))
    if redis_url:
        env["LEDGER_REDIS_URL"] = redis_url
    env.update(extra)
    return env


def start_worker(env: dict, log: Path, *, processes: int = 1, lease_seconds: float = 2.0, poll: float = 0.1,
                 imports: tuple[str, ...] = ()) -> subprocess.Popen:
    args = [EXE, "worker", "--processes", str(processes), "--lease-seconds", str(lease_seconds),
            "--poll-interval", str(poll)]
    for mod in imports:
        args += ["--import", mod]
    return subprocess.Popen(args, cwd=log.parent, env=env, stdout=open(log, "a"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def start_api(env: dict, log: Path, port: int) -> subprocess.Popen:
    args = [os.path.join(BIN, "uvicorn"), "--factory", "backend.serving:asgi_app", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(log, "a"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_http(url: str, timeout: float = 90.0) -> None:
    import httpx

    wait_for(lambda: httpx.get(url, timeout=5).status_code == 200, timeout, f"{url} to answer")


def _exited(proc: subprocess.Popen) -> bool:
    """Whether the leader exited, without reaping it: while it is an unreaped zombie its process
    group id cannot be reused, so signalling the group reaches only what we started."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def sigkill(proc: subprocess.Popen) -> None:
    """SIGKILL the process and everything it started (a `--processes N` parent and its children)."""
    if proc.returncode is None:
        _signal_group(proc, signal.SIGKILL)
    proc.wait(30)


def stop(proc: subprocess.Popen | None, timeout: float = 30.0) -> None:
    """SIGTERM the group (each worker finishes the job in hand), then SIGKILL whatever is left of it."""
    if proc is None or proc.returncode is not None:
        return
    _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while not _exited(proc) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_group(proc, signal.SIGKILL)  # the leader is not reaped yet: the group is still ours
    proc.wait(30)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def logs(directory: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-4000:]}" for p in sorted(directory.glob("*.log")))


# ------------------------------------------------------------------ a private PostgreSQL cluster

def private_pg_available() -> str | None:
    """Why a private cluster cannot run here, or None when it can."""
    if not PG_BIN_DIRS:
        return "no PostgreSQL server binaries under /usr/lib/postgresql"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` OS user to run the cluster as"
        if not shutil.which("runuser"):
            return "running as root without `runuser`"
    return None


class PrivatePostgres:
    """initdb + pg_ctl in a temp directory on a free port: ours to crash and restart. Run as the
    `postgres` OS user when we are root (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = PG_BIN_DIRS[0]
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o755)

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout, cwd=self.dir)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/ledger"

    def init(self) -> "PrivatePostgres":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        with open(self.data / "postgresql.conf", "a") as f:
            # Durable commits (a crash must keep every acknowledged write); small, so it starts fast.
            f.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                    "fsync = on\nsynchronous_commit = on\nshared_buffers = 32MB\nmax_connections = 100\n")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "ledger")
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120", "start")

    def crash(self) -> None:
        """Immediate shutdown: every backend killed, no checkpoint; the next start runs crash recovery."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def restart(self) -> float:
        """Crash and start again; the seconds the server was unavailable."""
        t0 = time.monotonic()
        self.crash()
        self.start()
        return time.monotonic() - t0

    def destroy(self, keep_log: Path | None = None) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        if keep_log is not None and self.log.exists():
            shutil.copyfile(self.log, keep_log)
        shutil.rmtree(self.dir, ignore_errors=True)
