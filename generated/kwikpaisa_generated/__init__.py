"""A client library for accessing KwikPaisa Order Cancel API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
