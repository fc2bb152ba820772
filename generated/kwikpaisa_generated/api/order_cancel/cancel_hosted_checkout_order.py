from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cancel_order_request import CancelOrderRequest
from ...types import Response


def _get_kwargs(
    *,
    body: CancelOrderRequest,
    x_api_key: str,
    x_signature: str,
    x_timestamp: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-API-KEY"] = x_api_key

    headers["X-SIGNATURE"] = x_signature

    headers["X-TIMESTAMP"] = x_timestamp

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v3/pg/order/cancel",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | None:
    if response.status_code == 200:
        return None

    if response.status_code == 401:
        return None

    if response.status_code == 404:
        return None

    if response.status_code == 409:
        return None

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CancelOrderRequest,
    x_api_key: str,
    x_signature: str,
    x_timestamp: str,
) -> Response[Any]:
    """Cancel Hosted Checkout Order

     Cancels an unpaid hosted checkout order and updates
    the order status to CANCELLED.

    Args:
        x_api_key (str):
        x_signature (str):
        x_timestamp (str):
        body (CancelOrderRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = _get_kwargs(
        body=body,
        x_api_key=x_api_key,
        x_signature=x_signature,
        x_timestamp=x_timestamp,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CancelOrderRequest,
    x_api_key: str,
    x_signature: str,
    x_timestamp: str,
) -> Response[Any]:
    """Cancel Hosted Checkout Order

     Cancels an unpaid hosted checkout order and updates
    the order status to CANCELLED.

    Args:
        x_api_key (str):
        x_signature (str):
        x_timestamp (str):
        body (CancelOrderRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = _get_kwargs(
        body=body,
        x_api_key=x_api_key,
        x_signature=x_signature,
        x_timestamp=x_timestamp,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)
