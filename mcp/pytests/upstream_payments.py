"""An existing MCP server to put behind the gateway (stdio): refunds, written to a ledger file
(REFUND_LEDGER) that stands in for the payment system."""

import json
import os

from mcp.server.fastmcp import FastMCP

server = FastMCP("payments")


@server.tool()
def issue_refund(order: str, amount: float, currency: str) -> str:
    """Refund (part of) a customer's payment."""
    with open(os.environ["REFUND_LEDGER"], "a", encoding="utf-8") as f:
        f.write(json.dumps({"order": order, "amount": amount, "currency": currency}) + "\n")
    return f"refunded {amount} {currency} on {order}"


if __name__ == "__main__":
    server.run("stdio")
