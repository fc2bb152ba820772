"""Transport safety: no redirects for signed requests, TLS verified, http:// only on loopback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kwikpaisa import APIConnectionError, AsyncKwikPaisa, ConfigurationError, KwikPaisa
from kwikpaisa.testing import Emulator, Fault, FaultKind

from .conftest import seeded_emulator
from .proxy_helpers import https_emulator as serve_over_https
from .proxy_helpers import make_certificate, trusting

# -- redirects -------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_an_error_naming_the_target(
    status: int, emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    target = "https://elsewhere.example/api/v3/pg/order/cancel"
    emulator.inject(Fault.redirect(target, status=status))
    with pytest.raises(APIConnectionError) as caught:
        kp.orders.cancel("ord_1")
    err = caught.value
    assert type(err) is APIConnectionError
    assert err.attempts == 1
    text = str(err)
    assert f"with a redirect (HTTP {status}) to {target}" in text
    assert "signed requests are not redirected" in text
    assert "check base_url" in text
    assert fast_retries == []
    assert emulator.requests_received == 1
    assert emulator.cancel_count("ord_1") == 0


def test_redirect_without_location(emulator: Emulator, kp: KwikPaisa) -> None:
    emulator.inject(Fault(kind=FaultKind.STATUS, status=302, body=b""))
    with pytest.raises(APIConnectionError, match=r"\(HTTP 302\) to \(no Location header\)"):
        kp.orders.cancel("ord_1")


def test_redirect_not_followed_even_by_a_following_http_client(
    emulator: Emulator, served: str
) -> None:
    # The redirect points at the emulator itself: following it would cancel the order.
    emulator.inject(Fault.redirect(served + "/api/v3/pg/order/cancel", status=307))
    with (
        httpx.Client(follow_redirects=True) as http,
        KwikPaisa(emulator.api_key, emulator.secret_key, base_url=served, http_client=http) as kp,
        pytest.raises(APIConnectionError, match="signed requests are not redirected"),
    ):
        kp.orders.cancel("ord_1")
    assert emulator.requests_received == 1
    assert emulator.cancel_count("ord_1") == 0


def test_async_redirect_is_an_error(emulator: Emulator, client_options: dict[str, Any]) -> None:
    emulator.inject(Fault.redirect("https://elsewhere.example/x"))

    async def go() -> None:
        async with AsyncKwikPaisa(**client_options) as kp:
            await kp.orders.cancel("ord_1")

    with pytest.raises(APIConnectionError, match=r"to https://elsewhere\.example/x"):
        asyncio.run(go())
    assert emulator.cancel_count("ord_1") == 0


# -- http:// only on loopback ------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.kwikpaisa.com",
        "http://10.0.0.5:8080",
        "http://192.168.1.1",
        "http://127.0.0.1.nip.io",
        "http://localhost.evil.example",
        "http://[2001:db8::1]",
    ],
)
def test_plain_http_to_a_network_host_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        KwikPaisa("pk_test_x", "sk_test_x", base_url=base_url)
    text = str(caught.value)
    assert text.startswith(f"base_url {base_url!r} uses plain http://")
    assert "signed requests need https://" in text
    assert "pass allow_insecure_http=True (or set KWIKPAISA_ALLOW_INSECURE_HTTP=1)" in text


def test_plain_http_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_BASE_URL", "http://api.kwikpaisa.com")
    with pytest.raises(ConfigurationError, match=r"^KWIKPAISA_BASE_URL .*need https://"):
        KwikPaisa("pk_test_x", "sk_test_x")


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080",
        "http://127.5.5.5",
        "http://[::1]:9000",
        "http://localhost:1234",
        "https://proxy.internal",
    ],
)
def test_plain_http_to_loopback_and_any_https_are_allowed(base_url: str) -> None:
    with KwikPaisa("pk_test_x", "sk_test_x", base_url=base_url) as kp:
        assert kp.base_url == base_url
        assert kp.environment is None


@pytest.mark.parametrize(
    "base_url", ["ftp://host", "https://", "host.example", "https://h?x=1", "not a url", ""]
)
def test_unusable_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        KwikPaisa("pk_test_x", "sk_test_x", base_url=base_url)


# -- allow_insecure_http: plain http:// to a named host, only when asked --------------------


def test_allow_insecure_http_reaches_a_network_host_and_warns(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kwikpaisa"):
        kp = KwikPaisa(
            emulator.api_key,
            emulator.secret_key,
            base_url="http://emulator.internal:8080",  # another container, say
            transport=emulator.transport(),
            allow_insecure_http=True,
        )
    with kp:
        assert kp.orders.cancel("ord_1").status == "CANCELLED"
    [record] = [r for r in caplog.records if "Plain http://" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "emulator.internal" in record.getMessage()


@pytest.mark.parametrize(("value", "allowed"), [("1", True), ("true", True), ("0", False)])
def test_allow_insecure_http_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, allowed: bool
) -> None:
    monkeypatch.setenv("KWIKPAISA_ALLOW_INSECURE_HTTP", value)
    if allowed:
        KwikPaisa("pk_test_x", "sk_test_x", base_url="http://emulator.internal").close()
    else:
        with pytest.raises(ConfigurationError, match="plain http://"):
            KwikPaisa("pk_test_x", "sk_test_x", base_url="http://emulator.internal")
    # The argument wins over the variable.
    with pytest.raises(ConfigurationError, match="plain http://"):
        KwikPaisa(
            "pk_test_x", "sk_test_x", base_url="http://emulator.internal", allow_insecure_http=False
        )


def test_an_unreadable_allow_insecure_http_variable_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KWIKPAISA_ALLOW_INSECURE_HTTP", "maybe")
    with pytest.raises(ConfigurationError, match="KWIKPAISA_ALLOW_INSECURE_HTTP='maybe'"):
        KwikPaisa("pk_test_x", "sk_test_x")


# -- TLS ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_emulator(
    certificate: tuple[Path, Path],
) -> Iterator[tuple[Emulator, str]]:
    """The emulator over HTTPS on loopback, with a certificate nobody trusts by default."""
    emu = seeded_emulator()
    with serve_over_https(emu, certificate) as base_url:
        yield emu, base_url


def test_tls_is_verified_by_default(
    https_emulator: tuple[Emulator, str], fast_retries: list[float]
) -> None:
    emu, base_url = https_emulator
    with (
        KwikPaisa(emu.api_key, emu.secret_key, base_url=base_url) as kp,
        pytest.raises(APIConnectionError) as caught,
    ):
        kp.orders.cancel("ord_1")
    err = caught.value
    text = str(err)
    assert "TLS certificate is not trusted" in text
    assert "CERTIFICATE_VERIFY_FAILED" in text
    assert "pass verify=ssl_context" in text
    # An untrusted certificate does not fix itself: not retried.
    assert err.attempts == 1
    assert fast_retries == []
    assert emu.requests_received == 0


def test_tls_with_the_right_ca_works(
    https_emulator: tuple[Emulator, str], certificate: tuple[Path, Path]
) -> None:
    emu, base_url = https_emulator
    context = trusting(certificate[0])
    with KwikPaisa(emu.api_key, emu.secret_key, base_url=base_url, verify=context) as kp:
        assert kp.orders.cancel("ord_1").status == "CANCELLED"
    assert emu.cancel_count("ord_1") == 1


def test_tls_verification_off_only_when_asked_and_it_warns(
    https_emulator: tuple[Emulator, str], caplog: pytest.LogCaptureFixture
) -> None:
    emu, base_url = https_emulator
    with caplog.at_level(logging.WARNING, logger="kwikpaisa"):
        kp = KwikPaisa(emu.api_key, emu.secret_key, base_url=base_url, verify=False)
    assert any(
        "TLS certificate verification is OFF" in r.getMessage() and r.levelno == logging.WARNING
        for r in caplog.records
    )
    with kp:
        assert kp.orders.cancel("ord_1").status == "CANCELLED"


def test_async_tls_is_verified_by_default(https_emulator: tuple[Emulator, str]) -> None:
    emu, base_url = https_emulator

    async def go() -> None:
        async with AsyncKwikPaisa(emu.api_key, emu.secret_key, base_url=base_url) as kp:
            await kp.orders.cancel("ord_1")

    with pytest.raises(APIConnectionError, match="TLS certificate is not trusted"):
        asyncio.run(go())


@pytest.mark.parametrize("verify", ["no", 0, None, "/etc/ssl/certs"])
def test_verify_takes_only_true_false_or_a_context(verify: object) -> None:
    with pytest.raises(ValueError, match=r"verify must be True, False or an ssl\.SSLContext"):
        KwikPaisa("pk_test_x", "sk_test_x", verify=verify)  # type: ignore[arg-type]


def test_redirect_after_a_retry_says_how_many_attempts(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(503), Fault.redirect("https://elsewhere.example/"))
    with pytest.raises(APIConnectionError) as caught:
        kp.orders.cancel("ord_1")
    assert caught.value.attempts == 2
    assert str(caught.value).endswith("(after 2 attempts)")
