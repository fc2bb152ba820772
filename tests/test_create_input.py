"""orders.create's input limits: control characters, lengths, amount strings, invisible
characters in order ids, and the max_amount guard against paise. All before the network."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from typing import Any

import pytest

from kwikpaisa import Customer, KwikPaisa
from kwikpaisa import _constants as constants
from kwikpaisa._validation import validate_order_fields
from kwikpaisa.testing import Emulator

from .conftest import seeded_emulator
from .readme_examples import doc_text

LIMITS = {
    "customer.name": constants.MAX_CUSTOMER_NAME_LENGTH,
    "customer.email": constants.MAX_EMAIL_LENGTH,
    "customer.phone": constants.MAX_PHONE_LENGTH,
    "note": constants.MAX_NOTE_LENGTH,
    "service_type": constants.MAX_SERVICE_TYPE_LENGTH,
    "return_url": constants.MAX_RETURN_URL_LENGTH,
    "currency": constants.MAX_CURRENCY_LENGTH,
}


def _args(**changes: Any) -> dict[str, Any]:
    customer = {"name": "Ajay", "email": "ajay@example.com", "phone": "9876543210"}
    for field in ("name", "email", "phone"):
        if f"customer.{field}" in changes:
            customer[field] = changes.pop(f"customer.{field}")
    args: dict[str, Any] = {
        "order_id": "ord_new",
        "amount": "105.00",
        "currency": "INR",
        "service_type": "DIGITAL",
        "customer": Customer(**customer),
        "return_url": "https://merchant.example/return",
        "note": "Two notebooks",
    }
    return {**args, **changes}


def _create(emu: Emulator, **changes: Any) -> Any:
    with emu.client() as kp:
        return kp.orders.create(**_args(**changes))


def _longest(field: str, length: int) -> str:
    """A valid value of ``field`` exactly ``length`` characters long."""
    if field == "customer.email":
        return "a" * (length - len("@example.com")) + "@example.com"
    if field == "customer.phone":
        return "+" + "9" * (length - 1)
    if field == "return_url":
        return "https://merchant.example/" + "r" * (length - len("https://merchant.example/"))
    if field == "currency":
        return "INR"
    return "x" * length


@pytest.mark.parametrize("field", sorted(LIMITS))
def test_each_text_field_accepts_its_limit_and_refuses_one_more(field: str) -> None:
    limit = LIMITS[field]
    at_limit = _args(**{field: _longest(field, limit)})
    del at_limit["order_id"], at_limit["amount"]
    validate_order_fields(**at_limit)
    emu = seeded_emulator()
    too_long = _longest(field, limit) + "x"
    with pytest.raises(ValueError, match="characters long") as caught:
        _create(emu, **{field: too_long})
    assert str(caught.value) == (
        f"{field} is {limit + 1} characters long; at most {limit} are accepted: shorten it"
    )
    assert emu.requests_received == 0


@pytest.mark.parametrize("field", sorted(LIMITS))
@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028"])
def test_each_text_field_refuses_control_characters_naming_the_position(
    field: str, char: str
) -> None:
    emu = seeded_emulator()
    value = _longest(field, 10)
    value = value[:2] + char + value[3:]
    with pytest.raises(ValueError, match="control character") as caught:
        _create(emu, **{field: value})
    expected = f"{field} has a control character (U+{ord(char):04X}) at position 2: remove it"
    assert expected in str(caught.value)
    assert emu.requests_received == 0


def test_the_documented_limits_are_the_ones_enforced() -> None:
    table = doc_text("docs/validation.md").split("| field | at most (characters) | also |")[1]
    rows = re.findall(r"^\| `([\w.]+)` \| (\d+) \|", table, re.M)
    assert {field: int(limit) for field, limit in rows} == LIMITS


@pytest.mark.parametrize(
    "amount", ["१०५", "１０", "1_000", " 1", "1 ", "+1", "1e2", "1E2", "0x10", "1.", ".5", "1,000"]
)
def test_amount_strings_are_ascii_digits_only(amount: str) -> None:
    emu = seeded_emulator()
    with pytest.raises(ValueError, match="not a number in rupees") as caught:
        _create(emu, amount=amount)
    assert str(caught.value).startswith(f"amount {amount!r} is not a number in rupees: ")
    assert "write ASCII digits with at most two decimals" in str(caught.value)
    assert emu.requests_received == 0


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200d", "\u200e", "\u202e", "\u2066", "\ufeff", "\u00ad", "\U000e0001"],
    ids=["zwsp", "zwj", "lrm", "rlo", "lri", "bom", "soft-hyphen", "language-tag"],
)
def test_order_ids_refuse_invisible_formatting_characters(char: str) -> None:
    emu = seeded_emulator()
    order_id = f"ord{char}_1"
    with emu.client() as kp, pytest.raises(ValueError, match="invisible") as caught:
        kp.orders.status(order_id)
    assert f"invisible formatting character (U+{ord(char):04X}, " in str(caught.value)
    assert "at position 3" in str(caught.value)

    async def go() -> None:
        async with emu.async_client() as kp:
            await kp.orders.cancel(order_id)

    with pytest.raises(ValueError, match="invisible formatting character"):
        asyncio.run(go())
    with pytest.raises(ValueError, match="invisible formatting character"):
        _create(emu, order_id=order_id)
    assert emu.requests_received == 0


# -- rupees, not paise ---------------------------------------------------------------


def test_max_amount_refuses_an_amount_in_paise_with_a_message_that_says_so() -> None:
    emu = seeded_emulator()
    with emu.client(max_amount=10_000) as kp, pytest.raises(ValueError, match="paise") as caught:
        kp.orders.create(**_args(amount=49900))
    assert str(caught.value) == (
        "amount 49900 is more than this client's max_amount (10000). Amounts are in rupees, "
        "not paise: if 49900 is in paise, pass '499.00'; if the order really is this large, "
        "raise max_amount"
    )
    assert emu.requests_received == 0


def test_max_amount_lets_amounts_up_to_it_through() -> None:
    emu = seeded_emulator()
    with emu.client(max_amount=Decimal("499.00")) as kp:
        kp.orders.create(**_args(amount="499.00"))
        with pytest.raises(ValueError, match="more than this client's max_amount"):
            kp.orders.create(**_args(order_id="ord_more", amount="499.01"))

    async def go() -> None:
        async with emu.async_client(max_amount="499") as kp:
            await kp.orders.create(**_args(order_id="ord_async", amount="500"))

    with pytest.raises(ValueError, match="not paise"):
        asyncio.run(go())
    assert emu.requests_received == 1


def test_without_max_amount_any_amount_goes_through() -> None:
    emu = seeded_emulator()
    with emu.client() as kp:
        assert kp.max_amount is None
        kp.orders.create(**_args(amount=49900))
    record = emu.order("ord_new")
    assert record is not None
    assert record.order_amount == "49900.00"


@pytest.mark.parametrize(
    ("max_amount", "error", "text"),
    [
        (0, ValueError, "max_amount must be greater than zero"),
        ("-5", ValueError, "max_amount must be greater than zero"),
        (1.5, TypeError, "max_amount must be a Decimal, an int or a numeric string, not float"),
        ("ten", ValueError, "max_amount 'ten' is not a number in rupees"),
        (True, TypeError, "not bool"),
    ],
)
def test_a_bad_max_amount_is_refused_when_the_client_is_made(
    max_amount: object, error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=re.escape(text)):
        KwikPaisa("pk_test_x", "sk_test_x", max_amount=max_amount)  # type: ignore[arg-type]


def test_create_says_amounts_are_in_rupees() -> None:
    from kwikpaisa import AsyncKwikPaisa

    doc = " ".join((KwikPaisa("pk_test_x", "sk_test_x").orders.create.__doc__ or "").split())
    assert "``amount`` is in **rupees**, not paise" in doc
    assert "max_amount=" in doc
    assert AsyncKwikPaisa.__init__.__kwdefaults__["max_amount"] is None
    readme = " ".join(doc_text("README.md").split())
    assert "**Amounts are in rupees, not paise**" in readme
