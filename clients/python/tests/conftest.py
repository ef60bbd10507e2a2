import os
import shutil
import sys
from typing import Iterator

import pytest

# The client under test is this checkout's, installed or not.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from console import Server


def _binary() -> str:
    given = os.environ.get("TENURE_BIN")
    if given:
        return given
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "target"))
    built = os.path.join(target, "debug", "tenure")
    if os.path.exists(built):
        return built
    found = shutil.which("tenure")
    if not found:
        pytest.exit("set TENURE_BIN to a built tenure (cargo build -p server)", returncode=2)
    return found


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    s = Server.start(_binary())
    yield s
    s.stop()


@pytest.fixture(scope="session")
def mona(server: Server):
    return server.person("mona", "manager")


@pytest.fixture(scope="session")
def rita(server: Server):
    return server.person("rita", "reviewer")
