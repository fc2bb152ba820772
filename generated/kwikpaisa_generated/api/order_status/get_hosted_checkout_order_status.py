from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.order_status_request import OrderStatusRequest
from ...models.order_status_response import OrderStatusResponse
from ...types import Response


def _get_kwargs(
    *,
    body: OrderStatusRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v3/pg/order/status",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def build_request(
    *,
    body: OrderStatusRequest,
) -> dict[str, Any]:
    """The request this endpoint sends, as httpx keyword arguments (``method``, ``url``,
    ``json``, ``headers``): public, for clients that sign and send it their own way."""
    return _get_kwargs(
        body=body,
    )


METHOD = "POST"
"""The HTTP method."""
PATH = "/api/v3/pg/order/status"
"""The path, relative to the base URL."""
BODY = OrderStatusRequest
"""The request body's model."""
SUCCESS = OrderStatusResponse
"""The model the HTTP 200 answer is read into (``Any``: the document gives it no schema)."""


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | OrderStatusResponse | None:
    if response.status_code == 200:
        response_200 = OrderStatusResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | OrderStatusResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: OrderStatusRequest,
) -> Response[ErrorResponse | OrderStatusResponse]:
    """Hosted Checkout Order Status

     Returns an order's current status, amount and payment details.

    Args:
        body (OrderStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OrderStatusResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: OrderStatusRequest,
) -> ErrorResponse | OrderStatusResponse | None:
    """Hosted Checkout Order Status

     Returns an order's current status, amount and payment details.

    Args:
        body (OrderStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OrderStatusResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: OrderStatusRequest,
) -> Response[ErrorResponse | OrderStatusResponse]:
    """Hosted Checkout Order Status

     Returns an order's current status, amount and payment details.

    Args:
        body (OrderStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OrderStatusResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: OrderStatusRequest,
) -> ErrorResponse | OrderStatusResponse | None:
    """Hosted Checkout Order Status

     Returns an order's current status, amount and payment details.

    Args:
        body (OrderStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OrderStatusResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
