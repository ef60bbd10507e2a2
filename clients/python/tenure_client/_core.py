"""What the sync and async clients share: the requests they send, how answers are read, and
what a governed call does after each answer. No I/O here."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from ._errors import NotAllowed, TenureError
from ._models import NOT_RUN, Action

# The longest a single long-poll asks the server to wait; a longer wait is several of them.
LONG_POLL_SECONDS = 25


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: Optional[Dict[str, Any]] = None
    body: Optional[Dict[str, Any]] = None
    # Seconds the server may take (a long-poll's wait), beyond the client's usual timeout.
    extra_seconds: float = 0.0


def propose_call(
    capability: str,
    params: Dict[str, Any],
    *,
    confidence: float,
    reasoning: str = "",
    inputs: Optional[Dict[str, Any]] = None,
    alternatives: Optional[list] = None,
    task_ref: str = "",
    idempotency_key: Optional[str] = None,
) -> Call:
    body: Dict[str, Any] = {
        "capability": capability,
        "params": params,
        "reasoning": reasoning,
        "confidence": confidence,
        "inputs": inputs or {},
        "alternatives": alternatives or [],
        "task_ref": task_ref,
    }
    if idempotency_key is not None:
        body["idempotency_key"] = idempotency_key
    return Call("POST", "/v1/actions", body=body)


def get_call(action_id: int, wait_seconds: int = 0) -> Call:
    query = {"wait": wait_seconds} if wait_seconds > 0 else None
    return Call("GET", f"/v1/actions/{int(action_id)}", query=query, extra_seconds=wait_seconds)


def result_call(
    action_id: int,
    succeeded: bool,
    output: Any = None,
    undo: Any = None,
    params: Optional[Dict[str, Any]] = None,
) -> Call:
    body: Dict[str, Any] = {"status": "succeeded" if succeeded else "failed", "output": output, "undo": undo}
    if params is not None:
        body["params"] = params
    return Call("POST", f"/v1/actions/{int(action_id)}/result", body=body)


def rollback_call(action_id: int, rolled_back: bool, output: Any = None) -> Call:
    body = {"status": "rolled_back" if rolled_back else "failed", "output": output}
    return Call("POST", f"/v1/actions/{int(action_id)}/rollback-result", body=body)


def rollbacks_call(wait_seconds: int = 0) -> Call:
    query = {"wait": wait_seconds} if wait_seconds > 0 else None
    return Call("GET", "/v1/rollbacks", query=query, extra_seconds=wait_seconds)


def read(status: int, text: str) -> Any:
    """The JSON body of a successful answer; otherwise the API's error as a ``TenureError``."""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = text
    if 200 <= status < 300:
        return body
    raise TenureError.from_response(status, body)


def next_poll(remaining: float) -> int:
    """Seconds for the next long-poll of a wait with ``remaining`` seconds left (at least 1)."""
    return max(1, min(LONG_POLL_SECONDS, int(remaining)))


def settled(action: Action) -> Action:
    """An action that will not run raises ``NotAllowed``; a runnable one is returned."""
    if action.state in NOT_RUN or not (action.runnable or action.waiting):
        raise NotAllowed(action)
    return action


def jsonable(value: Any) -> Any:
    """The value itself when it is JSON, else its ``repr`` (a report must be JSON)."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def run_arguments(args: Tuple[Any, ...], kwargs: Dict[str, Any], action: Any) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
    """The arguments a governed function runs with: its own, unless a reviewer approved the
    call with changes, when it runs with the approved params (by name) and nothing else."""
    if getattr(action, "edited", False):
        return (), dict(action.params)
    return args, kwargs


def result_params(action: Any) -> Optional[Dict[str, Any]]:
    """The params a report names: the approved ones after an edit (Tenure checks the binding)."""
    return dict(action.params) if getattr(action, "edited", False) else None


@dataclass(frozen=True)
class Governed:
    """How a governed function's call becomes a request."""

    capability: str
    confidence: Optional[float]
    reasoning: Optional[str]
    wait_seconds: float

    def request(self, fn: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[Call, Dict[str, Any]]:
        """The proposal for one call (its arguments by name become the params), and the
        keyword arguments left for the function itself."""
        kwargs = dict(kwargs)
        confidence = kwargs.pop("tenure_confidence", self.confidence)
        reasoning = kwargs.pop("tenure_reasoning", self.reasoning)
        if confidence is None:
            raise TypeError(f"{fn.__name__}: say how confident the agent is (tenure_confidence=0.0–1.0)")
        bound = inspect.signature(fn).bind(*args, **kwargs)
        bound.apply_defaults()
        params = {name: jsonable(value) for name, value in bound.arguments.items()}
        call = propose_call(self.capability, params, confidence=float(confidence), reasoning=reasoning or "")
        return call, kwargs
