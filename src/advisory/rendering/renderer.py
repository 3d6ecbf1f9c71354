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
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import markupsafe
from markupsafe import Markup

from advisory import shipped
from advisory.calendar import prose_date
from advisory.errors import Problem, RenderError, TemplateError
from advisory.plaintext import shown
from advisory.rendering.fetcher import TemplatesOnly

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

log = logging.getLogger("advisory")

#: The templates the runs render: a templates folder of one's own must have them all.
REQUIRED_TEMPLATES = (
    "alerts.html.j2", "bulletin.html.j2", "bulletin.css", "email.html.j2", "email.txt.j2",
    "print.css",
)  # fmt: skip
#: PDF variants: tagged and accessible by default; archival with the data attached on request.
ACCESSIBLE = "pdf/ua-1"
ARCHIVAL = "pdf/a-3b"


class Renderer:
    """Renders templates to HTML or text, and HTML to PDF, reusing one font configuration."""

    def __init__(self, templates: Path | None = None, *, strict: bool = False) -> None:
        self.templates = (templates or shipped.templates()).resolve()
        self.strict = strict
        self.env = self._environment(autoescape=True)
        self.env.filters["reason"] = lambda code, names: f"{names.get(code, code)} ({code})"
        self.env.filters["css_string"] = css_string
        self.env.filters["anchor"] = anchor
        self.env.filters["prose_date"] = prose_date
        self.text_env = self._environment(autoescape=False)  # plain text: nothing is markup
        from advisory.official.advice import short_cell, stated
        from advisory.writing.prose import number

        for environment in (self.env, self.text_env):
            environment.filters["number"] = number  # house numbers: words under ten
            environment.filters["official_line"] = stated  # a government's advice in a line
            environment.filters["official_cell"] = short_cell  # and in a table's cell
        self.fonts: FontConfiguration | None = None
        self._site_env: jinja2.Environment | None = None

    def problems(self) -> list[Problem]:
        """Every template of the folder compiled, as `validate` checks them: a syntax error is
        a problem at its file and line; a document template that is missing, one too."""
        from advisory.errors import Location, display_path

        found: list[Problem] = []
        for path in sorted(self.templates.rglob("*.j2")):
            name = path.relative_to(self.templates).as_posix()
            environment = self.text_env if name.endswith((".txt.j2", ".md.j2")) else self.env
            try:
                environment.get_template(name)
            except jinja2.TemplateSyntaxError as e:
                where = Location(display_path(path), e.lineno)
                found.append(Problem(where, "", f"template does not compile: {e.message}"))
        for name in REQUIRED_TEMPLATES:
            if not (self.templates / name).is_file():
                where = Location(display_path(self.templates / name))
                found.append(Problem(where, "", "template not found: the runs need it"))
        return found

    def _environment(self, *, autoescape: bool) -> jinja2.Environment:
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=printable,
        )

    def html(self, template: str, context: Mapping[str, Any]) -> str:
        """An autoescaped template: documents get their typed page as `doc`."""
        return self._render(self.env, template, context)

    def site_html(self, template: str, context: Mapping[str, Any]) -> str:
        """An archive page (`archive_*.html.j2`): a templates folder of one's own may hold its
        own, and takes the shipped ones where it does not."""
        if self._site_env is None:
            self._site_env = self._environment(autoescape=True)
            self._site_env.loader = jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader(self.templates),
                 jinja2.FileSystemLoader(shipped.templates())]
            )  # fmt: skip
            self._site_env.filters.update(self.env.filters)
        return self._render(self._site_env, template, context)

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
        data, _ = self.checked_pdf(html, variant=variant, attachments=attachments, moment=moment)
        return data

    def checked_pdf(
        self,
        html: str,
        *,
        variant: str = ACCESSIBLE,
        attachments: Sequence[tuple[str, bytes]] = (),
        moment: dt.datetime | None = None,
    ) -> tuple[bytes, list[str]]:
        """The PDF of `html` (as `pdf`), and the warnings its layout gave (logged, and raised
        in strict mode)."""
        from weasyprint import HTML, Attachment
        from weasyprint.text.fonts import FontConfiguration

        if self.fonts is None:
            self.fonts = FontConfiguration()
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
                font_config=self.fonts,
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
        return data, warnings


def anchor(name: str, prefix: str) -> str:
    """`section-south-america`: an id for a heading named `name`."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{prefix}-{slug or 'other'}"


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


def printable(value: Any) -> Any:
    """A template value as outputs show it (`plaintext.shown`: no control characters, no
    unpaired bidirectional controls); markup stays markup."""
    if not isinstance(value, str):
        return value
    cleaned = shown(value)
    if cleaned == value:
        return value
    return markupsafe.Markup(cleaned) if isinstance(value, markupsafe.Markup) else cleaned
