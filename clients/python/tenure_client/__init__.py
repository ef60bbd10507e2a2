"""A client for Tenure's agent API: ask before acting, wait for a person when held, report
what happened — sync (``Tenure``) and asyncio (``AsyncTenure``), on httpx."""

from ._async import AsyncTenure
from ._errors import NotAllowed, StillPending, TenureError
from ._models import Action, CapabilityEnvelope, Envelope
from ._sync import Tenure

__all__ = [
    "Action",
    "AsyncTenure",
    "CapabilityEnvelope",
    "Envelope",
    "NotAllowed",
    "StillPending",
    "Tenure",
    "TenureError",
]
