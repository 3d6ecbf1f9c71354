"""Load a rules folder: `scoring.yaml` and `regions/*.yaml`, with every problem located."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from advisory.errors import Location, Problem, display_path, not_one_of
from advisory.inputs import cache
from advisory.inputs.yamlfile import YamlDocument, field_name, load_yaml, present, validate_model
from advisory.models import (
    SOURCE_VALUES,
    ActorNames,
    OfficialScales,
    Region,
    RegionFile,
    Rules,
    RuleSet,
    WorldFile,
)

SCORING_FILE = "scoring.yaml"
REGIONS_DIR = "regions"
WORLD_FILE = "world.yaml"
ACTORS_FILE = "actors.yaml"
M = TypeVar("M", bound=BaseModel)
#: The governments' levels on our scale (docs/official.md); optional.
OFFICIAL_FILE = "official.yaml"


@dataclass
class Vocabulary:
    """The names the rules define, gathered even from files with errors, so that the other
    inputs can still be checked against them and every problem is reported in one run."""

    levels: list[str] | None = None
    categories: list[str] | None = None
    planned: list[str] | None = None  # what a `planned: yes` row may announce
    region_ids: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    world: bool = False  # the rules have a world file: every country is covered
    profiles: list[str] | None = None
    #: Region files that did not parse: the regions they define are unknown.
    broken: list[str] = field(default_factory=list)


def read_rules(folder: Path) -> tuple[Rules | None, Vocabulary, list[Problem]]:
    """Read a rules folder; the rules are None when an error leaves nothing usable.

    A folder read before without problems comes from the cache (cache.py).
    """
    if not folder.is_dir():
        where = Location(display_path(folder))
        return None, Vocabulary(), [Problem(where, "", "rules folder not found")]
    region_paths = sorted((folder / REGIONS_DIR).glob("*.yaml")) + sorted(
        (folder / REGIONS_DIR).glob("*.yml")
    )
    key = None
    if present(folder / SCORING_FILE):
        optional = [folder / name for name in (WORLD_FILE, ACTORS_FILE, OFFICIAL_FILE)]
        key = cache.rules_key(
            folder, [folder / SCORING_FILE, *region_paths, *(p for p in optional if present(p))]
        )
        cached = cache.load_cached_rules(key) if key is not None else None
        if cached is not None:
            return cached, vocabulary_of(cached), []
    rules, vocabulary, problems = _parse_rules(folder, region_paths)
    if rules is not None and key is not None and not problems:
        cache.store_rules(key, rules)
    return rules, vocabulary, problems


def vocabulary_of(rules: Rules) -> Vocabulary:
    return Vocabulary(
        levels=rules.ruleset.level_names(),
        categories=sorted(rules.ruleset.categories),
        planned=sorted(rules.ruleset.planned),
        region_ids=set(rules.countries),
        countries=set(rules.countries.values()),
        world=rules.world is not None,
    )


def _parse_rules(
    folder: Path, region_paths: list[Path]
) -> tuple[Rules | None, Vocabulary, list[Problem]]:
    problems: list[Problem] = []
    vocabulary = Vocabulary()
    ruleset, ruleset_problems = _read_ruleset(folder / SCORING_FILE, vocabulary)
    problems += ruleset_problems
    if not region_paths and not present(folder / WORLD_FILE):
        # With a world file every country is a region already: region files are optional.
        where = Location(display_path(folder / REGIONS_DIR))
        problems.append(Problem(where, "", "no region files (*.yaml) and no world.yaml found"))

    docs: list[YamlDocument] = []
    region_files: list[RegionFile] = []
    for path in region_paths:
        doc, parse_problems = load_yaml(path)
        problems += parse_problems
        if doc is None:
            vocabulary.broken.append(display_path(path))
            continue
        docs.append(doc)
        _gather_regions(doc.data, vocabulary)
        region_file, model_problems = validate_model(doc, RegionFile)
        problems += model_problems
        if region_file is not None:
            region_files.append(region_file)

    problems += _check_regions(docs, vocabulary.levels)
    problems += _check_profiles(docs, vocabulary.profiles)
    world = None
    vocabulary.world = present(folder / WORLD_FILE)
    if present(folder / WORLD_FILE):
        world, world_problems = _read_world(folder / WORLD_FILE, ruleset)
        problems += world_problems
    actors: dict[str, str] = {}
    if present(folder / ACTORS_FILE):
        actors, actor_problems = _read_actors(folder / ACTORS_FILE)
        problems += actor_problems
    official = None
    if present(folder / OFFICIAL_FILE) and ruleset is not None:
        official, official_problems = _read_official(folder / OFFICIAL_FILE, ruleset)
        problems += official_problems
    if ruleset is None or any(p.is_error for p in problems):
        return None, vocabulary, problems
    regions = tuple(_with_file_defaults(r, f) for f in region_files for r in f.regions)
    countries = {r.id: f.country for f in region_files for r in f.regions}
    rules = Rules(
        ruleset=ruleset, regions=regions, countries=countries, world=world, actors=actors,
        official=official,
    )  # fmt: skip
    return rules, vocabulary, problems


def _with_file_defaults(region: Region, file: RegionFile) -> Region:
    """A region with the profile and official_floor its file gives, where it gives none."""
    update: dict[str, str] = {}
    if file.profile and not region.profile:
        update["profile"] = file.profile
    if file.official_floor and not region.official_floor:
        update["official_floor"] = file.official_floor
    return region.model_copy(update=update) if update else region


def _model_of(path: Path, model: type[M]) -> tuple[YamlDocument | None, M | None, list[Problem]]:
    """A YAML rule file read and checked against `model`, with the problems of both steps."""
    doc, problems = load_yaml(path)
    if doc is None:
        return None, None, problems
    found, model_problems = validate_model(doc, model)
    return doc, found, problems + model_problems


def _read_official(path: Path, ruleset: RuleSet) -> tuple[OfficialScales | None, list[Problem]]:
    """`official.yaml`, checked: every value of each source it names is mapped to a level of
    the rule set, and nothing else is."""
    doc, scales, problems = _model_of(path, OfficialScales)
    if doc is None or scales is None:
        return None, problems
    names = ruleset.level_names()
    for source, scale in scales.scales.items():
        known = SOURCE_VALUES[source]
        for value, level in scale.items():
            if value not in known:
                message = not_one_of(value, list(known), f"a value of {source}")
                problems.append(Problem(doc.locate_key(("scales", source, value)), "", message))
            elif level not in names:
                message = not_one_of(level, names, "a level")
                problems.append(doc.problem(("scales", source, value), message))
        missing = [v for v in known if v not in scale]
        if missing:
            problems.append(
                doc.problem(("scales", source), f"{', '.join(missing)} not mapped to a level")
            )
    return (None if any(p.is_error for p in problems) else scales), problems


def _read_actors(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """The actor table: the feed's label -> the name the prose gives it."""
    doc, problems = load_yaml(path)
    if doc is None:
        return {}, problems
    table, model_problems = validate_model(doc, ActorNames)
    return (dict(table.actors) if table else {}), problems + model_problems


def _read_world(path: Path, ruleset: RuleSet | None) -> tuple[WorldFile | None, list[Problem]]:
    """The world file, its bar checked against the rule set and its countries against the
    world's."""
    from advisory.places.countries import countries

    doc, world, problems = _model_of(path, WorldFile)
    if doc is None or world is None:
        return None, problems
    if ruleset is not None:
        levels, words = ruleset.level_names(), ruleset.severity.words
        bar = world.alerts
        if bar.min_level is not None and bar.min_level not in levels:
            message = not_one_of(bar.min_level, levels, "a level")
            problems.append(doc.problem(("alerts", "min_level"), message))
        if bar.min_severity is not None and bar.min_severity not in words:
            message = not_one_of(bar.min_severity, words, "a severity word")
            problems.append(doc.problem(("alerts", "min_severity"), message))
    if ruleset is not None:
        known = sorted(ruleset.profiles)
        wanted: list[tuple[tuple[str | int, ...], str | None]] = [(("profile",), world.profile)]
        wanted += [
            (("countries", name, "profile"), cover.profile)
            for name, cover in world.countries.items()
        ]
        for loc, profile in wanted:
            if profile is not None and profile not in known:
                problems.append(doc.problem(loc, not_one_of(profile, known, "a profile")))
    table = countries()
    for name in world.countries:
        if table.resolve(name) is None:
            message = not_one_of(name, table.suggestions(name), "a country", show_choices=False)
            key: tuple[str | int, ...] = ("countries", name)
            problems.append(Problem(doc.locate_key(key), field_name(key), message))
    return world, problems


def _names(items: Any, key: str | None = None) -> list[str]:
    """Text names from raw YAML data: the keys of a mapping, or `key` of each item of a list."""
    if key is None:
        return [k for k in items if isinstance(k, str)] if isinstance(items, dict) else []
    if not isinstance(items, list):
        return []
    return [i[key] for i in items if isinstance(i, dict) and isinstance(i.get(key), str)]


def _gather_regions(data: Any, vocabulary: Vocabulary) -> None:
    if isinstance(data, dict):
        if isinstance(data.get("country"), str):
            vocabulary.countries.add(data["country"])
        vocabulary.region_ids.update(_names(data.get("regions"), "id"))


def _read_ruleset(path: Path, vocabulary: Vocabulary) -> tuple[RuleSet | None, list[Problem]]:
    doc, problems = load_yaml(path)
    if doc is None:
        return None, problems
    if isinstance(doc.data, dict):
        vocabulary.levels = _names(doc.data.get("levels"), "name")
        vocabulary.categories = sorted(_names(doc.data.get("categories")))
        vocabulary.planned = sorted(_names(doc.data.get("planned")))
        vocabulary.profiles = sorted(_names(doc.data.get("profiles")))
    ruleset, model_problems = validate_model(doc, RuleSet)
    problems += model_problems
    if ruleset is None:
        return None, problems
    problems += [doc.problem(loc, msg) for loc, msg in check_ruleset(ruleset)]
    return ruleset, problems


def check_ruleset(rs: RuleSet) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Checks across fields of the rule set, as (field path, message) pairs."""
    names = rs.level_names()
    seen: set[str] = set()
    for i, level in enumerate(rs.levels):
        if level.name in seen:
            yield ("levels", i, "name"), f"level {level.name!r} is given twice"
        seen.add(level.name)
    if rs.levels[0].threshold != 0:
        yield ("levels", 0, "threshold"), "the lowest level's threshold must be 0"
    for i in range(1, len(rs.levels)):
        if rs.levels[i].threshold <= rs.levels[i - 1].threshold:
            yield (
                ("levels", i, "threshold"),
                f"must be above the threshold of {rs.levels[i - 1].name} "
                f"({rs.levels[i - 1].threshold:g}): levels go lowest first",
            )

    for name, profile in rs.profiles.items():
        for level_name in profile.thresholds:
            if level_name not in names:
                message = not_one_of(level_name, names, "a level")
                yield ("profiles", name, "thresholds", level_name), message
        profiled = [profile.thresholds.get(lv.name, lv.threshold) for lv in rs.levels]
        if profiled[0] != 0:
            yield ("profiles", name, "thresholds"), "the lowest level's threshold must be 0"
        for i in range(1, len(profiled)):
            if profiled[i] <= profiled[i - 1]:
                yield (
                    ("profiles", name, "thresholds"),
                    f"{rs.levels[i].name} ({profiled[i]:g}) must be above "
                    f"{rs.levels[i - 1].name} ({profiled[i - 1]:g}): levels go lowest first",
                )

    words = rs.severity.words
    if len(set(words)) != len(words):
        yield ("severity", "words"), "a severity word is given twice"
    known_categories = sorted(rs.categories)
    for i, rule in enumerate(rs.severity.rules):
        if rule.word not in words:
            yield ("severity", "rules", i, "word"), not_one_of(rule.word, words, "a severity word")
        when = rule.when
        if when.level_at_least is not None and when.level_at_least not in names:
            yield (
                ("severity", "rules", i, "when", "level_at_least"),
                not_one_of(when.level_at_least, names, "a level"),
            )
        for j, category in enumerate(when.categories or []):
            if category not in rs.categories:
                yield (
                    ("severity", "rules", i, "when", "categories", j),
                    not_one_of(category, known_categories, "a category"),
                )
    owner: dict[str, str] = {}
    for name, family in rs.families.items():
        for j, category in enumerate(family.categories):
            where = ("families", name, "categories", j)
            if category not in rs.categories:
                yield where, not_one_of(category, known_categories, "a category")
            elif category in owner:
                yield where, f"{category!r} is already in family {owner[category]!r}"
            else:
                owner[category] = name
        for level_name in family.advice:
            if level_name not in names:
                message = not_one_of(level_name, names, "a level")
                yield ("families", name, "advice", level_name), message
        if family.cap is not None and family.cap.level not in names:
            yield ("families", name, "cap", "level"), not_one_of(family.cap.level, names, "a level")
    codes = sorted(rs.reasons)
    for category_name, of_category in rs.categories.items():
        for j, code in enumerate(of_category.reasons):
            if code not in rs.reasons:
                message = not_one_of(code, codes, "a reason code")
                yield ("categories", category_name, "reasons", j), message
    for j, kidnapping in enumerate(rs.targeting.kidnapping_categories):
        if kidnapping not in rs.categories:
            yield (
                ("targeting", "kidnapping_categories", j),
                not_one_of(kidnapping, known_categories, "a category"),
            )
    for kind_name, kind in rs.planned.items():
        if kind.category is not None and kind.category not in rs.categories:
            message = not_one_of(kind.category, known_categories, "a category")
            yield ("planned", kind_name, "category"), message
        if kind_name in rs.categories:
            yield ("planned", kind_name), "is a category already: a planned event's name is its own"
    for j, family_name in enumerate(rs.spread.families):
        if family_name not in rs.families:
            message = not_one_of(family_name, sorted(rs.families), "a family")
            yield ("spread", "families", j), message
    last = len(rs.severity.rules) - 1
    if not rs.severity.rules[last].when.is_empty():
        yield (
            ("severity", "rules", last),
            "the last severity rule must have no 'when', so that every alert gets a word",
        )


def _check_profiles(docs: list[YamlDocument], profiles: list[str] | None) -> Iterable[Problem]:
    """Profiles that region files name are profiles of scoring.yaml."""
    if profiles is None:
        return
    for doc in docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        wanted: list[tuple[tuple[str | int, ...], Any]] = [(("profile",), data.get("profile"))]
        regions = data.get("regions")
        for i, region in enumerate(regions if isinstance(regions, list) else []):
            if isinstance(region, dict):
                wanted.append((("regions", i, "profile"), region.get("profile")))
        for loc, name in wanted:
            if isinstance(name, str) and name not in profiles:
                message = (
                    not_one_of(name, profiles, "a profile of scoring.yaml")
                    if profiles
                    else f"{name!r} is not a profile: scoring.yaml defines none (profiles:)"
                )
                yield doc.problem(loc, message)


def _check_regions(docs: list[YamlDocument], names: list[str] | None) -> Iterable[Problem]:
    """Region ids unique across files and floors that are levels, read from the raw data so
    that a file with other errors is still checked."""
    first_seen: dict[str, Location] = {}
    for doc in docs:
        regions = doc.data.get("regions") if isinstance(doc.data, dict) else None
        for i, region in enumerate(regions if isinstance(regions, list) else []):
            if not isinstance(region, dict):
                continue
            region_id, floor = region.get("id"), region.get("floor")
            if isinstance(region_id, str):
                where = doc.locate(("regions", i, "id"))
                if region_id in first_seen:
                    yield doc.problem(
                        ("regions", i, "id"),
                        f"region id {region_id!r} is already used at {first_seen[region_id]}",
                    )
                else:
                    first_seen[region_id] = where
            if names is not None and isinstance(floor, str) and floor not in names:
                yield doc.problem(("regions", i, "floor"), not_one_of(floor, names, "a level"))
