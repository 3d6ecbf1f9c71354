"""The import mappings of a rules folder, checked together (`advisory validate`): the one
module that knows every importer, so that the importers' shared code (`common`) knows none."""

from __future__ import annotations

from pathlib import Path

from advisory import shipped
from advisory.errors import InputError, Problem
from advisory.importers.acled import AcledMapping
from advisory.importers.common import Mapping, load_mapping
from advisory.importers.spreadsheet import ColumnMapping
from advisory.inputs.yamlfile import present
from advisory.models import Rules


def check_mappings(rules_dir: Path, rules: Rules) -> None:
    """The import mappings of a rules folder, checked as an import would check them: its
    `acled.yaml` and every `mappings/*.yaml`. (A folder without them imports with the shipped
    mapping, which is checked when an import uses it.) Raises `InputError` with every problem."""
    acled = rules_dir / shipped.ACLED_MAPPING
    kinds: list[tuple[Path, type[Mapping]]] = [(acled, AcledMapping)] if present(acled) else []
    kinds += [(path, ColumnMapping) for path in sorted((rules_dir / "mappings").glob("*.yaml"))]
    problems: list[Problem] = []
    for path, kind in kinds:
        try:
            load_mapping(path, rules, kind)
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
