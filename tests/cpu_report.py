"""`pytest --cpu-report N`: the tests and files that cost the most CPU time.

A test's CPU time is its process's own, its children's (reaped by the test) and that of the
runs it had forked by the fork server (`tests.forkserver`): what the test made the machine do,
not how long it waited. Wall-clock durations (`--durations`) mislead on a busy machine; these
do not. Under pytest-xdist the workers hand their figures to the controller.
"""

from __future__ import annotations

import resource
from collections import defaultdict

import pytest

from tests import conftest

_spent: dict[str, float] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-report", type=int, default=0, metavar="N",
        help="list the N tests and files that cost the most CPU time",
    )  # fmt: skip


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    forked = conftest.forked_cpu_seconds()
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + forked


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    if not item.config.getoption("cpu_report"):
        yield
        return
    before = _cpu()
    yield
    _spent[item.nodeid] = _cpu() - before


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its figures to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["cpu_report"] = dict(_spent)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """The controller gathers each worker's figures (a hook of pytest-xdist)."""
    _spent.update(getattr(node, "workeroutput", {}).get("cpu_report", {}))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    shown = config.getoption("cpu_report")
    if not shown or not _spent:
        return
    files: dict[str, float] = defaultdict(float)
    for nodeid, seconds in _spent.items():
        files[nodeid.split("::")[0]] += seconds
    write = terminalreporter.write_line
    terminalreporter.section(f"CPU time: {sum(_spent.values()):.1f} s in {len(_spent)} tests")
    for name, seconds in sorted(files.items(), key=lambda kv: -kv[1])[:shown]:
        write(f"{seconds:8.1f} s  {name}")
    write("")
    for name, seconds in sorted(_spent.items(), key=lambda kv: -kv[1])[:shown]:
        write(f"{seconds:8.1f} s  {name}")
