"""Checks on caller input, run before anything touches the network."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ._constants import (
    MAX_CURRENCY_LENGTH,
    MAX_CUSTOMER_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_ORDER_ID_LENGTH,
    MAX_PHONE_LENGTH,
    MAX_RETURN_URL_LENGTH,
    MAX_SAFE_INTEGER,
    MAX_SERVICE_TYPE_LENGTH,
)
from ._models import Customer
from .errors import ConfigurationError

__all__ = [
    "OrderId",
    "check_max_amount",
    "validate_amount",
    "validate_credential",
    "validate_max_amount",
    "validate_order_fields",
    "validate_order_id",
]

OrderId = str | int


def validate_order_id(order_id: object) -> OrderId:
    """Return ``order_id`` as a plain ``str`` or ``int``, or raise naming what is wrong.

    The JSON type is kept: KwikPaisa signs the body, so ``"123"`` and ``123`` are
    different requests.
    """
    if order_id is None:
        raise TypeError("order_id is required: pass KwikPaisa's order id as a str or an int")
    if isinstance(order_id, bool) or not isinstance(order_id, str | int):
        raise TypeError(
            f"order_id must be a str or an int, not {type(order_id).__name__}; "
            "pass the id exactly as KwikPaisa issued it"
        )
    if isinstance(order_id, int):
        value = int.__int__(order_id)  # a plain int, whatever a subclass overrides
        if value < 1:
            raise ValueError(f"order_id must be a positive integer, got {value}")
        if value > MAX_SAFE_INTEGER:
            raise ValueError(
                f"order_id {value} is beyond JavaScript's safe integer range (2**53 - 1) "
                f"and may be rounded by KwikPaisa; pass it as a string: '{value}'"
            )
        return value
    text = str.__str__(order_id)  # the value itself: a subclass may override __str__
    if not text.strip():
        raise ValueError("order_id is empty: pass KwikPaisa's order id")
    if len(text) > MAX_ORDER_ID_LENGTH:
        raise ValueError(
            f"order_id is {len(text)} characters long; KwikPaisa order ids are at most "
            f"{MAX_ORDER_ID_LENGTH}"
        )
    if text != text.strip():
        raise ValueError(f"order_id {text!r} has leading or trailing whitespace; strip it first")
    if text.isascii() and text.isprintable():
        return text  # the usual id: nothing below can apply
    for position, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            raise ValueError(
                f"order_id has a lone surrogate (U+{ord(char):04X}) at position {position}; "
                "it is not valid text"
            )
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValueError(
                f"order_id has a control character (U+{ord(char):04X}) at position {position}"
            )
        if category == "Cf":
            raise ValueError(
                f"order_id has an invisible formatting character (U+{ord(char):04X}, "
                f"{unicodedata.name(char, 'unnamed')}) at position {position}: zero-width and "
                "bidi characters make ids that look alike differ; remove it"
            )
    return text


def validate_credential(
    value: object, *, argument: str, variable: str, command_line: bool = False
) -> str:
    """Return a usable credential or raise :class:`ConfigurationError`.

    The message names the argument and environment variable (only the variable for
    the ``command_line``, where there is no argument to pass), never the value.
    """
    name = variable if command_line else argument
    how = (
        f"set the {variable} environment variable (export {variable}=...)"
        if command_line
        else f"pass {argument}=... or set the {variable} environment variable"
    )
    if value is None:
        raise ConfigurationError(f"No {name} given: {how}")
    if not isinstance(value, str):
        raise ConfigurationError(f"{argument} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ConfigurationError(f"{name} is empty: {how}")
    if value != value.strip():
        raise ConfigurationError(
            f"{name} has leading or trailing whitespace; check how {variable} was set"
        )
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        raise ConfigurationError(
            f"{name} contains a control character or line break; check how {variable} was set"
        )
    if any(unicodedata.category(char) == "Cs" for char in value):
        # Not valid text: it cannot be encoded to sign with (nor echoed in an error).
        raise ConfigurationError(
            f"{name} contains a lone surrogate (invalid text); check how {variable} was set"
        )
    if argument == "api_key" and (not value.isascii() or " " in value):
        raise ConfigurationError(
            f"{name} must be printable ASCII without spaces, as KwikPaisa issues it"
        )
    return value


_AMOUNT_TEXT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?", re.ASCII)
_AMOUNT_FORM = (
    "write ASCII digits with at most two decimals, like '105.00' (no sign, spaces, "
    "exponent, '_' or digits of other scripts)"
)


def _amount_from_text(text: str, argument: str) -> Decimal:
    """A string amount: only ``[0-9]+(\\.[0-9]{1,2})?`` in ASCII."""
    if _AMOUNT_TEXT.fullmatch(text):
        return Decimal(text)
    shown = repr(text) if len(text) <= 40 else f"{text[:40]!r}… ({len(text)} characters)"
    if re.fullmatch(r"-[0-9]+(?:\.[0-9]*)?", text, re.ASCII):
        raise ValueError(f"{argument} must be greater than zero, got {text}")
    if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text, re.ASCII):
        raise ValueError(
            f"{argument} {shown} has more than two decimal places; round it to paise first"
        )
    raise ValueError(f"{argument} {shown} is not a number in rupees: {_AMOUNT_FORM}")


def _decimal_amount(amount: object, argument: str) -> Decimal:
    """``amount`` (a ``Decimal``, ``int`` or ASCII numeric string) as a positive ``Decimal``
    with at most two places, or ``TypeError``/``ValueError`` naming ``argument``."""
    if isinstance(amount, float):
        raise TypeError(
            f"{argument} must be a Decimal, an int or a numeric string, not float: floats "
            "cannot hold money exactly; pass Decimal('105.00') or '105.00'"
        )
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(
            f"{argument} must be a Decimal, an int or a numeric string, not {type(amount).__name__}"
        )
    if isinstance(amount, str):
        value = _amount_from_text(str.__str__(amount), argument)
    else:
        value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"{argument} {amount!r} is not a finite number")
    if value <= 0:
        raise ValueError(f"{argument} must be greater than zero, got {value}")
    try:
        in_paise = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        in_paise = None
    if in_paise is not None and in_paise != value:
        raise ValueError(
            f"{argument} {value} has more than two decimal places; round it to paise first"
        )
    return value


def validate_amount(amount: object) -> float:
    """Return ``amount`` (in rupees) as the JSON number to send, or raise naming what is wrong.

    Takes a ``Decimal``, an ``int`` or a numeric string (ASCII digits, at most two
    decimals: ``"105.00"``), never a ``float`` (binary fractions are not money). It must
    be positive with at most two decimal places, and small enough that a JSON number
    carries it exactly (the signature is computed over JavaScript's text for it: ``105``,
    ``105.5``).
    """
    value = _decimal_amount(amount, "amount")
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ValueError(f"amount {value} is too large to send exactly as a JSON number")
    return number


def check_max_amount(number: float, max_amount: Decimal | None) -> None:
    """Refuse an amount (as :func:`validate_amount` returned it) above the client's
    ``max_amount``, with a message about paise: the usual reason for such an amount."""
    if max_amount is None:  # the default: nothing to compare
        return
    value = Decimal(repr(number))
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))  # 49900, not 49900.0
    if value > max_amount:
        raise ValueError(
            f"amount {value} is more than this client's max_amount ({max_amount}). Amounts are "
            f"in rupees, not paise: if {value} is in paise, pass '{value / 100:.2f}'; if the "
            "order really is this large, raise max_amount"
        )


def validate_max_amount(max_amount: object) -> Decimal | None:
    """A client's ``max_amount`` setting as a ``Decimal`` (``None``: no limit)."""
    if max_amount is None:
        return None
    return _decimal_amount(max_amount, "max_amount")


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9]{8,15}")
# Unicode categories Cc, Cs, Zl and Zp (controls, lone surrogates, line and paragraph
# separators), as one character class: one scan of the text, not a lookup per character.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _text(value: object, argument: str, limit: int, *, required: bool = True) -> str:
    """A text field: a ``str`` of at most ``limit`` characters, without control characters
    or line breaks, and (when ``required``) not empty."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(
            f"{argument} is {len(value)} characters long; at most {limit} are accepted: shorten it"
        )
    unsafe = _UNSAFE.search(value)
    if unsafe is not None:
        raise ValueError(
            f"{argument} has a control character (U+{ord(unsafe.group()):04X}) at position "
            f"{unsafe.start()}: remove it (line breaks and tabs included)"
        )
    if required and not value.strip():
        raise ValueError(f"{argument} is empty")
    if value != value.strip():
        raise ValueError(f"{argument} {value!r} has leading or trailing whitespace; strip it first")
    return value


def validate_order_fields(
    *, currency: object, service_type: object, customer: object, return_url: object, note: object
) -> None:
    """Check ``orders.create``'s other arguments (as strictly as KwikPaisa's guide needs,
    within the lengths in ``_constants``)."""
    if not re.fullmatch(r"[A-Z]{3}", _text(currency, "currency", MAX_CURRENCY_LENGTH)):
        raise ValueError(
            f"currency must be a three-letter ISO code in capitals, e.g. 'INR', not {currency!r}"
        )
    _text(service_type, "service_type", MAX_SERVICE_TYPE_LENGTH)
    if not isinstance(customer, Customer):
        raise TypeError(
            "customer must be a kwikpaisa.Customer(name=..., email=..., phone=...), "
            f"not {type(customer).__name__}"
        )
    _text(customer.name, "customer.name", MAX_CUSTOMER_NAME_LENGTH)
    if not _EMAIL.fullmatch(_text(customer.email, "customer.email", MAX_EMAIL_LENGTH)):
        raise ValueError(f"customer.email {customer.email!r} is not an email address")
    if not _PHONE.fullmatch(_text(customer.phone, "customer.phone", MAX_PHONE_LENGTH)):
        raise ValueError(
            f"customer.phone {customer.phone!r} must be 8 to 15 digits, optionally after a "
            "'+', with no spaces or dashes"
        )
    url = _text(return_url, "return_url", MAX_RETURN_URL_LENGTH)
    if not re.match(r"https?://[^/\s?#]+", url) or any(char.isspace() for char in url):
        raise ValueError(
            f"return_url {url!r} must be an absolute http(s) URL, e.g. "
            "'https://merchant.example/return'"
        )
    if note is not None:
        _text(note, "note", MAX_NOTE_LENGTH, required=False)
