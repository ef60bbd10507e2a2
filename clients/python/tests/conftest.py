import os
import sys
from typing import Iterator

import pytest

# The client under test is this checkout's, installed or not.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from console import Server, binary


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
