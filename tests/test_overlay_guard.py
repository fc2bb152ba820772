"""``make generate`` never silently discards KwikPaisa's content (scripts/apply_overlay.py)
and says what changed in the effective spec (scripts/spec_changes.py)."""

from __future__ import annotations

from typing import Any

import pytest

from .readme_examples import script

overlay = script("apply_overlay")
spec_changes = script("spec_changes")

TARGET = "$.paths['/x'].post.responses['200'].content['application/json']"
ADD_SCHEMA = {
    "target": TARGET,
    "description": "Guide: the 200 body.",
    "update": {"schema": {"$ref": "#/components/schemas/Answer"}},
}


def _document(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "paths": {
            "/x": {"post": {"responses": {"200": {"content": {"application/json": content}}}}}
        }
    }


def test_an_action_adds_what_the_document_lacks() -> None:
    guarded, notes = overlay.guarded_overlay(_document({}), {"actions": [ADD_SCHEMA]})
    assert guarded["actions"][0]["update"] == ADD_SCHEMA["update"]
    assert notes == []


def test_a_ref_never_merges_into_kwikpaisas_schema_it_is_reported_redundant() -> None:
    inline = {"schema": {"type": "object", "properties": {"new_field": {"type": "string"}}}}
    guarded, notes = overlay.guarded_overlay(_document(inline), {"actions": [ADD_SCHEMA]})
    assert guarded["actions"] == []  # KwikPaisa's inline schema is kept
    assert len(notes) == 1
    assert notes[0].startswith("redundant: action 1 (Guide: the 200 body.")
    assert "$.paths.'/x'.post.responses.'200'.content.'application/json'.schema" in notes[0]


def test_an_action_marked_x_override_replaces_and_says_so() -> None:
    action = {**ADD_SCHEMA, "x-override": True}
    inline = {"schema": {"type": "object"}}
    guarded, notes = overlay.guarded_overlay(_document(inline), {"actions": [action]})
    assert guarded["actions"][0]["update"] == ADD_SCHEMA["update"]
    assert "x-override" not in guarded["actions"][0]
    assert notes[0].startswith("override: action 1")


def test_a_value_of_another_kind_fails_naming_the_action_and_the_path() -> None:
    clash = {**ADD_SCHEMA, "update": {"schema": "text"}}
    with pytest.raises(overlay.OverlayClash, match=r"action 1 .*'/x'.*schema to a value"):
        overlay.guarded_overlay(_document({"schema": {"type": "object"}}), {"actions": [clash]})


def _spec(cancel_fields: dict[str, Any], *, refund: bool = False) -> dict[str, Any]:
    def op(fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "responses": {
                "200": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "return_data": {"type": "object", "properties": fields}
                                },
                            }
                        }
                    }
                }
            }
        }

    paths = {"/cancel": {"post": op(cancel_fields)}}
    if refund:
        paths["/refund"] = {"post": op({"refund_id": {"type": "string"}})}
    return {"paths": paths}


def test_the_change_report_lists_additions_and_flags_what_breaks_users() -> None:
    old = _spec({"order_id": {"type": "string"}, "cancelled_at": {"type": "string"}})
    new = _spec({"order_id": {"type": "integer"}, "reason": {"type": "string"}}, refund=True)
    lines = spec_changes.changes(old, new)
    assert "operation added: POST /refund" in lines
    assert 'POST /cancel success field added: return_data.reason ("string")' in lines
    assert "BREAKING POST /cancel success field removed: return_data.cancelled_at" in lines
    assert (
        'BREAKING POST /cancel success field return_data.order_id changed type: "string" -> '
        '"integer"' in lines
    )
    assert spec_changes.changes(new, new) == []
