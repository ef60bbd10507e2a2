import os
import socket
import subprocess
import sys
import time
from typing import Iterator

import pytest

HERE = os.path.dirname(__file__)
# The live server and the console's people come from the Python client's test harness.
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))

from console import binary  # noqa: E402
from fixtures import mona, rita, server  # noqa: E402,F401  (fixtures, by name)


def gateway_binary() -> str:
    """The tenure-mcp binary under test: TENURE_MCP_BIN, or the build beside tenure's."""
    given = os.environ.get("TENURE_MCP_BIN")
    if given:
        return given
    built = os.path.join(os.path.dirname(binary()), "tenure-mcp")
    if not os.path.exists(built):
        raise RuntimeError("set TENURE_MCP_BIN to a built tenure-mcp (cargo build -p tenure-mcp)")
    return built


@pytest.fixture(scope="session")
def reports_url() -> Iterator[str]:
    """The streamable-HTTP upstream, started once for the session."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "upstream_reports.py"), str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the reports upstream did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(timeout=10)
