"""Client settings: credentials, environments, base URLs, defaults."""

from __future__ import annotations

import httpx
import pytest

from kwikpaisa import AsyncKwikPaisa, ConfigurationError, Environment, KwikPaisa

KEYS = {"api_key": "pk_test_1234567890abcd", "secret_key": "sk_test_x"}


def test_environments_send_to_kwikpaisas_base_urls() -> None:
    assert Environment.SANDBOX.base_url == "https://sandbox.kwikpaisa.com"
    assert Environment.PRODUCTION.base_url == "https://api.kwikpaisa.com"
    assert Environment.SANDBOX == "sandbox"
    assert Environment.PRODUCTION == "production"


def test_cancel_is_sent_to_the_cancel_path() -> None:
    from kwikpaisa._constants import CANCEL_ORDER_PATH

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(
            200, json={"status": "success", "return_data": {"order_status": "CANCELLED"}}
        )

    with KwikPaisa(**KEYS, transport=httpx.MockTransport(answer)) as kp:
        kp.orders.cancel("ord_1")
    assert seen == [CANCEL_ORDER_PATH] == ["/api/v3/pg/order/cancel"]


def test_credentials_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_API_KEY", "pk_example_fromenv00001")
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", "sk_example_x")
    monkeypatch.setenv("KWIKPAISA_ENVIRONMENT", "Production")
    with KwikPaisa() as kp:
        assert kp.environment is Environment.PRODUCTION
        assert kp.base_url == "https://api.kwikpaisa.com"
        assert "0001" in repr(kp)
        assert "sk_example_x" not in repr(kp)


def test_base_url_variable_beats_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_BASE_URL", "https://staging.example.com/")
    monkeypatch.setenv("KWIKPAISA_ENVIRONMENT", "production")
    with KwikPaisa("pk_example_abcdefgh1234", "s") as kp:
        assert kp.base_url == "https://staging.example.com"
        assert kp.environment is Environment.PRODUCTION


def test_environment_argument_beats_base_url_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_BASE_URL", "https://staging.example.com/")
    with KwikPaisa("pk_example_abcdefgh1234", "s", environment="production") as kp:
        assert kp.base_url == "https://api.kwikpaisa.com"


def test_arguments_win_over_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_API_KEY", "pk_test_env_key_0000")
    monkeypatch.setenv("KWIKPAISA_ENVIRONMENT", "production")
    with KwikPaisa("pk_test_arg_key_1111", "s", environment="sandbox") as kp:
        assert kp.environment is Environment.SANDBOX
        assert "1111" in repr(kp)


def test_sandbox_key_with_production_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="sandbox key") as info:
        KwikPaisa("pk_test_abcdefgh1234", "sk", environment=Environment.PRODUCTION)
    assert "pk_test_…1234" in str(info.value)
    assert "or environment='sandbox'" in str(info.value)


def test_sandbox_key_with_production_from_the_variable_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KWIKPAISA_ENVIRONMENT", "production")
    with pytest.raises(ConfigurationError, match="sandbox key") as info:
        KwikPaisa("pk_test_abcdefgh1234", "sk")
    assert "set KWIKPAISA_ENVIRONMENT=sandbox (it is 'production')" in str(info.value)


def test_unknown_environment_lists_the_choices() -> None:
    with pytest.raises(ConfigurationError, match="'sandbox', 'production'"):
        KwikPaisa(**KEYS, environment="staging")


def test_unknown_environment_from_the_variable_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_ENVIRONMENT", "live")
    with pytest.raises(ConfigurationError, match=r"'live' \(from KWIKPAISA_ENVIRONMENT\)"):
        KwikPaisa(**KEYS)


def test_wrong_kind_of_http_client_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="AsyncKwikPaisa"):
        KwikPaisa(**KEYS, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="use KwikPaisa"):
        AsyncKwikPaisa(**KEYS, http_client=httpx.Client())  # type: ignore[arg-type]


def test_user_http_client_is_not_closed() -> None:
    http = httpx.Client()
    with KwikPaisa(**KEYS, http_client=http):
        pass
    assert not http.is_closed
    http.close()


def test_owned_pool_is_closed_by_close() -> None:
    kp = KwikPaisa(**KEYS)
    kp.close()
    assert kp._http.is_closed


def test_unknown_log_level_warns_instead_of_silently_ignoring() -> None:
    import subprocess
    import sys

    env = {"KWIKPAISA_LOG": "verbose", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", "import kwikpaisa"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "KWIKPAISA_LOG='verbose' is not one of 'debug', 'info' or 'off'" in done.stderr


def test_the_timeouts_page_states_the_real_defaults() -> None:
    import re

    from kwikpaisa import _constants as constants

    from .readme_examples import doc_text

    page = doc_text("docs/timeouts.md")
    stated = {
        "timeout per attempt": constants.DEFAULT_TIMEOUT,
        "connect timeout": constants.DEFAULT_CONNECT_TIMEOUT,
        "total_timeout": constants.DEFAULT_TOTAL_TIMEOUT,
    }
    for name, value in stated.items():
        row = re.search(rf"^\| {re.escape(name)} \| `([^`|]+)` \|", page, re.M)
        assert row, f"docs/timeouts.md's defaults table has no row {name!r}"
        assert row[1] == f"{value:g} s", f"docs/timeouts.md says {name} = {row[1]}"
    row = re.search(r"^\| max_retries \| `(\d+)` \|", page, re.M)
    assert row, "docs/timeouts.md's defaults table has no row 'max_retries'"
    assert int(row[1]) == constants.DEFAULT_MAX_RETRIES
    # "no call blocks longer than 60 s": the deadline the issue asks for, and the page's claim.
    assert constants.DEFAULT_TOTAL_TIMEOUT <= 60
    claim = f"no call blocks longer than {constants.DEFAULT_TOTAL_TIMEOUT:g} s"
    assert claim in " ".join(page.split())
    # The page's arithmetic: two full attempts and their backoff fit in the deadline.
    two = 2 * constants.DEFAULT_TIMEOUT + constants.INITIAL_RETRY_DELAY * 3
    assert two < constants.DEFAULT_TOTAL_TIMEOUT
    assert f"two full attempts of {constants.DEFAULT_TIMEOUT:g} s" in " ".join(page.split())
    with KwikPaisa("pk_test_k", "sk_test_s") as kp:
        assert kp.total_timeout == constants.DEFAULT_TOTAL_TIMEOUT
