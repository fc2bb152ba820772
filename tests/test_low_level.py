"""The generated low-level client, handed out ready to sign, works against the emulator:
no signing arguments, typed envelopes back."""

from __future__ import annotations

import asyncio
import inspect

import httpx

from kwikpaisa import AsyncKwikPaisa, KwikPaisa
from kwikpaisa.signing import canonical_payload
from kwikpaisa.testing import Emulator
from kwikpaisa_generated.api.order_cancel import cancel_hosted_checkout_order
from kwikpaisa_generated.models import CancelOrderRequest, ErrorResponse

# The model of cancel's 200 answer, whatever the spec names it (KwikPaisa's own schema or
# the overlay's).
CancelOrderResponse = cancel_hosted_checkout_order.SUCCESS


def test_generated_functions_take_no_signing_arguments() -> None:
    for function in (
        cancel_hosted_checkout_order.sync_detailed,
        cancel_hosted_checkout_order.asyncio_detailed,
    ):
        assert set(inspect.signature(function).parameters) == {"client", "body"}


def test_generated_sync_function_is_signed_and_typed(
    client_options: dict[str, object], emulator: Emulator
) -> None:
    with KwikPaisa(**client_options) as kp:  # type: ignore[arg-type]
        response = cancel_hosted_checkout_order.sync_detailed(
            client=kp.low_level_client, body=CancelOrderRequest(order_id="ord_1")
        )
    assert response.status_code == 200
    assert isinstance(response.parsed, CancelOrderResponse)
    assert response.parsed.status == "success"
    assert response.parsed.return_data.order_status == "CANCELLED"  # type: ignore[union-attr]
    assert emulator.cancel_count("ord_1") == 1


def test_generated_integer_order_id_is_sent_as_a_json_number(emulator: Emulator) -> None:
    with emulator.client() as kp:
        response = cancel_hosted_checkout_order.sync_detailed(
            client=kp.low_level_client, body=CancelOrderRequest(order_id=6116229263036)
        )
    assert isinstance(response.parsed, CancelOrderResponse)
    assert response.parsed.return_data.order_id == 6116229263036  # type: ignore[union-attr]
    assert emulator.order_status(6116229263036) == "CANCELLED"


def test_generated_async_function_is_signed_and_parses_errors(
    client_options: dict[str, object], emulator: Emulator
) -> None:
    async def main() -> httpx.Response | object:
        async with AsyncKwikPaisa(**client_options) as kp:  # type: ignore[arg-type]
            response = await cancel_hosted_checkout_order.asyncio_detailed(
                client=kp.low_level_client, body=CancelOrderRequest(order_id="ord_404_missing")
            )
            assert int(response.status_code) == 404
            return response.parsed

    parsed = asyncio.run(main())
    assert isinstance(parsed, ErrorResponse)
    assert parsed.status is False
    assert parsed.code == 404
    assert emulator.requests_received == 1


def test_low_level_client_is_created_once_per_client(emulator: Emulator) -> None:
    with emulator.client() as kp:
        assert kp.low_level_client is kp.low_level_client


def test_low_level_client_with_user_http_client_still_signs(emulator: Emulator) -> None:
    with emulator.serve() as base_url, httpx.Client() as http:
        kp = KwikPaisa(emulator.api_key, emulator.secret_key, base_url=base_url, http_client=http)
        response = cancel_hosted_checkout_order.sync_detailed(
            client=kp.low_level_client, body=CancelOrderRequest(order_id="ord_2")
        )
        kp.close()
    assert response.status_code == 200
    assert emulator.cancel_count("ord_2") == 1


def test_generated_model_body_matches_the_facade_body() -> None:
    assert canonical_payload(CancelOrderRequest(order_id="x").to_dict()) == b'{"order_id":"x"}'
    assert canonical_payload(CancelOrderRequest(order_id=7).to_dict()) == b'{"order_id":7}'
