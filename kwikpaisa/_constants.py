"""Every default the SDK uses, in one place.

The README quotes these values and the test suite asserts them, so changing one
here is a documented behaviour change.
"""

from __future__ import annotations

SANDBOX_BASE_URL = "https://sandbox.kwikpaisa.com"
PRODUCTION_BASE_URL = "https://api.kwikpaisa.com"

CANCEL_ORDER_PATH = "/api/v3/pg/order/cancel"

# Seconds each network step of an attempt may take (httpx semantics: connecting,
# sending, and each wait for data are bounded separately, not their sum). Two full
# attempts fit in DEFAULT_TOTAL_TIMEOUT (docs/timeouts.md says why these values).
DEFAULT_TIMEOUT = 20.0
# Time allowed to open a connection, in seconds (a dead host fails fast).
DEFAULT_CONNECT_TIMEOUT = 5.0
# Seconds a whole call may take, attempts, retries and waits together, however slowly
# the peer answers: no call with default settings blocks longer than this.
DEFAULT_TOTAL_TIMEOUT = 60.0
# Retries after the first attempt (so up to three attempts in all).
DEFAULT_MAX_RETRIES = 2
# Exponential backoff: INITIAL * 2**retry, capped, with up to 25 % jitter taken off.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A Retry-After header is honoured up to this many seconds; longer waits are capped.
MAX_RETRY_AFTER = 60.0

# Connection pool of each client: connections open at most, and kept open while idle (all
# of them, so one batch after another does not reopen connections; an idle connection is
# closed after httpx's keep-alive expiry, 5 s).
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_KEEPALIVE_CONNECTIONS = 100

# Orders in flight at once in a batch (orders.cancel_many, kwikpaisa cancel --from). At 32
# the client reaches about 90 % of the ideal against 20 ms of latency and about one core's
# worth of requests; more only helps a slower gateway (docs/performance.md).
DEFAULT_CONCURRENCY = 32

# Order ids: strings up to this many characters, integers from 1 to 2**53 - 1.
MAX_ORDER_ID_LENGTH = 128
MAX_SAFE_INTEGER = 2**53 - 1

# Seconds a signed timestamp may differ from the verifier's clock, either way (KwikPaisa's
# tolerance for requests, and verify()'s default for webhooks).
TIMESTAMP_TOLERANCE = 300
# A signed timestamp is UNIX time in whole seconds: digits only, at most this many.
MAX_TIMESTAMP_DIGITS = 18
# 13 digits (or more) is UNIX time in milliseconds, not seconds: a common mistake.
MILLISECONDS_FROM = 10**12

# Timestamps further than this from KwikPaisa's clock are reported as clock skew.
CLOCK_SKEW_WARNING_SECONDS = 60

# Header names.
HEADER_API_KEY = "X-API-KEY"
HEADER_SIGNATURE = "X-SIGNATURE"
HEADER_TIMESTAMP = "X-TIMESTAMP"

# Environment variables read when an argument is not given.
ENV_API_KEY = "KWIKPAISA_API_KEY"
ENV_SECRET_KEY = "KWIKPAISA_SECRET_KEY"  # noqa: S105 (a variable name, not a secret)
ENV_ENVIRONMENT = "KWIKPAISA_ENVIRONMENT"
ENV_BASE_URL = "KWIKPAISA_BASE_URL"
ENV_LOG = "KWIKPAISA_LOG"
ENV_ALLOW_INSECURE_HTTP = "KWIKPAISA_ALLOW_INSECURE_HTTP"
# An explicit proxy for every request (the clients' proxy= argument wins over it).
ENV_PROXY = "KWIKPAISA_PROXY"

# The bundled emulator's credentials unless others are given (public test values).
EMULATOR_API_KEY = "pk_test_emulator"
EMULATOR_SECRET_KEY = "sk_test_emulator"  # noqa: S105 (the emulator's public test key)

# Sandbox API keys start with this prefix (KwikPaisa's guide).
SANDBOX_KEY_PREFIX = "pk_test_"

# Timezone KwikPaisa's timestamps are read in (they carry none).
KWIKPAISA_TIMEZONE = "Asia/Kolkata"

# Webhook bodies larger than this are refused by kwikpaisa.webhooks.verify() before any
# hashing (KwikPaisa's events are a few hundred bytes; this leaves room for thousands of
# times more, and bounds what a forged delivery can cost a receiver).
WEBHOOK_MAX_BODY_BYTES = 1024 * 1024

# Responses larger than this are not read (a cancel answer is a few hundred bytes).
MAX_RESPONSE_BYTES = 1024 * 1024

# Amounts: digits before the decimal point, at most (an amount read from KwikPaisa with more
# is refused; 13 digits and 2 places are 15 significant digits, which a JSON number carries
# exactly).
MAX_AMOUNT_INTEGER_DIGITS = 13

# Longest accepted text of each orders.create field, in characters (checked before the
# network; docs/orders.md lists them). The phone (8 to 15 digits after an optional "+") and
# the currency (three capitals) are bounded by their patterns.
MAX_CUSTOMER_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254  # the longest address SMTP carries (RFC 5321)
MAX_PHONE_LENGTH = 16
MAX_NOTE_LENGTH = 500
MAX_SERVICE_TYPE_LENGTH = 32
MAX_RETURN_URL_LENGTH = 2048
MAX_CURRENCY_LENGTH = 3
