"""Render a plan's documents: HTML in this process, PDFs in worker processes, each file handed
over as soon as it is ready, so that a batch is written as it goes and memory stays flat.

Each worker keeps one renderer, and with it one WeasyPrint font configuration, for its whole
life. The largest document is started first, alone, so that a long bulletin renders on one
core while the many small alerts and letters share the others.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from advisory.faults import checkpoint
from advisory.rendering.renderer import Renderer
from advisory.writing.plan import Document

#: Small documents go to a worker in batches of about this share of the whole work, so that
#: the workers stay busy without paying a round trip per page.
BATCH_SHARE = 1 / 32


@dataclass(frozen=True)
class Output:
    """One rendered file: `path` is the document's name with its suffix."""

    name: str
    suffix: str
    data: bytes

    @property
    def path(self) -> str:
        return f"{self.name}.{self.suffix}"


@dataclass(frozen=True)
class _Job:
    name: str
    html: str
    variant: str
    attachments: tuple[tuple[str, bytes], ...]
    moment: dt.datetime | None


Progress = Callable[[int], None]


def render(
    documents: Sequence[Document],
    renderer: Renderer,
    jobs: int,
    progress: Progress | None = None,
) -> Iterator[Output]:
    """Every file of `documents`, HTML first, then PDFs as they finish (not in plan order).

    `progress`, if given, is told the number of documents and then called with 0 once per
    document done. A worker's failure (a template error, a strict-mode warning) is raised here.
    """
    tell = progress or (lambda _: None)
    tell(len(documents))
    pending: list[_Job] = []
    for document in documents:
        html = renderer.html(document.template, {"doc": document.page})
        if "html" in document.formats:
            yield Output(document.name, "html", html.encode())
        if "pdf" in document.formats:
            pending.append(
                _Job(document.name, html, document.variant, document.attachments, document.moment)
            )
        else:
            tell(0)
    checkpoint("render")
    for output in _pdfs(pending, renderer, jobs):
        tell(0)
        yield output


def _pdfs(pending: list[_Job], renderer: Renderer, jobs: int) -> Iterator[Output]:
    pending.sort(key=lambda job: -len(job.html))
    if jobs <= 1 or len(pending) <= 1:
        for job in pending:
            yield _render_one(renderer, job)
        return
    # Forked workers start at once, with WeasyPrint already imported; they render only and
    # never touch polars' thread pool.
    import weasyprint  # noqa: F401

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(pending)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(renderer.templates, renderer.strict),
    ) as pool:
        futures: list[Future[list[Output]]] = [
            pool.submit(_render_batch, batch) for batch in batches(pending)
        ]
        try:
            for future in as_completed(futures):
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


def batches(pending: Sequence[_Job]) -> list[list[_Job]]:
    """Jobs, largest first, in batches of about `BATCH_SHARE` of all the HTML: a document
    larger than that goes alone."""
    budget = max(1, int(sum(len(job.html) for job in pending) * BATCH_SHARE))
    out: list[list[_Job]] = []
    size = budget
    for job in pending:
        if size + len(job.html) > budget:
            out.append([])
            size = 0
        out[-1].append(job)
        size += len(job.html)
    return out


def _render_one(renderer: Renderer, job: _Job) -> Output:
    pdf = renderer.pdf(
        job.html, variant=job.variant, attachments=job.attachments, moment=job.moment
    )
    return Output(job.name, "pdf", pdf)


_worker: Renderer | None = None


def _start_worker(templates: Path, strict: bool) -> None:
    global _worker
    _worker = Renderer(templates, strict=strict)


def _render_batch(batch: list[_Job]) -> list[Output]:
    assert _worker is not None
    return [_render_one(_worker, job) for job in batch]
