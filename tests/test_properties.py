"""Property tests (hypothesis): canonical JSON, order ids end to end, robust answer reading.

Each property runs ``KWIKPAISA_HYPOTHESIS_EXAMPLES`` examples (default 50); raise it
for a deeper search, e.g. ``KWIKPAISA_HYPOTHESIS_EXAMPLES=2000 make test``.
"""

from __future__ import annotations

import json
import os
import re
from email.utils import formatdate
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kwikpaisa import APIError, AuthenticationError, CancelledOrder, RateLimitError
from kwikpaisa._call import Call
from kwikpaisa._constants import MAX_ORDER_ID_LENGTH, MAX_SAFE_INTEGER
from kwikpaisa._retry import calculate_retry_delay, parse_retry_after
from kwikpaisa._validation import validate_order_id
from kwikpaisa.resources.orders import CANCEL
from kwikpaisa.signing import _js_key_order, canonical_payload
from kwikpaisa.testing import Emulator

from .conftest import interpret_cancel
from .hostile_bodies import HOSTILE_BODIES

EXAMPLES = int(os.environ.get("KWIKPAISA_HYPOTHESIS_EXAMPLES", "50"))
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

SAFE = 2**53

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-SAFE, SAFE)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)

# Order ids the SDK accepts: printable text (no control characters, no surrogates, no
# invisible formatting characters, no leading/trailing whitespace) up to 128 characters,
# and integers 1 .. 2**53 - 1.
valid_text_ids = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Cf")),
    min_size=1,
    max_size=MAX_ORDER_ID_LENGTH,
).filter(lambda s: s.strip() == s and bool(s))
valid_order_ids = st.integers(1, MAX_SAFE_INTEGER) | valid_text_ids


def _objects_have_sorted_keys(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    # JavaScript's order: array-index keys numerically, then UTF-16 code unit order.
    keys = [key for key, _ in pairs]
    assert keys == sorted(keys, key=_js_key_order), keys
    return pairs


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *_strings(item)]]
    return []


@PROFILE
@given(json_values)
def test_canonical_form_is_stable(value: Any) -> None:
    canonical = canonical_payload(value)
    assert canonical_payload(json.loads(canonical)) == canonical


@PROFILE
@given(json_values)
def test_canonical_form_parses_back_to_an_equal_object(value: Any) -> None:
    # JSON numbers are doubles to KwikPaisa (JavaScript): 1.0 is written 1, 1e20 as digits.
    assert json.loads(canonical_payload(value), parse_int=float) == value


@PROFILE
@given(json_values)
def test_canonical_form_is_sorted_compact_utf8_with_slashes_unescaped(value: Any) -> None:
    canonical = canonical_payload(value)
    text = canonical.decode("utf-8")
    json.loads(text, object_pairs_hook=_objects_have_sorted_keys)
    # "/" is never escaped: the text holds exactly the slashes of the strings in value.
    assert text.count("/") == sum(s.count("/") for s in _strings(value))
    # Compact: outside string literals there is no whitespace at all.
    assert not re.search(r"\s", re.sub(r'"(?:[^"\\]|\\.)*"', '""', text))


@PROFILE
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=8))
def test_canonical_form_ignores_key_order(value: dict[str, Any]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert canonical_payload(reordered) == canonical_payload(value)


@PROFILE
@given(valid_order_ids)
def test_valid_order_ids_are_accepted_end_to_end(order_id: str | int) -> None:
    emu = Emulator()
    emu.add_order(order_id)
    with emu.client(max_retries=0) as kp:
        order = kp.orders.cancel(order_id)
    assert isinstance(order, CancelledOrder)
    assert order.order_id == order_id
    assert type(order.order_id) is type(order_id)
    assert order.raw["code"] == "200"
    assert emu.cancel_count(order_id) == 1
    assert emu.requests_received == 1


@PROFILE
@given(
    st.text(min_size=1, max_size=40),
    st.sampled_from(
        ["\x00", "\n", "\r", "\x1b", "\x7f", "\x85", "\ud800", "\udc00", "\u200b", "\u202e"]
    ),
    st.data(),
)
def test_ids_with_control_characters_or_surrogates_are_refused(
    text: str, bad: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(text)))
    order_id = "x" + text[:position] + bad + text[position:] + "x"
    with pytest.raises(
        ValueError,
        match=r"order_id has (a control character|a lone surrogate|an invisible formatting)",
    ):
        validate_order_id(order_id)


@PROFILE
@given(st.integers(max_value=0) | st.integers(min_value=MAX_SAFE_INTEGER + 1))
def test_out_of_range_integers_are_refused(order_id: int) -> None:
    with pytest.raises(ValueError, match=str(order_id)):
        validate_order_id(order_id)


@PROFILE
@given(st.integers(1, 50), st.floats(0, 1))
def test_backoff_stays_within_its_bounds(retry: int, rand: float) -> None:
    delay = calculate_retry_delay(retry, None, rand=lambda: rand)
    full = min(0.5 * 2 ** (retry - 1), 8.0)
    assert full * 0.75 <= delay <= full


@PROFILE
@given(st.floats(0, 10**6, allow_nan=False) | st.integers(0, 10**6))
def test_retry_after_seconds_are_read_and_capped(seconds: float) -> None:
    parsed = parse_retry_after(str(seconds))
    assert parsed == float(seconds)
    assert calculate_retry_delay(1, parsed) == min(float(seconds), 60.0)


@PROFILE
@given(st.integers(0, 86_400 * 365))
def test_retry_after_dates_are_read(ahead: int) -> None:
    now = 1_800_000_000.0
    assert parse_retry_after(formatdate(now + ahead, usegmt=True), now=lambda: now) == ahead


# -- reading any answer never crashes ----------------------------------------------------

bodies = (
    st.binary(max_size=200)
    | st.sampled_from(sorted(HOSTILE_BODIES.values()))
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries(
        {},
        optional={
            "status": st.sampled_from(["success", "failed", False, True, None, "SUCCESS"])
            | scalars,
            "code": st.sampled_from([200, "200", 401, "409", 500, "x", None, True]) | scalars,
            "message": scalars,
            "return_data": json_values
            | st.fixed_dictionaries(
                {},
                optional={
                    "order_id": scalars,
                    "order_status": scalars,
                    "order_amount": scalars | st.sampled_from(["105.00", "1e400", "NaN"]),
                    "cancelled_at": st.text(max_size=30) | scalars,
                },
            ),
        },
    ).map(lambda v: json.dumps(v).encode())
)
header_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40
)


@PROFILE
@given(
    st.integers(100, 599),
    bodies,
    st.fixed_dictionaries({}, optional={"date": header_values, "retry-after": header_values}),
    st.integers(1, 5),
)
def test_any_answer_is_read_into_a_result_or_an_error(
    status: int, body: bytes, headers: dict[str, str], attempts: int
) -> None:
    outcome = interpret_cancel(
        status, headers, body, order_id="ord_1", attempts=attempts
    )
    assert (outcome.result is None) != (outcome.error is None)
    if outcome.error is not None:
        assert isinstance(outcome.error, APIError)
        assert outcome.error.attempts == attempts
        # Every error names the order, except the two about the account rather than the
        # order (also when a 200 carries their code in its body).
        assert "ord_1" in str(outcome.error) or isinstance(
            outcome.error, AuthenticationError | RateLimitError
        )
        repr(outcome.error)
    else:
        assert 200 <= status < 300
        repr(outcome.result)

    call = Call(CANCEL, "ord_1", max_retries=2)
    call.start_attempt()
    step = call.on_response(status, httpx.Headers(headers), body)
    assert [step.result is not None, step.error is not None, step.delay is not None].count(
        True
    ) == 1
    if step.delay is not None:
        assert 0 <= step.delay <= 60
