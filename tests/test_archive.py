"""The archive site: what each page links to, how it reads in a real browser, and its bytes.

Three demo weeks are published as cron publishes them; the site under `published/` is then
checked file by file (every link leads to a file, every anchor to an id), rebuilt to the same
bytes, kept whole when a folder holds a broken record, and clicked through in headless Chromium
driven by its chromedriver (Selenium), on a desktop window and on a phone's screen.
"""

from __future__ import annotations

import html.parser
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlparse

import pytest

from advisory.publishing.archive import HISTORY_WEEKS, history_chart
from tests.conftest import ROOT
from tests.forkserver import Run
from tests.test_weekly import weekly

WEEKS = ("2018-W23", "2018-W24", "2018-W25")
T = TypeVar("T")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="session")  # once a process: xdist may hand a module over in parts
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("srv") / "advisory"
    home.mkdir()
    shutil.copytree(ROOT / "rules", home / "rules")
    shutil.copytree(ROOT / "data", home / "data")
    (home / "advisory.yaml").write_text(
        "version: 1\norganisation: Example Corp Security\noutput: published\n"
    )
    for label in WEEKS:
        done = weekly(home, "--week", label)
        assert isinstance(done, Run)
        assert done.returncode == 0, done.stderr
    return home / "published"


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("a", "link") and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if found.get("id"):
            self.ids.add(str(found["id"]))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_index_lists_the_weeks_newest_first(archive: Path):
    text = (archive / "index.html").read_text()
    positions = [text.index(f'id="week-{label}"') for label in reversed(WEEKS)]
    assert positions == sorted(positions)
    assert 'href="2018-W25/bulletin.html"' in text
    assert 'href="2018-W25/alerts/pe-vraem.html"' in text
    # 2018-W24 lowered Lima, 2018-W23 raised it (the demo's rise and fall in June).
    week24 = text.split('id="week-2018-W24"')[1].split('<article class="week"')[0]
    assert 'href="regions/pe-lima.html">Lima</a> (Peru): lowered from Low to' in week24


#: The governments' advice pages an archive links to (data/official/), the only links out.
OFFICIAL_SITES = {"travel.state.gov", "www.gov.uk", "travel.gc.ca"}


def test_every_link_of_the_site_leads_somewhere(archive: Path):
    pages = [archive / "index.html", *sorted((archive / "regions").glob("*.html"))]
    pages += [archive / label / "bulletin.html" for label in WEEKS]
    pages += sorted((archive / "2018-W25" / "alerts").glob("*.html"))
    assert len(pages) > 10
    for page in pages:
        for href in _parse(page).hrefs:
            address = urlparse(href)
            if address.netloc in OFFICIAL_SITES:  # the governments' own pages, over https
                assert address.scheme == "https", (page, href)
                continue
            assert not address.scheme and not address.netloc, (page, href)  # relative only
            target = (page.parent / unquote(address.path)).resolve() if address.path else page
            assert target.is_file(), (page, href)
            if address.fragment and target.suffix == ".html":
                assert address.fragment in _parse(target).ids, (page, href)


def test_a_region_page_holds_its_year_and_every_alert(archive: Path):
    page = (archive / "regions" / "pe-vraem.html").read_text()
    assert "<h1>VRAEM region</h1>" in page
    assert "Level in 2018-W25:" in page
    for label, headline in [
        ("2018-W25", "Peru: Clashes with armed group in VRAEM region June 24 /update 2"),
        ("2018-W24", "Peru: Attack by armed group in VRAEM region June 11 /update 1"),
        ("2018-W23", "Peru: Ambush on security forces in VRAEM region June 7"),
    ]:
        assert f'href="../{label}/alerts/pe-vraem.html">{headline}</a>' in page
    assert f"Level by week, {HISTORY_WEEKS} weeks from" in page
    assert "High: 3 weeks; no data: 49 weeks" in page


def test_the_history_chart_has_a_scale_and_dates():
    levels = [("Minimal", "#2e7d32"), ("Low", "#7cb342"), ("High", "#ef6c00")]
    import datetime as dt

    mondays = [dt.date(2018, 1, 1) + dt.timedelta(weeks=k) for k in range(52)]
    ranks = [0] * 10 + [1] * 30 + [3] * 12
    svg = str(history_chart(ranks, mondays, levels))
    for name, _ in levels:
        assert f">{name}</text>" in svg  # the scale: every level named
    assert ">Jan 2018</text>" in svg and ">Apr 2018</text>" in svg and ">Oct 2018</text>" in svg
    assert svg.count("<rect ") == 42 and svg.count('stroke-dasharray="1 1"') == 10
    assert svg == str(history_chart(ranks, mondays, levels))


def test_the_site_is_rebuilt_to_the_same_bytes(archive: Path, tmp_path: Path):
    before = {p: p.read_bytes() for p in [archive / "index.html", *(archive / "regions").iterdir()]}
    home = archive.parent
    again = weekly(home, "--week", "2018-W25")
    assert isinstance(again, Run)
    assert again.returncode == 0, again.stderr
    after = {p: p.read_bytes() for p in [archive / "index.html", *(archive / "regions").iterdir()]}
    assert after == before


def test_a_broken_record_is_skipped_and_named(archive: Path, tmp_path: Path):
    home = tmp_path / "site"
    shutil.copytree(archive.parent, home, symlinks=True)
    published = home / "published"
    (published / "old-reports").mkdir()
    (published / "old-reports" / "levels.json").write_text('{"format": 1, "week": ')
    (published / "notes").mkdir()  # a folder of the operator's: no record, not a week
    done = weekly(home, "--week", "2018-W25")
    assert isinstance(done, Run)
    assert done.returncode == 0, done.stderr
    assert "archive: skipped" in done.stderr and "old-reports/levels.json" in done.stderr
    index = (published / "index.html").read_text()
    assert index.count('<article class="week"') == len(WEEKS)
    record = json.loads((published / "2018-W25" / "levels.json").read_text())
    assert record["week"] == "2018-W25" and record["alerts"]


# --- in a real browser ------------------------------------------------------------------------


def _started(start: Callable[[], T], attempts: int = 3) -> T:
    """The driver, started again on another port if chromedriver's (a free port Selenium
    found, then gave it) was taken in between."""
    from selenium.common.exceptions import WebDriverException

    for attempt in range(attempts):
        try:
            return start()
        except WebDriverException:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@contextmanager
def _browser(profile: Path, *, phone: bool) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM is not None and CHROMEDRIVER is not None
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    if phone:
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3}}
        )
    else:
        options.add_argument("--window-size=1280,900")
    driver = _started(lambda: webdriver.Chrome(service=Service(CHROMEDRIVER), options=options))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Chromium or its driver is not installed (Debian packages chromium and "
    "chromium-driver; make test installs them as root)",
)
@pytest.mark.parametrize("width", [1280, 390])
def test_clicking_from_the_index_to_a_region_page(archive: Path, tmp_path: Path, width: int):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    with _browser(tmp_path / "profile", phone=width == 390) as opened:
        assert isinstance(opened, WebDriver)
        driver = opened
        driver.get((archive / "index.html").as_uri())
        assert driver.title.startswith("Travel-security archive")
        assert driver.execute_script("return window.innerWidth") == width

        def fits() -> None:
            """Nothing wider than the screen: no sideways scrolling on the page."""
            wide = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert wide <= 0, f"{driver.current_url}: {wide} px wider than the window"

        fits()
        driver.find_element(By.CSS_SELECTOR, "#week-2018-W25 a.week-link").click()
        assert driver.current_url.endswith("/2018-W25/bulletin.html")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Weekly travel-security bulletin"
        fits()
        table = driver.find_element(By.CSS_SELECTOR, ".summary-table")
        overflow = driver.execute_script(
            "return arguments[0].scrollWidth - arguments[0].parentElement.clientWidth", table
        )
        assert overflow <= 0, f"the level table needs {overflow} px of sideways scrolling"
        assert table.find_element(By.LINK_TEXT, "VRAEM region").is_displayed()

        # From the contents to the alert, then to the region's page.
        driver.find_element(
            By.PARTIAL_LINK_TEXT, "Clashes with armed group in VRAEM region June 24"
        ).click()
        assert driver.current_url.endswith("bulletin.html#alert-pe-vraem")
        alert = driver.find_element(By.ID, "alert-pe-vraem")
        assert "the third such incident" in alert.text
        alert.find_element(By.CSS_SELECTOR, "a.region-link").click()
        assert driver.current_url.endswith("/regions/pe-vraem.html")
        assert driver.find_element(By.TAG_NAME, "h1").text == "VRAEM region"
        chart = driver.find_element(By.CSS_SELECTOR, "svg.history")
        assert chart.size["width"] <= width
        fits()

        # The region's latest alert on its own page, and back to the region.
        driver.find_element(
            By.LINK_TEXT, "Peru: Clashes with armed group in VRAEM region June 24 /update 2"
        ).click()
        assert driver.current_url.endswith("/2018-W25/alerts/pe-vraem.html")
        assert "Peru: Clashes with armed group in VRAEM region June 24" in driver.title
        assert driver.find_element(By.CSS_SELECTOR, "svg.map").is_displayed()
        fits()
        driver.find_element(By.CSS_SELECTOR, "a.region-link").click()
        assert driver.current_url.endswith("/regions/pe-vraem.html")
        driver.find_element(By.LINK_TEXT, "Archive").click()
        assert driver.current_url.endswith("/index.html")


def test_the_site_built_before_a_week_is_published_is_the_site_after(archive: Path, tmp_path: Path):
    """A weekly run builds the archive while its week renders, with the week's record in hand
    and its folder not yet in place: the pages are those built once the week is published."""
    from advisory.publishing.archive import RECORD, build_site
    from advisory.rendering.renderer import Renderer

    site_html = Renderer(ROOT / "templates").site_html
    after, _ = build_site(archive, site_html, "Example Corp Security")
    root = tmp_path / "published"
    shutil.copytree(archive, root)
    record = (root / "2018-W25" / RECORD).read_bytes()
    shutil.rmtree(root / "2018-W25")
    before, _ = build_site(root, site_html, "Example Corp Security",
                           replacing=("2018-W25", record))  # fmt: skip
    assert before == after
    assert b"2018-W25/bulletin.html" in before["index.html"]
