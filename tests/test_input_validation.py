"""Bad input is refused before any request, with a message that names the problem."""

from __future__ import annotations

import asyncio
import enum
from decimal import Decimal
from typing import Any

import pytest

from kwikpaisa import AsyncKwikPaisa, ConfigurationError, KwikPaisa, OrderNotFoundError
from kwikpaisa.testing import Emulator

from .conftest import seeded_emulator

BAD_ORDER_IDS: list[tuple[object, type[Exception], str]] = [
    (None, TypeError, "order_id is required"),
    (True, TypeError, "order_id must be a str or an int, not bool"),
    (False, TypeError, "not bool"),
    (12.0, TypeError, "not float"),
    (float("nan"), TypeError, "not float"),
    (Decimal("12"), TypeError, "not Decimal"),
    (["ord_1"], TypeError, "not list"),
    ({"order_id": "ord_1"}, TypeError, "not dict"),
    (b"ord_1", TypeError, "not bytes"),
    ("", ValueError, "order_id is empty"),
    ("   ", ValueError, "order_id is empty"),
    ("\t\n", ValueError, "order_id is empty"),
    (" ord_1", ValueError, "leading or trailing whitespace"),
    ("ord_1\u00a0", ValueError, "leading or trailing whitespace"),
    ("ord\n1", ValueError, "control character (U+000A) at position 3"),
    ("ord\x001", ValueError, "control character (U+0000) at position 3"),
    ("ord_1\x7f", ValueError, "control character (U+007F) at position 5"),
    ("ord\r\nX-Evil: 1", ValueError, "control character (U+000D)"),
    ("ord_\ud800", ValueError, "lone surrogate (U+D800) at position 4"),
    ("\udfffx", ValueError, "lone surrogate (U+DFFF) at position 0"),
    ("x" * 129, ValueError, "129 characters long; KwikPaisa order ids are at most 128"),
    ("x" * 1_000_000, ValueError, "1000000 characters long"),
    (0, ValueError, "order_id must be a positive integer, got 0"),
    (-1, ValueError, "order_id must be a positive integer, got -1"),
    (-(2**63), ValueError, "positive integer"),
    (2**53, ValueError, "beyond JavaScript's safe integer range (2**53 - 1)"),
    (2**64, ValueError, "pass it as a string: '18446744073709551616'"),
]


@pytest.mark.parametrize(
    ("order_id", "error", "phrase"),
    BAD_ORDER_IDS,
    ids=[f"{type(v).__name__}-{i}" for i, (v, _, _) in enumerate(BAD_ORDER_IDS)],
)
def test_bad_order_id_is_refused_before_any_request(
    order_id: object, error: type[Exception], phrase: str, emulator: Emulator, kp: KwikPaisa
) -> None:
    with pytest.raises(error) as caught:
        kp.orders.cancel(order_id)  # type: ignore[arg-type]
    assert type(caught.value) is error
    assert phrase in str(caught.value)
    assert emulator.requests_received == 0


@pytest.mark.parametrize(
    ("order_id", "error", "phrase"),
    [BAD_ORDER_IDS[i] for i in (0, 1, 9, 14, 18, 20, 22, 25)],
)
def test_async_bad_order_id_is_refused_before_any_request(
    order_id: object, error: type[Exception], phrase: str, emulator: Emulator
) -> None:
    async def go() -> None:
        async with emulator.async_client() as kp:
            await kp.orders.cancel(order_id)

    with pytest.raises(error, match=None) as caught:
        asyncio.run(go())
    assert phrase in str(caught.value)
    assert emulator.requests_received == 0


def test_advice_for_big_integers_gives_the_string_to_pass(kp: KwikPaisa) -> None:
    with pytest.raises(ValueError, match="may be rounded") as caught:
        kp.orders.cancel(9007199254740993)
    assert "'9007199254740993'" in str(caught.value)


def test_long_id_message_does_not_echo_the_id(kp: KwikPaisa) -> None:
    with pytest.raises(ValueError, match="5000 characters long") as caught:
        kp.orders.cancel("y" * 5000)
    assert "yyyy" not in str(caught.value)


@pytest.mark.parametrize(
    "order_id",
    [1, 2**53 - 1, "x", "x" * 128, "ORD-ß-注文-🧾", "a b", "6116229263036"],
    ids=["one", "max-safe", "one-char", "128-chars", "unicode", "inner-space", "digits"],
)
def test_edge_but_valid_order_ids_reach_the_emulator(
    order_id: str | int, emulator: Emulator, kp: KwikPaisa
) -> None:
    emulator.add_order(order_id)
    order = kp.orders.cancel(order_id)
    assert order.order_id == order_id
    assert type(order.order_id) is type(order_id)
    assert emulator.cancel_count(order_id) == 1


def test_int_and_str_subclasses_are_sent_as_plain_json(emulator: Emulator, kp: KwikPaisa) -> None:
    class Code(enum.IntEnum):
        FIRST = 6116229263036

    class Text(str):
        def __str__(self) -> str:
            return "not-this"

    class Named(str, enum.Enum):  # noqa: UP042 (str() of this is "Named.ORDER", a common trap)
        ORDER = "ord_named"

    class Odd(int):
        def __int__(self) -> int:
            return 1

    order = kp.orders.cancel(Code.FIRST)
    assert order.order_id == 6116229263036
    assert type(order.order_id) is int
    emulator.add_order("ord_sub")
    order = kp.orders.cancel(Text("ord_sub"))
    assert order.order_id == "ord_sub"
    assert type(order.order_id) is str
    assert emulator.cancel_count("ord_sub") == 1
    emulator.add_order("ord_named")
    assert kp.orders.cancel(Named.ORDER).order_id == "ord_named"
    assert emulator.cancel_count("ord_named") == 1
    emulator.add_order(77)
    assert kp.orders.cancel(Odd(77)).order_id == 77
    assert emulator.cancel_count(77) == 1


def test_an_unknown_but_valid_id_is_asked_about(kp: KwikPaisa, emulator: Emulator) -> None:
    with pytest.raises(OrderNotFoundError):
        kp.orders.cancel("ord_unknown")
    assert emulator.requests_received == 1


# -- credentials -------------------------------------------------------------------

BAD_CREDENTIALS: list[tuple[str, str, str]] = [
    ("api_key", "", "api_key is empty"),
    ("api_key", "   ", "api_key is empty"),
    ("api_key", "pk_test_abc\n", "leading or trailing whitespace"),
    ("api_key", "pk_test_abc\r\nX-Evil: yes", "control character or line break"),
    ("api_key", "pk_test_\x00abc", "control character or line break"),
    ("api_key", "pk_test_ab c", "printable ASCII without spaces"),
    ("api_key", "pk_test_ключ", "printable ASCII without spaces"),
    ("api_key", "pk_test_a\u2028b", "control character or line break"),
    ("secret_key", "", "secret_key is empty"),
    ("secret_key", "\t", "secret_key is empty"),
    ("secret_key", " sk_test_abc", "leading or trailing whitespace"),
    ("secret_key", "sk_test_abc\nX-Evil: yes", "control character or line break"),
    ("secret_key", "sk_test_\x1babc", "control character or line break"),
    ("secret_key", "sk_test_\ud800abc", "lone surrogate"),
]


@pytest.mark.parametrize(("argument", "value", "phrase"), BAD_CREDENTIALS)
def test_bad_credentials_are_configuration_errors_that_do_not_echo_them(
    argument: str, value: str, phrase: str
) -> None:
    given = {"api_key": "pk_test_fine", "secret_key": "sk_test_fine", argument: value}
    for cls in (KwikPaisa, AsyncKwikPaisa):
        with pytest.raises(ConfigurationError) as caught:
            cls(**given)
        text = str(caught.value)
        assert phrase in text
        assert argument in text
        if value.strip():
            assert value.strip() not in text
            assert value not in repr(caught.value)
        assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("argument", "value", "phrase"),
    # The environment cannot hold NUL or lone surrogates.
    [c for c in BAD_CREDENTIALS if "\x00" not in c[1] and "\ud800" not in c[1]],
)
def test_bad_credentials_from_the_environment(
    argument: str, value: str, phrase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = {"api_key": "KWIKPAISA_API_KEY", "secret_key": "KWIKPAISA_SECRET_KEY"}[argument]
    monkeypatch.setenv("KWIKPAISA_API_KEY", "pk_test_fine")
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", "sk_test_fine")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        KwikPaisa()
    assert phrase in str(caught.value)
    if phrase.startswith(("control", "leading")):
        assert variable in str(caught.value)
    if value.strip():
        assert value.strip() not in str(caught.value)


@pytest.mark.parametrize("argument", ["api_key", "secret_key"])
@pytest.mark.parametrize("value", [b"pk_test_bytes", 12345, ["k"]])
def test_credentials_must_be_strings(argument: str, value: Any) -> None:
    given = {"api_key": "pk_test_fine", "secret_key": "sk_test_fine", argument: value}
    with pytest.raises(ConfigurationError, match=f"{argument} must be a string, not"):
        KwikPaisa(**given)


@pytest.mark.parametrize("argument", ["api_key", "secret_key"])
def test_missing_credentials_say_where_to_put_them(argument: str) -> None:
    given = {"api_key": "pk_test_fine", "secret_key": "sk_test_fine"}
    del given[argument]
    with pytest.raises(ConfigurationError) as caught:
        KwikPaisa(**given)
    assert f"pass {argument}=..." in str(caught.value)
    assert f"KWIKPAISA_{argument.upper()}" in str(caught.value)


def test_non_ascii_secret_is_signed_as_utf8() -> None:
    emu = seeded_emulator(secret_key="sk_test_गुप्त_ключ")
    with emu.client() as kp:
        assert kp.orders.cancel("ord_1").status == "CANCELLED"
