"""What the package ships besides its code: templates, the default rules, the demo log and roster.

They are read as package resources, so they are found wherever pip put the package: the wheel
carries them as `advisory/templates`, `advisory/rules` and `advisory/demo`. In a checkout those
three are links to the repository's top-level `templates/`, `rules/` and `data/`, which stay the
one copy that is edited.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from advisory.errors import AdvisoryError

TEMPLATES = "templates"
RULES = "rules"
DEMO = "demo"
#: The default ACLED category mapping, inside a rules folder.
ACLED_MAPPING = "acled.yaml"


def shipped(name: str) -> Path:
    """The shipped folder `name` as a path (WeasyPrint and Jinja2 read from the file system)."""
    found = files("advisory") / name
    if not isinstance(found, Path) or not found.is_dir():
        raise AdvisoryError(
            f"the package's {name}/ folder is missing from {files('advisory')}: "
            "reinstall advisory from its wheel (pip install advisory-*.whl)"
        )
    return found


def templates() -> Path:
    return shipped(TEMPLATES)


def rules() -> Path:
    return shipped(RULES)


def demo() -> Path:
    return shipped(DEMO)
