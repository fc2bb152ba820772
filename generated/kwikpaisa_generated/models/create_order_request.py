from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_order_customer import CreateOrderCustomer


T = TypeVar("T", bound="CreateOrderRequest")


@_attrs_define
class CreateOrderRequest:
    """
    Example:
        {'order_id': 6116229263037, 'order_amount': 105, 'order_currency': 'INR', 'order_note': 'Test order',
            'service_type': 'DIGITAL', 'customer': {'name': 'Ajay', 'email': 'ajay@example.com', 'phone': '9876543210'},
            'return_url': 'https://merchant.example/return'}

    Attributes:
        order_id (int | str):
        order_amount (float):
        order_currency (str):
        service_type (str):
        customer (CreateOrderCustomer):
        return_url (str):
        order_note (str | Unset):
    """

    order_id: int | str
    order_amount: float
    order_currency: str
    service_type: str
    customer: CreateOrderCustomer
    return_url: str
    order_note: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id: int | str
        order_id = self.order_id

        order_amount = self.order_amount

        order_currency = self.order_currency

        service_type = self.service_type

        customer = self.customer.to_dict()

        return_url = self.return_url

        order_note = self.order_note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "order_id": order_id,
                "order_amount": order_amount,
                "order_currency": order_currency,
                "service_type": service_type,
                "customer": customer,
                "return_url": return_url,
            }
        )
        if order_note is not UNSET:
            field_dict["order_note"] = order_note

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.create_order_customer import CreateOrderCustomer

        d = dict(src_dict)

        def _parse_order_id(data: object) -> int | str:
            return cast(int | str, data)

        order_id = _parse_order_id(d.pop("order_id"))

        order_amount = d.pop("order_amount")

        order_currency = d.pop("order_currency")

        service_type = d.pop("service_type")

        customer = CreateOrderCustomer.from_dict(d.pop("customer"))

        return_url = d.pop("return_url")

        order_note = d.pop("order_note", UNSET)

        create_order_request = cls(
            order_id=order_id,
            order_amount=order_amount,
            order_currency=order_currency,
            service_type=service_type,
            customer=customer,
            return_url=return_url,
            order_note=order_note,
        )

        create_order_request.additional_properties = d
        return create_order_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
