"""Render a plan's documents: HTML in this process, PDFs in worker processes, each file handed
over as soon as it is ready, so that a batch is written as it goes and memory stays flat.

The workers are started before the inputs are read: while this process loads, rates and
composes, each worker imports WeasyPrint and sets up its fonts, and it keeps that renderer (and
its font configuration) for its whole life. They are forked while this process is still small
and has started no thread pool. The first document (a week's bulletin, by far the longest) is
handed to a worker alone as soon as its HTML is written, so that it renders on one core while
this process writes the other documents' HTML and the many small alerts and letters share the
other cores; those go largest first, to workers that lower their priority so that the bulletin,
which bounds the run, keeps most of its core.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from advisory.faults import checkpoint
from advisory.rendering import cache as render_cache
from advisory.rendering.renderer import Renderer

if TYPE_CHECKING:
    from advisory.writing.plan import Document

#: Small documents go to a worker in batches of about this share of the whole work, so that
#: the workers stay busy without paying a round trip per page.
BATCH_SHARE = 1 / 32
#: How far a worker lowers its priority once it renders the smaller documents: the first
#: document (a week's bulletin, which bounds the whole run) keeps most of a core while they
#: share the rest. Mild, so that on a busy machine they are slowed, not starved.
BACKGROUND_NICENESS = 5
#: Linux prctl(2) option: the signal a process gets when its parent dies.
PR_SET_PDEATHSIG = 1

Progress = Callable[[int], None]


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


class Workers:
    """The processes that render PDFs (`jobs` of them; with one, this process renders).

    Use as a context manager, entered as early as possible; `render` may be called once or
    more inside it.
    """

    def __init__(self, renderer: Renderer, jobs: int) -> None:
        self.renderer = renderer
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.jobs > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.renderer.templates, self.renderer.strict, os.getpid()),
            )
            # Forked pools start every worker at the first task: start them now.
            self._pool.submit(_ready)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            if error is not None:
                # A failed run does not wait for a long layout: its workers are stopped, then
                # the pool is shut down and waited for, so that none of its threads and pipes
                # outlive it (an executor left behind by shutdown(wait=False) can print a
                # "Bad file descriptor" traceback as the interpreter exits).
                for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                    process.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def render(
        self, documents: Sequence[Document], progress: Progress | None = None
    ) -> Iterator[Output]:
        """Every file of `documents`, HTML first, then PDFs as they finish (not in plan order).

        `progress`, if given, is told the number of documents and then called with 0 once per
        document done. A worker's failure (a template error, a strict-mode warning) is raised
        here.
        """
        tell = progress or (lambda _: None)
        tell(len(documents))
        where = render_cache.folder()
        pending: list[_Job] = []
        keys: dict[str, str] = {}
        cached: list[Output] = []
        started: Future[list[tuple[Output, bool]]] | None = None
        for document in documents:
            html = self.renderer.html(document.template, {"doc": document.page})
            if "pdf" in document.formats:
                job = _Job(document.name, html, document.variant, document.attachments,
                           document.moment)  # fmt: skip
                found = None
                if where is not None:
                    keys[job.name] = render_cache.key(
                        job.html, job.variant, job.attachments,
                        job.moment.isoformat() if job.moment else "", self.renderer.templates,
                    )  # fmt: skip
                    found = render_cache.load(where, keys[job.name])
                if found is not None:
                    cached.append(Output(job.name, "pdf", found))
                elif started is None and self._pool is not None:
                    # The first document (a week's bulletin, the longest to lay out) goes to a
                    # worker at once, while this process writes the others' HTML.
                    started = self._pool.submit(_render_batch, [job])
                else:
                    pending.append(job)
            if "html" in document.formats:
                screen = html
                if document.screen_page is not None:
                    screen = self.renderer.html(document.template, {"doc": document.screen_page})
                yield Output(document.name, "html", screen.encode())
            if "pdf" not in document.formats:
                tell(0)
        checkpoint("render")
        fresh: list[tuple[str, bytes]] = []
        for output in cached:
            tell(0)
            yield output
        for output, clean in self._rendered(pending, started):
            if clean and where is not None:
                fresh.append((keys[output.name], output.data))
            tell(0)
            yield output
        if where is not None:
            render_cache.store(where, fresh)

    def _rendered(
        self, pending: list[_Job], started: Future[list[tuple[Output, bool]]] | None = None
    ) -> Iterator[tuple[Output, bool]]:
        """Each job's PDF (and `started`'s), and whether it rendered without a warning."""
        pending.sort(key=lambda job: -len(job.html))
        # Layout allocates millions of short-lived objects; the collector need not walk the
        # inputs and modules already loaded each time it runs.
        gc.freeze()
        if self._pool is None:
            for job in pending:
                yield _render_one(self.renderer, job)
            return
        # A few batches in flight per worker, the next submitted as one finishes: the workers
        # stay busy while this process writes, and finished PDFs are not held here.
        waiting = deque(batches(pending))
        running: set[Future[list[tuple[Output, bool]]]] = {started} if started else set()
        try:
            while waiting or running:
                while waiting and len(running) < 2 * self.jobs:
                    running.add(self._pool.submit(_render_batch, waiting.popleft(), True))
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
        finally:
            for future in running:
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


def _render_one(renderer: Renderer, job: _Job) -> tuple[Output, bool]:
    pdf, warnings = renderer.checked_pdf(
        job.html, variant=job.variant, attachments=job.attachments, moment=job.moment
    )
    return Output(job.name, "pdf", pdf), not warnings


_worker: Renderer | None = None
#: Whether this worker has lowered its priority (`_render_batch`).
_in_background = False


def _start_worker(templates: Path, strict: bool, parent: int) -> None:
    global _worker
    _die_with(parent)
    from weasyprint.text.fonts import FontConfiguration

    _worker = Renderer(templates, strict=strict)
    _worker.fonts = FontConfiguration()
    gc.freeze()


def _die_with(parent: int) -> None:
    """A worker must not outlive a run that was killed (it would hold the run's output pipes
    and the lock's folder open): on Linux the kernel kills it when its parent dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _ready() -> None:
    """A task that does nothing: submitting it starts the workers."""


def _render_batch(batch: list[_Job], background: bool = False) -> list[tuple[Output, bool]]:
    """The batch's PDFs; `background` for all but a run's first document."""
    assert _worker is not None
    if background:
        to_background()
    return [_render_one(_worker, job) for job in batch]


def to_background() -> None:
    """Lower this worker's priority by `BACKGROUND_NICENESS`, once (for good: a process may
    only lower its own)."""
    global _in_background
    if not _in_background:
        os.nice(BACKGROUND_NICENESS)
        _in_background = True
