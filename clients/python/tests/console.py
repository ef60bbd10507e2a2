"""The tests' stand-in for the people at the console: a live ``tenure serve`` on a scratch
SQLite database, set up with its own CLI (users, an agent and its key) and driven through the
console's own form endpoints (grants, reviews) the way a browser posts them."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Dict

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def binary() -> str:
    """The tenure binary under test: TENURE_BIN, this checkout's debug build, or one on PATH."""
    given = os.environ.get("TENURE_BIN")
    if given:
        return given
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "target"))
    built = os.path.join(target, "debug", "tenure")
    if os.path.exists(built):
        return built
    found = shutil.which("tenure")
    if not found:
        raise RuntimeError("set TENURE_BIN to a built tenure (cargo build -p server)")
    return found


@dataclass
class Server:
    binary: str
    base: str
    env: Dict[str, str]
    process: subprocess.Popen
    work: tempfile.TemporaryDirectory
    people: Dict[str, "Person"] = field(default_factory=dict)

    @classmethod
    def start(cls, binary: str) -> "Server":
        work = tempfile.TemporaryDirectory(prefix="tenure-pytest-")
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TENURE_") and k != "DATABASE_URL"}
        env.update(TENURE_DATA_DIR=os.path.join(work.name, "data"), TENURE_BIND=f"127.0.0.1:{port}", TENURE_LOG_LEVEL="warn")
        # The first command creates the database (and prints the first admin's password).
        subprocess.run([binary, "user", "add", "mona", "--role", "manager"], env=env, check=True, capture_output=True, cwd=work.name)
        log = open(os.path.join(work.name, "server.log"), "w")
        process = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work.name)
        server = cls(binary, f"http://127.0.0.1:{port}", env, process, work)
        for _ in range(200):
            try:
                if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                break
            time.sleep(0.1)
        server.stop()
        raise RuntimeError("tenure did not start: " + open(os.path.join(work.name, "server.log")).read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.work.cleanup()

    def cli(self, *args: str) -> str:
        done = subprocess.run([self.binary, *args], env=self.env, check=True, capture_output=True, text=True, cwd=self.work.name)
        return done.stdout

    def agent(self, name: str) -> str:
        """Registers an agent owned by mona; its key."""
        out = self.cli("agent", "add", name, "--owner", "mona", "--purpose", "python client tests")
        found = re.search(r"API key \(shown once\): (\S+)", out)
        assert found, out
        return found.group(1)

    def person(self, name: str, role: str) -> "Person":
        """A signed-in console user with ``role``, past the first password change."""
        if name in self.people:
            return self.people[name]
        if name != "mona":
            self.cli("user", "add", name, "--role", role)
        out = self.cli("user", "reset-password", name)
        found = re.search(r"password[^:]*: (\S+)", out, re.IGNORECASE)
        assert found, out
        person = Person(self.base, name)
        person.sign_in(found.group(1))
        self.people[name] = person
        return person


class Person:
    """A browser session at the console (form posts with the same-origin headers a browser sends)."""

    def __init__(self, base: str, name: str):
        self.base = base
        self.name = name
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=10)

    def post(self, path: str, page: str, form: Dict[str, str]) -> httpx.Response:
        headers = {"Origin": self.base, "Referer": f"{self.base}{page}", "Accept": "text/html"}
        res = self.http.post(path, data=form, headers=headers)
        assert res.status_code in (302, 303), f"{path}: {res.status_code} {res.text[:300]}"
        return res

    def page(self, path: str) -> str:
        res = self.http.get(path, headers={"Accept": "text/html"})
        assert res.status_code == 200, f"{path}: {res.status_code}"
        return res.text

    def sign_in(self, temporary: str) -> None:
        self.post("/api/login", "/login", {"username": self.name, "password": temporary, "next": ""})
        settled = f"{self.name} password for the python tests"
        form = {"current_password": temporary, "new_password": settled, "confirm_password": settled}
        self.post("/api/change_password", "/account/password", form)
        self.post("/api/login", "/login", {"username": self.name, "password": settled, "next": ""})

    def grant(self, agent_id: int, capability: str, tier: str, template: str = "Finance analysis and refunds") -> None:
        html = self.page(f"/agents/{agent_id}")
        group = re.search(r'<optgroup label="' + re.escape(template) + r' \(v\d+\)">(.*?)</optgroup>', html, re.S)
        assert group, f"no {template} in the grant form"
        choice = re.search(r'value="(\d+:' + re.escape(capability) + r')"', group.group(1))
        assert choice, f"no {capability} in {template}"
        self.post("/api/agents/grants/create", f"/agents/{agent_id}", {"agent_id": str(agent_id), "choice": choice.group(1), "tier": tier,
                   "justification": "set up by the python tests without a track record"})

    def review(self, action_id: int, verdict: str) -> None:
        html = self.page(f"/actions/{action_id}")
        found = re.search(r'name="action_hash" value="([0-9a-f]{64})"', html)
        assert found, "the action page offers no review form"
        form = {"id": str(action_id), "action_hash": found.group(1), "verdict": verdict, "comment": "checked by the tests", "back": "/inbox"}
        self.post("/api/inbox/review", "/inbox", form)

    def approve_with(self, action_id: int, params: Dict[str, Any]) -> None:
        """Approves the action with changed params, as the inbox's "Approve with changes" does."""
        html = self.page(f"/actions/{action_id}")
        found = re.search(r'name="action_hash" value="([0-9a-f]{64})"', html)
        assert found, "the action page offers no review form"
        form = {"id": str(action_id), "action_hash": found.group(1), "verdict": "edit", "params": json.dumps(params),
                "comment": "changed by the tests", "back": "/inbox"}
        self.post("/api/inbox/review", "/inbox", form)
