from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_order_request import CreateOrderRequest
from ...models.create_order_response import CreateOrderResponse
from ...models.error_response import ErrorResponse
from ...types import Response


def _get_kwargs(
    *,
    body: CreateOrderRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v3/pg/order/create",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def build_request(
    *,
    body: CreateOrderRequest,
) -> dict[str, Any]:
    """The request this endpoint sends, as httpx keyword arguments (``method``, ``url``,
    ``json``, ``headers``): public, for clients that sign and send it their own way."""
    return _get_kwargs(
        body=body,
    )


METHOD = "POST"
"""The HTTP method."""
PATH = "/api/v3/pg/order/create"
"""The path, relative to the base URL."""
BODY = CreateOrderRequest
"""The request body's model."""
SUCCESS = CreateOrderResponse
"""The model the HTTP 200 answer is read into (``Any``: the document gives it no schema)."""


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateOrderResponse | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = CreateOrderResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateOrderResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> Response[CreateOrderResponse | ErrorResponse]:
    """Create Hosted Checkout Order

     Creates an order and returns the hosted payment link for the customer.

    Args:
        body (CreateOrderRequest):  Example: {'order_id': 6116229263037, 'order_amount': 105,
            'order_currency': 'INR', 'order_note': 'Test order', 'service_type': 'DIGITAL',
            'customer': {'name': 'Ajay', 'email': 'ajay@example.com', 'phone': '9876543210'},
            'return_url': 'https://merchant.example/return'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderResponse | ErrorResponse]
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
    body: CreateOrderRequest,
) -> CreateOrderResponse | ErrorResponse | None:
    """Create Hosted Checkout Order

     Creates an order and returns the hosted payment link for the customer.

    Args:
        body (CreateOrderRequest):  Example: {'order_id': 6116229263037, 'order_amount': 105,
            'order_currency': 'INR', 'order_note': 'Test order', 'service_type': 'DIGITAL',
            'customer': {'name': 'Ajay', 'email': 'ajay@example.com', 'phone': '9876543210'},
            'return_url': 'https://merchant.example/return'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderResponse | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> Response[CreateOrderResponse | ErrorResponse]:
    """Create Hosted Checkout Order

     Creates an order and returns the hosted payment link for the customer.

    Args:
        body (CreateOrderRequest):  Example: {'order_id': 6116229263037, 'order_amount': 105,
            'order_currency': 'INR', 'order_note': 'Test order', 'service_type': 'DIGITAL',
            'customer': {'name': 'Ajay', 'email': 'ajay@example.com', 'phone': '9876543210'},
            'return_url': 'https://merchant.example/return'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> CreateOrderResponse | ErrorResponse | None:
    """Create Hosted Checkout Order

     Creates an order and returns the hosted payment link for the customer.

    Args:
        body (CreateOrderRequest):  Example: {'order_id': 6116229263037, 'order_amount': 105,
            'order_currency': 'INR', 'order_note': 'Test order', 'service_type': 'DIGITAL',
            'customer': {'name': 'Ajay', 'email': 'ajay@example.com', 'phone': '9876543210'},
            'return_url': 'https://merchant.example/return'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
