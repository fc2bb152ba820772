"""Exit codes: one per error family, so scripts can branch without parsing text."""

from __future__ import annotations

import enum

from ..errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    EndpointNotFoundError,
    KwikPaisaError,
    NotFoundError,
    PermissionDeniedError,
    WebhookVerificationError,
)

__all__ = ["ExitCode", "exit_code_for"]


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # an unexpected error, or a batch with failed orders
    USAGE = 2  # bad arguments or input (argparse uses 2 as well)
    CONFIGURATION = 3  # missing or unusable credentials / settings (a wrong base URL too)
    CONNECTION = 4  # no answer from KwikPaisa (network, timeout, redirect)
    AUTHENTICATION = 5  # 401 / 403: keys, signature, clock, environment
    NOT_FOUND = 6  # 404: no such order
    NOT_CANCELLABLE = 7  # 409: not cancellable (paid, cancelled, expired), or already exists
    API_ERROR = 8  # any other error answer (400, 422, 429, 5xx)
    VERIFICATION = 9  # a webhook or signature that does not verify


_TABLE: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (ConfigurationError, ExitCode.CONFIGURATION),
    # A 404 that is not KwikPaisa's answer: a wrong base URL, not a missing order.
    (EndpointNotFoundError, ExitCode.CONFIGURATION),
    (APIConnectionError, ExitCode.CONNECTION),
    (AuthenticationError, ExitCode.AUTHENTICATION),
    (PermissionDeniedError, ExitCode.AUTHENTICATION),
    (NotFoundError, ExitCode.NOT_FOUND),
    (ConflictError, ExitCode.NOT_CANCELLABLE),
    (APIError, ExitCode.API_ERROR),
    (WebhookVerificationError, ExitCode.VERIFICATION),
    (KwikPaisaError, ExitCode.FAILURE),
    (ValueError, ExitCode.USAGE),
    (TypeError, ExitCode.USAGE),
)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for an error raised while running a command."""
    for cls, code in _TABLE:
        if isinstance(error, cls):
            return code
    return ExitCode.FAILURE
