"""The rules cache: a checked folder is parsed once, and any edit is read afresh."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisory.inputs import cache
from advisory.inputs import rules as rules_module
from advisory.inputs.rules import read_rules
from tests.conftest import ROOT


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ADVISORY_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path / "rules"


def _refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the rules were parsed, not taken from the cache")

    monkeypatch.setattr(rules_module, "_parse_rules", refuse)


def test_second_read_comes_from_the_cache(rules_dir: Path, monkeypatch: pytest.MonkeyPatch):
    first, vocabulary, problems = read_rules(rules_dir)
    assert first is not None and problems == []
    assert len(list((rules_dir.parent / "cache").glob("rules-*.json"))) == 1

    _refuse_parsing(monkeypatch)
    second, cached_vocabulary, cached_problems = read_rules(rules_dir)
    assert second == first
    assert cached_problems == []
    assert cached_vocabulary.levels == vocabulary.levels
    assert cached_vocabulary.categories == vocabulary.categories
    assert cached_vocabulary.region_ids == vocabulary.region_ids


def test_an_edit_is_read_afresh(rules_dir: Path):
    read_rules(rules_dir)
    scoring = rules_dir / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace("window_days: 30", "window_days: 21"))
    rules, _, _ = read_rules(rules_dir)
    assert rules is not None and rules.ruleset.window_days == 21


def test_rules_with_errors_are_not_cached(rules_dir: Path):
    region_file = rules_dir / "regions" / "peru.yaml"
    region_file.write_text(region_file.read_text().replace("floor: High", "floor: Hihg"))
    rules, _, problems = read_rules(rules_dir)
    assert rules is None and problems
    assert not (rules_dir.parent / "cache").exists()
    # ... and still fail the second time.
    assert read_rules(rules_dir)[0] is None


def test_a_damaged_entry_is_ignored(rules_dir: Path):
    read_rules(rules_dir)
    [entry] = (rules_dir.parent / "cache").glob("rules-*.json")
    entry.write_text("{not json")
    rules, _, problems = read_rules(rules_dir)
    assert rules is not None and problems == []


def test_an_unwritable_cache_is_no_error(rules_dir: Path, monkeypatch: pytest.MonkeyPatch):
    blocker = rules_dir.parent / "file"
    blocker.write_text("")
    monkeypatch.setenv("ADVISORY_CACHE_DIR", str(blocker / "cache"))
    rules, _, problems = read_rules(rules_dir)
    assert rules is not None and problems == []


def test_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADVISORY_CACHE_DIR", "")
    assert cache.cache_dir() is None


def test_default_folder(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ADVISORY_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "/home/analyst")
    assert cache.cache_dir() == Path("/home/analyst/.cache/advisory")
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/x")
    assert cache.cache_dir() == Path("/var/cache/x/advisory")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("HOME")
    assert cache.cache_dir() is None


def test_old_entries_are_pruned(rules_dir: Path):
    scoring = rules_dir / "scoring.yaml"
    text = scoring.read_text()
    for days in range(20, 20 + cache.KEEP + 3):
        scoring.write_text(text.replace("window_days: 30", f"window_days: {days}"))
        assert read_rules(rules_dir)[0] is not None
    assert len(list((rules_dir.parent / "cache").glob("rules-*.json"))) == cache.KEEP
