"""``kwikpaisa sign``: show every step of signing a body, to debug a 401.

It prints the canonical payload, the timestamp, the exact string that is signed
and the signature, so a hand-written integration can be compared step by step.
Given ``--signature``, it says whether that signature matches and, when it does
not, checks it against the usual mistakes (unsorted keys, spaces, escaped
slashes, a number sent as a string, the wrong key, ...). The secret key is read
from the environment and never printed.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from typing import Any

from .._constants import ENV_API_KEY, ENV_SECRET_KEY, HEADER_TIMESTAMP, MILLISECONDS_FROM
from ..signing import (
    canonical_payload,
    compute_signature,
    parse_timestamp,
    signature_matches,
    signing_string,
)
from ._common import UsageError, print_json, read_source, usage
from ._exit import ExitCode

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sign",
        help="show how a body is signed, step by step (to debug 401s)",
        description="Print the canonical payload, the timestamp, the exact string that is "
        "signed and the signature for a JSON body, using the secret key in "
        f"${ENV_SECRET_KEY} (never printed). With --signature, compare a signature you "
        "computed and name the likely mistake when it differs (exit 9).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--body", metavar="JSON", help="the JSON request body")
    source.add_argument(
        "--body-file", metavar="FILE", help="read the JSON body from FILE ('-' for stdin)"
    )
    parser.add_argument(
        "--timestamp",
        metavar="T",
        help="the X-TIMESTAMP value, UNIX seconds (default: now)",
    )
    parser.add_argument(
        "--signature",
        metavar="SIG",
        help="a signature you computed; report whether it matches (exit 9 if not)",
    )
    parser.add_argument(
        "--secret-key-env",
        metavar="NAME",
        default=ENV_SECRET_KEY,
        help=f"environment variable holding the secret key (default {ENV_SECRET_KEY})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = _read_body(args)
        body = json.loads(text)
        payload = canonical_payload(body)
    except UsageError as error:
        return _usage(str(error))
    except ValueError as error:
        where = "--body" if args.body is not None else args.body_file
        hint = ' (quote it for the shell: --body \'{"order_id": "x"}\')' if args.body else ""
        return _usage(f"{where} is not valid JSON: {error}{hint}")
    timestamp = args.timestamp if args.timestamp is not None else str(int(time.time()))
    if parse_timestamp(timestamp) is None:
        return _usage(
            f"--timestamp must be UNIX time in whole seconds (digits only), not {timestamp!r}"
        )
    secret = os.environ.get(args.secret_key_env, "")
    if not secret:
        print(
            f"kwikpaisa sign: no secret key: set {args.secret_key_env} to the secret key of "
            "the environment you are debugging (or name another variable with --secret-key-env)",
            file=sys.stderr,
        )
        return int(ExitCode.CONFIGURATION)

    signature = compute_signature(payload, timestamp, secret)
    notes = _notes(text, payload, timestamp)
    if secret != secret.strip():
        notes.append(
            f"the secret key in ${args.secret_key_env} has leading or trailing whitespace; it "
            "was used as is, but KwikPaisa's keys have none: check how it was set"
        )
    result: dict[str, Any] = {
        "canonical_payload": payload.decode("utf-8"),
        "timestamp": timestamp,
        "signed_string": signing_string(payload, timestamp).decode("utf-8"),
        "signature": signature,
        "algorithm": "HMAC-SHA256 of the signed string, lowercase hex",
        "secret_key_from": args.secret_key_env,
        "notes": notes,
    }
    code = ExitCode.OK
    if args.signature is not None:
        given = args.signature.strip()
        match = signature_matches(payload, timestamp, given, secret)
        result["given_signature"] = given
        result["match"] = match
        result["likely_cause"] = (
            None
            if match
            else _likely_cause(text, body, payload, timestamp, secret, signature, given)
        )
        if not match:
            code = ExitCode.VERIFICATION
    if args.json:
        print_json(result)
    else:
        _print_text(result)
    return int(code)


def _usage(message: str) -> int:
    return usage("sign", message)


def _read_body(args: argparse.Namespace) -> str:
    if args.body is not None:
        return str(args.body)
    name = args.body_file
    raw = read_source(name, f"--body-file {name}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"--body-file {name} is not UTF-8 text") from None


def _notes(text: str, payload: bytes, timestamp: str) -> list[str]:
    notes = []
    stripped = text.rstrip("\r\n")
    if stripped != text and stripped.encode("utf-8") == payload:
        notes.append(
            "the body you gave ends with a trailing newline (a file saved by an editor, or echo "
            "without -n): it is not part of the canonical payload; sign and send the payload "
            "above without it"
        )
    elif text.encode("utf-8") != payload:
        notes.append(
            "the body you gave is not in canonical form: sign and send the canonical payload "
            "above, byte for byte"
        )
    if int(timestamp) >= MILLISECONDS_FROM:
        notes.append("the timestamp looks like milliseconds; KwikPaisa expects UNIX seconds")
    return notes


def _likely_cause(
    text: str, body: Any, payload: bytes, timestamp: str, secret: str, signature: str, given: str
) -> str:
    """Name the usual mistake whose signature equals ``given``, if one does (``signature``
    is the right one)."""
    digest = bytes.fromhex(signature)
    if given.lower() == digest.hex() and given != digest.hex():
        return "your signature is upper-case hex; send lowercase hex"
    if given in (base64.b64encode(digest).decode(), base64.urlsafe_b64encode(digest).decode()):
        return "your signature is base64; send the digest as lowercase hex"

    def signs(message: bytes, key: str = secret) -> bool:
        # Whether ``given`` signs the whole message (an empty timestamp appended).
        return signature_matches(message, "", given, key)

    ts = timestamp.encode("ascii")

    def then_timestamp(message: bytes | None) -> bytes | None:
        return None if message is None else message + ts

    candidates: list[tuple[str, bytes | None]] = [
        (
            "you signed the body as written, not its canonical form (keys sorted "
            "recursively, compact)",
            text.encode("utf-8") + ts,
        ),
        (
            "your JSON has spaces after ',' and ':'; serialise compactly",
            _dumps(body, separators=(", ", ": ")) + ts,
        ),
        (
            "your object keys are not sorted; sort them (nested objects too)",
            _dumps(body, sort_keys=False) + ts,
        ),
        (
            "your nested object keys are not sorted; sort keys at every level",
            then_timestamp(_top_level_sorted(body)),
        ),
        (
            "your JSON escapes '/' as '\\/'; leave slashes unescaped",
            payload.replace(b"/", b"\\/") + ts,
        ),
        (
            "your JSON escapes non-ASCII text as \\uXXXX; send it as UTF-8",
            _dumps(body, ensure_ascii=True) + ts,
        ),
        ("you signed the payload without the timestamp; sign payload + timestamp", payload),
        (
            "you signed timestamp + payload; the payload comes first, then the timestamp",
            ts + payload,
        ),
        (
            "you signed the payload with a trailing newline; sign it exactly",
            payload + b"\n" + ts,
        ),
        (
            "your order_id has another JSON type than the body's (number vs string); "
            "sign exactly the body you send",
            then_timestamp(_order_id_retyped(body)),
        ),
    ]
    for cause, candidate in candidates:
        if candidate is not None and candidate != payload + ts and signs(candidate):
            return cause
    api_key = os.environ.get(ENV_API_KEY, "")
    if api_key and signs(payload + ts, api_key):
        return "you signed with the API key; sign with the secret key"
    return (
        "none of the usual mistakes: compare your signed string with the one above byte for "
        "byte, and check that the secret key is this environment's and that you sign with the "
        f"timestamp you send in {HEADER_TIMESTAMP}"
    )


def _dumps(body: Any, **options: Any) -> bytes:
    settings: dict[str, Any] = {
        "ensure_ascii": False,
        "sort_keys": True,
        "separators": (",", ":"),
        **options,
    }
    return json.dumps(body, **settings).encode("utf-8")


def _top_level_sorted(body: Any) -> bytes | None:
    if not isinstance(body, dict):
        return None
    return _dumps(dict(sorted(body.items())), sort_keys=False)


def _order_id_retyped(body: Any) -> bytes | None:
    if not isinstance(body, dict):
        return None
    order_id = body.get("order_id")
    if isinstance(order_id, bool):
        return None
    if isinstance(order_id, int):
        return canonical_payload({**body, "order_id": str(order_id)})
    if isinstance(order_id, str) and order_id.isascii() and order_id.isdigit():
        return canonical_payload({**body, "order_id": int(order_id)})
    return None


def _print_text(result: dict[str, Any]) -> None:
    rows = [
        ("canonical payload", result["canonical_payload"]),
        ("timestamp", result["timestamp"]),
        ("signed string", result["signed_string"]),
        ("signature", result["signature"]),
        ("algorithm", result["algorithm"]),
        ("secret key", f"from ${result['secret_key_from']} (not shown)"),
    ]
    if "match" in result:
        rows.append(("your signature", result["given_signature"]))
        rows.append(("result", "match" if result["match"] else "MISMATCH"))
        if result["likely_cause"]:
            rows.append(("likely cause", result["likely_cause"]))
    rows.extend(("note", note) for note in result["notes"])
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
