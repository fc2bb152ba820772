"""Contains all the data models used in inputs/outputs"""

from .cancel_order_request import CancelOrderRequest

__all__ = ("CancelOrderRequest",)
