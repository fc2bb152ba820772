"""What the one request path needs to know about an operation: data, not code.

An :class:`Operation` wraps the generated :class:`~kwikpaisa_generated.operations.OperationSpec`
(which builds the request and reads the success into the operation's typed result) with
the policy its ``x-kwikpaisa`` extension declares in openapi.overlay.yaml: how messages
speak of it, which error classes refine the HTTP ones, whether a retry after a lost
answer is safe. An operation ``kwikpaisa`` writes by hand adds hooks, attached by name:
``read`` (the generated result to the facade's) and ``after_lost``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import attrs

from kwikpaisa_generated.operations import OperationSpec

from ._validation import validate_order_id
from .errors import APIError, refinement

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CallState",
    "Operation",
    "Wording",
    "generic_operation",
    "hand_written_operation",
    "operation_for",
]

R = TypeVar("R")
G = TypeVar("G")


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


def _wording(spec: OperationSpec[Any]) -> Wording:
    """The spec's ``x-kwikpaisa.wording`` over defaults that fit any operation."""
    name = spec.name.replace("_", " ")
    safe = spec.retry_lost
    defaults: dict[str, Any] = {
        "to_do": f"{name} {{subject}}",
        "the_call": f"the {name} request for {{subject}}",
        "the_request": f"the {name} request for {{subject}}",
        "lost_advice": "KwikPaisa may have acted on it: "
        + ("repeat the call to confirm" if safe else "check before repeating it"),
        "server_advice": "repeat the call later"
        if safe
        else "KwikPaisa may or may not have acted on it: check before repeating it",
    }
    return Wording(**{**defaults, **spec.wording})


class CallState(Protocol[R]):
    """One call in progress, as an operation's hooks and the reading of an answer
    (``_response``) see it. :class:`~kwikpaisa._call.Call` is the one implementation; this
    protocol keeps the layers one-way: an operation is data the call reads, never the reverse."""

    @property
    def operation(self) -> Operation[R]: ...

    @property
    def order_id(self) -> str | int | None:
        """The order the call is about (``None`` for ``kp.post``)."""

    @property
    def attempts(self) -> int:
        """Attempts started so far."""

    @property
    def url(self) -> str | None:
        """Where the request is sent."""

    def describe(self, template: str, **values: str) -> str:
        """``template`` with the operation's phrases and the call's subject filled in."""

    def parse_success(self, body: Any) -> Any:
        """The generated response model of a success."""

    def masked_request(self) -> httpx.Request | None:
        """A copy of the request being sent, secrets masked."""


@attrs.frozen(kw_only=True)
class Operation(Generic[R]):
    """One KwikPaisa operation, as the generic request path sees it."""

    name: str
    """Short name (``"cancel"``), used in logs."""
    spec: OperationSpec[Any] | None
    """The generated operation (request builder, success reader); ``None`` for
    :meth:`KwikPaisa.post`, which sends a path and body as given."""
    wording: Wording
    retry_lost: bool
    """True when repeating a request whose answer was lost (a timeout after sending, a
    broken connection, a 5xx) is safe. Attempts that never reached KwikPaisa, and 429s,
    are always retried."""
    errors: Mapping[int, type[APIError]] = attrs.field(factory=dict)
    """Refinements of the HTTP error classes for this operation (``{404: OrderNotFoundError}``)."""
    read: Callable[[Any, dict[str, Any], CallState[R]], R]
    """Turns a success (the parsed success model, the whole JSON body, the call) into
    the typed result."""
    after_lost: Callable[[APIError, CallState[R]], R | None] | None = None
    """Called with an error that arrived after an earlier attempt may have acted: returns
    the result that earlier attempt achieved, or ``None`` to raise the error."""


def generic_operation(spec: OperationSpec[R]) -> Operation[R]:
    """The operation for a generated method: the spec's own result, policy and wording."""

    def read(parsed: Any, body: dict[str, Any], call: CallState[R]) -> R:
        return spec.read(parsed, body, call.attempts)

    return Operation(
        name=spec.name,
        spec=spec,
        wording=_wording(spec),
        retry_lost=spec.retry_lost,
        errors={status: refinement(name) for status, name in spec.errors.items()},
        read=read,
    )


def hand_written_operation(
    spec: OperationSpec[G],
    *,
    read: Callable[[G, CallState[R]], R],
    after_lost: Callable[[APIError, CallState[R]], R | None] | None = None,
) -> Operation[R]:
    """The operation for a method ``kwikpaisa`` writes: the spec's policy, with ``read``
    turning the generated result into the facade's, and the ``after_lost`` hook."""

    def read_success(parsed: Any, body: dict[str, Any], call: CallState[R]) -> R:
        return read(spec.read(parsed, body, call.attempts), call)

    generic: Operation[Any] = generic_operation(spec)
    return attrs.evolve(generic, read=read_success, after_lost=after_lost)


_GENERIC: dict[tuple[str, str], Operation[Any]] = {}


def operation_for(
    spec: OperationSpec[R], body: Any
) -> tuple[Operation[R], dict[str, Any], str | int | None]:
    """A generated method's call: its operation, the body's fields (as JSON), and the order
    it is about (an ``order_id`` field, checked like every order id; else ``None``)."""
    key = (spec.resource, spec.name)
    operation = _GENERIC.get(key)
    if operation is None or operation.spec is not spec:
        operation = _GENERIC[key] = generic_operation(spec)
    fields: dict[str, Any] = {} if body is None else body.to_dict()
    order_id = None
    if "order_id" in fields:
        order_id = fields["order_id"] = validate_order_id(fields["order_id"])
    return operation, fields, order_id
