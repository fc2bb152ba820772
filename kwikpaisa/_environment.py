"""Environments (sandbox / production / a custom base URL) and resolving client settings."""

from __future__ import annotations

import enum
import ipaddress
import os
import re
from collections.abc import Mapping

import attrs
import httpx

from ._constants import (
    CANCEL_ORDER_PATH,
    ENV_ALLOW_INSECURE_HTTP,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_ENVIRONMENT,
    ENV_SECRET_KEY,
    PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL,
    SANDBOX_KEY_PREFIX,
)
from ._logging import logger
from ._validation import validate_credential
from .errors import ConfigurationError

__all__ = ["ClientSettings", "Environment", "mask_key", "resolve_settings"]


class Environment(enum.StrEnum):
    """Where requests go. The default is always ``SANDBOX``."""

    SANDBOX = "sandbox"
    PRODUCTION = "production"

    @property
    def base_url(self) -> str:
        """The environment's base URL, as listed in the OpenAPI document's ``servers``."""
        return _BASE_URLS[self]


_BASE_URLS = {Environment.SANDBOX: SANDBOX_BASE_URL, Environment.PRODUCTION: PRODUCTION_BASE_URL}


@attrs.frozen(kw_only=True)
class ClientSettings:
    """Resolved, validated settings shared by the sync and async clients."""

    api_key: str
    secret_key: str = attrs.field(repr=False)
    environment: Environment | None
    base_url: str


def mask_key(api_key: str) -> str:
    """Show an API key the way logs and messages may: ``pk_test_…abcd``."""
    prefix = SANDBOX_KEY_PREFIX if api_key.startswith(SANDBOX_KEY_PREFIX) else api_key[:3]
    return f"{prefix}…{api_key[-4:]}" if len(api_key) > len(prefix) + 4 else f"{prefix}…"


def _parse_environment(value: object, *, source: str, base_url_source: str) -> Environment:
    if isinstance(value, Environment):
        return value
    if isinstance(value, str):
        try:
            return Environment(value.strip().lower())
        except ValueError:
            pass
    choices = ", ".join(repr(e.value) for e in Environment)
    raise ConfigurationError(
        f"Unknown environment {value!r} (from {source}): use one of {choices}, "
        f"or give {base_url_source} instead"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# A base URL path that already holds (the start of) the operations' own path, which the
# SDK appends whole: /api, /api/v3, /api/v3/pg/order/cancel, /proxy/api/v2, ...
_API_PATH = re.compile(r"(?:^|/)api(?:/v\d+(?:/.*)?)?$", re.IGNORECASE)


def _refuse_api_path(url: httpx.URL, base_url: str, source: str) -> None:
    """``ConfigurationError`` for a base URL ending in ``/api/v3`` or the like: every
    request would go to ``.../api/v3/api/v3/...`` and meet a 404."""
    path = url.path.rstrip("/")
    match = _API_PATH.search(path)
    if match is None:
        return
    root = str(url.copy_with(path=path[: match.start()] or "/")).rstrip("/")
    raise ConfigurationError(
        f"{source} {base_url!r} ends in {path[match.start() :]!r}, but the SDK adds each "
        f"operation's whole path (/api/v3/pg/order/...) itself, so requests would go to "
        f"{str(url).rstrip('/')}{CANCEL_ORDER_PATH}; give the address without it: {root!r}"
    )


def validate_base_url(
    base_url: object,
    *,
    allow_insecure_http: bool = False,
    source: str = "base_url",
    insecure_opt_in: str = f"pass allow_insecure_http=True (or set {ENV_ALLOW_INSECURE_HTTP}=1)",
    warn: bool = True,
) -> str:
    """Return ``base_url`` without a trailing slash, or raise ``ConfigurationError``.

    ``https://`` is required; plain ``http://`` is accepted for loopback hosts (the
    emulator, a local proxy), and for any other host only with ``allow_insecure_http``
    (an emulator in another container, say), because signed requests must not cross
    a network in clear text by accident (logged as a warning unless ``warn`` is false).
    A path is accepted (a gateway that serves KwikPaisa under a prefix), except one
    ending in ``/api``, ``/api/v3`` or more of the operations' own path, which the SDK
    appends whole (that would double it). ``source`` names where the URL came from in
    messages; ``insecure_opt_in`` says how to opt in.
    """
    if not isinstance(base_url, str) or not base_url.strip():
        raise ConfigurationError(f"{source} must be a non-empty URL such as https://host")
    try:
        url = httpx.URL(base_url.strip())
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"{source} {base_url!r} is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"{source} {base_url!r} must be an absolute http(s) URL such as https://host"
        )
    if url.scheme == "http" and not _is_loopback(url.host):
        if not allow_insecure_http:
            raise ConfigurationError(
                f"{source} {base_url!r} uses plain http:// for a host that is not loopback; "
                "signed requests need https:// (http:// is allowed only for 127.0.0.1, ::1, "
                f"localhost). For a trusted network (an emulator in another container), "
                f"{insecure_opt_in}"
            )
        if warn:
            logger.warning(
                "Plain http:// to %s (allow_insecure_http): signed requests and their answers "
                "cross the network unencrypted",
                url.host,
            )
    if url.query or url.fragment:
        raise ConfigurationError(f"{source} {base_url!r} must not carry a query or fragment")
    _refuse_api_path(url, base_url, source)
    return str(url).rstrip("/")


def _flag(value: str, variable: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{variable}={value!r} is not one of 1, true, yes, 0, false, no")


def resolve_settings(
    *,
    api_key: str | None,
    secret_key: str | None,
    environment: Environment | str | None,
    base_url: str | None,
    allow_insecure_http: bool | None = None,
    environ: Mapping[str, str] | None = None,
    command_line: bool = False,
    warn: bool = True,
) -> ClientSettings:
    """Combine arguments and ``KWIKPAISA_*`` environment variables into checked settings.

    Arguments win over variables: an ``environment=`` or ``base_url=`` argument means
    ``KWIKPAISA_ENVIRONMENT`` and ``KWIKPAISA_BASE_URL`` are not read. Among arguments
    (or among variables) the base URL wins over the environment. With neither, the
    environment is sandbox: nothing reaches production unless asked for.
    ``allow_insecure_http=None`` reads ``KWIKPAISA_ALLOW_INSECURE_HTTP``.
    ``command_line`` words messages for a terminal: flags and variables, not arguments.
    """
    env = os.environ if environ is None else environ
    key = validate_credential(
        api_key if api_key is not None else env.get(ENV_API_KEY),
        argument="api_key",
        variable=ENV_API_KEY,
        command_line=command_line,
    )
    secret = validate_credential(
        secret_key if secret_key is not None else env.get(ENV_SECRET_KEY),
        argument="secret_key",
        variable=ENV_SECRET_KEY,
        command_line=command_line,
    )
    env_source = "--environment" if command_line else "environment="
    url_source = "--base-url" if command_line else "base_url="
    if environment is None and base_url is None:
        # Arguments beat variables: either argument makes both variables irrelevant.
        environment = env.get(ENV_ENVIRONMENT) or None
        base_url = env.get(ENV_BASE_URL) or None
        env_source, url_source = ENV_ENVIRONMENT, ENV_BASE_URL
    if allow_insecure_http is None:
        allow_insecure_http = _flag(env.get(ENV_ALLOW_INSECURE_HTTP, ""), ENV_ALLOW_INSECURE_HTTP)

    resolved_env = (
        None
        if environment is None
        else _parse_environment(environment, source=env_source, base_url_source=url_source)
    )
    if base_url is not None:
        opt_in = (
            f"add --allow-insecure-http (or set {ENV_ALLOW_INSECURE_HTTP}=1)"
            if command_line
            else f"pass allow_insecure_http=True (or set {ENV_ALLOW_INSECURE_HTTP}=1)"
        )
        url = validate_base_url(
            base_url,
            allow_insecure_http=allow_insecure_http,
            source=url_source.rstrip("="),
            insecure_opt_in=opt_in,
            warn=warn,
        )
    else:
        resolved_env = resolved_env or Environment.SANDBOX
        url = resolved_env.base_url

    if resolved_env is Environment.PRODUCTION and key.startswith(SANDBOX_KEY_PREFIX):
        if env_source == ENV_ENVIRONMENT:
            fix = f"or set {ENV_ENVIRONMENT}=sandbox (it is {environment!r})"
        elif command_line:
            fix = "or --environment sandbox"
        else:
            fix = "or environment='sandbox'"
        key_name = ENV_API_KEY if command_line else "api_key"
        raise ConfigurationError(
            f"{key_name} {mask_key(key)} is a sandbox key (it starts with {SANDBOX_KEY_PREFIX!r}) "
            f"but the environment is production; use your production keys, {fix}"
        )
    return ClientSettings(api_key=key, secret_key=secret, environment=resolved_env, base_url=url)
