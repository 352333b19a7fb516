#!/usr/bin/env python3
"""botocore as a reference signer for awsig's differential tests.

A long-lived child process: reads one JSON request per line on stdin and writes one JSON answer per
line on stdout, in order, flushing after each, so the caller can pipeline many requests. Used by
test/support/botocore.ts.

Request:
  {"id": 1, "mode": "header" | "query", "service": "s3", "region": "us-east-1", "method": "PUT",
   "url": "https://...", "headers": [["name", "value"], ...], "body": base64 | null,
   "payloadHash": "UNSIGNED-PAYLOAD" (optional), "date": "2015-08-30T12:36:00.000Z",
   "credentials": {"accessKeyId": ..., "secretAccessKey": ..., "sessionToken": ... (optional)},
   "expires": 3600 (query mode)}
  or {"id": 2, "op": "decode", "urls": ["https://...", ...]} (see decode_url)

Answer:
  {"id": 1, "canonicalRequest": ..., "stringToSign": ..., "signature": ..., "url": ...,
   "headers": [["name", "value"], ...]}
  or {"id": 2, "decoded": [{"path": hex, "query": [[hex, hex], ...]}, ...]}
  or {"id": 1, "error": "Traceback ..."} when botocore raised.

Which botocore signer signs:
  header mode: SigV4Auth (S3SigV4Auth for S3's signing names)
  query mode:  SigV4QueryAuth (S3SigV4QueryAuth for S3's signing names)
"""

import base64
import datetime
import json
import sys
import traceback
from urllib.parse import unquote_to_bytes, urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# --- Frozen clock -------------------------------------------------------------------------------
# botocore reads the clock inside add_auth. Since 1.31 it calls botocore.compat.get_current_datetime
# (imported by name into botocore.auth), which returns a naive UTC datetime; older versions call
# datetime.datetime.utcnow() on the `datetime` module botocore.auth imported. Patch whichever this
# botocore uses, so that every signature uses the date of the request being signed.

_frozen_now = None  # naive UTC datetime of the request being signed


def _get_current_datetime(remove_tzinfo=True):
    if remove_tzinfo:
        return _frozen_now
    return _frozen_now.replace(tzinfo=datetime.timezone.utc)


if hasattr(botocore.auth, "get_current_datetime"):
    botocore.auth.get_current_datetime = _get_current_datetime
else:

    class _FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return _frozen_now

        @classmethod
        def now(cls, tz=None):
            return _frozen_now if tz is None else _frozen_now.replace(tzinfo=tz)

    class _DatetimeModule:
        """Stands in for the `datetime` module inside botocore.auth only."""

        datetime = _FrozenDatetime
        timezone = datetime.timezone
        timedelta = datetime.timedelta

    botocore.auth.datetime = _DatetimeModule


def _parse_date(iso):
    # "2015-08-30T12:36:00.000Z" -> naive UTC datetime (botocore's timestamps are naive UTC).
    parsed = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)


# --- Signing ------------------------------------------------------------------------------------


def _signer_class(mode, service):
    s3 = service in ("s3", "s3-object-lambda", "s3-outposts", "s3express")
    if mode == "header":
        return botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
    if mode == "query":
        return botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
    raise ValueError(f"unknown mode {mode!r}")


def _capture(signer, name, captured):
    """Wraps signer.<name> so that the value add_auth computed is recorded in captured[name]."""
    original = getattr(signer, name)

    def wrapper(*args):
        captured[name] = original(*args)
        return captured[name]

    setattr(signer, name, wrapper)


def sign(req):
    global _frozen_now
    _frozen_now = _parse_date(req["date"])

    creds = req["credentials"]
    credentials = Credentials(
        creds["accessKeyId"], creds["secretAccessKey"], creds.get("sessionToken")
    )
    cls = _signer_class(req["mode"], req["service"])
    if req["mode"] == "query":
        signer = cls(credentials, req["service"], req["region"], expires=req.get("expires", 3600))
    else:
        signer = cls(credentials, req["service"], req["region"])

    # An explicit payload hash (UNSIGNED-PAYLOAD, STREAMING-..., a precomputed hex digest) replaces
    # botocore's own choice. botocore picks it from context flags that awsig exposes as one option.
    if req.get("payloadHash") is not None:
        payload_hash = req["payloadHash"]
        signer.payload = lambda request: payload_hash

    body = base64.b64decode(req["body"]) if req.get("body") is not None else None
    request = AWSRequest(method=req["method"], url=req["url"], data=body)
    # AWSRequest.headers is an http.client.HTTPMessage: assignment appends, so repeated names stay
    # repeated (botocore joins them with "," when signing, as awsig does).
    for name, value in req["headers"]:
        request.headers[name] = value

    captured = {}
    for name in ("canonical_request", "string_to_sign", "signature"):
        _capture(signer, name, captured)
    signer.add_auth(request)

    return {
        "canonicalRequest": captured["canonical_request"],
        "stringToSign": captured["string_to_sign"],
        "signature": captured["signature"],
        "url": request.url,
        "headers": [[k, v] for k, v in request.headers.items()],
    }


# --- Decoding (what a server reads from a URL) ---------------------------------------------------


def decode_url(url):
    """The bytes a server reads from a URL: the percent-decoded path, and the query as decoded
    (key, value) pairs ('+' is a space in the query, not in the path). Written with urllib only,
    independently of both signers; hex strings so that bytes that are not UTF-8 survive JSON."""
    parts = urlsplit(url)
    pairs = []
    for part in parts.query.split("&"):
        if part == "":
            continue
        key, _, value = part.partition("=")
        pairs.append(
            [
                unquote_to_bytes(key.replace("+", " ")).hex(),
                unquote_to_bytes(value.replace("+", " ")).hex(),
            ]
        )
    return {"path": unquote_to_bytes(parts.path).hex(), "query": pairs}


def handle(req):
    if req.get("op") == "decode":
        return {"decoded": [decode_url(url) for url in req["urls"]]}
    return sign(req)


def main():
    # One answer per line, in order; flushed so that the caller never waits on a full buffer.
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            answer = handle(req)
        except Exception:  # report, keep serving the other requests
            answer = {"error": traceback.format_exc()}
        answer["id"] = req.get("id")
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
