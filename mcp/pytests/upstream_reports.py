"""An existing MCP server to put behind the gateway (streamable HTTP on the port given as the
first argument): reports, one of which always fails."""

import sys
from typing import TypedDict

from mcp.server.fastmcp import FastMCP

server = FastMCP("reports", host="127.0.0.1", port=int(sys.argv[1]))


class Report(TypedDict):
    period: str
    rows: int


@server.tool()
def generate_report(period: str) -> Report:
    """Generate the finance report of a period (structured, with an output schema)."""
    return {"period": period, "rows": 12}


@server.tool()
def generate_broken_report(period: str) -> Report:
    """A report whose data source is down."""
    raise RuntimeError(f"the ledger database for {period} is unreachable")


@server.tool()
def export_ledger(period: str) -> str:
    """Export the whole ledger of a period (no agent is granted this)."""
    return f"ledger {period}"


if __name__ == "__main__":
    server.run("streamable-http")
