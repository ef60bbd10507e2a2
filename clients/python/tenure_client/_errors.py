"""What goes wrong, as exceptions carrying the API's error code."""

from __future__ import annotations

from typing import Any, Optional


class TenureError(Exception):
    """An answer from Tenure that is not a success: ``status`` is the HTTP status, ``code`` the
    API's error code (``unauthenticated``, ``invalid``, ``conflict``, ...), ``field`` the request
    field it is about, when one is."""

    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None):
        super().__init__(f"{status} {code}: {message}" + (f" (field {field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    @classmethod
    def from_response(cls, status: int, body: Any) -> "TenureError":
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls(status, "unexpected", f"an answer without an error body: {body!r}"[:500])
        return cls(status, str(error.get("code", "unexpected")), str(error.get("message", "")), error.get("field"))


class NotAllowed(Exception):
    """A governed call that did not run: refused, rejected, expired, or only recorded as an
    observer's recommendation. ``action`` is Tenure's answer (its ``rule`` says why)."""

    def __init__(self, action: "Action"):  # noqa: F821 (defined in _models)
        super().__init__(f"action {action.id} was not allowed: {action.state} ({action.rule})")
        self.action = action


class StillPending(Exception):
    """Nobody decided within the wait. The same action can be waited for again by its id."""

    def __init__(self, action: "Action"):  # noqa: F821
        super().__init__(f"action {action.id} is still {action.state}; wait for it again by its id")
        self.action = action
