"""The cache of rendered PDFs: a document whose inputs did not change is not laid out again;
any change to what decides its bytes (its HTML, a stylesheet, a resource of the templates
folder, its arguments) misses; a PDF that rendered with warnings is not kept."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from advisory.rendering import cache as render_cache
from advisory.rendering.pool import Workers
from advisory.rendering.renderer import Renderer
from advisory.writing.pages import AlertsPage
from advisory.writing.plan import Document
from tests.conftest import ROOT


class Counting(Renderer):
    """A renderer that counts the PDFs it lays out."""

    laid_out = 0

    def checked_pdf(self, html: str, **options: Any) -> tuple[bytes, list[str]]:
        Counting.laid_out += 1
        return super().checked_pdf(html, **options)


def documents(title: str = "Cache test") -> list[Document]:
    import datetime as dt

    page = AlertsPage(title, "Travel Security", "For internal use",
                      dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC), ())  # fmt: skip
    return [Document("one", "alerts.html.j2", page, ("pdf",))]


def rendered(templates: Path, docs: list[Document]) -> bytes:
    with Workers(Counting(templates), 1) as workers:
        [output] = list(workers.render(docs))
    return output.data


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ADVISORY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ADVISORY_PDF_CACHE", raising=False)
    Counting.laid_out = 0
    return tmp_path / "cache" / "pdf"


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    render_cache._environment.cache_clear()
    return tmp_path / "templates"


def test_a_pdf_is_laid_out_once_and_given_again_byte_for_byte(cache: Path, templates: Path):
    first = rendered(templates, documents())
    second = rendered(templates, documents())
    assert Counting.laid_out == 1 and first == second
    assert len(list(cache.glob("*.pdf"))) == 1
    rendered(templates, documents("Another title"))  # other HTML: laid out
    assert Counting.laid_out == 2


def test_a_stylesheet_or_another_resource_edited_misses(cache: Path, templates: Path):
    rendered(templates, documents())
    css = templates / "print.css"
    css.write_text(css.read_text() + "\nh1 { letter-spacing: .01em; }\n")
    render_cache._environment.cache_clear()
    rendered(templates, documents())
    assert Counting.laid_out == 2
    # A file the HTML does not inline (a logo, a font) counts as well.
    (templates / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    render_cache._environment.cache_clear()
    rendered(templates, documents())
    assert Counting.laid_out == 3


def test_the_cache_can_be_turned_off(cache: Path, templates: Path, monkeypatch):
    monkeypatch.setenv("ADVISORY_PDF_CACHE", "0")
    rendered(templates, documents())
    rendered(templates, documents())
    assert Counting.laid_out == 2 and not cache.exists()
    monkeypatch.delenv("ADVISORY_PDF_CACHE")
    monkeypatch.setenv("ADVISORY_CACHE_DIR", "")  # every cache off
    rendered(templates, documents())
    assert Counting.laid_out == 3 and not cache.exists()


def test_a_pdf_with_warnings_is_not_kept(cache: Path, templates: Path):
    alerts = templates / "alerts.html.j2"
    alerts.write_text(alerts.read_text().replace("<style>", "<style>\n    p { colour: red; }"))
    rendered(templates, documents())
    rendered(templates, documents())
    assert Counting.laid_out == 2 and not list(cache.glob("*.pdf"))


def test_the_folder_is_kept_under_its_bound_least_recently_used_first(tmp_path: Path):
    import os

    where = tmp_path / "pdf"
    where.mkdir()
    for n in range(5):
        path = where / f"{n}.pdf"
        path.write_bytes(b"%PDF-" + b"x" * 995)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    os.utime(where / "0.pdf", (2_000_000, 2_000_000))  # used last
    render_cache._trim(where, limit=3000)
    assert sorted(p.name for p in where.glob("*.pdf")) == ["0.pdf", "3.pdf", "4.pdf"]


def _render_three(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch, handed: Callable[[list[Any], bool], None]
) -> list[Any]:
    """Three one-page documents rendered by two workers; `handed` is told of each batch as it
    is handed to a worker, and whether it was handed over as background work."""
    monkeypatch.setenv("ADVISORY_PDF_CACHE", "0")
    docs = [
        dataclasses.replace(d, name=title)
        for title in ("first", "second", "third")
        for d in documents(title)
    ]
    with Workers(renderer, 2) as workers:
        assert workers._pool is not None
        submit = workers._pool.submit

        def recorded(fn: Any, batch: Any = None, *args: Any) -> Any:
            if batch is not None:
                handed(batch, bool(args and args[0]))
            return submit(fn, *((batch, *args) if batch is not None else args))

        monkeypatch.setattr(workers._pool, "submit", recorded)
        return list(workers.render(docs))


def test_the_first_document_goes_to_a_worker_before_the_others_html(
    templates: Path, monkeypatch: pytest.MonkeyPatch
):
    """A week's bulletin, its first document, is laid out while this process writes the HTML
    of the alerts and letters: it is handed to a worker as soon as its own HTML exists."""
    events: list[str] = []

    class Recording(Renderer):
        def html(self, template: str, context: Any) -> str:
            events.append(f"html {context['doc'].title}")
            return super().html(template, context)

    def handed(batch: list[Any], _: bool) -> None:
        events.append("layout " + " ".join(job.name for job in batch))

    outputs = _render_three(Recording(templates), monkeypatch, handed)
    assert events[:3] == ["html first", "layout first", "html second"]
    assert sorted(o.name for o in outputs) == ["first", "second", "third"]
    assert all(o.data.startswith(b"%PDF-") for o in outputs)


def test_the_first_document_keeps_its_priority_and_the_others_yield(
    templates: Path, monkeypatch: pytest.MonkeyPatch
):
    """The first document (a week's bulletin, which bounds the whole run) is laid out at the
    workers' priority; the others are handed over as work that yields to it."""
    seen: list[tuple[str, bool]] = []

    def handed(batch: list[Any], background: bool) -> None:
        seen.extend((job.name, background) for job in batch)

    _render_three(Renderer(templates), monkeypatch, handed)
    assert seen[0] == ("first", False)
    assert sorted(seen[1:]) == [("second", True), ("third", True)]


def _niceness_after_yielding_twice() -> tuple[int, int]:
    from advisory.rendering.pool import to_background

    before = os.nice(0)
    to_background()
    to_background()
    return before, os.nice(0)


def test_a_worker_lowers_its_priority_once():
    """A worker that renders in the background lowers its priority by a fixed step, once,
    however many batches it renders (a process can only lower its own)."""
    import multiprocessing

    from advisory.rendering.pool import BACKGROUND_NICENESS

    with multiprocessing.get_context("fork").Pool(1) as child:
        before, after = child.apply(_niceness_after_yielding_twice)
    assert after == min(before + BACKGROUND_NICENESS, 19)
