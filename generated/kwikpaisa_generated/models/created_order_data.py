from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreatedOrderData")


@_attrs_define
class CreatedOrderData:
    """
    Attributes:
        kwik_x_order_id (str | Unset):
        order_id (int | str | Unset):
        order_status (str | Unset):
        order_token (str | Unset):
        payment_link (str | Unset):
        created_at (None | str | Unset):
    """

    kwik_x_order_id: str | Unset = UNSET
    order_id: int | str | Unset = UNSET
    order_status: str | Unset = UNSET
    order_token: str | Unset = UNSET
    payment_link: str | Unset = UNSET
    created_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kwik_x_order_id = self.kwik_x_order_id

        order_id: int | str | Unset
        if isinstance(self.order_id, Unset):
            order_id = UNSET
        else:
            order_id = self.order_id

        order_status = self.order_status

        order_token = self.order_token

        payment_link = self.payment_link

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if kwik_x_order_id is not UNSET:
            field_dict["kwikX_order_id"] = kwik_x_order_id
        if order_id is not UNSET:
            field_dict["order_id"] = order_id
        if order_status is not UNSET:
            field_dict["order_status"] = order_status
        if order_token is not UNSET:
            field_dict["order_token"] = order_token
        if payment_link is not UNSET:
            field_dict["payment_link"] = payment_link
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

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

        order_status = d.pop("order_status", UNSET)

        order_token = d.pop("order_token", UNSET)

        payment_link = d.pop("payment_link", UNSET)

        def _parse_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        created_order_data = cls(
            kwik_x_order_id=kwik_x_order_id,
            order_id=order_id,
            order_status=order_status,
            order_token=order_token,
            payment_link=payment_link,
            created_at=created_at,
        )

        created_order_data.additional_properties = d
        return created_order_data

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
