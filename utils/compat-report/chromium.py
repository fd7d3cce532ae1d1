# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Headless Chromium driven over the DevTools protocol, on a pipe.

Chromium started with --remote-debugging-pipe reads protocol commands on its
file descriptor 3 and writes replies and events on 4, one JSON message each,
ended by a NUL byte: no port, no websocket, nothing beyond the standard
library. Used by the compatibility report's page checks (check-page.py).

    with Chromium() as c:
        page = c.open("file:///.../index.html", width=1280, height=900)
        page.evaluate("document.title")
        page.screenshot("top.png")
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class ChromiumError(Exception):
    pass


class Chromium:
    def __init__(self, exe=None, timeout=60):
        self.exe = exe or find_chromium()
        if not self.exe:
            raise ChromiumError("no chromium found (Debian: apt-get install chromium)")
        self.timeout = timeout
        self.next_id = 0
        self.events = []
        self.buf = b""

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="btfkit-chromium-")
        cmd_r, self.cmd_w = os.pipe()   # we write commands, Chromium reads fd 3
        self.evt_r, evt_w = os.pipe()   # Chromium writes fd 4, we read

        def child_fds():
            # Out of the way first, in case the pipes are 3 and 4 already.
            a, b = os.dup(cmd_r), os.dup(evt_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            [self.exe, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            # Python's own descriptors are close-on-exec; closing the rest
            # would close 3 and 4 after child_fds set them.
            preexec_fn=child_fds, close_fds=False)
        os.close(cmd_r)
        os.close(evt_w)
        return self

    def __exit__(self, *exc):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.evt_r)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise ChromiumError("no answer from chromium within %ds" % self.timeout)
            chunk = os.read(self.evt_r, 1 << 16)
            if not chunk:
                raise ChromiumError("chromium exited (log: %s)" % self.log.name)
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise ChromiumError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, session=None):
        deadline = time.time() + self.timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and (not session or e.get("sessionId") == session):
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    def open(self, url, width=1280, height=900):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable", session=session)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": False}, session=session)
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        return page


class Page:
    def __init__(self, chromium, session):
        self.c = chromium
        self.session = session

    def evaluate(self, expression):
        r = self.c.call("Runtime.evaluate",
                        {"expression": expression, "returnByValue": True,
                         "awaitPromise": True}, session=self.session)
        if "exceptionDetails" in r:
            raise ChromiumError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth,"
                                 " document.documentElement.scrollHeight]")
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": size[0],
                              "height": min(size[1], 16000), "scale": 1}
        data = self.c.call("Page.captureScreenshot", params, session=self.session)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def errors(self):
        """Script exceptions and console errors the page produced so far."""
        out = []
        for e in self.c.events:
            if e.get("sessionId") != self.session:
                continue
            if e.get("method") == "Runtime.exceptionThrown":
                out.append(e["params"]["exceptionDetails"].get("text", "exception"))
            elif (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"].get("level") == "error"):
                out.append(e["params"]["entry"].get("text", "error"))
            elif (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"].get("type") == "error"):
                out.append(str(e["params"].get("args")))
        return out
