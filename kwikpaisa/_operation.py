"""What the one request path needs to know about an operation: data, not code.

An :class:`Operation` names its generated endpoint (which builds the request) and
response model (which reads the success answer), how messages speak of it, which
error classes refine the HTTP ones, whether a retry after a lost answer is safe, and
how a parsed success becomes the facade's typed result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

if TYPE_CHECKING:
    from ._call import Call
    from .errors import APIError

__all__ = ["Operation", "Wording"]

R = TypeVar("R")


@attrs.frozen(kw_only=True)
class Wording:
    """How messages name one call. ``{subject}`` is filled with what the call is about
    (``order 'ord_1'``; ``{Subject}`` capitalised), ``{detail}`` with what KwikPaisa said."""

    to_do: str
    """After "Timed out waiting for the answer to": ``"cancel {subject}"``."""
    the_call: str
    """``"the cancel of {subject}"``."""
    the_request: str
    """``"the cancel request for {subject}"`` (400 and 422 messages)."""
    lost_advice: str
    """What to do when the answer was lost after sending: ``"the order may have been
    cancelled: repeat the call to confirm"``."""
    server_advice: str
    """What to do after a 5xx that ended the call."""
    bad_request_advice: str = "check the request's fields"
    not_found: str = "KwikPaisa found nothing for {subject} {detail}"
    """The 404 message."""
    conflict: str = "KwikPaisa reported a conflict for {subject} {detail}"
    """The 409 message; ``{why}`` is ``conflict_reasons`` looked up by the order status
    KwikPaisa named (key ``""`` when it named none)."""
    conflict_reasons: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Operation(Generic[R]):
    """One KwikPaisa operation, as the generic request path sees it."""

    name: str
    """Short name (``"cancel"``), used in logs."""
    endpoint: str | None
    """The generated module under ``kwikpaisa_generated.api`` that builds the request and
    parses the answer (``"order_cancel.cancel_hosted_checkout_order"``); ``None`` for
    :meth:`KwikPaisa.post`, which sends a path and body as given."""
    body_model: str | None
    """The generated request model's class name (``"CancelOrderRequest"``)."""
    response_model: str | None
    """The generated model of the success answer (``"CancelOrderResponse"``), the one the
    endpoint's ``_parse_response`` gives for HTTP 200."""
    wording: Wording
    retry_lost: bool
    """True when repeating a request whose answer was lost (a timeout after sending, a
    broken connection, a 5xx) is safe. Attempts that never reached KwikPaisa, and 429s,
    are always retried."""
    errors: Mapping[int, type[APIError]] = attrs.field(factory=dict)
    """Refinements of the HTTP error classes for this operation (``{404: OrderNotFoundError}``)."""
    read: Callable[[Any, dict[str, Any], Call[R]], R]
    """Turns a success (the generated response model, the whole JSON body, the call)
    into the typed result."""
    after_lost: Callable[[APIError, Call[R]], R | None] | None = None
    """Called with an error that arrived after an earlier attempt may have acted: returns
    the result that earlier attempt achieved, or ``None`` to raise the error."""
