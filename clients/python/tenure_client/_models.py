"""Tenure's answers as typed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional

# Where an agent may go ahead and run the action.
RUNNABLE = frozenset({"allowed", "approved"})
# Where it waits for a person (or a peer agent) to decide.
WAITING = frozenset({"needs_approval", "awaiting_peer"})
# Where it will never run: refused, rejected, expired, or an observer's recommendation.
NOT_RUN = frozenset({"denied", "rejected", "expired", "shadow", "shadow_compared"})


def _time(text: Optional[str]) -> Optional[datetime]:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Action:
    """One action as Tenure answers for it."""

    id: int
    decision: str
    state: str
    rule: str
    tier: Optional[str]
    supervised: bool
    sandbox: bool
    params: Dict[str, Any]
    evidence_hash: str
    expires_at: Optional[datetime] = None
    reversible_until: Optional[datetime] = None
    # What the agent proposed, when a reviewer approved it with changes: ``params`` then holds
    # the approved version, the only one Tenure accepts a result for.
    proposed_params: Optional[Dict[str, Any]] = None
    # The reviewer's change from ``proposed_params`` to ``params`` (RFC 6902 operations).
    edit: Optional[List[Dict[str, Any]]] = None

    @property
    def edited(self) -> bool:
        """A reviewer approved changed params: run ``params``, not what was proposed."""
        return self.proposed_params is not None

    @property
    def runnable(self) -> bool:
        """The agent may execute it now."""
        return self.state in RUNNABLE

    @property
    def waiting(self) -> bool:
        """A person (or a peer agent) has yet to decide."""
        return self.state in WAITING

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "Action":
        return cls(
            id=int(body["id"]),
            decision=str(body["decision"]),
            state=str(body["state"]),
            rule=str(body.get("rule", "")),
            tier=body.get("tier"),
            supervised=bool(body.get("supervised", False)),
            sandbox=bool(body.get("sandbox", False)),
            params=dict(body.get("params") or {}),
            evidence_hash=str(body.get("evidence_hash", "")),
            expires_at=_time(body.get("expires_at")),
            reversible_until=_time(body.get("reversible_until")),
            proposed_params=body.get("proposed_params"),
            edit=body.get("edit"),
        )


@dataclass(frozen=True)
class CapabilityEnvelope:
    """The agent's standing on one capability: see ``GET /v1/envelope``."""

    capability: str
    tier: str
    # What a request within every condition gets now: allowed, needs_approval, shadow or denied.
    within_conditions: str
    rule: str
    escalates_when: List[str]
    min_confidence: Optional[float]
    limits: Dict[str, float]
    max_per_hour: Optional[int]
    left_this_hour: Optional[int]
    approval_expiry_minutes: int
    next_step: Optional[Dict[str, Any]]
    raw: Dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "CapabilityEnvelope":
        within = body.get("within_conditions") or {}
        return cls(
            capability=str(body["capability"]),
            tier=str(body["tier"]),
            within_conditions=str(within.get("decision", "")),
            rule=str(within.get("rule", "")),
            escalates_when=[str(t) for t in body.get("escalates_when") or []],
            min_confidence=body.get("min_confidence"),
            limits={str(lim["param"]): float(lim["max"]) for lim in body.get("limits") or []},
            max_per_hour=body.get("max_per_hour"),
            left_this_hour=body.get("left_this_hour"),
            approval_expiry_minutes=int(body.get("approval_expiry_minutes", 0)),
            next_step=body.get("next_step"),
            raw=body,
        )


@dataclass(frozen=True)
class Envelope:
    """What the calling agent may do, before it asks."""

    agent_id: int
    name: str
    status: str
    sandbox: bool
    capabilities: List[CapabilityEnvelope]

    def capability(self, name: str) -> Optional[CapabilityEnvelope]:
        return next((c for c in self.capabilities if c.capability == name), None)

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "Envelope":
        return cls(
            agent_id=int(body["agent_id"]),
            name=str(body["name"]),
            status=str(body["status"]),
            sandbox=bool(body.get("sandbox", False)),
            capabilities=[CapabilityEnvelope.from_json(c) for c in body.get("capabilities") or []],
        )
