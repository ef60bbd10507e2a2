"""The fixtures every Python suite against a live Tenure shares (the client's, the LangGraph
example's, the MCP gateway's): one server per session, a manager and a reviewer. A conftest
imports them by name."""

from typing import Iterator

import pytest

from console import Person, Server, binary


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    s = Server.start(binary())
    yield s
    s.stop()


@pytest.fixture(scope="session")
def mona(server: Server) -> Person:
    return server.person("mona", "manager")


@pytest.fixture(scope="session")
def rita(server: Server) -> Person:
    return server.person("rita", "reviewer")
