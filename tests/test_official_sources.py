"""GOV.UK's and Canada's advice read from their published shapes, and every source fetched over
HTTP from a server on 127.0.0.1 the test starts: a conditional request answered 304, a
timeout, a 500 and a body cut short, each keeping the last good records."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from advisory.errors import InputError
from advisory.official import ca, uk_fcdo
from tests.conftest import ROOT, run_advisory
from tests.official_feeds import (
    ALL_PARTS,
    CA,
    PARTS,
    UK_FCDO,
    WHOLE,
    ca_json,
    uk_fcdo_document,
    uk_fcdo_index,
    us_state_rss,
)


def test_the_uk_index_gives_each_country_its_most_severe_status():
    parsed = uk_fcdo.parse(uk_fcdo_index(), "uk.json")
    assert parsed.notes == []
    records = {r.iso2: r for r in parsed.records}
    assert len(records) == len(UK_FCDO) == 34
    # Two statuses, both for parts: the more severe decides, and the record is parts-only.
    colombia = records["CO"]
    assert (colombia.level, colombia.parts_only) == (2, True)
    assert colombia.words == "Advises against all travel to parts of the country"
    # No status: the FCDO advises against no travel.
    assert (records["DE"].level, records["DE"].words) == (0, "No advice against travel")
    assert not records["DE"].parts_only
    # A whole-country status beside a parts one: whole-country advice naming the parts.
    ukraine = records["UA"]
    assert (ukraine.level, ukraine.parts_only) == (3, False)
    assert ukraine.words.endswith("and against all travel to parts of it")
    assert records["AF"].level == 4
    assert records["CZ"].country == "Czechia"  # GOV.UK's "Czech Republic", by name
    assert records["PS"].link == (
        "https://www.gov.uk/foreign-travel-advice/the-occupied-palestinian-territories"
    )
    assert str(records["PE"].published) == "2018-06-12"


def test_one_country_s_document_and_a_list_of_them_are_read_too():
    peru = uk_fcdo_document("Peru", "peru", [PARTS], "2018-05-30T10:55:14.000+01:00")
    [one] = uk_fcdo.parse(json.dumps(peru).encode(), "peru.json").records
    assert (one.iso2, one.level, one.parts_only) == ("PE", 1, True)
    assert one.change == "Update to the 'Safety and security' section for Peru."
    assert one.link == "https://www.gov.uk/foreign-travel-advice/peru"
    chile = uk_fcdo_document("Chile", "chile", [], "2018-05-01T09:00:00Z")
    both = uk_fcdo.parse(json.dumps([peru, chile]).encode(), "both.json").records
    assert [r.iso2 for r in both] == ["PE", "CL"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda c: c["details"].update(alert_status=["avoid_some_travel"]),
         r"links\.children\[3\]: child 4: details\.alert_status 'avoid_some_travel' is none of"),
        (lambda c: c["details"].pop("country"),
         r"links\.children\[3\]: child 4: details\.country\.name is missing"),
        (lambda c: c["details"].update(updated_at="last Tuesday"),
         r"links\.children\[3\]: child 4: details\.updated_at 'last Tuesday' is not a date"),
    ],
)  # fmt: skip
def test_a_bad_uk_child_is_located_and_nothing_is_kept(change, said):
    import re

    index = json.loads(uk_fcdo_index())
    change(index["links"]["children"][3])
    with pytest.raises(InputError) as raised:
        uk_fcdo.parse(json.dumps(index).encode(), "uk.json")
    [problem] = raised.value.problems
    assert re.search(said, str(problem)), str(problem)


def test_canada_s_levels_regional_advisories_and_names_checked_against_codes():
    parsed = ca.parse(ca_json(), "ca.json")
    assert parsed.notes == []
    records = {r.iso2: r for r in parsed.records}
    assert len(records) == len(CA) == 34
    peru = records["PE"]
    assert (peru.level, peru.words, peru.regional) == (1, "Exercise a high degree of caution", True)
    assert peru.link == "https://travel.gc.ca/destinations/peru"
    assert str(peru.published) == "2018-06-08"
    assert records["CD"].country == "DR Congo"  # "Democratic Republic of Congo (Kinshasa)"
    assert (records["AF"].level, records["AF"].regional) == (3, False)
    # A code that names another country: kept by the name, and said.
    swapped = ca.parse(ca_json([("CL", "Peru", 1, 0), ("PE", "Chile", 0, 0)]), "ca.json")
    assert [r.iso2 for r in swapped.records] == ["PE", "CL"]
    assert "country-iso CL is not Peru's code (PE); kept by name" in str(swapped.notes[0])


def test_a_bad_canadian_entry_is_located():
    document = json.loads(ca_json())
    document["data"]["PE"]["advisory-state"] = 5
    with pytest.raises(InputError) as raised:
        ca.parse(json.dumps(document).encode(), "ca.json")
    [problem] = raised.value.problems
    assert "ca.json: data.PE: entry 'PE': advisory-state 5 is not 0, 1, 2 or 3" in str(problem)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'{"data": {"PE": ', "ca.json:1:17: not JSON: Expecting value"),
        (b"[" * 40 + b"]" * 40, "nested more than 32 levels deep"),
        (b'{"metadata": {}}', "not Canada's travel advice (no data object of countries)"),
    ],
)
def test_a_malformed_canadian_document_is_refused(data: bytes, said: str):
    with pytest.raises(InputError) as raised:
        ca.parse(data, "ca.json")
    assert said in str(raised.value.problems[0])


# --- over HTTP ----------------------------------------------------------------------------------


class Feed:
    """What the test server answers: a body with an ETag (304 when asked with it), or a
    failure: `hang` (never answers), `500`, `short` (a body cut short of its length)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.etag = '"v1"'
        self.mode = "ok"
        self.requests: list[dict[str, str]] = []
        self.release = threading.Event()


@pytest.fixture
def served() -> Iterator[tuple[str, Feed]]:
    feed = Feed(us_state_rss())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed.requests.append(dict(self.headers.items()))
            if feed.mode == "hang":
                feed.release.wait(30)
                return
            if feed.mode == "500":
                self.send_error(500, "Internal Server Error")
                return
            if self.headers.get("If-None-Match") == feed.etag:
                self.send_response(304)
                self.send_header("ETag", feed.etag)
                self.end_headers()
                return
            body = feed.body[: len(feed.body) // 2] if feed.mode == "short" else feed.body
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(feed.body)))
            self.send_header("ETag", feed.etag)
            self.send_header("Last-Modified", "Thu, 14 Jun 2018 12:00:00 GMT")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/_res/rss/TAsTWs.xml", feed
    finally:
        feed.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "incidents.csv", tmp_path / "data")
    return tmp_path


def imported(site: Path) -> list[dict[str, Any]]:
    folder = site / "data" / "official"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_an_address_is_fetched_then_asked_conditionally(site: Path, served):
    url, feed = served
    first = run_advisory("import", "official", "us-state", url, cwd=site)
    assert first.returncode == 0, first.stderr
    [document] = imported(site)
    assert (document["origin"], document["etag"]) == (url, '"v1"')
    assert document["last_modified"] == "Thu, 14 Jun 2018 12:00:00 GMT"
    assert len(document["records"]) == 34
    assert "If-None-Match" not in feed.requests[0]

    import time

    time.sleep(1.1)  # the next import's file is named by the next second
    second = run_advisory("import", "official", "us-state", url, cwd=site)
    assert second.returncode == 0, second.stderr
    assert feed.requests[1]["If-None-Match"] == '"v1"'
    assert feed.requests[1]["If-Modified-Since"] == "Thu, 14 Jun 2018 12:00:00 GMT"
    assert "not modified since" in second.stdout and "34 countries confirmed" in second.stdout
    earlier, confirmed = imported(site)
    assert confirmed["records"] == earlier["records"]
    assert confirmed["carried"] == earlier["fetched"] and confirmed["fetched"] > earlier["fetched"]


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("hang", "timed out"),
        ("500", "the server answered 500"),
        ("short", "cut short"),
    ],
)
def test_a_failed_fetch_keeps_the_last_good_records(site: Path, served, mode: str, said: str):
    url, feed = served
    assert run_advisory("import", "official", "us-state", url, cwd=site).returncode == 0
    before = sorted((site / "data" / "official").iterdir())
    feed.mode, feed.etag = mode, '"v2"'
    failed = run_advisory("import", "official", "us-state", url, "--timeout", "1", cwd=site)
    assert failed.returncode == 1, failed.stderr
    assert said in failed.stderr
    assert "the last good records stand: data/official/us-state-" in failed.stderr
    assert sorted((site / "data" / "official").iterdir()) == before


@pytest.mark.parametrize(
    "address",
    ["http://example.org/feed.xml", "ftp://127.0.0.1/feed.xml", "https://"],
)
def test_only_https_is_fetched_and_plain_http_only_from_this_machine(site: Path, address: str):
    refused = run_advisory("import", "official", "us-state", address, cwd=site)
    if address.startswith("ftp"):  # not an address the command fetches: read as a file name
        assert refused.returncode == 2 and "ftp:" in refused.stderr
        return
    assert refused.returncode == 1
    assert "only https:// addresses are fetched" in refused.stderr
    assert not (site / "data" / "official").exists()


def test_each_source_is_imported_from_its_file(site: Path):
    (site / "uk.json").write_bytes(uk_fcdo_index())
    (site / "ca.json").write_bytes(ca_json())
    for source, name in (("uk-fcdo", "uk.json"), ("ca", "ca.json")):
        result = run_advisory("import", "official", source, name, cwd=site)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"official: 34 countries from {source} written to ")
    uk, canada = sorted(imported(site), key=lambda d: d["source"], reverse=True)
    assert (uk["source"], canada["source"]) == ("uk-fcdo", "ca")
    assert {r["iso2"]: r["parts_only"] for r in uk["records"]}["CO"] is True
    assert {r["iso2"]: r["regional"] for r in canada["records"]}["PE"] is True


def test_a_whole_and_a_parts_uk_status_are_read_in_order():
    statuses = [ALL_PARTS, WHOLE]
    document = uk_fcdo_document("Russia", "russia", statuses, "2018-06-01T10:00:00Z")
    [russia] = uk_fcdo.parse(json.dumps(document).encode(), "ru.json").records
    assert (russia.level, russia.parts_only) == (3, False)


def test_a_body_over_the_limit_and_a_redirect_to_plain_http_are_refused(served):
    from advisory.official.fetch import FetchFailed, fetch

    url, _ = served
    with pytest.raises(FetchFailed, match="over the limit of 1,000 bytes"):
        fetch(url, limit=1000, timeout=5)
    assert fetch(url, limit=10_000_000, timeout=5).data is not None

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://example.org/feed.xml")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        with pytest.raises(FetchFailed, match=r"redirected to http://example\.org/feed\.xml"):
            fetch(address, limit=1000, timeout=5)
    finally:
        server.shutdown()
        server.server_close()


def test_a_password_in_the_address_is_never_written_nor_said(site: Path, served):
    url, _ = served
    secret = url.replace("http://", "http://analyst:s3cret@")
    result = run_advisory("import", "official", "us-state", secret, cwd=site)
    written = (
        "".join(p.read_text() for p in (site / "data" / "official").glob("*.json"))
        if (site / "data" / "official").is_dir()
        else ""
    )
    assert "s3cret" not in result.stdout + result.stderr + written
    if result.returncode == 0:  # a client that sends it as basic authentication
        assert imported(site)[0]["origin"] == url
