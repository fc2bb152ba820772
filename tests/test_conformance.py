"""The emulator answers as ``openapi.json`` says: schemathesis against it, both ways in.

schemathesis (pinned in the ``dev`` extra) generates requests from KwikPaisa's
published ``openapi.json``, unchanged, and judges every answer. It drives the
emulator in-process through :class:`kwikpaisa.testing.EmulatorWSGIApp` and over a
real loopback socket (``Emulator.serve``).

Every generated case is signed by an auth provider, over the exact bytes sent, so
the cases reach the order logic instead of stopping at 401; the test asserts that
they did. Where KwikPaisa's guide documents an answer that ``openapi.json`` does
not list (400 and 422 for bad payloads, integer order ids), the guide wins and the
check concerned is narrowed for exactly that, the reason written next to it (``CHECKS``).

Size: ``KWIKPAISA_CONFORMANCE_EXAMPLES`` generated cases per way in (default 50) on
top of schemathesis' coverage cases. Generation is derandomised: the same code base
generates the same cases (Hypothesis also draws on literals it finds in the code).
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.core import NotSet
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    positive_data_acceptance,
    status_code_conformance,
)

from kwikpaisa.signing import canonical_payload, compute_signature
from kwikpaisa.testing import (
    DEFAULT_API_KEY,
    DEFAULT_SECRET_KEY,
    ORDER_STATUSES,
    Emulator,
    EmulatorWSGIApp,
    Fault,
)
from kwikpaisa.testing._routes import ROUTES

from .conftest import seeded_emulator

OPENAPI = Path(__file__).resolve().parent.parent / "generated" / "openapi.json"
EXAMPLES = int(os.environ.get("KWIKPAISA_CONFORMANCE_EXAMPLES", "50"))

# The emulator's clock is frozen for this run and the cases are signed at that instant.
# schemathesis builds its coverage cases (and applies auth to them) when the test is
# collected, possibly minutes before they are sent; a frozen clock keeps their
# timestamps fresh. Timestamp expiry has its own tests (test_emulator.py).
FROZEN_NOW = 1778659835

AUTH_HEADERS = ("X-API-KEY", "X-TIMESTAMP", "X-SIGNATURE")
ORDER_LOGIC = frozenset({200, 404, 409})
"""Answers that only come from the order logic: a signed, well-formed request got through."""

# Every built-in check is on. Three are narrowed (NARROWED, below) and some are
# tightened: their expected statuses are the guide's, not schemathesis' defaults.
CHECKS: dict[str, Any] = {
    "not_a_server_error": {"enabled": True},
    # Narrowed: 400/422 allowed where the guide calls the payload bad (see below).
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "response_schema_conformance": {"enabled": True},
    "response_headers_conformance": {"enabled": True},
    # Tightened: a signed, schema-valid request must reach the order logic. Narrowed:
    # an empty order id is answered 422, as the guide's "required" field (see below).
    "positive_data_acceptance": {"enabled": True, "expected-statuses": ["200", "404", "409"]},
    # Tightened to the guide's rejections: 400 bad payload, 401 authentication (missing or
    # bad headers, a body that is not the signed canonical form), 422 validation.
    "negative_data_rejection": {"enabled": True, "expected-statuses": ["400", "401", "422"]},
    "use_after_free": {"enabled": True},
    "ensure_resource_availability": {"enabled": True},
    # Tightened: the guide answers any missing signing header with 401, nothing else.
    "missing_required_header": {"enabled": True, "expected-statuses": ["401"]},
    "ignored_auth": {"enabled": True},
    "object_level_authorization": {"enabled": True},
    "unsupported_method": {"enabled": True},
    "allow_header_conformance": {"enabled": True},
    # Off: no timed assertions in the suite (performance belongs to the benchmark).
}

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            # openapi.json has one operation and no links: there is nothing to chain.
            "stateful": {"enabled": False},
        },
        "checks": CHECKS,
    }
)

# The operations the emulator implements. One it does not (a new operation of KwikPaisa's
# next document) is answered with a 501 naming it (tests/test_operations.py), not judged.
schema = schemathesis.openapi.from_path(OPENAPI, config=CONFIG).include(path=sorted(ROUTES))


# -- the wire form ------------------------------------------------------------------


def wire_body(value: object) -> bytes:
    """The bytes sent for a JSON body: KwikPaisa's canonical form when there is one."""
    if isinstance(value, bytes):
        return value  # raw bytes from negative generation go out as they are
    try:
        return canonical_payload(value)
    except (TypeError, ValueError):
        # No canonical form (e.g. lone surrogates): send what JSON can say; it is signed as sent.
        return json.dumps(value, default=str).encode()


@schemathesis.serializer("application/json")
def _canonical_json(ctx: schemathesis.SerializationContext, value: object) -> bytes:
    # KwikPaisa signs the canonical payload and the body must be exactly those bytes;
    # schemathesis' own JSON serializer writes `{"a": 1}` (with spaces). This file is the
    # suite's only schemathesis user, so replacing the process-wide serializer is contained.
    return wire_body(value)


# -- signing --------------------------------------------------------------------------


def _negated_headers(case: schemathesis.Case) -> set[str] | None:
    """Signing headers a negative case left out or made invalid on purpose (None: not negated)."""
    meta = case.meta
    if meta is None:
        return None
    component = meta.components.get(ParameterLocation.HEADER)
    if component is None or not component.mode.is_negative:
        return None
    generated = {name.lower() for name in case.headers or {}}
    negated = {name for name in AUTH_HEADERS if name.lower() not in generated}
    data = meta.phase.data
    named = {data.parameter} | {mutation.parameter for mutation in getattr(data, "mutations", ())}
    negated |= {name for name in AUTH_HEADERS if name in named}
    return negated


class KwikPaisaSigning:
    """Signs each case as KwikPaisa expects: ``X-API-KEY``, ``X-TIMESTAMP``, ``X-SIGNATURE``.

    The signature covers the exact bytes sent (``wire_body``). A case whose headers
    were negated on purpose (a required header removed, a value made invalid) keeps
    the negation: the missing header stays missing and an invalid value is sent as
    generated, so the missing-header and negative-data checks judge what they meant to.

    How schemathesis 4.32.5 treats auth against removed headers: auth is applied to
    every case, and the openapi.json headers are plain parameters (no security
    scheme), so nothing stops a provider from putting a removed header back. For the
    coverage phase's "missing header" cases the transport drops the named header at
    send time anyway; for the fuzzing phase's negated ``required`` it drops only the
    names that are absent when the request is sent, so re-adding them would quietly
    turn a negative case into a valid request. Hence this provider never re-adds a
    negated header, and ``missing_header_is_the_one_named`` checks the emulator saw
    exactly that header missing.
    """

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> tuple[str, str]:
        return DEFAULT_API_KEY, DEFAULT_SECRET_KEY

    def set(
        self, case: schemathesis.Case, data: tuple[str, str], ctx: schemathesis.AuthContext
    ) -> None:
        api_key, secret_key = data
        body = b"" if isinstance(case.body, NotSet) else wire_body(case.body)
        timestamp = str(FROZEN_NOW)
        signed = {
            "X-API-KEY": api_key,
            "X-TIMESTAMP": timestamp,
            "X-SIGNATURE": compute_signature(body, timestamp, secret_key),
        }
        keep = _negated_headers(case) or set()
        headers = dict(case.headers or {})
        for name, value in signed.items():
            if name not in keep:
                headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
                headers[name] = value
        case.headers = headers


# No caching (every case is signed over its own body) and no re-login on 401: a 401 is
# the emulator's verdict on that request, not an expired token.
schema.auth(refresh_interval=None, retry_on=[])(KwikPaisaSigning)


# -- narrowed checks ------------------------------------------------------------------


def _sent_body(response: schemathesis.Response) -> bytes:
    body = response.request.body
    if body is None:
        return b""
    return body if isinstance(body, bytes) else body.encode()


def guide_bad_payload_status(body: bytes) -> int | None:
    """What the guide answers a correctly signed ``body`` that is a bad payload, else None.

    400: not JSON, or not a JSON object. 422: ``order_id`` missing, null or empty, or
    neither a string nor an integer.
    """
    try:
        payload = json.loads(body)
    except ValueError:
        return 400
    if not isinstance(payload, dict):
        return 400
    order_id = payload.get("order_id")
    if order_id is None or order_id == "":
        return 422
    if isinstance(order_id, bool) or not isinstance(order_id, str | int):
        return 422
    return None


def _is_error_body(response: schemathesis.Response, status: int) -> bool:
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and body.get("status") is False
        and body.get("code") == status
        and isinstance(body.get("message"), str)
    )


def _guide_rejects_payload(response: schemathesis.Response) -> bool:
    status = response.status_code
    return (
        status in (400, 422)
        and guide_bad_payload_status(_sent_body(response)) == status
        and _is_error_body(response, status)
    )


def status_code_conformance_per_guide(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """``status_code_conformance``, narrowed: the guide's 400/422 for bad payloads.

    openapi.json lists 200, 401, 404 and 409 only. KwikPaisa's guide answers a bad
    payload with 400 (not a JSON object) or 422 (order_id missing or of the wrong
    type), and the emulator keeps the guide's behaviour. Allowed only where the guide
    calls the payload sent bad, with the matching error body; anything else still fails.
    """
    if _guide_rejects_payload(response):
        return None
    return status_code_conformance(ctx, response, case)


def _blank_order_id(response: schemathesis.Response) -> bool:
    try:
        payload = json.loads(_sent_body(response))
    except ValueError:
        return False
    return isinstance(payload, dict) and payload.get("order_id") == ""


def positive_data_acceptance_per_guide(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """``positive_data_acceptance`` (tightened to 200/404/409), narrowed for an empty order id.

    ``{"order_id": ""}`` is schema-valid (a string), but the guide marks order_id as
    required and answers a blank required field with 422; the emulator does the same.
    """
    if response.status_code == 422 and _blank_order_id(response) and _is_error_body(response, 422):
        return None
    if (
        response.status_code == 422
        and _path(response).endswith("/create")
        and _is_error_body(response, 422)
    ):
        # The document types create's fields (strings, a number); the guide answers a
        # business-rule failure (an email that is not one, three decimals of rupees) 422.
        return None
    return positive_data_acceptance(ctx, response, case)


def _path(response: schemathesis.Response) -> str:
    return urlsplit(response.request.url or "").path


def kwikpaisa_answer_shape(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """Every answer is JSON in one of the guide's two body shapes, and a success carries
    what the guide says that operation returns (beyond what the schemas require)."""
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.split(";")[0].strip() == "application/json", (
        f"answer {response.status_code} has Content-Type {content_type!r}, not application/json"
    )
    body = json.loads(response.content)
    if response.status_code != 200:
        assert _is_error_body(response, response.status_code), body
        return None
    assert body.get("code") == "200", body
    assert body.get("status") == "success", body
    data = body["return_data"]
    path = _path(response)
    if path.endswith("/cancel"):
        assert data["order_status"] == "CANCELLED", body
    elif path.endswith("/status"):
        assert data["order_status"] in ORDER_STATUSES, body
        assert re.fullmatch(r"\d+\.\d\d", data["order_amount"]), body
    elif path.endswith("/create"):
        assert data["order_status"] == "UN_PAID", body
        assert data["payment_link"].startswith("http"), body
    return None


def missing_header_is_the_one_named(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """The emulator names exactly the signing headers the request lacked (absent or empty),
    and a missing-header case reached it without the header it meant to drop.

    The signing provider must not put back a header schemathesis removed on purpose.
    """
    sent = {name.lower(): value for name, value in response.request.headers.items()}
    lacking = [name for name in AUTH_HEADERS if not sent.get(name.lower())]
    message = json.loads(response.content).get("message") if response.content else None
    if lacking:
        assert response.status_code == 401, response.status_code
        assert message == f"Missing required headers: {', '.join(lacking)}.", message
    data = case.meta.phase.data if case.meta is not None else None
    if (
        isinstance(data, CoveragePhaseData)
        and data.scenario is CoverageScenario.MISSING_PARAMETER
        and data.parameter_location is ParameterLocation.HEADER
        and data.parameter in AUTH_HEADERS
    ):
        assert data.parameter in lacking, (data.parameter, lacking)
    return None


# Built-in check -> the narrowed version that replaces it (each says why in its docstring).
NARROWED = {
    status_code_conformance: status_code_conformance_per_guide,
    positive_data_acceptance: positive_data_acceptance_per_guide,
}
# What openapi.json cannot say (it gives no response schemas) but KwikPaisa's guide does.
EXTRA_CHECKS = [kwikpaisa_answer_shape, missing_header_is_the_one_named]


# -- the run ----------------------------------------------------------------------------


ORDER_STATES = ("UN_PAID", None, "PAID", "PENDING", "EXPIRED", "CANCELLED")
"""States given to generated order ids in turn (None: the order does not exist)."""


class Target:
    """One emulator, one way in, and the statuses its answers had."""

    def __init__(self, emulator: Emulator, transport_kwargs: dict[str, Any]) -> None:
        self.emulator = emulator
        self.transport_kwargs = transport_kwargs
        self.statuses: set[int] = set()
        self.order_states: dict[str, str | None] = {}

    def prepare_order(self, case: schemathesis.Case) -> None:
        """Give the case's order id a state, so cases reach 200 and 409 as well as 404.

        Each new id gets the next state of ORDER_STATES (the first one is cancellable)
        and keeps it: a repeated or shrunk case meets the same order again, reset.
        """
        body = case.body
        if not isinstance(body, dict):
            return
        order_id = body.get("order_id")
        if isinstance(order_id, bool) or not isinstance(order_id, str | int) or order_id == "":
            return
        key = str(order_id)
        if key not in self.order_states:
            turn = len(self.order_states)
            if case.path.endswith("/create"):
                # Mostly free ids (so creates succeed), every third one already taken.
                self.order_states[key] = "UN_PAID" if turn % 3 == 2 else None
            else:
                self.order_states[key] = ORDER_STATES[turn % len(ORDER_STATES)]
        state = self.order_states[key]
        if state is not None:
            self.emulator.add_order(order_id, state)


@pytest.fixture(params=["in-process", "socket"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The emulator (frozen clock) reached in-process over WSGI or over a loopback socket.

    Shared by all cases of one test on purpose. Afterwards, if the test passed, it
    asserts that the signed cases got through to the order logic (a cancel, and a 404
    or 409) besides the 401 and 405 rejections, so the run cannot pass on 401s alone.
    """
    emulator = seeded_emulator(clock=lambda: FROZEN_NOW)
    failures_before = request.session.testsfailed
    if request.param == "in-process":
        target = Target(emulator, {"app": EmulatorWSGIApp(emulator)})
        yield target
    else:
        with emulator.serve() as base_url, requests.Session() as session:
            target = Target(emulator, {"base_url": base_url, "session": session})
            yield target
    if request.session.testsfailed == failures_before:
        seen = sorted(target.statuses)
        assert {200, 401, 405} <= target.statuses, f"statuses seen: {seen}"
        name = request.node.name
        if "/cancel" in name:
            assert target.statuses & {404, 409}, f"no 404 or 409 answer; statuses seen: {seen}"
            assert emulator.total_cancels > 0
        elif "/status" in name:
            assert 404 in target.statuses, f"no 404 answer; statuses seen: {seen}"
        elif "/create" in name:
            assert 409 in target.statuses, f"no 409 answer; statuses seen: {seen}"


@schema.parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_emulator_conforms_to_openapi(case: schemathesis.Case, target: Target) -> None:
    target.prepare_order(case)
    response = case.call(**target.transport_kwargs)
    target.statuses.add(response.status_code)
    # ignored_auth sends its unauthenticated probe through schemathesis' requests transport,
    # which cannot reach a WSGI app (4.32.5): that check runs over the socket only.
    in_process_only = [ignored_auth] if "app" in target.transport_kwargs else []
    case.validate_response(
        response,
        excluded_checks=[*NARROWED, *in_process_only],
        additional_checks=[*NARROWED.values(), *EXTRA_CHECKS],
        transport_kwargs=target.transport_kwargs,
    )


# -- the WSGI adapter on its own ----------------------------------------------------------


def call_wsgi(
    app: EmulatorWSGIApp,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """One request through ``app``, under wsgiref's PEP 3333 validator."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    answer: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        answer["status"] = status
        answer["headers"] = {name.lower(): value for name, value in response_headers}
        return lambda data: None

    result = validator(app)(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()  # type: ignore[attr-defined]
    return answer["status"], answer["headers"], content


def test_wsgi_app_cancels_a_signed_order() -> None:
    emulator = seeded_emulator()
    body = canonical_payload({"order_id": "ord_1"})
    status, headers, content = call_wsgi(
        EmulatorWSGIApp(emulator),
        "POST",
        "/api/v3/pg/order/cancel",
        body,
        emulator.signed_headers(body),
    )
    assert status == "200 OK"
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == str(len(content))
    assert json.loads(content)["return_data"]["order_status"] == "CANCELLED"
    assert emulator.order_status("ord_1") == "CANCELLED"


def test_wsgi_app_answers_other_methods_405_with_allow() -> None:
    status, headers, content = call_wsgi(
        EmulatorWSGIApp(Emulator()), "DELETE", "/api/v3/pg/order/cancel"
    )
    assert status == "405 Method Not Allowed"
    assert headers["allow"] == "POST"
    assert json.loads(content) == {"status": False, "code": 405, "message": "Method not allowed."}


def test_wsgi_app_head_has_length_but_no_body() -> None:
    status, headers, content = call_wsgi(EmulatorWSGIApp(Emulator()), "HEAD", "/elsewhere")
    assert status == "404 Not Found"
    assert int(headers["content-length"]) > 0
    assert content == b""


@pytest.mark.parametrize(
    ("fault", "error"), [(Fault.reset(), ConnectionResetError), (Fault.hang(), TimeoutError)]
)
def test_wsgi_app_raises_for_faults_it_cannot_act_out(fault: Fault, error: type[Exception]) -> None:
    emulator = seeded_emulator()
    emulator.inject(fault)
    body = canonical_payload({"order_id": "ord_1"})
    with pytest.raises(error, match="emulated fault"):
        call_wsgi(
            EmulatorWSGIApp(emulator),
            "POST",
            "/api/v3/pg/order/cancel",
            body,
            emulator.signed_headers(body),
        )
    assert emulator.order_status("ord_1") == "UN_PAID"


# -- the loopback server's own errors -------------------------------------------------------


def test_server_answers_a_malformed_request_in_json() -> None:
    """Errors http.server raises before the emulator is reached are JSON too, not HTML."""
    with Emulator().serve() as base_url:
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            filler = b"".join(b"X-Filler-%d: x\r\n" % n for n in range(150))
            conn.sendall(b"POST /api/v3/pg/order/cancel HTTP/1.1\r\n" + filler + b"\r\n")
            raw = b""
            while chunk := conn.recv(4096):
                raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    assert status_line.startswith("HTTP/1.1 431 ")
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(body)
    answer = json.loads(body)
    assert answer == {"status": False, "code": 431, "message": "Too many headers."}
