from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CancelledOrderData")


@_attrs_define
class CancelledOrderData:
    """
    Attributes:
        order_id (int | str | Unset):
        order_status (str | Unset):
        cancelled_at (str | Unset): Day-first, 12-hour clock, no zone (Asia/Kolkata), e.g. 13-05-2026 09:14 AM.
    """

    order_id: int | str | Unset = UNSET
    order_status: str | Unset = UNSET
    cancelled_at: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id: int | str | Unset
        if isinstance(self.order_id, Unset):
            order_id = UNSET
        else:
            order_id = self.order_id

        order_status = self.order_status

        cancelled_at = self.cancelled_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order_id is not UNSET:
            field_dict["order_id"] = order_id
        if order_status is not UNSET:
            field_dict["order_status"] = order_status
        if cancelled_at is not UNSET:
            field_dict["cancelled_at"] = cancelled_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_order_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        order_id = _parse_order_id(d.pop("order_id", UNSET))

        order_status = d.pop("order_status", UNSET)

        cancelled_at = d.pop("cancelled_at", UNSET)

        cancelled_order_data = cls(
            order_id=order_id,
            order_status=order_status,
            cancelled_at=cancelled_at,
        )

        cancelled_order_data.additional_properties = d
        return cancelled_order_data

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
