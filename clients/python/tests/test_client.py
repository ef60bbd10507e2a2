"""The client against a live Tenure: what a tool wrapped with ``governed`` does when it is
allowed, held, approved, rejected, left undecided or fails; errors as exceptions with the API's
code; the envelope, the scorecard and a rollback; the asyncio client."""

import asyncio
import itertools
import threading
import time

import pytest

from tenure_client import AsyncTenure, NotAllowed, StillPending, Tenure, TenureError

REPORT = "finance.report.generate"
_names = itertools.count(1)


def agent(server, mona, capability: str, tier: str, template: str = "Finance analysis and refunds") -> Tenure:
    """A new agent granted ``capability`` at ``tier``; its client."""
    key = server.agent(f"py-agent-{next(_names)}")
    client = Tenure(server.base, key)
    mona.grant(client.me()["id"], capability, tier, template)
    return client


def decide_later(person, verdict: str, seconds: float, threads: list):
    """An ``on_held`` hook: the person decides the held action ``seconds`` later."""

    def held(action):
        def run():
            time.sleep(seconds)
            person.review(action.id, verdict)

        t = threading.Thread(target=run)
        t.start()
        threads.append((t, action.id))

    return held


def test_an_allowed_call_runs_once_and_is_reported(server, mona):
    client = agent(server, mona, REPORT, "executor")
    calls = []

    @client.governed(REPORT, confidence=0.9, reasoning="month end")
    def generate(period: str, accounts=("sales",)):
        calls.append((period, accounts))
        return {"rows": 12}

    assert generate("2026-11") == {"rows": 12}
    assert calls == [("2026-11", ("sales",))]
    [card] = client.scorecard()["scorecards"]
    assert card["all_time"]["counts"]["proposals"] == 1
    assert card["all_time"]["counts"]["executed_ok"] == 1


def test_a_held_call_waits_for_the_reviewer_and_then_runs(server, mona, rita):
    client = agent(server, mona, REPORT, "contributor")
    threads: list = []
    ran = []

    @client.governed(REPORT, confidence=0.9, on_held=decide_later(rita, "approve", 1.0, threads))
    def generate(period: str):
        ran.append(period)
        return "done"

    started = time.monotonic()
    assert generate("2026-10") == "done"
    [(t, action_id)] = threads
    t.join()
    assert ran == ["2026-10"]
    assert time.monotonic() - started >= 1.0, "it ran only after the approval"
    assert client.get(action_id).state == "final"


def test_a_call_approved_with_changes_runs_with_the_approved_params(server, mona, rita):
    client = agent(server, mona, REPORT, "contributor")
    threads: list = []
    ran = []

    def held(action):
        def run():
            time.sleep(0.5)
            rita.approve_with(action.id, {"period": "2026-10-corrected"})

        t = threading.Thread(target=run)
        t.start()
        threads.append(t)

    @client.governed(REPORT, confidence=0.9, on_held=held)
    def generate(period: str):
        ran.append(period)
        return "done"

    assert generate("2026-10") == "done"
    threads[0].join()
    assert ran == ["2026-10-corrected"], "the function ran with what the reviewer approved, not its own call"
    [card] = client.scorecard()["scorecards"]
    assert card["all_time"]["counts"]["edited"] == 1


def test_a_rejected_call_never_runs(server, mona, rita):
    client = agent(server, mona, REPORT, "contributor")
    threads: list = []
    ran = []

    @client.governed(REPORT, confidence=0.9, on_held=decide_later(rita, "reject", 0.2, threads))
    def generate(period: str):
        ran.append(period)

    with pytest.raises(NotAllowed) as refused:
        generate("2026-09")
    threads[0][0].join()
    assert refused.value.action.state == "rejected"
    assert ran == []


def test_an_undecided_call_can_be_waited_for_again_by_its_id(server, mona, rita):
    client = agent(server, mona, REPORT, "contributor")

    @client.governed(REPORT, confidence=0.9, wait=1)
    def generate(period: str):
        return period

    with pytest.raises(StillPending) as pending:
        generate("2026-08")
    action = pending.value.action
    assert action.state == "needs_approval" and action.expires_at is not None
    rita.review(action.id, "approve")
    assert client.wait(action.id, timeout=10).state == "approved"


def test_a_failing_tool_is_reported_as_a_failed_execution(server, mona):
    client = agent(server, mona, REPORT, "executor")

    @client.governed(REPORT, confidence=0.9)
    def generate(period: str):
        raise RuntimeError("ledger unavailable")

    with pytest.raises(RuntimeError, match="ledger unavailable"):
        generate("2026-07")
    [card] = client.scorecard()["scorecards"]
    assert card["all_time"]["counts"]["failed"] == 1


def test_an_observer_is_only_recorded_and_its_tool_does_not_run(server, mona):
    client = agent(server, mona, REPORT, "observer")
    ran = []

    @client.governed(REPORT, confidence=0.9)
    def generate(period: str):
        ran.append(period)

    with pytest.raises(NotAllowed) as refused:
        generate("2026-06")
    assert refused.value.action.decision == "shadow"
    assert ran == []


def test_errors_carry_the_api_code_and_field(server, mona):
    with Tenure(server.base, "tnr_nonsense") as stranger:
        with pytest.raises(TenureError) as e:
            stranger.envelope()
    assert (e.value.status, e.value.code) == (401, "unauthenticated")
    client = agent(server, mona, REPORT, "executor")
    with pytest.raises(TenureError) as e:
        client.propose(REPORT, {"period": "2026-05"}, confidence=2.0)
    assert (e.value.status, e.value.field) == (422, "confidence")
    with pytest.raises(TenureError) as e:
        client.propose(REPORT, {}, confidence=0.9)
    assert e.value.status == 422 and e.value.field == "params", e.value
    with pytest.raises(TypeError, match="tenure_confidence"):
        client.governed(REPORT)(lambda period: period)("2026-05")


def test_the_envelope_says_what_a_request_would_get(server, mona):
    client = agent(server, mona, REPORT, "executor")
    envelope = client.envelope()
    report = envelope.capability(REPORT)
    assert report is not None and envelope.status == "active"
    assert (report.tier, report.within_conditions) == ("executor", "allowed")
    assert report.escalates_when == ["confidence below 0.6"]
    assert report.next_step is None
    junior = agent(server, mona, REPORT, "contributor").envelope().capability(REPORT)
    assert junior is not None and junior.within_conditions == "needs_approval"
    assert junior.next_step is not None and junior.next_step["to"] == "executor"


def test_a_rollback_a_person_asks_for_is_reported(server, mona):
    client = agent(server, mona, "support.ticket.close", "executor", template="Support replies")
    action = client.propose("support.ticket.close", {"ticket_id": "T-9"}, confidence=0.95)
    assert action.runnable
    done = client.report_result(action.id, True, output={"closed": True}, undo={"reopen": "T-9"})
    assert done.state == "reversible" and done.reversible_until is not None
    mona.post("/api/actions/rollback", f"/actions/{action.id}", {"id": str(action.id), "reason": "closed too early", "back": "/"})
    [asked] = client.rollbacks(wait=5)
    assert (asked["action_id"], asked["undo"], asked["reason"]) == (action.id, {"reopen": "T-9"}, "closed too early")
    assert client.report_rollback(action.id, True, output={"reopened": True}).state == "rolled_back"


def test_the_async_client_governs_coroutines(server, mona):
    key = server.agent(f"py-agent-{next(_names)}")
    mona.grant(Tenure(server.base, key).me()["id"], REPORT, "executor")

    async def main():
        async with AsyncTenure(server.base, key) as client:

            @client.governed(REPORT, confidence=0.8)
            async def generate(period: str):
                await asyncio.sleep(0)
                return f"report {period}"

            results = await asyncio.gather(generate("2026-01"), generate("2026-02"))
            envelope = await client.envelope()
            card = (await client.scorecard())["scorecards"][0]
            return results, envelope, card

    results, envelope, card = asyncio.run(main())
    assert results == ["report 2026-01", "report 2026-02"]
    assert envelope.capability(REPORT).within_conditions == "allowed"
    assert card["all_time"]["counts"]["executed_ok"] == 2
