"""HTML from Jinja2 templates, PDF from WeasyPrint. Templates decide looks only.

Incident text is data: templates are autoescaped and undefined names are errors. WeasyPrint
fetches nothing from the network and nothing outside the templates folder; what it would have
fetched, and any CSS it could not use, is collected as a warning, and with `strict` fails the run.
WeasyPrint is imported only here, when a PDF is made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import jinja2
from markupsafe import Markup

from advisory import shipped
from advisory.errors import RenderError, TemplateError
from advisory.models import REASON_CODES
from advisory.writing.charts import sparkline
from advisory.writing.compose import Alert, Bulletin
from advisory.writing.prose import stamp_date

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

log = logging.getLogger("advisory")

#: PDF variants: tagged and accessible by default; archival with the data attached on request.
ACCESSIBLE = "pdf/ua-1"
ARCHIVAL = "pdf/a-3b"
TREND_ARROWS = {"up": "↑", "down": "↓", "steady": "→"}


@dataclass(frozen=True)
class AlertsPage:
    """Context of `alerts.html.j2`: one or more alerts as one document."""

    title: str
    organisation: str
    classification: str
    issued: dt.datetime
    alerts: Sequence[Alert]
    lang: str = "en"
    reason_names: Mapping[str, str] = field(default_factory=lambda: dict(REASON_CODES))

    @property
    def issued_iso(self) -> str:
        return self.issued.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class BulletinPage:
    """Context of `bulletin.html.j2`."""

    bulletin: Bulletin
    window_days: int
    weeks: int
    sparklines: Mapping[str, Markup]
    lang: str = "en"
    arrows: Mapping[str, str] = field(default_factory=lambda: dict(TREND_ARROWS))
    reason_names: Mapping[str, str] = field(default_factory=lambda: dict(REASON_CODES))

    @property
    def title(self) -> str:
        b = self.bulletin
        return f"{b.title} — {b.week}"

    @property
    def issued_iso(self) -> str:
        return self.bulletin.issued.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def period(self) -> str:
        b = self.bulletin
        return f"{stamp_date(b.period_start)} to {stamp_date(b.period_end)}"


def alerts_page(
    alerts: Sequence[Alert], organisation: str, classification: str, issued: dt.datetime
) -> AlertsPage:
    if len(alerts) == 1:
        title = alerts[0].headline
    else:
        title = f"Travel-security alerts, {stamp_date(issued.date())}"
    return AlertsPage(title, organisation, classification, issued, tuple(alerts))


def bulletin_page(bulletin: Bulletin, window_days: int) -> BulletinPage:
    colors = [color for _, _, color in bulletin.levels]
    sparklines = {
        row.region_id: sparkline(row.levels, len(colors), colors) for row in bulletin.summary
    }
    weeks = len(bulletin.summary[0].levels) if bulletin.summary else 0
    return BulletinPage(bulletin, window_days, weeks, sparklines)


class Renderer:
    """Renders pages to HTML and HTML to PDF, reusing one font configuration."""

    def __init__(self, templates: Path | None = None, *, strict: bool = False) -> None:
        self.templates = (templates or shipped.templates()).resolve()
        self.strict = strict
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["reason"] = lambda code, names: f"{names.get(code, code)} ({code})"
        self.env.filters["css_string"] = css_string
        self.text_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=False,  # plain text: nothing is markup
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._fonts: FontConfiguration | None = None

    def html_of(self, template: str, context: Mapping[str, Any]) -> str:
        """An autoescaped template with a context of named values (emails)."""
        return self._render(self.env, template, context)

    def text(self, template: str, context: Mapping[str, Any]) -> str:
        """A plain-text template (the text part of emails)."""
        return self._render(self.text_env, template, context)

    def _render(self, env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
        try:
            return env.get_template(template).render(**context)
        except jinja2.TemplateNotFound as e:
            raise TemplateError(f"template not found: {self.templates / str(e.name)}") from e
        except jinja2.TemplateError as e:
            raise TemplateError(f"template {template}: {e}") from e

    def html(self, template: str, page: AlertsPage | BulletinPage) -> str:
        """A document template, given its typed page as `doc`."""
        return self._render(self.env, template, {"doc": page})

    def pdf(
        self,
        html: str,
        *,
        variant: str = ACCESSIBLE,
        attachments: Sequence[tuple[str, bytes]] = (),
        moment: dt.datetime | None = None,
    ) -> bytes:
        """The PDF of `html`: its identifier derives from the content, its dates from the HTML's
        `dcterms` metadata (the issue time), so the same page gives the same bytes."""
        from weasyprint import HTML, Attachment
        from weasyprint.text.fonts import FontConfiguration

        if self._fonts is None:
            self._fonts = FontConfiguration()
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        files = [
            Attachment(string=data, name=name, created=moment, modified=moment)
            for name, data in attachments
        ]
        with collected_warnings() as warnings:
            document = HTML(
                string=html,
                base_url=self.templates.as_uri() + "/",
                url_fetcher=TemplatesOnly(self.templates),
            )
            data = document.write_pdf(
                font_config=self._fonts,
                pdf_variant=variant,
                pdf_identifier=identifier,
                attachments=files or None,
            )
        warnings = list(dict.fromkeys(warnings))
        if warnings and self.strict:
            raise RenderError("rendering warnings (strict): " + "; ".join(warnings))
        for message in warnings:
            log.warning("render: %s", message)
        assert isinstance(data, bytes)
        return data


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string that cannot end the string, the rule or the <style>."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,-_:;()/'&" else f"\\{ord(ch):x} " for ch in str(text)
    )
    return Markup(f'"{escaped}"')


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    """WeasyPrint's warnings (bad CSS, resources it could not load) while the block runs."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class _Refused(ValueError):
    pass


def TemplatesOnly(root: Path) -> Any:
    """A WeasyPrint URL fetcher that serves files of `root` and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):  # type: ignore[misc]
        """Serves the templates folder's files; any other URL is refused with a warning."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme != "file":
                raise _Refused(f"refused to fetch {url!r}: only files of the templates folder")
            path = Path(url2pathname(parsed.path)).resolve()
            if root != path.parent and root not in path.parents:
                raise _Refused(f"refused to fetch {url!r}: outside the templates folder")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    return Fetcher(fail_on_errors=False)
