"""The generated low-level client, handed out ready to sign, works against the emulator."""

from __future__ import annotations

import asyncio
import json

from kwikpaisa import AsyncKwikPaisa, KwikPaisa
from kwikpaisa.testing import Emulator
from kwikpaisa_generated.api.order_cancel import cancel_hosted_checkout_order
from kwikpaisa_generated.models import CancelOrderRequest


def test_generated_sync_function_is_signed(
    client_options: dict[str, object], emulator: Emulator
) -> None:
    with KwikPaisa(**client_options) as kp:  # type: ignore[arg-type]
        response = cancel_hosted_checkout_order.sync_detailed(
            client=kp.low_level_client,
            body=CancelOrderRequest(order_id="ord_1"),
            x_api_key="ignored",
            x_signature="ignored",
            x_timestamp="ignored",
        )
    assert response.status_code == 200
    assert json.loads(response.content)["return_data"]["order_status"] == "CANCELLED"
    assert emulator.cancel_count("ord_1") == 1


def test_generated_async_function_is_signed(
    client_options: dict[str, object], emulator: Emulator
) -> None:
    async def main() -> int:
        async with AsyncKwikPaisa(**client_options) as kp:  # type: ignore[arg-type]
            response = await cancel_hosted_checkout_order.asyncio_detailed(
                client=kp.low_level_client,
                body=CancelOrderRequest(order_id="ord_404_missing"),
                x_api_key="",
                x_signature="",
                x_timestamp="",
            )
            return int(response.status_code)

    assert asyncio.run(main()) == 404
    assert emulator.requests_received == 1


def test_low_level_client_with_user_http_client_still_signs(emulator: Emulator) -> None:
    import httpx

    with emulator.serve() as base_url, httpx.Client() as http:
        kp = KwikPaisa(emulator.api_key, emulator.secret_key, base_url=base_url, http_client=http)
        response = cancel_hosted_checkout_order.sync_detailed(
            client=kp.low_level_client,
            body=CancelOrderRequest(order_id="ord_2"),
            x_api_key="",
            x_signature="",
            x_timestamp="",
        )
        kp.close()
    assert response.status_code == 200
    assert emulator.cancel_count("ord_2") == 1


def test_generated_model_body_matches_the_facade_body() -> None:
    from kwikpaisa.signing import canonical_payload

    assert canonical_payload(CancelOrderRequest(order_id="x").to_dict()) == b'{"order_id":"x"}'
