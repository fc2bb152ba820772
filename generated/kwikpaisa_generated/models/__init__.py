"""Contains all the data models used in inputs/outputs"""

from .cancel_order_request import CancelOrderRequest
from .cancel_order_response import CancelOrderResponse
from .cancelled_order_data import CancelledOrderData
from .error_response import ErrorResponse

__all__ = (
    "CancelOrderRequest",
    "CancelOrderResponse",
    "CancelledOrderData",
    "ErrorResponse",
)
