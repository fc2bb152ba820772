"""canonical_payload against KwikPaisa's reference implementation, run in real JavaScript.

The guide's reference is ``JSON.stringify`` on the recursively key-sorted object. This
test feeds the same randomly built payloads (tricky keys, numbers and text) to node and
to the SDK and requires identical bytes. Skipped where node is not installed.
KWIKPAISA_JS_VECTORS sets how many payloads (default 300).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from typing import Any

import pytest

from kwikpaisa.signing import canonical_payload

NODE = shutil.which("node")
REFERENCE = r"""
const sortKeys = (v) => Array.isArray(v) ? v.map(sortKeys)
  : (v && typeof v === 'object')
    ? Object.keys(v).sort().reduce((o, k) => (o[k] = sortKeys(v[k]), o), {})
    : v;
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(input.map((x) => JSON.stringify(sortKeys(x)))));
"""
KEYS = [
    "0",
    "9",
    "10",
    "01",
    "-1",
    "4294967294",
    "4294967295",
    "1.5",
    "a",
    "B",
    "_",
    "é",
    "\ue000",
    "\U0001f600",
    "order_id",
    "amount",
    "",
    " ",
    "z/y",
]
FLOATS = [
    0.0,
    -0.0,
    1.0,
    -2.5,
    0.1,
    1e-7,
    1.5e-7,
    1e-6,
    0.000123,
    1e20,
    1e21,
    1.5e300,
    1.2345678901234568e20,
    5e-324,
    123456.789,
    2.0**53,
    2.0**53 + 2,
]
TEXT = [
    "",
    "ord_123",
    "https://x/y",
    'q"uote',
    "back\\slash",
    "tab\tnew\nline\u0001",
    "कविता ₹100",
    "😀",
    "\u2028\u2029",
    "\x7f",
    "\ud800",
    "a\udfffb",
]


def build(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.random()
    if depth < 3 and kind < 0.3:
        return {rng.choice(KEYS): build(rng, depth + 1) for _ in range(rng.randint(0, 6))}
    if depth < 3 and kind < 0.45:
        return [build(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind < 0.6:
        return (
            rng.choice(FLOATS)
            if rng.random() < 0.6
            else rng.uniform(-1, 1) * 10 ** rng.randint(-12, 25)
        )
    if kind < 0.75:
        return rng.randint(-(2**53) + 1, 2**53 - 1) if rng.random() < 0.5 else rng.randint(-5, 5)
    if kind < 0.9:
        return "".join(rng.choice(TEXT) for _ in range(rng.randint(0, 3)))
    return rng.choice([True, False, None])


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_canonical_payload_matches_javascript_reference() -> None:
    rng = random.Random(20261126)
    count = int(os.environ.get("KWIKPAISA_JS_VECTORS", "300"))
    payloads = [{"order_id": "x", "data": build(rng)} for _ in range(count)]
    payloads += [build(rng) for _ in range(count)]
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", REFERENCE],
        input=json.dumps(payloads),  # ASCII-escaped: lone surrogates survive the trip
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    expected = json.loads(done.stdout)
    mismatches = [
        (payload, want, got)
        for payload, want in zip(payloads, expected, strict=True)
        if (got := canonical_payload(payload).decode("utf-8", "surrogatepass")) != want
    ]
    assert not mismatches, mismatches[:3]
