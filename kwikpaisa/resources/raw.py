"""``kp.post``: any KwikPaisa operation by path, before the SDK knows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._operation import Operation, Wording

if TYPE_CHECKING:
    from .._operation import CallState

__all__ = ["post_operation", "validate_post"]


def _body(parsed: Any, body: dict[str, Any], call: CallState[dict[str, Any]]) -> dict[str, Any]:
    return body


def _operation(idempotent: bool) -> Operation[dict[str, Any]]:
    lost = (
        "KwikPaisa may have acted on it: repeat the call to confirm"
        if idempotent
        else "KwikPaisa may have acted on it: check before repeating it"
    )
    return Operation(
        name="post",
        spec=None,
        wording=Wording(
            to_do="{subject}",
            the_call="{subject}",
            the_request="{subject}",
            lost_advice=lost,
            server_advice="repeat the call later"
            if idempotent
            else "KwikPaisa may or may not have acted on it: check before repeating it",
        ),
        retry_lost=idempotent,
        read=_body,
    )


_OPERATIONS = {True: _operation(True), False: _operation(False)}


def post_operation(idempotent: bool) -> Operation[dict[str, Any]]:
    """The operation ``kp.post`` runs: lost answers and 5xx retried only if ``idempotent``."""
    return _OPERATIONS[bool(idempotent)]


def validate_post(path: object, body: object) -> None:
    """Refuse, before the network, a path or body ``kp.post`` cannot send as signed."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise ValueError(
            f"path must be an API path such as '/api/v3/pg/order/status', not {path!r}; "
            "the client's base_url supplies the host"
        )
    if "?" in path or "#" in path or any(char.isspace() for char in path):
        raise ValueError(
            f"path {path!r} must be a plain path: no query, fragment or spaces (KwikPaisa "
            "signs only the JSON body)"
        )
    if not isinstance(body, Mapping):
        raise TypeError(f"body must be a dict (a JSON object), not {type(body).__name__}")
