"""The MCP gateway in a real MCP session: a client (the Python MCP SDK) talks to tenure-mcp on
stdio, which fronts two FastMCP servers — one it starts on stdio, one on streamable HTTP — and
asks a live Tenure before each call. Reviewers decide through the console's forms."""

import asyncio
import itertools
import json
import os
import re
import sys
import threading

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import HERE, gateway_binary
from tenure_client import Tenure

_names = itertools.count(1)


class World:
    """Two agents (refunds at contributor, reports at executor) and the gateway's config."""

    def __init__(self, server, mona, reports_url, tmp_path):
        self.ledger = tmp_path / "ledger.jsonl"
        n = next(_names)
        self.payments_key = server.agent(f"mcp-payments-{n}")
        self.reports_key = server.agent(f"mcp-reports-{n}")
        self.payments = Tenure(server.base, self.payments_key)
        self.reports = Tenure(server.base, self.reports_key)
        mona.grant(self.payments.me()["id"], "finance.refund.issue", "contributor")
        mona.grant(self.reports.me()["id"], "finance.report.generate", "executor")
        self.config = tmp_path / "gateway.toml"
        self.config.write_text(f"""
tenure_url = "{server.base}"
hold_seconds = 3
progress_every_seconds = 1
state_file = {json.dumps(str(tmp_path / "gateway-state.json"))}

[[upstream]]
name = "payments"
command = [{json.dumps(sys.executable)}, {json.dumps(os.path.join(HERE, "upstream_payments.py"))}]
env = {{ REFUND_LEDGER = {json.dumps(str(self.ledger))} }}
agent_key_env = "PAYMENTS_AGENT_KEY"
confidence = 0.95

[upstream.tools.issue_refund]
capability = "finance.refund.issue"
params = {{ order_id = "order", amount = "amount", currency = "currency" }}

[[upstream]]
name = "reports"
url = "{reports_url}"
agent_key = "{self.reports_key}"

[upstream.tools.generate_report]
capability = "finance.report.generate"

[upstream.tools.generate_broken_report]
capability = "finance.report.generate"
""")

    def ledger_lines(self):
        return [json.loads(l) for l in self.ledger.read_text().splitlines()] if self.ledger.exists() else []

    def counts(self, client):
        [card] = client.scorecard()["scorecards"]
        return card["all_time"]["counts"]

    async def session(self, scenario):
        env = dict(os.environ, PAYMENTS_AGENT_KEY=self.payments_key, TENURE_MCP_LOG="warn")
        params = StdioServerParameters(command=gateway_binary(), args=["--config", str(self.config)], env=env)
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await scenario(session)

    def run(self, scenario):
        return asyncio.run(self.session(scenario))


@pytest.fixture
def world(server, mona, reports_url, tmp_path):
    return World(server, mona, reports_url, tmp_path)


def tenure(result):
    """What the gateway made of the call: its Tenure action, in the result's ``_meta``."""
    return (result.meta or {})["tenure/action"]


def text(result):
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def decide_on_progress(person, verdict, seen):
    """A progress callback: the reviewer decides the action the first notification names."""

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))
        if len(seen) == 1:
            action_id = int(re.search(r"action (\d+)", message).group(1))
            await asyncio.to_thread(person.review, action_id, verdict)

    return on_progress


REFUND = {"order": "A-1001", "amount": 40, "currency": "EUR"}


def test_the_gateway_serves_its_upstreams_tools(world):
    async def scenario(session):
        return {t.name for t in (await session.list_tools()).tools}

    assert world.run(scenario) == {"issue_refund", "generate_report", "generate_broken_report", "export_ledger"}


def test_an_allowed_call_runs_upstream_and_is_reported(world):
    async def scenario(session):
        return await session.call_tool("generate_report", {"period": "2026-11"})

    result = world.run(scenario)
    assert not result.isError, text(result)
    assert json.loads(text(result)) == {"period": "2026-11", "rows": 12}
    assert result.structuredContent == {"period": "2026-11", "rows": 12}, "the upstream's own result, as it was"
    assert tenure(result)["status"] in ("reversible", "final")
    counts = world.counts(world.reports)
    assert (counts["proposals"], counts["allowed"], counts["executed_ok"]) == (1, 1, 1)


def test_a_held_call_waits_with_progress_until_the_reviewer_approves(world, rita):
    seen = []

    async def scenario(session):
        return await session.call_tool("issue_refund", REFUND, progress_callback=decide_on_progress(rita, "approve", seen))

    result = world.run(scenario)
    assert not result.isError, text(result)
    assert text(result) == "refunded 40.0 EUR on A-1001"
    assert world.payments.get(tenure(result)["action_id"]).state == tenure(result)["status"]
    assert world.ledger_lines() == [REFUND | {"amount": 40.0}]
    assert seen and seen[0][1] == 3.0 and "waiting for a person" in seen[0][2], seen
    counts = world.counts(world.payments)
    assert (counts["escalated"], counts["approved"], counts["executed_ok"]) == (1, 1, 1)


def test_a_call_held_past_the_hold_answers_pending_and_the_same_call_picks_up_the_decision(world, rita):
    async def scenario(session):
        first = await session.call_tool("issue_refund", REFUND)
        pending = tenure(first)
        assert (first.isError, pending["status"]) == (True, "pending"), text(first)
        assert world.ledger_lines() == [], "nothing ran while undecided"
        await asyncio.to_thread(rita.review, pending["action_id"], "approve")
        # The same call, its arguments in another order.
        second = await session.call_tool("issue_refund", {"currency": "EUR", "amount": 40, "order": "A-1001"})
        return pending, first, second

    pending, first, second = world.run(scenario)
    assert f"action {pending['action_id']}" in text(first)
    assert not second.isError, text(second)
    assert world.ledger_lines() == [REFUND | {"amount": 40.0}]
    counts = world.counts(world.payments)
    assert (counts["proposals"], counts["executed_ok"]) == (1, 1), "the retry asked no second time"
    assert world.payments.get(pending["action_id"]).state in ("awaiting_confirmation", "reversible", "final")


def test_a_restarted_gateway_still_picks_up_the_decision_of_a_pending_call(world, rita):
    async def first(session):
        return await session.call_tool("issue_refund", REFUND)

    pending = tenure(world.run(first))
    assert pending["status"] == "pending"
    # The gateway process has ended with the session; the reviewer approves meanwhile.
    rita.review(pending["action_id"], "approve")

    async def second(session):
        return await session.call_tool("issue_refund", REFUND)

    result = world.run(second)
    assert not result.isError, text(result)
    assert tenure(result)["action_id"] == pending["action_id"]
    assert world.ledger_lines() == [REFUND | {"amount": 40.0}]
    assert world.counts(world.payments)["proposals"] == 1, "the restarted gateway asked no second time"


def test_a_rejected_call_is_a_tool_error_and_never_runs(world, rita):
    async def scenario(session):
        return await session.call_tool("issue_refund", REFUND, progress_callback=decide_on_progress(rita, "reject", []))

    result = world.run(scenario)
    assert result.isError
    detail = tenure(result)
    assert detail["status"] == "rejected"
    assert f"action {detail['action_id']}" in text(result) and "rejected" in text(result)
    assert world.ledger_lines() == []


def test_a_denied_call_is_a_tool_error_with_the_reason(world):
    async def scenario(session):
        return await session.call_tool("export_ledger", {"period": "2026-11"})

    result = world.run(scenario)
    assert result.isError
    detail = tenure(result)
    assert detail["status"] == "denied" and detail["reason"], detail
    assert "Tenure refused" in text(result) and detail["reason"] in text(result)


def test_an_upstream_failure_is_reported_as_a_failed_execution(world):
    async def scenario(session):
        return await session.call_tool("generate_broken_report", {"period": "2026-10"})

    result = world.run(scenario)
    assert result.isError
    assert "unreachable" in text(result), text(result)
    counts = world.counts(world.reports)
    assert (counts["allowed"], counts["executed_ok"], counts["failed"]) == (1, 0, 1)


def test_when_tenure_cannot_be_asked_nothing_runs(world, tmp_path):
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    world.config.write_text(re.sub(r'tenure_url = "[^"]+"', f'tenure_url = "http://127.0.0.1:{closed}"', world.config.read_text()))

    async def scenario(session):
        return await session.call_tool("issue_refund", REFUND)

    result = world.run(scenario)
    assert result.isError
    assert tenure(result)["code"] == "unreachable"
    assert "could not be cleared with Tenure" in text(result)
    assert world.ledger_lines() == [], "fails closed"


def test_check_lists_each_tool_with_its_capability_and_a_bad_file_names_the_key(world, tmp_path):
    import subprocess

    env = dict(os.environ, PAYMENTS_AGENT_KEY=world.payments_key)
    done = subprocess.run([gateway_binary(), "--config", str(world.config), "check"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "issue_refund → finance.refund.issue (upstream 'payments')" in done.stdout
    assert "export_ledger → export_ledger (upstream 'reports')" in done.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text(world.config.read_text().replace("hold_seconds = 3", "hold_seconds = 0"))
    done = subprocess.run([gateway_binary(), "--config", str(bad), "check"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "hold_seconds: must be 1 to 3600" in done.stderr

    unset = {k: v for k, v in env.items() if k != "PAYMENTS_AGENT_KEY"}
    done = subprocess.run([gateway_binary(), "--config", str(world.config), "check"], env=unset, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "upstream 'payments': the environment variable PAYMENTS_AGENT_KEY is not set" in done.stderr
