"""The commands that write documents, stage by stage: load the inputs, plan the documents,
render them, and hand each file to its sink — a folder, the atomic week folder, the outbox or
SMTP. Each takes its moment from the caller; none reads the clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from advisory.calendar import end_of_day, issue_time, monday_of, week_label
from advisory.config import Config
from advisory.delivery.letters import Contact, Letter, Sender, letters
from advisory.delivery.send import Mode, Report, deliver, owe, send_owed, stage_messages
from advisory.errors import AdvisoryError, ConfigError, Problem
from advisory.faults import checkpoint
from advisory.inputs import Inputs, load_configured, resolve_incident_paths
from advisory.models import Rules
from advisory.publishing.archive import RECORD, build_site, place_site, stage_site, week_record
from advisory.publishing.atomic import remove, write_bytes_atomic
from advisory.publishing.feeds import Feeds, atom_feed, cap_message, read_cap
from advisory.publishing.week import (
    Published,
    WeekFolder,
    check_feed,
    input_files,
    locked,
    week_incidents,
)
from advisory.rendering.pool import Progress, Workers
from advisory.rendering.renderer import Renderer
from advisory.reports.ratings import json_bytes
from advisory.timing import stage
from advisory.writing.bar import AlertBar, alert_bars
from advisory.writing.compose import BulletinSettings
from advisory.writing.plan import LETTERS, Letters, Plan, Want, plan

log = logging.getLogger("advisory")


@dataclass
class Written:
    """What a command wrote, and notes for the operator (regions below the bar, without
    incidents); with email, the delivery report."""

    paths: list[Path] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    warnings: list[Problem] = field(default_factory=list)
    published: Published | None = None
    alerts: int = 0
    delivery: Report | None = None


def document_settings(config: Config) -> BulletinSettings:
    s = config.settings
    return BulletinSettings(s.organisation, s.title, s.classification, s.timezone, s.maps)


def write_documents(
    config: Config, as_of: dt.datetime, want: Want, out: Path, *, workers: Workers
) -> Written:
    """`advisory alert` and `advisory bulletin`: the documents `want` names, as files in `out`,
    each written atomically as soon as it is rendered by `workers` (entered by the caller, as
    early as it can). Raises `InputError` (nothing written)."""
    inputs = load_configured(config)
    bars = alert_bars(config, inputs.rules)
    planned = plan(inputs, as_of, bars.alerts, document_settings(config), want)
    written = Written(
        notes=planned.notes, alerts=len(planned.week.alerts), warnings=inputs.warnings
    )
    with stage(f"render and write {len(planned.documents)} documents"):
        for output in workers.render(planned.documents):
            write_bytes_atomic(out / output.path, output.data)
            written.paths.append(out / output.path)
    written.paths.sort()
    return written


def run_weekly(
    config: Config,
    monday: dt.date,
    *,
    workers: Workers,
    wait: float = 0,
    allow_stale: bool = False,
    mode: Mode | None = None,
    progress: Progress | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> Written:
    """Publish the week that starts on `monday` under `OUTPUT/YYYY-Www/`, rendered by
    `workers` (entered by the caller, as early as it can), then with `mode`
    email the travelers (`send`: the messages due are recorded as owed before the week is
    published, then sent through the ledger after it, with what earlier weeks still owe) or
    write their messages to the outbox (`dry-run`); `now` stamps the ledger. Raises
    `InputError` (nothing written), `Locked`, `StaleFeed` or another `AdvisoryError`
    (`RelayError` when the relay fails the run)."""
    root = config.output
    label = week_label(monday)
    renderer = workers.renderer
    issued = issue_time(monday, config.issue_time)
    with ExitStack() as site:
        # Every input is checked before the lock is taken or anything is written.
        with stage("validate"):
            if mode is not None and (problems := config.delivery_problems(send=mode == "send")):
                raise ConfigError(problems)
            inputs = load_configured(config, roster=mode is not None)
        for warning in inputs.warnings:
            log.warning("%s", warning)
        bars = alert_bars(config, inputs.rules)
        if not allow_stale:
            check_feed(inputs, monday, config.settings.stale_after_days)
        wanted = Want(
            alerts="all",
            alert_name="alerts/{region}",
            bulletin_name="bulletin",
            archive=True,
            letters=_letters(config, bars.delivery) if mode else None,
        )
        planned = plan(inputs, issued, bars.alerts, document_settings(config), wanted)
        site.enter_context(locked(root, wait, config.state, sending=mode == "send"))
        week = WeekFolder(root, label)
        site.callback(week.discard)
        record = week_record(label, planned.week.ratings, planned.week.alerts,
                             planned.week.closings, inputs.rules)  # fmt: skip
        # The archive's pages are written aside while the documents render (from the
        # moment the bulletin went to a worker).
        archive = site.enter_context(
            Archive(root, renderer, config.settings.organisation, (label, record))
        )
        # The letters, and with `send` their messages stored, as soon as their PDFs are
        # in: while the bulletin is still laid out, unless a letter is the bulletin.
        drafted: list[tuple[Sender, list[Letter], dict[str, bool]]] = []

        def draft(pdfs: dict[tuple[str, ...], bytes]) -> None:
            if mode is not None:
                sender = _sender(config, label, issued, inputs.rules)
                built = letters(sender, planned.recipients, pdfs, renderer)
                staged = stage_messages(config, sender, built) if mode == "send" else {}
                drafted.append((sender, built, staged))

        # Once the bulletin is with a worker, this process writes the week's other files.
        begun: list[bool] = []

        def bulletin_begun() -> None:
            if not begun:
                begun.append(True)
                archive.start()
                _put_week_files(config, inputs, planned, week, record)

        _render_week(planned, workers, week, progress, bulletin_begun, draft)
        bulletin_begun()  # a week without documents
        feeds = _feeds(config)
        checkpoint("rendered")
        stamp = now or (lambda: issued)
        if mode is not None:
            [(sender, built, staged)] = drafted
            if mode == "send":
                owed = owe(config, sender, built, planned.left_out, stamp, staged)
        base = config.file.parent if config.file else Path.cwd()
        paths, _ = resolve_incident_paths(config.incidents, base)
        sources = input_files(config.rules, paths, base)
        official = inputs.official.at(issued).files if inputs.official else ()
        published = week.publish(week.manifest(issued, sources, planned.week.overrides, official))
        # The feed of the last weeks, from their CAP messages, this week's included.
        write_bytes_atomic(root / ATOM_FILE, atom_feed(root, feeds))
        with stage("archive"):
            archive.place()
        written = Written(published=published, alerts=len(planned.week.alerts))
        if mode == "send":
            with stage("deliver"):
                written.delivery = send_owed(config, sender, owed, stamp)
        elif mode == "dry-run":
            written.delivery = deliver(config, mode, sender, built, planned.left_out, stamp)
        return written


def _put_week_files(
    config: Config, inputs: Inputs, planned: Plan, week: WeekFolder, record: bytes
) -> None:
    """The week's ratings, incidents, record and CAP messages, into its folder."""
    rules = inputs.rules
    week.put("ratings.json", json_bytes(planned.week.ratings, rules))
    for name, data in week_incidents(inputs, planned.week.ratings).items():
        week.put(name, data)
    week.put(RECORD, record)
    feeds = _feeds(config)
    words = rules.ruleset.severity.words
    for alert in planned.week.alerts:
        event = rules.ruleset.label(alert.incidents[0].category)
        shape = planned.shapes.get(alert.region_id)
        previous = (
            read_cap(config.output / alert.previous_week / "alerts" / f"{alert.region_id}.cap.xml")
            if alert.previous_week
            else None
        )
        cap = cap_message(alert, week.label, feeds, words, event[:1].upper() + event[1:],
                          shape.rings if shape else (), previous)  # fmt: skip
        week.put(f"alerts/{alert.region_id}.cap.xml", cap)


class Archive:
    """The archive's pages of the weeks published and the week being published (`replacing`,
    its folder's name and record), built and written aside in a thread of their own (from
    `start`) while the week renders, then put in place by `place` once the week is published;
    removed if the run ends before that."""

    def __init__(
        self, root: Path, renderer: Renderer, organisation: str, replacing: tuple[str, bytes]
    ) -> None:
        self._root = root
        self._arguments = (renderer, organisation, replacing)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
        self._built: Future[tuple[dict[str, bytes], list[str], Path]] | None = None
        self._placed = False

    def start(self) -> None:
        if self._built is None:
            self._built = self._pool.submit(self._build, *self._arguments)

    def _build(
        self, renderer: Renderer, organisation: str, replacing: tuple[str, bytes]
    ) -> tuple[dict[str, bytes], list[str], Path]:
        files, skipped = build_site(self._root, renderer.site_html, organisation,
                                    replacing=replacing)  # fmt: skip
        return files, skipped, stage_site(self._root, files)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True)
        if self._built is not None and not self._placed and self._built.exception() is None:
            remove(self._built.result()[2])

    def place(self) -> None:
        self.start()
        assert self._built is not None
        files, skipped, building = self._built.result()
        for problem in skipped:
            log.warning("archive: skipped %s", problem)
        place_site(self._root, files, building)
        self._placed = True


def _render_week(
    planned: Plan,
    workers: Workers,
    week: WeekFolder,
    progress: Progress | None,
    begun: Callable[[], None],
    letters_ready: Callable[[dict[tuple[str, ...], bytes]], None],
) -> None:
    """Render the week's documents into its folder. `begun` is called once the first of them,
    the bulletin, is with a worker; `letters_ready` once with each letter's PDF by its places,
    as soon as they are all rendered."""
    letter_documents = set(planned.letter_pdfs.values())
    rendered: dict[str, bytes] = {}
    waiting = True

    def ready() -> None:
        nonlocal waiting
        if waiting and letter_documents <= rendered.keys():
            waiting = False
            letters_ready({places: rendered[name] for places, name in planned.letter_pdfs.items()})

    with stage("render"):
        for output in workers.render(planned.documents, progress):
            begun()
            if not output.name.startswith(LETTERS):
                week.put(output.path, output.data)
            if output.suffix == "pdf" and output.name in letter_documents:
                rendered[output.name] = output.data
            ready()
        ready()


def run_flash(
    config: Config,
    region_id: str,
    as_of: dt.datetime,
    mode: Mode | None,
    now: Callable[[], dt.datetime],
    *,
    jobs: int = 1,
) -> Written:
    """One region's alert between weekly runs (a Critical incident cannot wait for Monday),
    rated up to the end of the as-of day so that the day's incidents count, written to
    OUTPUT/flash/ and emailed to the travelers whose trips touch the region. It goes through
    the ledger under the ISO week that the next weekly run covers, so that run sends its
    message as an update, not as news."""
    inputs = load_configured(config, roster=mode is not None)
    bars = alert_bars(config, inputs.rules)
    moment = end_of_day(as_of)
    wanted = Want(
        alerts=(region_id,),
        combined=f"flash/{as_of.date()}-{region_id}",
        letters=_letters(config, AlertBar(), whole_bulletin=False) if mode else None,
    )
    planned = plan(inputs, moment, bars.alerts, document_settings(config), wanted)
    if not planned.documents:
        raise AdvisoryError(f"{region_id}: no incident in the seven days to {as_of.date()}")
    with locked(config.output, 0, config.state, sending=mode == "send"):
        return _flash(config, inputs, planned, as_of, moment, mode, now, jobs)


def _flash(
    config: Config,
    inputs: Inputs,
    planned: Plan,
    as_of: dt.datetime,
    moment: dt.datetime,
    mode: Mode | None,
    now: Callable[[], dt.datetime],
    jobs: int,
) -> Written:
    renderer = Renderer(config.templates)
    written = Written(notes=planned.notes, alerts=1, warnings=inputs.warnings)
    rendered: dict[str, bytes] = {}
    with Workers(renderer, jobs) as workers:
        for output in workers.render(planned.documents):
            if not output.name.startswith(LETTERS):
                write_bytes_atomic(config.output / output.path, output.data)
                written.paths.append(config.output / output.path)
            if output.suffix == "pdf":
                rendered[output.name] = output.data
    written.paths.sort()
    if mode is None:
        return written
    sender = _sender(config, week_label(monday_of(as_of.date())), moment, inputs.rules)
    pdfs = {places: rendered[name] for places, name in planned.letter_pdfs.items()}
    built = letters(sender, planned.recipients, pdfs, renderer)
    written.delivery = deliver(config, mode, sender, built, planned.left_out, now)
    return written


def _letters(config: Config, bar: AlertBar, *, whole_bulletin: bool = True) -> Letters:
    return Letters(config.settings.delivery.lookahead_days, bar, whole_bulletin)


#: The Atom feed of recent alerts, at the top of OUTPUT.
ATOM_FILE = "alerts.atom"


def _feeds(config: Config) -> Feeds:
    s = config.settings
    return Feeds(
        sender=s.cap.sender or s.smtp.sender, organisation=s.organisation,
        classification=s.classification, public_url=s.public_url, weeks=s.atom.weeks,
    )  # fmt: skip


def _sender(config: Config, week: str, issued: dt.datetime, rules: Rules) -> Sender:
    s = config.settings
    return Sender(
        week, issued, s.organisation, s.classification, s.smtp.sender,
        contact=_contact(config), public_url=s.public_url,
        window_days=rules.ruleset.window_days,
        severity_words=tuple(rules.ruleset.severity.words),
        reason_names=dict(rules.ruleset.reasons),
    )  # fmt: skip


def _contact(config: Config) -> Contact:
    """The contact block of the settings, with the logo's bytes (checked when read)."""
    c = config.settings.contact
    logo, kind = None, "png"
    if config.logo is not None:
        logo = config.logo.read_bytes()
        kind = "jpeg" if logo.startswith(b"\xff\xd8") else "png"
    return Contact(phone=c.phone, hours=c.hours, email=c.email, logo=logo, logo_type=kind)
