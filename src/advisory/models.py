"""The data model: what the user-edited files hold, and what passes between the pipeline's stages.

Models read from users' files are frozen and reject unknown fields, so that a typo in a rule file
is an error and not a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

RULES_VERSION = 1

#: Reason codes and their words when scoring.yaml gives none: the US State Department's
#: indicators. The shipped rules add armed conflict (A) apart from terrorism.
REASON_CODES: dict[str, str] = {
    "C": "crime",
    "T": "terrorism",
    "U": "civil unrest",
    "K": "kidnapping",
    "N": "natural disaster",
    "H": "health",
    "E": "time-limited event",
    "O": "other",
}
ReasonCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}$")]


def feed_credits(
    feeds: Iterable[str | None],
    terms: Mapping[str, FeedTerms],
    exported: Mapping[str, dt.date] | None = None,
) -> tuple[str, ...]:
    """The credit lines for the feeds among `feeds`, each once, in order of name: as the rules'
    `feeds` table credits them (else by name), with the day the export was taken where the
    coverage file records it."""
    lines = []
    for feed in sorted({f for f in feeds if f}):
        line = terms[feed].credit if feed in terms else feed
        if exported and feed in exported:
            day = exported[feed]
            line += f", export of {day.day} {day:%B %Y}"
        lines.append(line)
    return tuple(lines)


#: How a level's trend since last week is shown in tables.
TREND_ARROWS: dict[str, str] = {"up": "↑", "down": "↓", "steady": "→"}


def as_list(value: Any) -> Any:
    """Let a single value stand for a list of one: `admin1: Cusco` as well as `admin1: [Cusco]`."""
    return [value] if isinstance(value, str) else value


def no_control_characters(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must not contain line breaks or control characters")
    return value


def _no_stray_controls(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


#: The longest part before the @ that every server must take (RFC 5321, 4.5.3.1.1).
MAX_LOCAL_PART = 64


def _address(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    no_control_characters(value)
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as e:
        raise ValueError(f"{value!r} is not a valid email address: {e}") from None
    if len(checked.local_part.encode()) > MAX_LOCAL_PART:
        raise ValueError(
            f"{value!r} is not a valid email address: the part before the @ is longer than "
            f"{MAX_LOCAL_PART} bytes, which mail servers need not accept"
        )
    return checked.normalized


#: One line of text: a name, a title, anything that may end up in an email header. At most
#: MAX_LINE characters, without line breaks or control characters.
MAX_LINE = 200
Line = Annotated[
    str, Field(min_length=1, max_length=MAX_LINE), AfterValidator(no_control_characters)
]
#: Free text: a paragraph of context or advice.
MAX_TEXT = 5000
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_no_stray_controls)]
#: An email address, checked as the RFC says (international forms included) and normalised.
EmailAddress = Annotated[str, Field(min_length=1, max_length=320), AfterValidator(_address)]
NameList = Annotated[
    list[Line],
    BeforeValidator(as_list, json_schema_input_type=str | list[str]),
]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]

#: A cell of the incident log, already checked column by column when the log was read.
Cell = Annotated[str, Field(min_length=1)]


class UserModel(BaseModel):
    """Base of the models read from users' files."""

    # Built on first use: a command that never reads a roster does not pay for its model.
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        defer_build=True,
    )


# --- rules/scoring.yaml ---------------------------------------------------------------------


class Level(UserModel):
    """A risk level, reached when the score is at or above its threshold."""

    name: Line
    threshold: float = Field(ge=0, description="Score at which this level is reached.")
    color: str | None = Field(
        default=None, pattern=r"^#[0-9a-fA-F]{6}$", description="Badge colour, as #rrggbb."
    )
    advice: list[Text] = Field(
        default_factory=list, description="Advice for every region at this level."
    )


class WrittenContext(UserModel):
    """A hand-written context and, where it cites events, the date it was written: an alert
    issued before that date would cite the future, so it composes its context from the data."""

    text: Text
    written: dt.date | None = Field(
        default=None, description="When it was written; empty: it holds for any date."
    )

    def holds_on(self, day: dt.date) -> bool:
        return self.written is None or day >= self.written


def _as_context(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty")  # said of `context`, where it was written
    return {"text": value} if isinstance(value, str) else value


#: A context as text alone, or as `{text: ..., written: YYYY-MM-DD}`.
Context = Annotated[
    WrittenContext, BeforeValidator(_as_context, json_schema_input_type=str | WrittenContext)
]


class PlannedKind(UserModel):
    """A kind of event announced ahead (an incident row with `planned: yes`)."""

    label: Line = Field(description="Noun for prose: 'national strike', 'demonstration'.")
    category: Identifier | None = Field(
        default=None,
        description="The incident category it is when it happens (strike_blockade, protest); "
        "empty: none. A planned row never counts in a score either way.",
    )
    advice: list[Text] = Field(
        default_factory=list, description="Advice for a traveler there on the day."
    )


class Category(UserModel):
    """A kind of incident and how much one of it weighs."""

    weight: float = Field(ge=0, description="Points of one incident before casualties and decay.")
    reasons: list[ReasonCode] = Field(
        min_length=1, description="Reason codes, from `reasons:` (or C T U K N H E O without it)."
    )
    label: Line | None = Field(default=None, description="Noun for prose, e.g. 'armed clash'.")
    headline: Line | None = Field(
        default=None, description="Headline subject, e.g. 'Clashes with armed group'."
    )
    advice: list[Text] = Field(
        default_factory=list, description="Advice when this category is active."
    )
    between: bool = Field(
        default=False,
        description="Its incidents are fights between sides: prose names them 'between A and "
        "B', not 'by A against B'.",
    )
    target_word: Line | None = Field(
        default=None,
        description="How prose names the target right after the label, for incidents done to "
        "someone: 'of' gives 'a kidnapping of civilians by ...'; empty: after who did it, "
        "'... by A against B'.",
    )


class Forecast(UserModel):
    """What to expect, one sentence per case; a case left out writes no forecast."""

    new: Text | None = Field(default=None, description="The first alert of a series.")
    continuing: Text | None = Field(
        default=None, description="A series of more than one week, neither rising nor easing."
    )
    rising: Text | None = Field(
        default=None, description="The level rose, or the family's incidents did."
    )
    easing: Text | None = Field(
        default=None, description="The level fell, or the family's incidents did."
    )


class FamilyCap(UserModel):
    """The highest level a family may set on its own."""

    level: Line = Field(description="The level it may drive a region to at most.")
    unless_deaths: int = Field(
        ge=0,
        description="Unless its incidents in the window killed at least this many: then the cap "
        "is lifted.",
    )


class Family(UserModel):
    """Categories that make one series for readers: 'such incidents' are the family's."""

    label: Line = Field(description="The family in prose, plural: 'clashes and attacks'.")
    categories: list[Identifier] = Field(min_length=1, description="Its categories.")
    by: Line = Field(
        default="by",
        description="How prose introduces who carried an incident out: 'carried out by'.",
    )
    forecast: Forecast = Field(default_factory=Forecast)
    advice: dict[Line, list[Text]] = Field(
        default_factory=dict,
        description="Advice by level, in place of the level's own, where this family set the "
        "level (its incidents have the largest share of the score): a High driven by protests "
        "says to avoid demonstrations, not to arrange an escort.",
    )
    cap: FamilyCap | None = Field(
        default=None,
        description="The highest level the family may set on its own (docs/rules.md): protests "
        "at most High unless they killed many.",
    )


FatalitiesCertainty = Literal["exact", "estimated", "claimed", "unknown"]
Share = Annotated[float, Field(ge=0, le=1)]


class FeedTerms(UserModel):
    """A feed's terms of use, as far as publishing goes."""

    credit: Line = Field(description="The credit line documents that quote its rows carry.")
    redistribute: bool = Field(
        default=True,
        description="Whether its rows may be published as they are (a week's incidents.csv); "
        "when not, a week publishes their counts instead (incidents-summary.csv).",
    )


class Casualties(UserModel):
    """Points for the killed and wounded (docs/rules.md, How a region is scored)."""

    per_fatality: float = Field(default=0.0, ge=0, description="Points added per person killed.")
    per_injury: float = Field(default=0.0, ge=0, description="Points added per person injured.")
    certainty: dict[FatalitiesCertainty, Share] = Field(
        default_factory=dict,
        description="How much of a toll counts by how well it is known: exact, estimated (a "
        "feed's placeholder), claimed, unknown; 0 to 1, a certainty left out counts in full.",
    )

    def weight_of(self, certainty: str) -> float:
        return float(self.certainty.get(certainty, 1.0))  # type: ignore[call-overload]


class Targeting(UserModel):
    """Points added to an incident by whom it was aimed at."""

    civilians: float = Field(
        default=0.0, ge=0, description="Aimed at civilians (journalists, aid workers, tourists)."
    )
    foreigners: float = Field(default=0.0, ge=0, description="Aimed at tourists or aid workers.")
    kidnapping: float = Field(
        default=0.0, ge=0, description="An incident of a kidnapping category."
    )
    kidnapping_categories: list[Identifier] = Field(
        default_factory=list, description="The categories that are kidnappings."
    )


class Spread(UserModel):
    """Points for violence at many places of one unit, beyond the first."""

    per_place: float = Field(default=0.0, ge=0, description="Points per place beyond the first.")
    max_places: int = Field(default=0, ge=0, le=1000, description="Places counted at most.")
    families: list[Identifier] = Field(
        default_factory=list, description="The families whose incidents count as violence."
    )


class SeverityWhen(UserModel):
    """Conditions over the period's incidents; all that are given must hold. None given: always."""

    fatalities_at_least: int | None = Field(default=None, ge=0)
    injuries_at_least: int | None = Field(default=None, ge=0)
    casualties_at_least: int | None = Field(default=None, ge=0)
    incidents_at_least: int | None = Field(default=None, ge=0)
    categories: list[str] | None = Field(
        default=None, description="At least one incident of one of these categories."
    )
    level_at_least: str | None = Field(
        default=None, description="The region's level is at least this."
    )

    def is_empty(self) -> bool:
        return all(value is None for value in self.model_dump().values())


class SeverityRule(UserModel):
    word: Line
    when: SeverityWhen = Field(default_factory=SeverityWhen)


class SeriesRules(UserModel):
    """How weekly alerts for one region run together into a series ("/update N")."""

    quiet_weeks: int = Field(
        default=2, ge=1, le=52, description="Weeks without incidents that end a region's series."
    )


class SeverityRules(UserModel):
    words: list[Line] = Field(min_length=1, description="Severity words, lowest first.")
    rules: list[SeverityRule] = Field(min_length=1, description="Tried in order; first match wins.")


class Profile(UserModel):
    """Thresholds for countries whose volumes differ from the default's: an active conflict
    needs far higher thresholds for its levels to tell its provinces apart."""

    description: Text | None = Field(default=None, description="Whom it is for, and why.")
    thresholds: dict[Line, float] = Field(
        min_length=1,
        description="Level name -> the score at which it is reached; a level left out keeps "
        "the default threshold.",
    )


class RuleSet(UserModel):
    """How incidents turn into a level and an alert's severity (`rules/scoring.yaml`)."""

    version: Literal[1] = Field(description="Version of the rule format.")
    window_days: int = Field(
        ge=1, le=3660, description="Incidents older than this do not count (at most ten years)."
    )
    half_life_days: float | None = Field(
        default=None,
        gt=0,
        le=3660,
        description="An incident this old weighs half; empty: no decay.",
    )
    lookback_weeks: int = Field(
        default=12, ge=1, le=520, description="Weeks rated for trend and hysteresis."
    )
    hysteresis: float = Field(
        default=0.0, ge=0, lt=1, description="A level drops only this fraction below its threshold."
    )
    casualties: Casualties = Field(default_factory=Casualties)
    targeting: Targeting = Field(default_factory=Targeting)
    repeats: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Each further report of one category at one place on one day counts this "
        "share of the category's weight (1: in full).",
    )
    spread: Spread = Field(default_factory=Spread)
    feeds: dict[Line, FeedTerms] = Field(
        default_factory=dict,
        description="Per feed (as incidents name it in `feed`): how documents credit it and "
        "whether its rows may be published.",
    )
    reasons: dict[ReasonCode, Line] = Field(
        default_factory=lambda: dict(REASON_CODES),
        description="Reason codes and their words, as the reason line shows them.",
    )
    levels: list[Level] = Field(min_length=1, description="Lowest first.")
    categories: dict[Identifier, Category] = Field(min_length=1)
    planned: dict[Identifier, PlannedKind] = Field(
        default_factory=dict,
        description="What an incident row with `planned: yes` may announce (its category): "
        "strike, demonstration, election, summit. Planned rows never count; they are shown "
        "ahead of their day.",
    )
    severity: SeverityRules
    series: SeriesRules = Field(default_factory=SeriesRules)
    profiles: dict[Identifier, Profile] = Field(
        default_factory=dict,
        description="Named sets of thresholds; region files and the world file choose one for "
        "a country or a region (docs/rules.md, Calibrating for your countries).",
    )
    families: dict[Identifier, Family] = Field(
        default_factory=dict,
        description="Categories that make one series for readers (docs/alerts.md, Series); a "
        "category in no family is a family of its own.",
    )

    def with_profile(self, name: str | None) -> RuleSet:
        """The rule set as a region of profile `name` is rated: the profile's thresholds in
        place of the default's. Itself for no profile."""
        if name is None:
            return self
        return _profiled(self, name)

    def level_names(self) -> list[str]:
        return [level.name for level in self.levels]

    def thresholds(self) -> list[float]:
        return [level.threshold for level in self.levels]

    def label(self, category: str) -> str:
        """A category as a noun in prose: its `label`, else its id in words."""
        return self.categories[category].label or category.replace("_", " ")

    def family_of(self, category: str) -> str:
        """The id of the category's family: the family that lists it, else the category's id."""
        for name, family in self.families.items():
            if category in family.categories:
                return name
        return category


def _profiled(ruleset: RuleSet, name: str) -> RuleSet:
    thresholds = ruleset.profiles[name].thresholds
    levels = [
        lv.model_copy(update={"threshold": thresholds.get(lv.name, lv.threshold)})
        for lv in ruleset.levels
    ]
    return ruleset.model_copy(update={"levels": levels})


# --- rules/regions/*.yaml ---------------------------------------------------------------------


class MatchAliases(UserModel):
    """Other names of the places an entry names, as feeds write them (`Lima Province`)."""

    admin1: NameList = Field(default_factory=list)
    admin2: NameList = Field(default_factory=list)
    location: NameList = Field(default_factory=list)


class MatchEntry(UserModel):
    """Places that belong to a region: every field given must match; an empty entry is the country.

    Names are compared without regard to case or accents (`Junin` matches `Junín`).
    """

    admin1: NameList = Field(
        default_factory=list, description="First-level units (department, state)."
    )
    admin2: NameList = Field(default_factory=list, description="Second-level units (province).")
    location: NameList = Field(default_factory=list, description="Towns or places.")
    aliases: MatchAliases | None = Field(
        default=None,
        description="Other names of the places named here, level by level, as feeds write "
        "them: `{admin1: [Lima Province]}`.",
    )

    def whole_country(self) -> bool:
        """The entry names no place: it is the whole country (a catch-all)."""
        return not (self.admin1 or self.admin2 or self.location)


#: Whose advice holds a level up (`official_floor`): one government's, the highest of them, or
#: none (to turn off a floor the settings or the world file set).
OfficialFloor = Literal["us", "uk", "ca", "highest", "none"]


class Region(UserModel):
    id: Identifier
    name: Line = Field(description="Short name used in prose, e.g. 'VRAEM region'.")
    long_name: Line | None = Field(default=None, description="Spelled-out name for first mention.")
    descriptor: Line | None = Field(
        default=None, description="A word that goes before the name in alerts, e.g. 'restive'."
    )
    article: Literal["the", "none"] | None = Field(
        default=None,
        description="'the': the name always takes it, in headlines too ('the rest of "
        "Afghanistan'); 'none': never; empty: prose puts 'the' before a name that ends in a "
        "common noun ('the VRAEM region'), and headlines leave it out.",
    )
    floor: str | None = Field(
        default=None, description="The region is never rated below this level."
    )
    match: list[MatchEntry] = Field(min_length=1)
    context: Context | None = Field(
        default=None,
        description="Standing background, the first paragraph of Context: a text, or `{text: "
        "..., written: YYYY-MM-DD}` for one that cites events (an alert issued before that "
        "date composes its context from the data instead); empty: composed from the data.",
    )
    advice: list[Text] = Field(default_factory=list, description="The region's own advice, first.")
    profile: Identifier | None = Field(
        default=None, description="The scoring profile it is rated by; empty: the file's."
    )
    official_part: bool = Field(
        default=False,
        description="The region is the part of its country a government's parts-only advice "
        "names (the UK's '…_to_parts'): that advice is compared with it, and floors it.",
    )
    official_floor: OfficialFloor | None = Field(
        default=None,
        description="Keep the level from falling below a government's (mapped) one: us, uk, "
        "ca, highest, or none; empty: the file's, the world file's or the settings'.",
    )


class RegionFile(UserModel):
    version: Literal[1]
    country: Line
    profile: Identifier | None = Field(
        default=None, description="The scoring profile of the file's regions; empty: default."
    )
    official_floor: OfficialFloor | None = Field(
        default=None,
        description="official_floor for the file's regions (us, uk, ca, highest or none); "
        "empty: the world file's or the settings'.",
    )
    regions: list[Region] = Field(min_length=1)


# --- rules/world.yaml -------------------------------------------------------------------------

Coverage = Literal["country", "admin1"]


class CountryCover(UserModel):
    """What the world file says of one country."""

    coverage: Coverage | None = Field(
        default=None, description="country or admin1; empty: the world file's coverage."
    )
    context: Context | None = Field(
        default=None,
        description="Standing background for the country's alerts (a text, or `{text: ..., "
        "written: YYYY-MM-DD}`); empty: composed from the data.",
    )
    profile: Identifier | None = Field(
        default=None, description="The scoring profile of the country's regions."
    )
    official_floor: OfficialFloor | None = Field(
        default=None,
        description="official_floor for the country's regions (us, uk, ca, highest or none); "
        "empty: the settings'.",
    )


class WorldAlerts(UserModel):
    """The bar generated regions' alerts must clear; `alerts.*` in the settings overrides it."""

    min_level: Line | None = Field(default="Moderate", description="A level of scoring.yaml.")
    min_severity: Line | None = Field(
        default="Warning", description="A severity word of scoring.yaml."
    )


class WorldFile(UserModel):
    """`rules/world.yaml`: every country and territory a region unless a region file covers it."""

    version: Literal[1]
    coverage: Coverage = Field(
        default="admin1",
        description="country: one region per country; admin1: also one per first-level unit "
        "the incidents name.",
    )
    countries: dict[Line, CountryCover] = Field(
        default_factory=dict,
        description="Per country (any name or ISO code): its coverage and context.",
    )
    alerts: WorldAlerts = Field(default_factory=WorldAlerts)
    profile: Identifier | None = Field(
        default=None, description="The scoring profile of generated regions; empty: default."
    )
    max_alerts: int = Field(
        default=40,
        ge=0,
        le=1000,
        description="Of the generated regions' alerts that clear the bar, at most this many "
        "(the most serious) are issued in full; the others are listed by country in the "
        "bulletin, and still reach the travelers going there.",
    )


class ActorNames(UserModel):
    """`rules/actors.yaml`: how the prose names the actors a feed labels, by the feed's full
    label (a state's forces with the government's tenure: "Military Forces of Afghanistan
    (2021-)" is not the force of "(2014-2021)"). Labels not listed are named by the feeds'
    conventions (docs/rules.md)."""

    version: Literal[1]
    actors: dict[Line, Line] = Field(
        default_factory=dict,
        description='The feed\'s label -> the name the prose gives it ("the Taliban").',
    )


#: The governments whose travel advice is imported (docs/official.md).
Source = Literal["us-state", "uk-fcdo", "ca"]

#: Each source's own values, as its records give `level` (the UK's are its alert statuses).
SOURCE_VALUES: dict[str, tuple[str, ...]] = {
    "us-state": ("1", "2", "3", "4"),
    "ca": ("0", "1", "2", "3"),
    "uk-fcdo": (
        "none",
        "avoid_all_but_essential_travel_to_parts",
        "avoid_all_travel_to_parts",
        "avoid_all_but_essential_travel_to_whole_country",
        "avoid_all_travel_to_whole_country",
    ),
}


class OfficialScales(UserModel):
    """`rules/official.yaml`: each source's levels on the rule set's scale, so that the
    governments' advice and ours can be compared (docs/rules.md argues the shipped mapping). A
    UK value ending in `_to_parts` is sub-national: it maps the named parts of a country only."""

    version: Literal[1] = Field(description="Version of the official-scale format.")
    scales: dict[Source, dict[str, Line]] = Field(
        description="Per source, each of its values (US 1-4, Canada 0-3, the UK's alert "
        "statuses and none) and the level of ours it stands for."
    )


class Rules(BaseModel):
    """The rule set and every region, as loaded from a rules folder (and, with a world file,
    the regions generated for the countries no region file covers)."""

    model_config = ConfigDict(frozen=True)

    ruleset: RuleSet
    regions: tuple[Region, ...]
    countries: dict[str, str] = Field(description="Region id to its country.")
    world: WorldFile | None = None
    generated: frozenset[str] = Field(
        default=frozenset(), description="Ids of the regions the world file generated."
    )
    actors: dict[str, str] = Field(
        default_factory=dict, description="The actor table (rules/actors.yaml), if any."
    )
    official: OfficialScales | None = Field(
        default=None, description="The governments' levels on our scale (rules/official.yaml)."
    )

    def region(self, region_id: str) -> Region:
        return self._by_id[region_id]

    @functools.cached_property
    def _by_id(self) -> dict[str, Region]:
        return {region.id: region for region in self.regions}

    def country_names(self) -> list[str]:
        return sorted(set(self.countries.values()))


# --- incidents --------------------------------------------------------------------------------


#: Who took part in an incident, by kind: ACLED's actor types (state forces told apart as police
#: or military where the source does), and the kinds of target that matter to travelers.
ACTOR_KINDS: dict[str, tuple[str, str]] = {
    # kind: (one of them, several), as the prose names the victims
    "police": ("police officer", "police officers"),
    "military": ("soldier", "soldiers"),
    "state_forces": ("member of the security forces", "members of the security forces"),
    "officials": ("official", "officials"),
    "rebels": ("rebel", "rebels"),
    "political_militia": ("militia member", "militia members"),
    "identity_militia": ("militia member", "militia members"),
    "rioters": ("rioter", "rioters"),
    "protesters": ("protester", "protesters"),
    "civilians": ("civilian", "civilians"),
    "journalists": ("journalist", "journalists"),
    "aid_workers": ("aid worker", "aid workers"),
    "tourists": ("tourist", "tourists"),
    "external_forces": ("member of foreign forces", "members of foreign forces"),
    "unknown": ("person", "people"),
}
ActorKind = Literal[
    "police", "military", "state_forces", "officials", "rebels", "political_militia",
    "identity_militia", "rioters", "protesters", "civilians", "journalists", "aid_workers",
    "tourists", "external_forces", "unknown",
]  # fmt: skip
#: How precisely an incident is dated: the day, a week, a month or a year.
#: How well the source knows a toll: exact (the count reported), estimated (a feed's placeholder
#: for an unknown number, or one report's dead split across several events), claimed (coded 0
#: while one side claimed deaths) or unknown (the source does not know).
FATALITIES_CERTAINTIES = ("exact", "estimated", "claimed", "unknown")
DATE_PRECISIONS = ("day", "week", "month", "year")
DatePrecision = Literal["day", "week", "month", "year"]
#: How precisely an incident is placed: the place itself, near it, or only the region.
GEO_PRECISIONS = ("exact", "near", "region")
GeoPrecision = Literal["exact", "near", "region"]


class Incident(UserModel):
    """One reported incident. In CSV files, `actors` and `sources` are separated by semicolons."""

    id: Cell
    date: dt.date
    country: Cell
    admin1: Cell | None = None
    admin2: str | None = None
    location: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    category: Cell
    actors: tuple[Cell, ...] = ()
    fatalities: int = Field(default=0, ge=0)
    injuries: int | None = Field(
        default=None,
        ge=0,
        description="People wounded; empty: not known (a feed such as ACLED counts only deaths).",
    )
    summary: Cell = Field(description="One or two sentences by an analyst: who, where, when, toll.")
    sources: tuple[Cell, ...] = Field(min_length=1)
    note: str | None = Field(
        default=None,
        description="The source's own text when the summary was cleaned from it (an imported "
        "feed's coding remarks taken out), kept as it came.",
    )
    feed: str | None = Field(
        default=None,
        description="The data feed the incident was imported from (e.g. ACLED), named in the "
        "documents that show it; empty for the analysts' own reports.",
    )
    date_precision: DatePrecision | None = Field(
        default=None,
        description="How precisely the date is known, when it is coarser than the day: week "
        "(the date falls in the week around it), month (in its month) or year; empty: the day.",
    )
    geo_precision: GeoPrecision | None = Field(
        default=None,
        description="How precisely the place is known: exact, near (the named place is the "
        "nearest one) or region (only the admin unit); empty: as precisely as it is written.",
    )
    perpetrator: str | None = Field(
        default=None, description="Who carried it out, as the source names them."
    )
    perpetrator_kind: ActorKind | None = Field(
        default=None, description="What kind of actor the perpetrator is (see docs/inputs.md)."
    )
    target: str | None = Field(
        default=None, description="Who or what it was aimed at, as the source names them."
    )
    target_kind: ActorKind | None = Field(
        default=None, description="What kind of actor the target is."
    )
    civilian_targeting: bool | None = Field(
        default=None, description="Civilians were the target (yes or no); empty: not known."
    )
    victims: ActorKind | None = Field(
        default=None,
        description="Who the killed and wounded were, only where the source says so (a battle's "
        "toll counts every side: empty).",
    )
    feed_id: str | None = Field(
        default=None, description="The incident's own id in the feed it came from."
    )
    fatalities_certainty: FatalitiesCertainty | None = Field(
        default=None,
        description="How well the source knows the fatalities: exact, estimated (a feed's "
        "placeholder or a split toll), claimed (0 coded, one side claimed deaths) or unknown; "
        "empty: exact.",
    )
    claimed_fatalities: int | None = Field(
        default=None, ge=0, description="The deaths one side claimed, where it is `claimed`."
    )
    claimed_by: str | None = Field(default=None, description="Who claimed them.")
    weapon: str | None = Field(
        default=None, description="What it was done with, as the source says ('Firearms')."
    )
    planned: bool | None = Field(
        default=None,
        description="yes: an event announced ahead (a strike, a demonstration, an election, a "
        "summit), its category one of scoring.yaml's `planned`; it never counts in a level, a "
        "count or a series, and is shown ahead of its day.",
    )

    @property
    def casualties(self) -> int:
        """Killed and wounded as coded (wounded not known counted as none): for ordering."""
        return self.fatalities + (self.injuries or 0)


class IncidentFile(UserModel):
    """An incident file in YAML or JSON."""

    version: Literal[1] = 1
    incidents: list[Incident]


# --- coverage sidecars (NAME.coverage.yaml beside an incident file) --------------------------


def _in_years(day: dt.date) -> dt.date:
    from advisory.calendar import in_range

    return in_range(day)


Day = Annotated[dt.date, AfterValidator(_in_years)]


class CoveredPeriod(UserModel):
    """A stretch of time, and of the world, for which a file holds every incident its source
    recorded: a week inside it with no incident was quiet, a week outside it is unknown."""

    start: Day = Field(description="First day covered.")
    end: Day | None = Field(
        default=None, description="Last day covered; empty: still kept, up to every as-of date."
    )
    countries: NameList | None = Field(
        default=None,
        description="The countries covered, by any name or code; empty: every country.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> CoveredPeriod:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class CoverageFile(UserModel):
    """What an incident file covers (`incidents.csv.coverage.yaml` beside `incidents.csv`).
    An import writes it for the file it writes; analysts write their own log's."""

    version: Literal[1] = Field(description="Version of the coverage format.")
    feed: Line | None = Field(default=None, description="The feed the file was imported from.")
    exported: dt.date | None = Field(
        default=None,
        description="The day the feed's export was taken (the newest, after appends): documents "
        "that quote its rows say so in their credit line.",
    )
    periods: list[CoveredPeriod] = Field(
        min_length=1, max_length=1000, description="What the file covers; any order."
    )


# --- data/travelers.yaml ----------------------------------------------------------------------


class Trip(UserModel):
    id: Identifier | None = Field(
        default=None,
        description="The trip's own id (an imported trip takes its calendar event's UID): a "
        "journey is known by its first trip's id, so that changing its dates or places updates "
        "the same journey.",
    )
    destination: Line = Field(
        description="A region id; a country (name or ISO code); an airport (IATA code, LIM); or "
        "a city, with or without its country (Bogotá; Kabul, AF)."
    )
    start: dt.date
    end: dt.date


class Traveler(UserModel):
    id: Identifier
    name: Line
    email: EmailAddress
    receives: Literal["trips", "bulletin"] = Field(
        default="trips",
        description="'trips': the alerts of their trips' places; 'bulletin': the whole weekly "
        "bulletin (managers, the security desk).",
    )
    trips: list[Trip] = Field(default_factory=list)


class Roster(UserModel):
    version: Literal[1]
    travelers: list[Traveler]


class ItineraryFile(UserModel):
    """A traveler's trips imported from a calendar file (`advisory import itinerary`), in a file
    of their own that each run adds to the roster: the hand-written roster is never rewritten."""

    version: Literal[1]
    traveler: Identifier = Field(description="The roster's traveler whose trips these are.")
    source: str = Field(max_length=2000, description="The calendar file they came from.")
    trips: list[Trip] = Field(max_length=2000)


# --- ratings (rating.py -> compose.py) --------------------------------------------------------
#
# Ratings are made by our own code, for every region at once (5,000 regions, each with weeks
# of history and its window's incidents): they are frozen dataclasses, which cost a fraction of
# a validated model to build, and pydantic still serializes them (report.py). Their fields are
# documented in docs/ratings.md.


@dataclass(frozen=True, slots=True)
class Contribution:
    """One incident's part in a region's score."""

    incident_id: str
    date: dt.date
    category: str
    fatalities: int  # as coded: a placeholder or a share where the certainty is `estimated`
    fatalities_certainty: str  # exact, estimated, claimed or unknown
    injuries: int | None  # None: not known
    age_days: int  # whole days from the incident's date to the as-of date
    base_points: float  # activity + harm + targeting (scoring.py)
    decay: float  # weight left after decay, 0 to 1
    points: float  # base_points times decay
    share: float  # fraction of the points of the region's incidents, 0 to 1
    date_precision: str | None = None  # week, month or year; None: the day
    activity: float = 0.0  # the category's weight, shared with same-day reports at its place
    harm: float = 0.0  # points for its killed and wounded, by the toll's certainty
    targeting: float = 0.0  # points for whom it was aimed at
    reports: int = 1  # reports of its category at its place that day, itself included
    unit: str = ""  # the first-level unit it is scored in, in a catch-all region


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule line that decided the level."""

    kind: Literal["threshold", "cap", "hysteresis", "floor", "official"]
    text: str


@dataclass(frozen=True, slots=True)
class History:
    """A region's look-back weeks, oldest first and this one last, as columns for charts."""

    period_end: tuple[dt.date, ...]  # last day of each week
    incidents: tuple[int, ...]
    fatalities: tuple[int, ...]
    injuries: tuple[int, ...]
    score: tuple[float, ...]
    level: tuple[str | None, ...]  # None: a week the log has no data for (inputs/coverage.py)


@dataclass(frozen=True, slots=True)
class Official:
    """A government's advice for a rated region's country, as it stood at the as-of time."""

    source: str  # us-state, uk-fcdo or ca
    publisher: str  # "US State Department"
    level: int  # on the source's own scale (the UK's: its alert status's place, 0 for none)
    value: str  # the value rules/official.yaml maps: "3", "avoid_all_travel_to_parts"
    words: str  # the level's words, as the source gives them
    mapped: str | None  # our level it stands for (rules/official.yaml); None: no scale
    short: str  # "US 3", "UK parts", "CA 2"
    parts_only: bool  # the advice covers only parts of the country
    regional: bool  # parts of the country are advised against more strongly (Canada)
    published: dt.date
    link: str | None
    indicators: tuple[str, ...]
    fetched: dt.datetime  # when it was imported
    stale: bool  # imported longer ago than the stale setting: shown, neither compared nor a floor
    applies: bool  # compared with the region: whole-country advice, or the part it names
    applies_as: str  # "whole country", "the part named (official_part)" or why it does not


@dataclass(frozen=True, slots=True)
class Rating:
    """A region's risk level at an as-of time, and everything that explains it."""

    region_id: str
    region_name: str
    country: str
    as_of: dt.datetime
    period_start: dt.date  # first day of the reporting week
    period_end: dt.date  # last day of the reporting week
    window_start: dt.date  # oldest incident date the score counts
    score: float
    level: str
    level_rank: int  # 1 for the lowest level
    level_count: int
    score_level: str  # the level by score and hysteresis, before the floor
    previous_level: str | None  # the level a week before; None when not rated (no data)
    trend: Literal["up", "down", "steady"]
    reasons: tuple[str, ...]  # reason codes of the score's incidents, largest first
    period_incidents: int
    period_fatalities: int
    period_injuries: int
    period_categories: dict[str, int]
    window_incidents: int
    window_fatalities: int
    window_injuries: int
    severity: str | None  # None without incidents in the week
    severity_rule: int | None  # index of the severity rule that matched
    contributions: tuple[Contribution, ...]  # the window's incidents, largest first
    decisions: tuple[Decision, ...]
    history: History
    profile: str | None = None  # the scoring profile whose thresholds rated it; None: default
    has_data: bool = True  # False: the log covers no day of the week (inputs/coverage.py)
    data_begins: dt.date | None = None  # the first day the log covers the country, if declared
    spread: float = 0.0  # the spread term of the score (scoring.py)
    driven_by: str | None = None  # a catch-all's first-level unit that set its score
    units: tuple[tuple[str, float], ...] = ()  # a catch-all's units and their scores, worst first
    official: tuple[Official, ...] = ()  # the governments' advice for its country, by source
    official_floor: str | None = None  # whose advice floors it (us, uk, ca, highest); None: none
    #: "level held at High by the US State Department's Level 3" when that floor raised it.
    official_hold: str | None = None


# --- rules/overrides.yaml ---------------------------------------------------------------------

IsoWeek = Annotated[
    str,
    Field(pattern=r"^[0-9]{4}-W[0-9]{2}$", description="An ISO week such as 2018-W25."),
]


class Override(UserModel):
    """An analyst's change to one region's alert of one week, applied on every run of it."""

    region: Identifier = Field(description="The region's id.")
    week: IsoWeek
    analyst: Line = Field(description="Who made the change.")
    reason: Text = Field(description="Why, for the record.")
    summary: Line | None = Field(default=None, description="Replaces the summary line.")
    event: list[Text] | None = Field(
        default=None, min_length=1, description="Replaces the Event paragraphs."
    )
    add_event: list[Text] = Field(
        default_factory=list, description="Paragraphs added at the end of the Event."
    )
    add_advice: list[Text] = Field(
        default_factory=list, description="Advice added after the alert's own."
    )
    suppress: bool = Field(
        default=False, description="The alert is not issued (nor sent) this week."
    )


class OverridesFile(UserModel):
    """Analysts' changes to alerts, keyed by region and ISO week (`rules/overrides.yaml`)."""

    version: Literal[1] = 1
    overrides: list[Override] = Field(default_factory=list)
