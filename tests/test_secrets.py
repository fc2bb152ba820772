"""Secret hygiene: the secret key appears in no log, message, repr or traceback.

Every error path is driven with logging at DEBUG (the SDK's logger and httpx's),
and everything a person could see is collected and searched for the secret.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kwikpaisa import AsyncKwikPaisa, ConfigurationError, KwikPaisa, KwikPaisaError
from kwikpaisa._environment import resolve_settings
from kwikpaisa.testing import Emulator, Fault

from .conftest import Reach, seeded_emulator

SECRET = "sk_test_SUPERSECRET_value_123"
API_KEY = "pk_test_merchant_key_abcd"
MASKED = "pk_test_…abcd"
ROOT = Path(__file__).resolve().parent.parent
_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
_ATTEMPT_LINE = re.compile(
    r"^POST \S+/api/v3/pg/order/cancel -> \S+ in [\d.]+ ms \(attempt \d of \d, api_key "
)


def _emulator(**options: Any) -> Emulator:
    return seeded_emulator(api_key=API_KEY, secret_key=SECRET, **options)


class Seen:
    """Everything a person could read: messages, reprs, tracebacks."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, obj: object) -> None:
        self.texts.append(str(obj))
        self.texts.append(repr(obj))
        if isinstance(obj, BaseException):
            self.texts.append("".join(traceback.format_exception(obj)))
            for name, value in vars(obj).items():
                self.texts.append(f"{name}={value!r}")
        elif hasattr(obj, "__dict__"):
            for name, value in vars(obj).items():
                if not name.startswith("_"):
                    self.texts.append(f"{name}={value!r}")

    def attempt(self, action: Callable[[], Any]) -> None:
        try:
            self.add(action())
        except Exception as exc:
            self.add(exc)

    def assert_clean(self) -> None:
        for text in self.texts:
            assert SECRET not in text, text
            assert "SUPERSECRET" not in text, text


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger (kwikpaisa, httpx, httpcore) at DEBUG."""
    with caplog.at_level(logging.DEBUG):
        yield caplog


def _log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return [formatter.format(record) for record in caplog.records]


ERROR_PATHS: list[tuple[str, list[Fault], str | int]] = [
    ("success", [], "ord_1"),
    ("404", [], "ord_missing"),
    ("409", [], "ord_paid"),
    ("400", [Fault.http_status(400)], "ord_1"),
    ("401", [Fault.http_status(401)], "ord_1"),
    ("403", [Fault.http_status(403)], "ord_1"),
    ("422", [Fault.http_status(422)], "ord_1"),
    ("429", [Fault.http_status(429, retry_after=0)] * 3, "ord_1"),
    ("5xx", [Fault.http_status(500), Fault.http_status(502), Fault.http_status(503)], "ord_1"),
    ("lost-success", [Fault.http_status(503, process_first=True)], "ord_2"),
    ("reset", [Fault.reset()] * 3, "ord_1"),
    ("html", [Fault.html_page(502)] * 3, "ord_1"),
    ("empty", [Fault.empty(200)] * 3, "ord_1"),
    ("truncated", [Fault.truncated_json()] * 3, "ord_1"),
    ("wrong-shape", [Fault.wrong_shape()] * 3, "ord_1"),
    ("failure-body", [Fault.failure_body(401, "Invalid signature.")], "ord_1"),
    ("huge", [Fault.huge()] * 3, "ord_1"),
    ("redirect", [Fault.redirect("https://elsewhere.example/")], "ord_1"),
    ("hang", [Fault.hang(seconds=2)] * 3, "ord_1"),
]


@pytest.mark.parametrize(
    ("name", "faults", "order_id"), ERROR_PATHS, ids=[p[0] for p in ERROR_PATHS]
)
def test_no_error_path_shows_the_secret(
    name: str,
    faults: list[Fault],
    order_id: str | int,
    reach: Reach,
    fast_retries: list[float],
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    emu = _emulator()
    seen = Seen()
    options: dict[str, Any] = {**reach(emu), "timeout": 0.3}
    emu.inject(*faults)
    with KwikPaisa(**options) as kp:
        seen.add(kp)
        seen.add(kp.orders)
        seen.add(kp.low_level_client)
        seen.add(kp._http.auth)
        seen.attempt(lambda: kp.orders.cancel(order_id))

    emu.inject(*faults)

    async def go() -> Any:
        async with AsyncKwikPaisa(**options) as akp:
            seen.add(akp)
            return await akp.orders.cancel(order_id)

    seen.attempt(lambda: asyncio.run(go()))
    seen.assert_clean()
    logs = _log_texts(debug_logs)
    for text in logs:
        assert SECRET not in text
        assert not _HEX64.search(text), f"a signature-like value was logged: {text}"
    sdk_lines = [r.getMessage() for r in debug_logs.records if r.name == "kwikpaisa"]
    attempts = [line for line in sdk_lines if line.startswith("POST ")]
    assert attempts, "no DEBUG line per attempt"
    for line in attempts:
        assert f"api_key {MASKED}" in line
        assert API_KEY not in line
        assert _ATTEMPT_LINE.search(line), line


def test_bad_input_and_skew_paths_show_no_secret(
    fast_retries: list[float], debug_logs: pytest.LogCaptureFixture
) -> None:
    seen = Seen()
    skewed = _emulator(clock=lambda: time.time() - 900)
    with skewed.client() as kp:
        for bad in (None, True, 1.5, "", " x", "a\nb", "\ud800", "x" * 500, 0, 2**60):
            seen.attempt(lambda bad=bad: kp.orders.cancel(bad))  # type: ignore[misc]
        seen.attempt(lambda: kp.orders.cancel("ord_1"))  # 401 with clock skew
        seen.attempt(lambda: kp.orders.cancel("ord_1", timeout=-1))
        seen.attempt(lambda: kp.orders.cancel("ord_1", max_retries=-1))
        seen.add(kp._auth)
        seen.add(skewed)
    assert any("Your clock is" in text for text in seen.texts)
    seen.add(resolve_settings(api_key=API_KEY, secret_key=SECRET, environment=None, base_url=None))
    seen.assert_clean()
    assert not any(SECRET in text for text in _log_texts(debug_logs))


@pytest.mark.parametrize(
    "secret",
    [SECRET + "\n", " " + SECRET, SECRET + "\r\nX-Evil: 1", SECRET + "\x00", SECRET + "\ud800"],
    ids=["newline", "space", "header-injection", "nul", "surrogate"],
)
def test_credential_errors_do_not_echo_the_secret(secret: str) -> None:
    seen = Seen()
    for cls in (KwikPaisa, AsyncKwikPaisa):
        with pytest.raises(ConfigurationError) as caught:
            cls(API_KEY, secret, base_url="http://127.0.0.1:1")
        seen.add(caught.value)
    seen.assert_clean()


def test_a_secret_passed_as_the_api_key_is_not_echoed() -> None:
    # A common slip: the secret in the wrong argument (and a production environment).
    with pytest.raises(ConfigurationError) as caught:
        KwikPaisa("pk_test_" + SECRET, "other", environment="production")
    assert SECRET not in str(caught.value)
    assert "…" in str(caught.value)


def test_secret_is_checked_by_the_collector() -> None:
    """The search itself works: a text holding the secret is caught."""
    seen = Seen()
    seen.add(KwikPaisaError(f"oops {SECRET}"))
    with pytest.raises(AssertionError):
        seen.assert_clean()


# -- KWIKPAISA_LOG, without code -------------------------------------------------------

_SCRIPT = """
import kwikpaisa
kp = kwikpaisa.KwikPaisa()
kp.orders.cancel("ord_1")
try:
    kp.orders.cancel("ord_missing")
except kwikpaisa.OrderNotFoundError as err:
    print(repr(err))
"""


def _run_with_log(level: str | None, base_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("KWIKPAISA_")
    }
    env.update(
        KWIKPAISA_API_KEY=API_KEY, KWIKPAISA_SECRET_KEY=SECRET, KWIKPAISA_BASE_URL=base_url
    )
    if level is not None:
        env["KWIKPAISA_LOG"] = level
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


@pytest.mark.parametrize("level", ["debug", "DEBUG", "info", None])
def test_kwikpaisa_log_turns_logging_on_without_code(level: str | None) -> None:
    emu = _emulator()
    with emu.serve() as base_url:
        emu.inject(Fault.http_status(503, retry_after=0))
        done = _run_with_log(level, base_url)
    output = done.stdout + done.stderr
    assert SECRET not in output
    assert "OrderNotFoundError" in done.stdout
    debug = [line for line in done.stderr.splitlines() if " DEBUG kwikpaisa: " in line]
    info = [line for line in done.stderr.splitlines() if " INFO kwikpaisa: " in line]
    if level is None:
        assert done.stderr == ""
        return
    assert len(info) == 1
    assert "Retrying the cancel of order 'ord_1' in 0.00 s; attempt 1 of 3 failed" in info[0]
    if level.lower() == "info":
        assert debug == []
        return
    assert len(debug) == 3  # 503, 200, 404
    assert f"POST {base_url}/api/v3/pg/order/cancel -> 503 in " in debug[0]
    assert "(attempt 1 of 3, api_key pk_test_…abcd)" in debug[0]
    assert "-> 200 in " in debug[1]
    assert "(attempt 2 of 3, " in debug[1]
    assert "-> 404 in " in debug[2]
    for line in debug:
        assert API_KEY not in line
        assert not _HEX64.search(line)


def test_the_command_line_with_debug_logging_shows_no_secret() -> None:
    emu = _emulator()
    with emu.serve() as base_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KWIKPAISA_")}
        env.update(
            KWIKPAISA_API_KEY=API_KEY,
            KWIKPAISA_SECRET_KEY=SECRET,
            KWIKPAISA_BASE_URL=base_url,
            KWIKPAISA_LOG="debug",
        )
        outputs = []
        for order_id in ("ord_1", "ord_missing", "ord_paid"):
            done = subprocess.run(
                [sys.executable, "-m", "kwikpaisa", "cancel", order_id],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            outputs.append(done.stdout + done.stderr)
    assert all(SECRET not in text for text in outputs)
    assert all("api_key pk_test_…abcd" in text for text in outputs)


MASKING_PATHS: list[tuple[str, list[Fault], str]] = [
    ("404", [], "ord_missing"),
    ("503", [Fault.http_status(503)] * 3, "ord_1"),
    ("reset", [Fault.reset()] * 3, "ord_1"),
    ("redirect", [Fault.redirect("https://elsewhere.example/")], "ord_1"),
    ("huge", [Fault.huge()] * 3, "ord_1"),
]


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(
    ("name", "faults", "order_id"), MASKING_PATHS, ids=[p[0] for p in MASKING_PATHS]
)
def test_the_request_attached_to_an_error_shows_only_the_masked_api_key(
    name: str, faults: list[Fault], order_id: str, flavour: str, fast_retries: list[float]
) -> None:
    emu = _emulator()
    emu.inject(*faults)
    options: dict[str, Any] = {"max_retries": 2}
    if flavour == "sync":
        with emu.client(**options) as kp, pytest.raises(KwikPaisaError) as caught:
            kp.orders.cancel(order_id)
    else:

        async def go() -> None:
            async with emu.async_client(**options) as akp:
                await akp.orders.cancel(order_id)

        with pytest.raises(KwikPaisaError) as caught:
            asyncio.run(go())
    err: Any = caught.value
    request = err.request
    assert request is not None
    assert request.headers["X-API-KEY"] == MASKED.replace("…", "...")  # ASCII, as headers are
    requests = [request] + ([err.response.request] if getattr(err, "response", None) else [])
    texts = [repr(err), str(err), "".join(traceback.format_exception(err))]
    for sent in requests:
        headers = sent.headers
        texts += [
            repr(headers),
            str(headers),
            str(headers.items()),
            str(list(headers.items())),
            str(dict(headers)),
            str(headers.multi_items()),
            str(headers.raw),
            str(list(headers.values())),
            str(vars(sent)),
        ]
    for text in texts:
        assert API_KEY not in text, text
        assert API_KEY.encode().hex() not in text
    assert "'x-api-key': 'pk_test_...abcd'" in repr(request.headers)
    assert "[masked]" in repr(request.headers)  # the signature, as before
    # The request a retry sends is not the masked copy: the call authenticated each time.
    assert emu.requests_received == len(faults) or name == "404"
