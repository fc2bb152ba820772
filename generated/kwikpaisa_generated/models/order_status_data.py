from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderStatusData")


@_attrs_define
class OrderStatusData:
    """
    Attributes:
        kwik_x_order_id (str | Unset):
        order_id (int | str | Unset):
        order_amount (float | str | Unset): Two decimals, as a string (e.g. "105.00").
        currency (str | Unset):
        order_status (str | Unset): UN_PAID, PENDING, PAID, CANCELLED or EXPIRED (others may appear).
        payment_method (None | str | Unset):
        transaction_id (None | str | Unset):
        created_at (None | str | Unset):
        paid_at (None | str | Unset):
    """

    kwik_x_order_id: str | Unset = UNSET
    order_id: int | str | Unset = UNSET
    order_amount: float | str | Unset = UNSET
    currency: str | Unset = UNSET
    order_status: str | Unset = UNSET
    payment_method: None | str | Unset = UNSET
    transaction_id: None | str | Unset = UNSET
    created_at: None | str | Unset = UNSET
    paid_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kwik_x_order_id = self.kwik_x_order_id

        order_id: int | str | Unset
        if isinstance(self.order_id, Unset):
            order_id = UNSET
        else:
            order_id = self.order_id

        order_amount: float | str | Unset
        if isinstance(self.order_amount, Unset):
            order_amount = UNSET
        else:
            order_amount = self.order_amount

        currency = self.currency

        order_status = self.order_status

        payment_method: None | str | Unset
        if isinstance(self.payment_method, Unset):
            payment_method = UNSET
        else:
            payment_method = self.payment_method

        transaction_id: None | str | Unset
        if isinstance(self.transaction_id, Unset):
            transaction_id = UNSET
        else:
            transaction_id = self.transaction_id

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        paid_at: None | str | Unset
        if isinstance(self.paid_at, Unset):
            paid_at = UNSET
        else:
            paid_at = self.paid_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if kwik_x_order_id is not UNSET:
            field_dict["kwikX_order_id"] = kwik_x_order_id
        if order_id is not UNSET:
            field_dict["order_id"] = order_id
        if order_amount is not UNSET:
            field_dict["order_amount"] = order_amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if order_status is not UNSET:
            field_dict["order_status"] = order_status
        if payment_method is not UNSET:
            field_dict["payment_method"] = payment_method
        if transaction_id is not UNSET:
            field_dict["transaction_id"] = transaction_id
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if paid_at is not UNSET:
            field_dict["paid_at"] = paid_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kwik_x_order_id = d.pop("kwikX_order_id", UNSET)

        def _parse_order_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        order_id = _parse_order_id(d.pop("order_id", UNSET))

        def _parse_order_amount(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        order_amount = _parse_order_amount(d.pop("order_amount", UNSET))

        currency = d.pop("currency", UNSET)

        order_status = d.pop("order_status", UNSET)

        def _parse_payment_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_method = _parse_payment_method(d.pop("payment_method", UNSET))

        def _parse_transaction_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transaction_id = _parse_transaction_id(d.pop("transaction_id", UNSET))

        def _parse_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        def _parse_paid_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        paid_at = _parse_paid_at(d.pop("paid_at", UNSET))

        order_status_data = cls(
            kwik_x_order_id=kwik_x_order_id,
            order_id=order_id,
            order_amount=order_amount,
            currency=currency,
            order_status=order_status,
            payment_method=payment_method,
            transaction_id=transaction_id,
            created_at=created_at,
            paid_at=paid_at,
        )

        order_status_data.additional_properties = d
        return order_status_data

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
