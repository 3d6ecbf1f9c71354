"""`advisory.yaml`: where the inputs are, how documents look, when and how the weekly run sends.

Found by `--config`, then `$ADVISORY_CONFIG`, then `./advisory.yaml`; without one, built-in
defaults serve the demo. Each setting comes from, in order of precedence: a command-line
option, an environment variable (`ENVIRONMENT` below), the file, the default. Relative paths in
the file are taken from the file's folder; relative paths given on the command line or in the
environment from the working directory. The SMTP password is never in the file: `smtp.password_env`
names the environment variable that holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, field_validator

from advisory.calendar import in_zone, parse_time_of_day
from advisory.errors import ConfigError, Location, Problem, display_path
from advisory.inputs.yamlfile import YamlDocument, describe, field_name, load_yaml
from advisory.models import (
    EmailAddress,
    Line,
    OfficialFloor,
    UserModel,
    as_list,
    no_control_characters,
)

CONFIG_FILE = "advisory.yaml"

#: Environment variable -> setting (dotted path). Lists take several values separated by ':'.
ENVIRONMENT: dict[str, str] = {
    "ADVISORY_RULES": "rules",
    "ADVISORY_INCIDENTS": "incidents",
    "ADVISORY_ROSTER": "roster",
    "ADVISORY_TEMPLATES": "templates",
    "ADVISORY_OUTPUT": "output",
    "ADVISORY_STATE": "state",
    "ADVISORY_LOG_FILE": "log_file",
    "ADVISORY_OFFICIAL": "official",
    "ADVISORY_ITINERARIES": "itineraries",
    "ADVISORY_ORGANISATION": "organisation",
    "ADVISORY_CLASSIFICATION": "classification",
    "ADVISORY_TIMEZONE": "timezone",
    "ADVISORY_STALE_AFTER_DAYS": "stale_after_days",
    "ADVISORY_SEND": "send",
    "ADVISORY_SMTP_HOST": "smtp.host",
    "ADVISORY_SMTP_PORT": "smtp.port",
    "ADVISORY_SMTP_USERNAME": "smtp.username",
}
PATH_SETTINGS = (
    "rules",
    "roster",
    "templates",
    "output",
    "state",
    "log_file",
    "official",
    "itineraries",
)
#: The command-line options that set a setting.
OPTIONS = {
    "rules": "--rules",
    "incidents": "--incidents",
    "roster": "--roster",
    "templates": "--templates",
    "output": "--out",
}

#: A file or folder name, or a glob pattern.
PathText = Annotated[
    str, Field(min_length=1, max_length=4096), AfterValidator(no_control_characters)
]
PathList = Annotated[
    list[PathText], BeforeValidator(as_list, json_schema_input_type=str | list[str])
]


class AlertSettings(UserModel):
    """Which regions get an alert: incidents in the week, and at least one of these bars."""

    min_level: str | None = Field(
        default=None,
        description="Only regions at or above this level get an alert; with neither bar, "
        "every region with incidents in the week does.",
        examples=["Moderate"],
    )
    min_severity: str | None = Field(
        default=None,
        description="Or: alerts at or above this severity word, whatever the level.",
        examples=["Warning"],
    )


class DeliverySettings(UserModel):
    """Who gets email, and how patiently it is sent."""

    lookahead_days: int = Field(
        default=14,
        ge=0,
        le=366,
        description="Trips starting within this many days get this week's alerts.",
    )
    min_level: str | None = Field(
        default=None,
        description="Only places at or above this level are in a traveler's email.",
        examples=["Moderate"],
    )
    min_severity: str | None = Field(
        default=None,
        description="Or: places whose alert is at or above this severity word.",
        examples=["Warning"],
    )
    retry_delays: list[Annotated[float, Field(ge=0, le=3600)]] = Field(
        default_factory=lambda: [2.0, 10.0, 60.0],
        max_length=10,
        description="Seconds to wait before each new try after a temporary failure "
        "(at most ten tries more, each at most an hour).",
    )
    rate_per_minute: int | None = Field(
        default=None,
        ge=1,
        le=6000,
        description="At most this many messages a minute (hosted relays often want 30).",
        examples=[30],
    )
    backlog_days: int = Field(
        default=8,
        ge=0,
        le=366,
        description="A sending run first sends the messages still owed from earlier weeks "
        "issued at most this many days before its own; older ones are reported, not sent.",
    )
    deadline_minutes: float = Field(
        default=10,
        ge=0.1,
        le=1440,
        description="Sending stops this long after it began (a relay that never answers must "
        "not hold the run); what is left is sent by the next run.",
    )
    brief_horizon_days: int = Field(
        default=60,
        ge=0,
        le=366,
        description="`advisory briefs` briefs a journey when it first appears if it starts "
        "within this many days.",
    )
    brief_days_before: int = Field(
        default=10,
        ge=0,
        le=366,
        description="And again this many days before it starts, when a place of it is at or "
        "above brief_min_level.",
    )
    brief_min_level: Line | None = Field(
        default="Low",
        description="The level a journey's place must reach for the brief before departure; "
        "empty: every journey.",
        examples=["Moderate"],
    )
    desk: EmailAddress | None = Field(
        default=None,
        description="Security desk address: told after a run with failures.",
        examples=["security-desk@example.org"],
    )


class SmtpSettings(UserModel):
    """The mail relay that delivers the travelers' email."""

    host: Line = Field(default="localhost", description="Mail relay.")
    port: int = Field(default=587, ge=1, le=65535, description="Its port.")
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls, tls or none."
    )
    username: Line | None = Field(
        default=None, description="Login name at the relay.", examples=["advisory"]
    )
    password_env: Line = Field(
        default="ADVISORY_SMTP_PASSWORD",
        description="Name of the environment variable that holds the password (never this file).",
    )
    sender: EmailAddress = Field(
        default="travel-security@example.org", description="The From address."
    )
    timeout_seconds: float = Field(default=30, gt=0, le=600, description="Per SMTP operation.")
    ca_file: PathText | None = Field(
        default=None,
        description="PEM file of the certificate authorities a private relay's certificate is "
        "checked against; empty: the system's.",
        examples=["/etc/ssl/private-ca.pem"],
    )
    tls_verify: bool = Field(
        default=True,
        description="Check the relay's certificate; false only for a test relay (a warning on "
        "every run).",
    )


def _web_address(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError("must be an http:// or https:// address, without a query")
    return value.rstrip("/")


#: A web address: http(s), a host, an optional path; kept without its final slash.
HttpsUrl = Annotated[str, Field(max_length=2000), AfterValidator(_web_address)]


class ContactSettings(UserModel):
    """Who a traveler calls: shown at the foot of every email."""

    phone: Line | None = Field(
        default=None, description="The number to call, at any hour.", examples=["+44 20 7946 0000"]
    )
    hours: Line = Field(default="24/7", description="When the number answers.")
    email: EmailAddress | None = Field(
        default=None, description="The security desk's address.", examples=["desk@example.org"]
    )
    logo: PathText | None = Field(
        default=None,
        description="A PNG or JPEG logo for the emails, relative to the settings file.",
        examples=["logo.png"],
    )


class CapSettings(UserModel):
    """The CAP 1.2 messages published beside each alert (docs/feeds.md)."""

    sender: Line | None = Field(
        default=None,
        description="The messages' sender, an address or a domain; empty: smtp.sender.",
        examples=["alerts@security.example.org"],
    )


class AtomSettings(UserModel):
    """The Atom feed of recent alerts, OUTPUT/alerts.atom (docs/feeds.md)."""

    weeks: int = Field(default=8, ge=1, le=520, description="Published weeks the feed lists.")


class Settings(UserModel):
    """Everything `advisory.yaml` can set; every field has a default that serves the demo."""

    version: Literal[1] = Field(default=1, description="Format version of this file.")
    organisation: Line = Field(
        default="Travel Security",
        description="Shown on the bulletin's cover, in the running header and as the sender.",
    )
    title: Line = Field(default="Weekly travel-security bulletin", description="Bulletin title.")
    classification: Line = Field(
        default="For internal use", description="Classification line on every page."
    )
    rules: PathText = Field(default="rules", description="Rules folder: scoring.yaml, regions/.")
    incidents: PathList = Field(
        default_factory=lambda: ["data/*.csv"],
        min_length=1,
        description="Incident files (.csv, .yaml, .json) or glob patterns.",
    )
    roster: PathText = Field(
        default="data/travelers.yaml", description="Traveler roster (.yaml, or a .csv export)."
    )
    itineraries: PathText = Field(
        default="data/itineraries/*.yaml",
        description="The trips `advisory import itinerary` wrote from calendar files (a glob), "
        "added to the roster's travelers on every run.",
    )
    templates: PathText | None = Field(
        default=None,
        description="A templates folder of your own; by default the shipped templates.",
        examples=["templates"],
    )
    output: PathText = Field(
        default="output", description="Where documents, published weeks and outboxes go."
    )
    official: PathText = Field(
        default="data/official",
        description="Where `advisory import official` keeps the governments' advice, a file "
        "per import.",
    )
    official_floor: OfficialFloor | None = Field(
        default=None,
        description="Keep every level from falling below a government's, mapped by "
        "rules/official.yaml: us, uk, ca or highest (the rules may set it per region or "
        "country); empty: no floor.",
        examples=["us"],
    )
    official_stale_days: int = Field(
        default=90,
        ge=1,
        le=3660,
        description="A government's advice imported longer than this before a week's issue "
        "time is shown marked stale, and neither compared with our level nor a floor.",
    )
    state: PathText = Field(
        default="state",
        description="Where the delivery ledger lives: keep it, and apart from output.",
    )
    log_file: PathText | None = Field(
        default=None,
        description="The weekly run also logs here (created readable by its owner only).",
        examples=["logs/advisory.log"],
    )
    timezone: Line = Field(
        default="UTC",
        description="The site's calendar: the zone in which a week ends, the issue time is read "
        "and a bare --as-of date falls (stamps stay in UTC).",
        examples=["Asia/Bangkok"],
    )
    issue_time: Line = Field(
        default="06:00",
        description="Weekly issue time, HH:MM in the site's timezone, the Monday after the week.",
    )
    stale_after_days: int = Field(
        default=8,
        ge=1,
        le=3660,
        description="The weekly run stops when the newest incident is older than this at the "
        "week's end.",
    )
    send: bool = Field(default=False, description="Whether the weekly run emails travelers.")
    maps: bool = Field(
        default=True,
        description="Whether the bulletin carries a map of the week and each alert a locator "
        "map (drawn offline from the shipped country outlines).",
    )
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    contact: ContactSettings = Field(default_factory=ContactSettings)
    cap: CapSettings = Field(default_factory=CapSettings)
    atom: AtomSettings = Field(default_factory=AtomSettings)
    public_url: HttpsUrl | None = Field(
        default=None,
        description="Where OUTPUT is served: emails link to the full alert there.",
        examples=["https://security.example.org/advisories"],
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone (e.g. UTC, America/Lima)") from None
        return value

    @field_validator("issue_time")
    @classmethod
    def _hour(cls, value: str) -> str:
        try:
            parse_time_of_day(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a time of day (HH:MM)") from None
        return value


@dataclass(frozen=True)
class Config:
    """Settings with every path made absolute, and where the file was (if any)."""

    settings: Settings
    file: Path | None
    rules: Path
    incidents: tuple[str, ...]  # absolute glob patterns
    roster: Path
    templates: Path | None
    output: Path
    state: Path
    log_file: Path | None
    #: Where the governments' advice is kept (`advisory import official`).
    official: Path = Path("data/official")
    #: The imported itineraries, a glob (`advisory import itinerary`).
    itineraries: Path = Path("data/itineraries/*.yaml")
    #: Where each path setting was given: a line of the file, a variable or an option.
    origins: Mapping[str, Location] = field(default_factory=dict, compare=False)
    document: YamlDocument | None = field(default=None, compare=False, repr=False)
    ca_file: Path | None = None  # smtp.ca_file
    logo: Path | None = None  # contact.logo

    def location_of(self, *loc: str) -> Location:
        """Where a setting was given (`location_of("alerts", "min_level")`): an option, an
        environment variable, its line in the file, or the file."""
        dotted = ".".join(loc)
        if dotted in self.origins:
            return self.origins[dotted]
        variable = next((v for v, name in ENVIRONMENT.items() if name == dotted), None)
        if variable and variable in os.environ:
            return Location(f"${variable}")
        if self.document is not None:
            return self.document.locate(loc)
        return Location(display_path(self.file) if self.file else "built-in settings")

    @property
    def zone(self) -> dt.tzinfo:
        """The site's calendar: the zone of its weeks and issue time."""
        name = self.settings.timezone
        return dt.UTC if name == "UTC" else zoneinfo.ZoneInfo(name)

    @property
    def issue_time(self) -> dt.time:
        """The weekly issue time of day, in the site's zone (`tzinfo`)."""
        return parse_time_of_day(self.settings.issue_time).replace(tzinfo=self.zone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """`moment` in the site's zone (so that its date is the site's date); one given without
        a zone (a bare `--as-of` date) is read in it."""
        return in_zone(moment, self.zone)

    def smtp_password(self, environ: Mapping[str, str] | None = None) -> str | None:
        return (environ if environ is not None else os.environ).get(self.settings.smtp.password_env)

    def delivery_problems(
        self, *, send: bool = True, environ: Mapping[str, str] | None = None
    ) -> list[Problem]:
        """What keeps the letters from being made or sent, before any is: a logo that is no
        image, a `ca_file` that is not there, and (`send`) a login without its password."""
        smtp = self.settings.smtp
        problems = []
        if send and smtp.username and self.smtp_password(environ) is None:
            problems.append(Problem(
                self.location_of("smtp", "username"), "smtp.username",
                f"the relay login needs its password, and ${smtp.password_env} is not set "
                "(smtp.password_env names the variable)",
            ))  # fmt: skip
        ca_file, logo = self.ca_file, self.logo
        if logo is not None and not (logo.is_file() and _is_image(logo)):
            problems.append(Problem(
                self.location_of("contact", "logo"), "contact.logo",
                f"{self.settings.contact.logo} is not a PNG or JPEG file",
            ))  # fmt: skip
        if ca_file is not None and not ca_file.is_file():
            problems.append(Problem(
                self.location_of("smtp", "ca_file"), "smtp.ca_file",
                f"{smtp.ca_file} is not a file",
            ))  # fmt: skip
        return problems


def _is_image(path: Path) -> bool:
    """A PNG or a JPEG of at most 512 KB (an email's logo)."""
    try:
        if path.stat().st_size > 512 * 1024:
            return False
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        return False
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))


def find_config(explicit: Path | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """`--config`, then `$ADVISORY_CONFIG`, then `./advisory.yaml`, else none."""
    if explicit is not None:
        return explicit if explicit.is_absolute() else cwd / explicit
    named = environ.get("ADVISORY_CONFIG")
    if named:
        return Path(named) if Path(named).is_absolute() else cwd / named
    local = cwd / CONFIG_FILE
    return local if os.path.lexists(local) else None  # a FIFO or a device is refused, not skipped


def load_config(
    explicit: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Settings from defaults < file < environment < `overrides` (the command line).

    Raises `ConfigError` with every problem, located in the file or naming the variable.
    """
    environ = os.environ if environ is None else environ
    cwd = cwd or Path.cwd()
    path = find_config(explicit, environ, cwd)
    data: dict[str, Any] = {}
    doc: YamlDocument | None = None
    problems: list[Problem] = []
    if path is not None:
        doc, problems = load_yaml(path)
        if doc is not None and doc.data is not None:
            if isinstance(doc.data, dict):
                data = dict(doc.data)
            else:
                problems.append(doc.problem((), "expected a mapping of settings"))
        if doc is not None and isinstance(data.get("smtp"), dict) and "password" in data["smtp"]:
            problems.append(
                doc.problem(
                    ("smtp", "password"),
                    "the password is never kept in the file: set smtp.password_env to the name "
                    "of an environment variable that holds it",
                )
            )
            data["smtp"] = {k: v for k, v in data["smtp"].items() if k != "password"}
    base_of: dict[str, Path] = dict.fromkeys(PATH_SETTINGS, path.parent if path else cwd)
    base_of["incidents"] = path.parent if path else cwd
    for nested in ("smtp.ca_file", "contact.logo"):  # files the settings name, not folders
        base_of[nested] = path.parent if path else cwd
    origins = {
        name: (doc.locate((name,)) if doc is not None and name in data else
               Location(display_path(path) if path else "built-in settings"))
        for name in PATH_SETTINGS
    }  # fmt: skip
    for variable, setting in ENVIRONMENT.items():
        if variable in environ:
            value: Any = environ[variable]
            if setting == "incidents":
                value = [part for part in value.split(os.pathsep) if part]
            _put(data, setting, value)
            base_of[setting] = cwd
            origins[setting] = Location(f"${variable}")
    for setting, value in (overrides or {}).items():
        if value is not None and value != ():
            _put(data, setting, list(value) if isinstance(value, tuple) else value)
            base_of[setting] = cwd
            origins[setting] = Location(OPTIONS.get(setting, "command line"))
    try:
        settings = Settings.model_validate(data)
    except ValidationError as err:
        problems += _config_problems(err, doc, path, environ)
        raise ConfigError(problems) from None
    if any(p.is_error for p in problems):
        raise ConfigError(problems)

    def place(name: str, value: str | None) -> Path | None:
        if value is None:
            return None
        given = Path(value).expanduser()
        return given if given.is_absolute() else (base_of[name] / given)

    incidents = tuple(
        pattern if Path(pattern).is_absolute() else str(base_of["incidents"] / pattern)
        for pattern in settings.incidents
    )
    rules = place("rules", settings.rules)
    roster = place("roster", settings.roster)
    output = place("output", settings.output)
    state = place("state", settings.state)
    official = place("official", settings.official)
    assert rules and roster and output and state and official
    return Config(
        settings=settings,
        file=path,
        rules=rules,
        incidents=incidents,
        roster=roster,
        templates=place("templates", settings.templates),
        output=output,
        state=state,
        log_file=place("log_file", settings.log_file),
        official=official,
        itineraries=place("itineraries", settings.itineraries) or Path("data/itineraries/*.yaml"),
        origins=origins,
        document=doc,
        ca_file=place("smtp.ca_file", settings.smtp.ca_file),
        logo=place("contact.logo", settings.contact.logo),
    )


def _put(data: dict[str, Any], dotted: str, value: Any) -> None:
    head, _, rest = dotted.partition(".")
    if rest:
        inner = data.get(head)
        data[head] = dict(inner) if isinstance(inner, dict) else {}
        _put(data[head], rest, value)
    else:
        data[head] = value


def _config_problems(
    err: ValidationError, doc: YamlDocument | None, path: Path | None, environ: Mapping[str, str]
) -> list[Problem]:
    """Errors in the file located as for rules; errors from the environment name the variable."""
    by_setting = {setting: variable for variable, setting in ENVIRONMENT.items()}
    out: list[Problem] = []
    for e in err.errors(include_url=False):
        loc, message = describe(e, Settings)
        dotted = ".".join(str(part) for part in loc if isinstance(part, str))
        variable = by_setting.get(dotted)
        if variable and variable in environ:
            out.append(Problem(Location(f"${variable}"), dotted, message))
        elif doc is not None:
            where = doc.locate_key(loc) if e["type"] == "extra_forbidden" else doc.locate(loc)
            out.append(Problem(where, field_name(loc), message))
        else:
            shown = display_path(path) if path else "command line"
            out.append(Problem(Location(shown), field_name(loc), message))
    return out


# --- the places a command writes -------------------------------------------------------------


def check_places(config: Config, names: Sequence[str]) -> list[Problem]:
    """Whether each named place (`output`, `state`, `log_file`) can be written, before any work
    starts: a folder, or a file for the log, that exists or can be created, and is writable."""
    problems = []
    for name in names:
        target = getattr(config, name)
        if target is None:
            continue
        message = unwritable(target, folder=name != "log_file")
        if message:
            where = config.origins.get(name, Location("settings"))
            problems.append(Problem(where, name, f"{target}: {message}"))
    return problems


def unwritable(target: Path, *, folder: bool) -> str | None:
    """Why `target` cannot be written, or None. The nearest existing folder is tried by
    creating and removing a file in it, which answers for read-only disks and for root too."""
    if target.is_symlink() and not target.exists():
        return "is a broken symbolic link"
    if target.exists():
        if folder and not target.is_dir():
            return "is a file, not a folder"
        if not folder and target.is_dir():
            return "is a folder, not a file"
        if not folder and not target.is_file():
            return "is not a regular file"
        probe_in = target if folder else target.parent
    else:
        probe_in = target.parent
        while not probe_in.exists():
            probe_in = probe_in.parent
        if not probe_in.is_dir():
            return f"cannot be created: {probe_in} is a file"
    try:
        with tempfile.TemporaryFile(dir=probe_in):
            pass
    except OSError as e:
        return f"cannot write in {probe_in}: {e.strerror}"
    return None
