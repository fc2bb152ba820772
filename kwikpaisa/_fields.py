"""Reading the fields of a success answer that money or decisions depend on.

Most fields are read permissively (a missing or odd ``payment_method`` becomes ``None``,
the original stays in ``raw``). An amount or an order status is different: a wrong one
would be acted on. When one cannot be trusted, the reader raises :class:`UnusableField`
naming it, and the answer is reported as unreadable (an ``APIError``), never turned into
a result.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from ._constants import MAX_AMOUNT_INTEGER_DIGITS

__all__ = ["UnusableField", "read_money", "read_status"]

_MONEY = re.compile(rf"[0-9]{{1,{MAX_AMOUNT_INTEGER_DIGITS}}}(?:\.[0-9]{{1,2}})?", re.ASCII)
_SHOWN = 40


class UnusableField(ValueError):
    """A field of a success answer that cannot be trusted; says which and why."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        shown = repr(value) if isinstance(value, str | int | float) else type(value).__name__
        if len(shown) > _SHOWN:
            shown = f"{shown[:_SHOWN]}… ({len(shown)} characters)"
        super().__init__(f"{field} {shown} is not {expected}")
        self.field = field
        """The field's name in KwikPaisa's ``return_data`` (``"order_amount"``)."""


def read_money(value: object, field: str) -> Decimal | None:
    """An amount KwikPaisa sent (``"105.00"``, or a JSON number ``105.5``) as a ``Decimal``,
    ``None`` when absent; :class:`UnusableField` unless it is a finite, non-negative
    decimal with at most two places and at most ``MAX_AMOUNT_INTEGER_DIGITS`` digits
    before the point."""
    if value is None:
        return None
    text: str | None = None
    if isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value) if 0 <= value < 10**MAX_AMOUNT_INTEGER_DIGITS else None
    elif isinstance(value, float) and math.isfinite(value):
        text = repr(value).removesuffix(".0")
    if text is None or not _MONEY.fullmatch(text):
        raise UnusableField(
            field,
            value,
            'an amount: a finite decimal with at most two places (like "105.00")',
        )
    return Decimal(text)


def read_status(value: object, field: str, *, default: str) -> str:
    """An order status (text; ``default`` when absent or empty); :class:`UnusableField`
    when it is not text, or only whitespace."""
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not value.strip():
        raise UnusableField(field, value, 'an order status (text such as "PAID")')
    return value
