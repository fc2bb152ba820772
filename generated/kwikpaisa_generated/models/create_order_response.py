from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.created_order_data import CreatedOrderData


T = TypeVar("T", bound="CreateOrderResponse")


@_attrs_define
class CreateOrderResponse:
    """KwikPaisa's answer to a successful create (shape assumed; see the README).

    Attributes:
        code (int | str | Unset):
        status (bool | str | Unset):
        message (str | Unset):
        return_data (CreatedOrderData | Unset):
    """

    code: int | str | Unset = UNSET
    status: bool | str | Unset = UNSET
    message: str | Unset = UNSET
    return_data: CreatedOrderData | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code: int | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        status: bool | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        message = self.message

        return_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.return_data, Unset):
            return_data = self.return_data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if status is not UNSET:
            field_dict["status"] = status
        if message is not UNSET:
            field_dict["message"] = message
        if return_data is not UNSET:
            field_dict["return_data"] = return_data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.created_order_data import CreatedOrderData

        d = dict(src_dict)

        def _parse_code(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        def _parse_status(data: object) -> bool | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(bool | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        message = d.pop("message", UNSET)

        _return_data = d.pop("return_data", UNSET)
        return_data: CreatedOrderData | Unset
        if isinstance(_return_data, Unset):
            return_data = UNSET
        else:
            return_data = CreatedOrderData.from_dict(_return_data)

        create_order_response = cls(
            code=code,
            status=status,
            message=message,
            return_data=return_data,
        )

        create_order_response.additional_properties = d
        return create_order_response

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
