"""The LangGraph example end to end against a live Tenure: each step of the agent is its own
process, as after a restart, so everything it knows between steps comes from its SQLite
checkpointer and from Tenure."""

import itertools
import json
import os
import subprocess
import sys

from tenure_client import Tenure

HERE = os.path.dirname(__file__)
AGENT = os.path.join(HERE, "..", "refund_agent.py")
CLIENT = os.path.join(HERE, "..", "..", "..", "clients", "python")
REFUND = "finance.refund.issue"
_names = itertools.count(1)

TICKETS = [
    {"order_id": "A-1001", "amount": 40.0, "currency": "EUR", "reason": "parcel arrived damaged"},
    {"order_id": "A-1002", "amount": 180.0, "currency": "EUR", "reason": "charged twice"},
]


class Agent:
    """The example agent's command line, run in a fresh process each time."""

    def __init__(self, server, key, work):
        self.env = dict(os.environ)
        self.env.update(
            TENURE_URL=server.base,
            TENURE_API_KEY=key,
            REFUND_CHECKPOINTS=str(work / "checkpoints.sqlite"),
            REFUND_LEDGER=str(work / "ledger.jsonl"),
            PYTHONPATH=os.pathsep.join(filter(None, [CLIENT, os.environ.get("PYTHONPATH")])),
        )
        self.work = work
        self.tickets = work / "tickets.json"
        self.tickets.write_text(json.dumps(TICKETS))

    def __call__(self, *args):
        done = subprocess.run([sys.executable, AGENT, *args], env=self.env, cwd=self.work, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def ledger(self):
        path = self.work / "ledger.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def refund_agent(server, mona, tmp_path):
    key = server.agent(f"langgraph-refunds-{next(_names)}")
    client = Tenure(server.base, key)
    mona.grant(client.me()["id"], REFUND, "contributor")
    return Agent(server, key, tmp_path), client


def test_held_refunds_pause_the_graph_and_resume_after_the_reviewer_decides(server, mona, rita, tmp_path):
    agent, client = refund_agent(server, mona, tmp_path)

    first = agent("run", "--thread", "t-1", "--tickets", str(agent.tickets))
    assert first["status"] == "interrupted"
    assert agent.ledger() == [], "nothing is refunded while the reviewer has not decided"
    assert client.get(first["action_id"]).state == "needs_approval"

    rita.review(first["action_id"], "approve")
    second = agent("resume", "--thread", "t-1")
    assert agent.ledger() == [TICKETS[0]], "the approved refund ran once, after the restart"
    assert second["status"] == "interrupted" and second["action_id"] != first["action_id"]
    assert second["results"] == [{"order_id": "A-1001", "action_id": first["action_id"], "outcome": "refunded"}]
    assert client.get(first["action_id"]).state in ("awaiting_confirmation", "reversible", "final")

    rita.review(second["action_id"], "reject")
    done = agent("resume", "--thread", "t-1")
    assert done["status"] == "done"
    assert done["results"][1] == {"order_id": "A-1002", "action_id": second["action_id"], "outcome": "not refunded: rejected"}
    assert agent.ledger() == [TICKETS[0]], "the rejected refund never ran"

    again = agent("resume", "--thread", "t-1")
    assert again == done, "resuming a finished thread changes nothing"
    [card] = client.scorecard()["scorecards"]
    assert card["all_time"]["counts"]["proposals"] == 2


def test_resuming_before_a_decision_keeps_the_graph_paused_on_the_same_action(server, mona, rita, tmp_path):
    agent, client = refund_agent(server, mona, tmp_path)
    first = agent("run", "--thread", "t-2", "--tickets", str(agent.tickets))

    early = agent("resume", "--thread", "t-2", "--wait", "1")
    assert early == {"status": "still_waiting", "action_id": first["action_id"]}
    assert agent.ledger() == []
    [card] = client.scorecard()["scorecards"]
    assert card["all_time"]["counts"]["proposals"] == 1, "waiting proposed nothing new"

    rita.review(first["action_id"], "approve")
    later = agent("resume", "--thread", "t-2")
    assert later["results"][0]["outcome"] == "refunded"
    assert agent.ledger() == [TICKETS[0]]


def test_a_thread_is_started_once(server, mona, tmp_path):
    agent, _ = refund_agent(server, mona, tmp_path)
    agent("run", "--thread", "t-3", "--tickets", str(agent.tickets))
    again = subprocess.run(
        [sys.executable, AGENT, "run", "--thread", "t-3", "--tickets", str(agent.tickets)],
        env=agent.env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 2
    assert "already exists" in again.stderr
