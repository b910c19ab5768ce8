"""A small Chrome DevTools Protocol client for the headless task-pane test: Debian's chromium,
driven over one websocket (``websockets`` is already installed with uvicorn), no browser download."""
from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future

from websockets.sync.client import connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    env = os.environ.get("LEDGER_CHROMIUM")
    if env and os.path.exists(env):
        return env
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


class Browser:
    """One headless chromium with one page; requests matching ``blocked`` get an empty 200."""

    def __init__(self, binary: str, blocked: tuple[str, ...] = ("appsforoffice.microsoft.com",)):
        self.profile = tempfile.mkdtemp(prefix="ll-chromium-")
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = self._devtools_url()
        self.ws = connect(url, max_size=None, open_timeout=20)
        self.ids = itertools.count(1)
        self.pending: dict[int, Future] = {}
        self.blocked = blocked
        self.console: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable"):
            self.send(method, session=True)
        self.send("Fetch.enable", {"patterns": [{"urlPattern": f"*{b}*"} for b in blocked]}, session=True)

    def _devtools_url(self) -> str:
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            m = re.search(r"(ws://\S+)", line or "")
            if m:
                threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()
                return m.group(1)
            if self.proc.poll() is not None:
                break
        raise RuntimeError("chromium did not start")

    def _read(self) -> None:
        for raw in self.ws:
            msg = json.loads(raw)
            if "id" in msg and msg["id"] in self.pending:
                self.pending.pop(msg["id"]).set_result(msg)
            elif msg.get("method") == "Fetch.requestPaused":
                # office.js from Microsoft's CDN: never leave the machine; the fake host replaces it.
                p = msg["params"]
                threading.Thread(target=self.send, daemon=True, args=("Fetch.fulfillRequest", {
                    "requestId": p["requestId"], "responseCode": 200,
                    "responseHeaders": [{"name": "Content-Type", "value": "text/javascript"}],
                    "body": base64.b64encode(b"").decode()}), kwargs={"session": True}).start()
            elif msg.get("method") == "Runtime.consoleAPICalled":
                self.console.append(" ".join(str(a.get("value", a.get("description"))) for a in msg["params"]["args"]))
            elif msg.get("method") == "Runtime.exceptionThrown":
                self.console.append("EXCEPTION " + json.dumps(msg["params"]["exceptionDetails"])[:500])

    def send(self, method: str, params: dict | None = None, session: bool = False, timeout: float = 60) -> dict:
        i = next(self.ids)
        fut: Future = Future()
        self.pending[i] = fut
        msg = {"id": i, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        out = fut.result(timeout)
        if "error" in out:
            raise RuntimeError(f"{method}: {out['error']}")
        return out["result"]

    def add_init_script(self, source: str) -> None:
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source}, session=True)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait_for("document.readyState === 'complete' && !!globalThis.LedgerLayer")

    def eval(self, expression: str, timeout: float = 60):
        res = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True},
                        session=True, timeout=timeout)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression[:80]}: {json.dumps(res['exceptionDetails'])[:800]}")
        return res["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.eval(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression!r}; console: {self.console[-10:]}")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
