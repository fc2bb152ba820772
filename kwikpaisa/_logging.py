"""The ``kwikpaisa`` logger. ``KWIKPAISA_LOG=debug|info`` turns it on without code.

Log lines carry the method, URL, status, elapsed time, attempt and a masked API key;
never the secret key, never a signature.
"""

from __future__ import annotations

import logging
import os
import warnings

from ._constants import ENV_LOG

__all__ = ["logger", "setup_logging_from_env"]

logger = logging.getLogger("kwikpaisa")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def setup_logging_from_env() -> None:
    """Attach a stderr handler at the level named by ``KWIKPAISA_LOG``, if it is set."""
    value = os.environ.get(ENV_LOG, "").strip().lower()
    level = _LEVELS.get(value)
    if level is None and value and value not in ("off", "0", "none"):
        warnings.warn(
            f"{ENV_LOG}={value!r} is not one of 'debug', 'info' or 'off'; kwikpaisa logging "
            "stays off",
            stacklevel=2,
        )
    if level is None or any(getattr(h, "_kwikpaisa", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._kwikpaisa = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
