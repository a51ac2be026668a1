"""A tiny Chrome DevTools Protocol client for the browser tests, over ``--remote-debugging-pipe``.

No third-party packages: Chromium reads commands from file descriptor 3 and
writes answers and events to descriptor 4, each a JSON message ended by a NUL
byte.  A :class:`Browser` starts headless Chromium with a fresh profile and the
flags this machine needs, blocks every http(s) request (tiles fail as they do
offline, at once and deterministically), and a :class:`Page` loads a file,
collects JavaScript errors (uncaught exceptions, ``console.error``, non-network
log errors), the requests it makes and any ``alert``/dialog, evaluates expressions and takes
screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
]

#: Installed before any page script: records alert/confirm/prompt calls instead of blocking.
_WATCH_DIALOGS = """
window.__rcDialogs = [];
['alert', 'confirm', 'prompt'].forEach(function (name) {
  window[name] = function (msg) { window.__rcDialogs.push(name + ':' + String(msg)); return null; };
});
"""


def find_chromium() -> str | None:
    """Return the Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(RuntimeError):
    """A protocol error or a timeout."""


class Browser:
    """Headless Chromium driven over a pipe; use as a context manager."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 800) -> None:
        self.profile = tempfile.mkdtemp(prefix="rc-chromium-")
        cmd_r, cmd_w = os.pipe()  # we write commands -> browser fd 3
        evt_r, evt_w = os.pipe()  # browser fd 4 -> we read

        def child_fds() -> None:  # runs in the child before exec
            os.dup2(cmd_r, 3)
            os.dup2(evt_w, 4)

        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=child_fds,
        )
        os.close(cmd_r)
        os.close(evt_w)
        self._w = cmd_w
        self._r = evt_r
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.width, self.height = width, height

    # -- protocol ---------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise CDPError(f"Chromium closed the pipe (exit code {self.proc.poll()})")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, *, session: str | None = None, timeout: float = 60) -> Any:
        """Send one command; return its result (events that arrive meanwhile are kept)."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self._w, data) :]
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, *, session: str | None = None, timeout: float = 60, start: int = 0) -> dict:
        """Wait for an event named ``method`` (looking at the kept events from index ``start`` on)."""
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            for ev in self.events[seen:]:
                if ev.get("method") == method and (session is None or ev.get("sessionId") == session):
                    return ev
            seen = len(self.events)
            msg = self._read_message(deadline)
            if "method" in msg:
                self.events.append(msg)

    def new_page(self) -> Page:
        """Open a tab with errors and dialogs watched and the network blocked."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)

    def close(self) -> None:
        """Close the browser and remove its profile."""
        try:
            if self.proc.poll() is None:
                with contextlib.suppress(CDPError, OSError):
                    self.send("Browser.close", timeout=10)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        finally:
            for fd in (self._w, self._r):
                with contextlib.suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self._mark = len(browser.events)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": _WATCH_DIALOGS})
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": browser.width, "height": browser.height, "deviceScaleFactor": 1, "mobile": False},
        )

    def send(self, method: str, params: dict | None = None, *, timeout: float = 60) -> Any:
        """Send a command to this tab."""
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def open(self, path: str | Path, *, timeout: float = 120) -> float:
        """Load a local file and wait for its load event; return the seconds it took."""
        self._mark = len(self.browser.events)
        start = time.monotonic()
        url = Path(path).resolve().as_uri()
        self.send("Page.navigate", {"url": url}, timeout=timeout)
        self.browser.wait_event("Page.loadEventFired", session=self.session, timeout=timeout, start=self._mark)
        return time.monotonic() - start

    def evaluate(self, expression: str, *, timeout: float = 60) -> Any:
        """Evaluate a JavaScript expression (promises awaited); return its JSON value."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in reply:
            raise CDPError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply.get("result", {}).get("value")

    def settle(self, seconds: float = 0.3) -> None:
        """Let the page run for a moment (timers, animations, queued events)."""
        self.evaluate(f"new Promise(function (r) {{ setTimeout(r, {int(seconds * 1000)}); }})")

    def errors(self) -> list[str]:
        """Return the JavaScript errors since the last :meth:`open` (network failures excluded)."""
        out = []
        for ev in self.browser.events[self._mark :]:
            if ev.get("sessionId") != self.session:
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                out.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                if entry.get("level") == "error" and entry.get("source") not in ("network",):
                    out.append(entry.get("text", ""))
        return out

    def requests(self) -> list[str]:
        """Return the URLs the page asked for since the last :meth:`open` (blocked ones included)."""
        return [
            ev["params"]["request"]["url"]
            for ev in self.browser.events[self._mark :]
            if ev.get("method") == "Network.requestWillBeSent" and ev.get("sessionId") == self.session
        ]

    def resize(self, width: int, height: int) -> None:
        """Set the viewport to ``width`` × ``height`` CSS pixels (before :meth:`open`)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def dialogs(self) -> list[str]:
        """Return the alert/confirm/prompt calls the page made, and any dialog Chromium opened."""
        calls = self.evaluate("window.__rcDialogs || []") or []
        opened = [
            ev["params"].get("message", "")
            for ev in self.browser.events[self._mark :]
            if ev.get("method") == "Page.javascriptDialogOpening" and ev.get("sessionId") == self.session
        ]
        return [*calls, *opened]

    def screenshot(self, path: str | Path | None = None) -> bytes:
        """Return (and optionally write) a PNG of the viewport."""
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def pdf(self) -> bytes:
        """Return the page printed to PDF (A4, backgrounds on)."""
        reply = self.send(
            "Page.printToPDF",
            {"printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True},
            timeout=120,
        )
        return base64.b64decode(reply["data"])


def browser_or_skip(width: int = 1280, height: int = 800):
    """Yield a started :class:`Browser` for a pytest fixture; fail under CI without Chromium, else skip."""
    import pytest

    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium under CI: .ci/run installs Debian's chromium")
        pytest.skip("no chromium installed (Debian: apt-get install chromium fonts-noto-cjk)")
    with Browser(exe, width=width, height=height) as b:
        yield b
