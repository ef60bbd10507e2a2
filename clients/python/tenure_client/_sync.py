"""The blocking client."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, Dict, List, Optional, TypeVar

import httpx

from . import _core
from ._errors import StillPending
from ._models import Action, Envelope

F = TypeVar("F", bound=Callable[..., Any])


class Tenure:
    """An agent's connection to Tenure, authenticated with its API key (``tnr_…``, issued in the
    console). Every method raises ``TenureError`` on an error answer."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0, transport: Optional[httpx.BaseTransport] = None):
        self._timeout = timeout
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )
        self._agent_id: Optional[int] = None

    def __enter__(self) -> "Tenure":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: _core.Call) -> Any:
        response = self._http.request(
            call.method, call.path, params=call.query, json=call.body, timeout=self._timeout + call.extra_seconds
        )
        return _core.read(response.status_code, response.text)

    def me(self) -> Dict[str, Any]:
        """Who the key belongs to, and whether the agent is active."""
        me = self._send(_core.Call("GET", "/v1/agents/me"))
        self._agent_id = int(me["id"])
        return me

    def propose(self, capability: str, params: Dict[str, Any], *, confidence: float, reasoning: str = "", **more: Any) -> Action:
        """Asks before acting; the answer says whether to go ahead, wait, or not act."""
        return Action.from_json(self._send(_core.propose_call(capability, params, confidence=confidence, reasoning=reasoning, **more)))

    def get(self, action_id: int) -> Action:
        return Action.from_json(self._send(_core.get_call(action_id)))

    def wait(self, action_id: int, timeout: float = 300.0) -> Action:
        """Waits (long-polling) until a person or peer has decided, or raises ``StillPending``
        after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        action = self.get(action_id)
        while action.waiting:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StillPending(action)
            action = Action.from_json(self._send(_core.get_call(action_id, _core.next_poll(remaining))))
        return action

    def report_result(self, action_id: int, succeeded: bool, *, output: Any = None, undo: Any = None, params: Optional[Dict[str, Any]] = None) -> Action:
        """Reports how executing an allowed or approved action went."""
        return Action.from_json(self._send(_core.result_call(action_id, succeeded, output, undo, params)))

    def report_rollback(self, action_id: int, rolled_back: bool, *, output: Any = None) -> Action:
        """Reports how undoing an action a person asked to roll back went."""
        return Action.from_json(self._send(_core.rollback_call(action_id, rolled_back, output)))

    def rollbacks(self, wait: int = 0) -> List[Dict[str, Any]]:
        """Rollbacks people asked this agent for (long-polls up to ``wait`` seconds for one)."""
        return list(self._send(_core.rollbacks_call(wait))["rollbacks"])

    def envelope(self) -> Envelope:
        """What the agent may do, per capability, before it asks."""
        return Envelope.from_json(self._send(_core.Call("GET", "/v1/envelope")))

    def scorecard(self) -> Dict[str, Any]:
        """The agent's own track record per grant."""
        if self._agent_id is None:
            self.me()
        return self._send(_core.Call("GET", f"/v1/agents/{self._agent_id}/scorecard"))

    def governed(self, capability: str, *, confidence: Optional[float] = None, reasoning: Optional[str] = None, wait: float = 300.0, on_held: Optional[Callable[[Action], Any]] = None) -> Callable[[F], F]:
        """Wraps a tool function: each call is proposed (its arguments become the params), waits
        if held, runs only when allowed or approved, and reports the outcome. A call that is not
        allowed raises ``NotAllowed``; one still undecided after ``wait`` seconds raises
        ``StillPending``. ``on_held`` is called with the action when it is held (to tell
        someone it waits, say). Per call, ``tenure_confidence=`` and ``tenure_reasoning=`` override
        the decorator's."""
        how = _core.Governed(capability, confidence, reasoning, wait)

        def wrap(fn: F) -> F:
            @functools.wraps(fn)
            def governed_call(*args: Any, **kwargs: Any) -> Any:
                call, kwargs = how.request(fn, args, kwargs)
                action = Action.from_json(self._send(call))
                if action.waiting:
                    if on_held is not None:
                        on_held(action)
                    action = self.wait(action.id, how.wait_seconds)
                _core.settled(action)
                run_args, run_kwargs = _core.run_arguments(args, kwargs, action)
                try:
                    out = fn(*run_args, **run_kwargs)
                except Exception as e:
                    self.report_result(action.id, False, output={"error": repr(e)}, params=_core.result_params(action))
                    raise
                self.report_result(action.id, True, output=_core.jsonable(out), params=_core.result_params(action))
                return out

            return governed_call  # type: ignore[return-value]

        return wrap
