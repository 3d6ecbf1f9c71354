"""Fetching a government's advice over the network, for a daily cron.

Only HTTPS (certificates checked), or plain HTTP to the loopback address; every redirect is held
to the same rule. The whole exchange is bounded: a timeout on connecting and on each read, a
deadline for the whole body, and a size limit. A conditional request (If-None-Match /
If-Modified-Since, from the last import of the same address) that is answered 304 costs the
government's server nothing and the import a copy of the last records, dated now.
"""

from __future__ import annotations

import ipaddress
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException, HTTPResponse
from typing import Any
from urllib.parse import urlsplit

from advisory.errors import AdvisoryError

CHUNK = 64 * 1024
MAX_URL = 2000


class FetchFailed(AdvisoryError):
    """The address could not be fetched (exit 1): the last good records stand."""


@dataclass(frozen=True)
class Fetched:
    """A 200's body and its validators, or a 304 (`data` None)."""

    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def shown(url: str) -> str:
    """The address as files and messages give it: without a user name or password in it."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()


def refused(url: str) -> str | None:
    """Why `url` may not be fetched, or None: HTTPS only, plain HTTP to the loopback only."""
    if len(url) > MAX_URL:
        return f"{shown(url)[:80]}…: an address of more than {MAX_URL} characters is not fetched"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https" and parts.hostname:
        return None
    if scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return None
    return f"{shown(url)}: only https:// addresses are fetched (plain http:// only from 127.0.0.1)"


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        why = refused(newurl)
        if why:
            raise FetchFailed(f"redirected to {shown(newurl)}: {why}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str,
    *,
    limit: int,
    timeout: float,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET `url`, conditionally when given the last import's validators; raises `FetchFailed`
    for a refused address, a network failure, an error status, a body over `limit` bytes or
    one that did not arrive whole within `timeout` seconds a read (and four times that in all)."""
    why = refused(url)
    if why:
        raise FetchFailed(why)
    headers = {"User-Agent": "advisory (travel-security advisories)", "Accept-Encoding": "identity"}
    if etag and etag.isprintable():  # validators from a file: never a header's line break
        headers["If-None-Match"] = etag
    if last_modified and last_modified.isprintable():
        headers["If-Modified-Since"] = last_modified
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=timeout) as response:
            return _body(response, shown(url), limit, timeout * 4)
    except urllib.error.HTTPError as e:
        if e.code == 304:
            return Fetched(None, etag, last_modified)
        raise FetchFailed(f"{shown(url)}: the server answered {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise FetchFailed(f"{shown(url)}: {e.reason}") from None
    except (TimeoutError, OSError, HTTPException, ValueError) as e:  # ValueError: a bad address
        raise FetchFailed(f"{shown(url)}: {_said(e)}") from None


def _body(response: HTTPResponse, url: str, limit: int, deadline: float) -> Fetched:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchFailed(
            f"{url}: the document is {int(declared):,} bytes, over the limit of {limit:,} bytes"
        )
    started = time.monotonic()
    parts: list[bytes] = []
    size = 0
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchFailed(f"{url}: the document is over the limit of {limit:,} bytes")
        if time.monotonic() - started > deadline:
            raise FetchFailed(f"{url}: the document did not arrive within {deadline:g} s")
        parts.append(chunk)
    data = b"".join(parts)
    if declared and declared.isdigit() and len(data) != int(declared):
        raise FetchFailed(
            f"{url}: the body was cut short ({len(data):,} of {int(declared):,} bytes)"
        )
    return Fetched(data, response.headers.get("ETag"), response.headers.get("Last-Modified"))


def _said(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    name = type(error).__name__
    text = str(error)
    return f"{name}: {text}" if text else name
