import os
import sys
from typing import Iterator

import pytest

HERE = os.path.dirname(__file__)
# The live server and the console's people come from the Python client's own test harness;
# the client is this checkout's, installed or not.
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "clients", "python", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "clients", "python"))

from console import Server, binary  # noqa: E402


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    s = Server.start(binary())
    yield s
    s.stop()


@pytest.fixture(scope="session")
def mona(server: Server):
    return server.person("mona", "manager")


@pytest.fixture(scope="session")
def rita(server: Server):
    return server.person("rita", "reviewer")
