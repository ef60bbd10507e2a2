"""A LangGraph agent whose tool calls go through Tenure.

The graph works a queue of refund tickets with scripted tool calls (no LLM). Each refund is
proposed to Tenure first. When Tenure holds it for a person, the graph pauses with LangGraph's
``interrupt`` and the process may exit: the SQLite checkpointer keeps the graph's state on disk.
``resume`` (in a later process, after a restart) asks Tenure for the reviewer's decision and
continues the graph from where it stopped: an approved refund runs and its outcome is reported,
a rejected one never runs.

    python refund_agent.py run    --thread T --tickets tickets.json
    python refund_agent.py resume --thread T [--wait SECONDS]

Settings come from the environment: TENURE_URL, TENURE_API_KEY, and optionally
REFUND_CHECKPOINTS (the checkpoint database, default ``checkpoints.sqlite``) and REFUND_LEDGER
(the file standing in for the payment system, default ``ledger.jsonl``).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from typing import Any, Dict, List, Optional, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from tenure_client import StillPending, Tenure

CAPABILITY = "finance.refund.issue"


class Ticket(TypedDict):
    order_id: str
    amount: float
    currency: str
    reason: str


class State(TypedDict, total=False):
    tickets: List[Ticket]
    # The ticket being worked on.
    index: int
    # The action Tenure answered for it: id, state and decision.
    action: Optional[Dict[str, Any]]
    # One line per ticket: what became of it.
    results: List[Dict[str, Any]]


def issue_refund(ledger: str, order_id: str, amount: float, currency: str, reason: str = "") -> Dict[str, Any]:
    """The tool: the payment system's refund, here one line appended to a ledger file."""
    entry = {"order_id": order_id, "amount": amount, "currency": currency, "reason": reason}
    with open(ledger, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
    return {"refunded": amount, "currency": currency}


def build(tenure: Tenure, ledger: str, thread: str) -> StateGraph:
    def plan(state: State) -> State:
        """The scripted stand-in for a model: one refund call per ticket, in order."""
        return {"index": 0, "action": None, "results": []}

    def ask(state: State) -> State:
        """Proposes the next refund. The idempotency key makes a re-run of this step (a crash
        before its checkpoint was written) get the same action instead of a second one."""
        ticket = state["tickets"][state["index"]]
        action = tenure.propose(
            CAPABILITY,
            dict(ticket),
            confidence=0.95,
            reasoning=f"customer ticket: {ticket['reason']}",
            task_ref=f"{thread}/ticket-{state['index']}",
            idempotency_key=f"{thread}:{state['index']}",
        )
        return {"action": {"id": action.id, "state": action.state, "decision": action.decision}}

    def await_decision(state: State) -> State:
        """Pauses the graph while a person decides. On resume this node runs again from the top:
        ``interrupt`` then returns the resume value, and the decision is read from Tenure."""
        action = state["action"] or {}
        if action.get("state") not in ("needs_approval", "awaiting_peer"):
            return {}
        interrupt({"action_id": action["id"], "capability": CAPABILITY, "waiting_for": "a reviewer in Tenure's inbox"})
        decided = tenure.get(action["id"])
        return {"action": {"id": decided.id, "state": decided.state, "decision": decided.decision}}

    def act(state: State) -> State:
        """Runs the refund only when Tenure allowed or a person approved it, and reports the outcome."""
        ticket = state["tickets"][state["index"]]
        action = state["action"] or {}
        line: Dict[str, Any] = {"order_id": ticket["order_id"], "action_id": action.get("id")}
        params: Dict[str, Any] = dict(ticket)
        if action.get("state") in ("allowed", "approved"):
            # Tenure's word, not the checkpoint's: after a crash between reporting and the
            # checkpoint, the action has moved on and the refund must not run twice.
            current = tenure.get(action["id"])
            action["state"] = current.state
            # A reviewer may have approved it with changes: only the approved params may run.
            params = dict(current.params)
        if action.get("state") in ("allowed", "approved"):
            try:
                out = issue_refund(ledger, **params)
            except Exception as e:  # the payment system failed: Tenure is told, the ticket says so
                tenure.report_result(action["id"], False, output={"error": repr(e)}, params=params)
                line["outcome"] = "failed"
            else:
                tenure.report_result(action["id"], True, output=out, params=params)
                line["outcome"] = "refunded"
        elif action.get("state") in ("awaiting_confirmation", "reversible", "final", "failed"):
            line["outcome"] = f"already reported: {action.get('state')}"
        else:
            line["outcome"] = f"not refunded: {action.get('state')}"
        return {"results": state["results"] + [line], "index": state["index"] + 1, "action": None}

    def more(state: State) -> str:
        return "ask" if state["index"] < len(state["tickets"]) else END

    graph = StateGraph(State)
    graph.add_node("plan", plan)
    graph.add_node("ask", ask)
    graph.add_node("await_decision", await_decision)
    graph.add_node("act", act)
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", more, ["ask", END])
    graph.add_edge("ask", "await_decision")
    graph.add_edge("await_decision", "act")
    graph.add_conditional_edges("act", more, ["ask", END])
    return graph


def report(graph: Any, config: Dict[str, Any]) -> Dict[str, Any]:
    """Where the thread stands: interrupted on an action, or done with its results."""
    snapshot = graph.get_state(config)
    waiting = [i.value for task in snapshot.tasks for i in task.interrupts]
    if waiting:
        return {"status": "interrupted", "action_id": waiting[0]["action_id"], "results": snapshot.values.get("results", [])}
    return {"status": "done", "results": snapshot.values.get("results", [])}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start a thread on a file of tickets")
    run.add_argument("--thread", required=True)
    run.add_argument("--tickets", required=True, help="a JSON file: a list of {order_id, amount, currency, reason}")
    resume = sub.add_parser("resume", help="continue a paused thread once its action is decided")
    resume.add_argument("--thread", required=True)
    resume.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the decision (default 60)")
    args = parser.parse_args(argv)

    url, key = os.environ.get("TENURE_URL"), os.environ.get("TENURE_API_KEY")
    if not url or not key:
        print("set TENURE_URL and TENURE_API_KEY (the agent's key from the console)", file=sys.stderr)
        return 2
    ledger = os.environ.get("REFUND_LEDGER", "ledger.jsonl")
    connection = sqlite3.connect(os.environ.get("REFUND_CHECKPOINTS", "checkpoints.sqlite"), check_same_thread=False)
    config = {"configurable": {"thread_id": args.thread}}
    with Tenure(url, key) as tenure:
        graph = build(tenure, ledger, args.thread).compile(checkpointer=SqliteSaver(connection))
        if args.command == "run":
            if graph.get_state(config).values:
                print(f"thread {args.thread} already exists: resume it instead", file=sys.stderr)
                return 2
            with open(args.tickets, encoding="utf-8") as f:
                tickets = json.load(f)
            graph.invoke({"tickets": tickets}, config)
        else:
            where = report(graph, config)
            if where["status"] != "interrupted":
                print(json.dumps(where))
                return 0
            try:
                decided = tenure.wait(where["action_id"], timeout=args.wait)
            except StillPending as pending:
                print(json.dumps({"status": "still_waiting", "action_id": pending.action.id}))
                return 0
            graph.invoke(Command(resume=decided.state), config)
        print(json.dumps(report(graph, config)))
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
