"""Contains all the data models used in inputs/outputs"""

from .cancel_order_request import CancelOrderRequest
from .cancel_order_response import CancelOrderResponse
from .cancelled_order_data import CancelledOrderData
from .create_order_customer import CreateOrderCustomer
from .create_order_request import CreateOrderRequest
from .create_order_response import CreateOrderResponse
from .created_order_data import CreatedOrderData
from .error_response import ErrorResponse
from .order_status_data import OrderStatusData
from .order_status_request import OrderStatusRequest
from .order_status_response import OrderStatusResponse

__all__ = (
    "CancelOrderRequest",
    "CancelOrderResponse",
    "CancelledOrderData",
    "CreateOrderCustomer",
    "CreateOrderRequest",
    "CreateOrderResponse",
    "CreatedOrderData",
    "ErrorResponse",
    "OrderStatusData",
    "OrderStatusRequest",
    "OrderStatusResponse",
)
