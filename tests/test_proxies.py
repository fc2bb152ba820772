"""Proxies on every path: sync, async, batches, the low-level client and the command line,
through a real recording proxy on loopback (plain forwarding, and CONNECT to TLS).

Every call here reaches the emulator, which verifies the signature for real: a
cancelled order means the signed request crossed the proxy unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kwikpaisa import APIConnectionError, AsyncKwikPaisa, ConfigurationError, KwikPaisa
from kwikpaisa._cli import main
from kwikpaisa._pool import AsyncPoolTransport
from kwikpaisa._proxy import mask_proxy, proxy_for
from kwikpaisa.testing import Emulator
from kwikpaisa_generated.api.order_cancel import cancel_hosted_checkout_order
from kwikpaisa_generated.models import CancelOrderRequest, CancelOrderResponse

from .conftest import seeded_emulator
from .proxy_helpers import (
    RecordingProxy,
    dead_port,
    https_emulator,
    make_certificate,
    recording_proxy,
    trusting,
)

CANCEL = "/api/v3/pg/order/cancel"
PASSWORD = "proxy-pass-7f3e"  # a test proxy's password: it must never be shown


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("proxy-tls"))


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    with recording_proxy() as running:
        yield running


@pytest.fixture
def http_url(served: str) -> str:
    """The emulator over plain http on loopback (the ``emulator`` fixture)."""
    return served


@pytest.fixture
def tls(emulator: Emulator, certificate: tuple[Path, Path]) -> Iterator[str]:
    """The ``emulator`` fixture over HTTPS with the test CA's certificate."""
    with https_emulator(emulator, certificate) as url:
        yield url


def keys(emulator: Emulator) -> dict[str, Any]:
    return {"api_key": emulator.api_key, "secret_key": emulator.secret_key}


def tunnel_target(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.host}:{parsed.port}"


# -- the sync and async clients, both kinds of proxying -----------------------------------


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_http_proxy_forwards_plain_http(
    flavour: str,
    proxy: RecordingProxy,
    emulator: Emulator,
    http_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    options = {**keys(emulator), "base_url": http_url}
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            order = kp.orders.cancel("ord_1")
    else:

        async def go() -> Any:
            async with AsyncKwikPaisa(**options) as kp:
                return await kp.orders.cancel("ord_1")

        order = asyncio.run(go())
    assert order.status == "CANCELLED"
    assert proxy.forwarded == [http_url + CANCEL]
    # The proxy passed on the signed headers; the emulator verified them.
    assert proxy.forwarded_headers[0]["X-SIGNATURE"]
    assert emulator.cancel_count("ord_1") == 1


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_https_proxy_tunnels_to_tls(
    flavour: str,
    variable: str,
    proxy: RecordingProxy,
    emulator: Emulator,
    tls: str,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    options = {**keys(emulator), "base_url": tls, "verify": trusting(certificate[0])}
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            first = kp.orders.cancel("ord_1")
            second = kp.orders.status("ord_2")
    else:

        async def go() -> Any:
            async with AsyncKwikPaisa(**options) as kp:
                return await kp.orders.cancel("ord_1"), await kp.orders.status("ord_2")

        first, second = asyncio.run(go())
    assert first.status == "CANCELLED"
    assert second.status == "UN_PAID"
    # One tunnel, kept alive for both calls.
    assert proxy.tunnels == [tunnel_target(tls)]
    assert emulator.cancel_count("ord_1") == 1


def _cancel_through(flavour: str, options: dict[str, Any], order_id: str) -> Any:
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            return kp.orders.cancel(order_id)

    async def go() -> Any:
        async with AsyncKwikPaisa(**options) as kp:
            return await kp.orders.cancel(order_id)

    return asyncio.run(go())


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(
    ("no_proxy", "direct", "proxied"),
    [
        ("127.0.0.1", "127.0.0.1", "localhost"),
        ("localhost", "localhost", "127.0.0.1"),
        ("example.com, http://127.0.0.1", "127.0.0.1", "localhost"),
        ("example.com,*", "127.0.0.1", None),
    ],
)
def test_no_proxy_bypasses_the_proxy(
    flavour: str,
    no_proxy: str,
    direct: str,
    proxied: str | None,
    proxy: RecordingProxy,
    emulator: Emulator,
    http_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    port = httpx.URL(http_url).port
    options = {**keys(emulator), "base_url": f"http://{direct}:{port}"}
    assert _cancel_through(flavour, options, "ord_1").status == "CANCELLED"
    assert proxy.seen == []
    if proxied is not None:  # the same server by another name is not exempt
        options["base_url"] = f"http://{proxied}:{port}"
        assert _cancel_through(flavour, options, "ord_2").status == "CANCELLED"
        assert proxy.forwarded == [f"http://{proxied}:{port}{CANCEL}"]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_proxy_for_the_other_scheme_does_not_apply(
    flavour: str,
    proxy: RecordingProxy,
    emulator: Emulator,
    http_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # HTTPS_PROXY is for https:// only; an http:// base URL takes ALL_PROXY.
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{dead_port()}")
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    order = _cancel_through(flavour, {**keys(emulator), "base_url": http_url}, "ord_1")
    assert order.status == "CANCELLED"
    assert proxy.forwarded == [http_url + CANCEL]


# -- batches and the low-level client ------------------------------------------------------


@pytest.mark.parametrize("kind", ["cancel_many", "status_many"])
def test_batches_go_through_the_proxy(
    kind: str,
    proxy: RecordingProxy,
    emulator: Emulator,
    tls: str,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    ids = ["ord_1", "ord_2", "ord_123"]

    async def go() -> list[Any]:
        async with AsyncKwikPaisa(
            **keys(emulator), base_url=tls, verify=trusting(certificate[0])
        ) as kp:
            run = kp.orders.cancel_many if kind == "cancel_many" else kp.orders.status_many
            return list(await run(ids, concurrency=3))

    outcomes = asyncio.run(go())
    expected = "cancelled" if kind == "cancel_many" else "found"
    assert [o.outcome for o in outcomes] == [expected] * 3
    assert proxy.tunnels  # every connection of the batch was a tunnel through the proxy
    assert set(proxy.tunnels) == {tunnel_target(tls)}
    assert len(proxy.tunnels) <= 3


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_low_level_client_goes_through_the_proxy(
    flavour: str,
    proxy: RecordingProxy,
    emulator: Emulator,
    tls: str,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    options = {**keys(emulator), "base_url": tls, "verify": trusting(certificate[0])}
    body = CancelOrderRequest(order_id="ord_1")
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            response = cancel_hosted_checkout_order.sync_detailed(
                client=kp.low_level_client, body=body
            )
    else:

        async def go() -> Any:
            async with AsyncKwikPaisa(**options) as kp:
                return await cancel_hosted_checkout_order.asyncio_detailed(
                    client=kp.low_level_client, body=body
                )

        response = asyncio.run(go())
    assert response.status_code == 200
    assert isinstance(response.parsed, CancelOrderResponse)
    assert proxy.tunnels == [tunnel_target(tls)]
    assert emulator.cancel_count("ord_1") == 1


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_API_KEY", emulator.api_key)
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", emulator.secret_key)


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize(
    "argv",
    [
        ["cancel", "ord_1"],
        ["status", "ord_1"],
        ["create", "--order-id", "ord_new", "--amount", "105", "--service-type", "DIGITAL",
         "--name", "Ajay",
         "--email", "ajay@example.com", "--phone", "9876543210",
         "--return-url", "https://merchant.example/return"],
    ],
    ids=["cancel", "status", "create"],
)  # fmt: skip
def test_every_cli_command_goes_through_the_proxy(
    argv: list[str],
    proxy: RecordingProxy,
    http_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    code = main([*argv, "--base-url", http_url])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)
    assert len(proxy.forwarded) == 1
    assert proxy.forwarded[0].startswith(http_url + "/api/v3/pg/order/")


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize("command", ["cancel", "status"])
@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "KWIKPAISA_PROXY"])
def test_cli_batches_go_through_the_proxy(
    command: str,
    variable: str,
    proxy: RecordingProxy,
    tls: str,
    certificate: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the CLI's way to a test CA
    orders = tmp_path / "orders.txt"
    orders.write_text("ord_1\nord_2\n", encoding="utf-8")
    code = main(
        [command, "--from", str(orders), "--base-url", tls, "--no-progress", "--concurrency", "2"]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert proxy.tunnels
    assert set(proxy.tunnels) == {tunnel_target(tls)}


@pytest.mark.usefixtures("cli_env")
def test_cli_names_a_dead_proxy(
    http_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KWIKPAISA_PROXY", f"http://user:{PASSWORD}@127.0.0.1:{dead_port()}")
    code = main(["status", "ord_1", "--base-url", http_url, "--max-retries", "0"])
    err = capsys.readouterr().err
    assert code == 4
    assert "through the proxy http://***@127.0.0.1:" in err
    assert PASSWORD not in err


def test_cli_help_names_the_proxy_variables(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "a proxy from KWIKPAISA_PROXY, else HTTPS_PROXY / HTTP_PROXY / ALL_PROXY" in out


@pytest.mark.usefixtures("cli_env")
def test_cli_refuses_a_bad_proxy_variable_as_configuration(
    http_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KWIKPAISA_PROXY", f"user:{PASSWORD}@proxy.example:3128")
    code = main(["status", "ord_1", "--base-url", http_url])
    err = capsys.readouterr().err
    assert code == 3
    assert "KWIKPAISA_PROXY" in err
    assert "is not a proxy URL" in err
    assert PASSWORD not in err


# -- explicit proxies: proxy= and KWIKPAISA_PROXY --------------------------------------------


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("how", ["argument", "variable"])
def test_an_explicit_proxy_wins_over_the_environment(
    flavour: str,
    how: str,
    proxy: RecordingProxy,
    emulator: Emulator,
    http_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The environment's proxy is dead and NO_PROXY exempts the host: only the explicit
    # proxy can carry the call (an explicit proxy ignores NO_PROXY, as in httpx).
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    options: dict[str, Any] = {**keys(emulator), "base_url": http_url}
    if how == "argument":
        options["proxy"] = proxy.url
    else:
        monkeypatch.setenv("KWIKPAISA_PROXY", proxy.url)
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            order = kp.orders.cancel("ord_1")
    else:

        async def go() -> Any:
            async with AsyncKwikPaisa(**options) as kp:
                return await kp.orders.cancel("ord_1")

        order = asyncio.run(go())
    assert order.status == "CANCELLED"
    assert proxy.forwarded == [http_url + CANCEL]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_proxy_credentials_are_sent_and_never_shown(
    flavour: str,
    emulator: Emulator,
    tls: str,
    certificate: tuple[Path, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with recording_proxy(credentials=("user", PASSWORD)) as proxy:
        options = {
            **keys(emulator),
            "base_url": tls,
            "verify": trusting(certificate[0]),
            "proxy": proxy.url,
        }
        if flavour == "sync":
            with KwikPaisa(**options) as kp:
                shown = repr(kp)
                order = kp.orders.cancel("ord_1")
        else:

            async def go() -> tuple[str, Any]:
                async with AsyncKwikPaisa(**options) as kp:
                    return repr(kp), await kp.orders.cancel("ord_1")

            shown, order = asyncio.run(go())
    assert order.status == "CANCELLED"
    assert proxy.tunnels == [tunnel_target(tls)]
    assert f"proxy='http://***@{proxy.address}'" in shown
    assert PASSWORD not in shown
    assert PASSWORD not in caplog.text


# -- failures at the proxy ------------------------------------------------------------------


def _fail(flavour: str, options: dict[str, Any]) -> APIConnectionError:
    if flavour == "sync":
        with KwikPaisa(**options) as kp, pytest.raises(APIConnectionError) as caught:
            kp.orders.cancel("ord_1")
        return caught.value

    async def go() -> APIConnectionError:
        async with AsyncKwikPaisa(**options) as kp:
            with pytest.raises(APIConnectionError) as caught:
                await kp.orders.cancel("ord_1")
            return caught.value

    return asyncio.run(go())


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("scheme", ["https", "http"])
def test_wrong_proxy_credentials_say_the_proxy_refused(
    flavour: str,
    scheme: str,
    emulator: Emulator,
    tls: str,
    http_url: str,
    certificate: tuple[Path, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # https: the proxy refuses the tunnel; http: it answers the forwarded request with 407.
    caplog.set_level(logging.DEBUG)
    with recording_proxy(credentials=("user", "the-right-one")) as proxy:
        url = f"http://user:{PASSWORD}@{proxy.address}"
        base = tls if scheme == "https" else http_url
        error = _fail(
            flavour,
            {
                **keys(emulator),
                "base_url": base,
                "verify": trusting(certificate[0]),
                "proxy": url,
            },
        )
    message = str(error)
    assert message.startswith(
        f"The proxy http://***@{proxy.address} refused to connect to KwikPaisa at {base}"
    )
    assert "407 Proxy Authentication Required" in message
    assert "check the proxy's address and credentials" in message
    # Credentials do not fix themselves: one attempt, and nothing reached KwikPaisa.
    assert error.attempts == 1
    assert len(proxy.seen) == 1
    assert emulator.cancel_count("ord_1") == 0
    for text in (message, repr(error), caplog.text, repr(error.request.headers)):
        assert PASSWORD not in text


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_an_unreachable_proxy_is_named(
    flavour: str, emulator: Emulator, http_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://user:{PASSWORD}@127.0.0.1:{dead_port()}")
    error = _fail(flavour, {**keys(emulator), "base_url": http_url, "max_retries": 0})
    message = str(error)
    assert "Could not connect to KwikPaisa at " + http_url in message
    assert "through the proxy http://***@127.0.0.1:" in message
    assert "check the proxy setting" in message
    assert PASSWORD not in message
    assert PASSWORD not in repr(error)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_refused_tunnel_is_reported_as_the_proxys_and_retried(
    flavour: str,
    proxy: RecordingProxy,
    emulator: Emulator,
    tls: str,
    fast_retries: list[float],
) -> None:
    proxy.refuse_tunnels = 503
    error = _fail(flavour, {**keys(emulator), "base_url": tls, "proxy": proxy.url})
    assert f"The proxy http://{proxy.address} refused to connect" in str(error)
    assert "503" in str(error)
    # Nothing reached KwikPaisa, so every attempt was safe to make.
    assert error.attempts == 3
    assert proxy.tunnels == [tunnel_target(tls)] * 3
    assert len(fast_retries) == 2
    assert emulator.cancel_count("ord_1") == 0


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["ftp://proxy.example:21", "proxy.example:3128", "http://", 3128])
def test_a_bad_proxy_argument_names_it(value: object) -> None:
    with pytest.raises(ConfigurationError, match=r"^proxy (.* is not a proxy URL|must be a URL)"):
        KwikPaisa("pk_test_x", "sk_test_x", proxy=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://proxy.example:3128", "http://proxy.example:3128"),
        (f"http://user:{PASSWORD}@proxy.example:3128", "http://***@proxy.example:3128"),
        (f"user:{PASSWORD}@proxy.example:3128", "***@proxy.example:3128"),
        (f"http://user:{PASSWORD}/x@y@proxy.example:3128/", "http://***@proxy.example:3128/"),
        (f"https://{PASSWORD}@[::1]:3128", "https://***@[::1]:3128"),
    ],
)
def test_proxy_credentials_are_masked_however_the_url_is_written(url: str, shown: str) -> None:
    assert mask_proxy(url) == shown


def test_a_bad_proxy_variable_names_it_and_masks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_PROXY", f"socks9://user:{PASSWORD}@proxy.example:1080")
    with pytest.raises(ConfigurationError) as caught:
        AsyncKwikPaisa("pk_test_x", "sk_test_x")
    assert str(caught.value).startswith("KWIKPAISA_PROXY 'socks9://***@proxy.example:1080'")
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize("given", ["transport", "http_client"])
def test_proxy_with_your_own_transport_or_client_is_refused(given: str) -> None:
    own: dict[str, Any] = (
        {"transport": seeded_emulator().transport()}
        if given == "transport"
        else {"http_client": httpx.Client()}
    )
    with pytest.raises(ConfigurationError, match=f"pass proxy or {given}, not both"):
        KwikPaisa("pk_test_x", "sk_test_x", proxy="http://proxy.example:3128", **own)


def test_kwikpaisa_proxy_leaves_your_own_transport_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KWIKPAISA_PROXY", f"http://127.0.0.1:{dead_port()}")
    emu = seeded_emulator()
    with KwikPaisa(
        emu.api_key, emu.secret_key, base_url="http://emulator.localhost", transport=emu.transport()
    ) as kp:
        assert kp.orders.cancel("ord_1").status == "CANCELLED"


def _transport_of(kp: AsyncKwikPaisa) -> object:
    return kp._http._transport


def test_the_fast_pool_is_kept_only_where_no_proxy_setting_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = AsyncKwikPaisa("pk_test_x", "sk_test_x")
    assert isinstance(_transport_of(plain), AsyncPoolTransport)
    explicit = AsyncKwikPaisa("pk_test_x", "sk_test_x", proxy="http://proxy.example:3128")
    assert not isinstance(_transport_of(explicit), AsyncPoolTransport)
    monkeypatch.setenv("ALL_PROXY", "http://proxy.example:3128")
    from_env = AsyncKwikPaisa("pk_test_x", "sk_test_x")
    assert not isinstance(_transport_of(from_env), AsyncPoolTransport)


# -- naming the proxy: the same answer as httpx's routing -------------------------------------

_CASES = [
    ({"HTTPS_PROXY": "http://a.example:1"}, "https://api.kwikpaisa.com"),
    ({"HTTPS_PROXY": "a.example:1"}, "https://api.kwikpaisa.com"),
    ({"HTTP_PROXY": "http://a.example:1"}, "https://api.kwikpaisa.com"),
    ({"ALL_PROXY": "http://b.example:2", "HTTPS_PROXY": "http://a.example:1"},
     "https://api.kwikpaisa.com"),
    ({"ALL_PROXY": "http://b.example:2"}, "http://127.0.0.1:8080"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "kwikpaisa.com"},
     "https://api.kwikpaisa.com"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": ".kwikpaisa.com"},
     "https://kwikpaisa.com"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "paisa.com"}, "https://api.kwikpaisa.com"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "localhost"}, "http://localhost:8080"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "::1"}, "http://[::1]:8080"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "127.0.0.1"}, "http://127.0.0.1:8080"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "https://api.kwikpaisa.com"},
     "http://api.kwikpaisa.com"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "http://127.0.0.1:9"},
     "http://127.0.0.1:8080"),
    ({"ALL_PROXY": "http://b.example:2", "NO_PROXY": "all://127.0.0.1:8080"},
     "http://127.0.0.1:8080"),
    ({"HTTPS_PROXY": "http://a.example:1", "NO_PROXY": "*"}, "https://api.kwikpaisa.com"),
    ({"HTTPS_PROXY": "http://a.example:1", "NO_PROXY": " x.example , api.kwikpaisa.com "},
     "https://api.kwikpaisa.com"),
    ({}, "https://api.kwikpaisa.com"),
]  # fmt: skip


def _httpx_proxy_for(url: str) -> str | None:
    """Which proxy httpx itself routes ``url`` through (its private mount table)."""
    with httpx.Client() as client:
        transport = client._transport_for_url(httpx.URL(url))
        if transport is client._transport:
            return None
        proxy_url = transport._pool._proxy_url  # type: ignore[attr-defined]
        return f"{proxy_url.host.decode()}:{proxy_url.port}"


@pytest.mark.parametrize(("environ", "url"), _CASES)
def test_the_proxy_named_is_the_one_httpx_uses(
    environ: dict[str, str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    ours = proxy_for(url, None)
    expected = _httpx_proxy_for(url)
    assert (None if ours is None else tunnel_target(ours)) == expected
