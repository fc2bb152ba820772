"""Readers for the string formats KwikPaisa's bodies use, named in the effective spec.

``format: kwikpaisa-datetime`` (``13-05-2026 09:14 AM``: day first, 12-hour clock, no
zone) becomes a timezone-aware ``datetime`` in India Standard Time; ``format: decimal``
(``"105.00"``) becomes a ``Decimal``. A value that cannot be read gives ``None`` (the
text stays in the result's ``raw``). Copied from scripts/templates/facade/ by ``make generate``.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

__all__ = ["IST", "decimal", "kwikpaisa_datetime"]

IST = timezone(timedelta(hours=5, minutes=30), "IST")
"""India Standard Time (Asia/Kolkata, UTC+05:30, no daylight saving): the zone
KwikPaisa's zone-less timestamps are read in."""


def decimal(value: object) -> Decimal | None:
    """A money value (``"105.00"``, ``105``) as a ``Decimal``; ``None`` if unreadable."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def kwikpaisa_datetime(value: object) -> datetime | None:
    """Parse KwikPaisa's day-first ``13-05-2026 09:14 AM`` form into an aware datetime.

    A value without a zone is read as Asia/Kolkata. Anything unparseable gives ``None``.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    usual = _parse_usual_form(value)
    if usual is not None:
        return usual
    # Any other shape: dateutil (imported here, so importing this module stays light).
    from dateutil import parser as date_parser

    try:
        parsed = date_parser.parse(value, dayfirst=True)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=IST)
    return parsed


_USUAL_FORM = re.compile(
    r"\s*(\d{1,2})-(\d{1,2})-(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])\s*",
    re.ASCII,
)


@functools.lru_cache(maxsize=64)
def _parse_usual_form(value: str) -> datetime | None:
    """Fast path for ``13-05-2026 09:14 AM`` (what KwikPaisa sends): no dateutil needed.

    Gives an aware datetime (Asia/Kolkata), or ``None`` for anything else, including
    impossible dates, which dateutil then judges. Cached: answers within the same minute
    carry the same text.
    """
    match = _USUAL_FORM.fullmatch(value)
    if match is None:
        return None
    day, month, year, hour, minute, second, half = match.groups()
    hour12 = int(hour)
    if not 1 <= hour12 <= 12:
        return None
    hour24 = hour12 % 12 + (12 if half.upper() == "PM" else 0)
    try:
        return datetime(
            int(year), int(month), int(day), hour24, int(minute), int(second or 0), tzinfo=IST
        )
    except ValueError:
        return None
