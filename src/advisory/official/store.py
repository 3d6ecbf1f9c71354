"""The official-advice folder (the `official` setting, default `data/official/`): one JSON file
per import, never overwritten, so that the advice as it stood at any moment can be read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from advisory.models import Source
from advisory.official.records import OfficialFile, OfficialRecord
from advisory.publishing.atomic import write_bytes_atomic


def file_name(source: str, fetched: dt.datetime) -> str:
    """`us-state-20180620T060000Z.json`: the source and when its records were fetched."""
    return f"{source}-{fetched.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.json"


def write_import(
    folder: Path,
    source: Source,
    fetched: dt.datetime,
    origin: str,
    records: Sequence[OfficialRecord],
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    carried: dt.datetime | None = None,
) -> Path:
    """Add the records of one import to `folder`, atomically, sorted by country; returns the
    file. An import at the same second as another of the same source replaces it."""
    document = OfficialFile(
        version=1,
        source=source,
        fetched=fetched.astimezone(dt.UTC).replace(microsecond=0),
        origin=origin[:2000],
        etag=etag,
        last_modified=last_modified,
        carried=carried,
        records=sorted(records, key=lambda r: (r.iso2, r.country)),
    )
    target = folder / file_name(source, fetched)
    data = document.model_dump_json(indent=2, exclude_none=True) + "\n"
    write_bytes_atomic(target, data.encode())
    return target


def last_import(folder: Path, source: str, origin: str) -> tuple[Path, OfficialFile] | None:
    """The newest import of `source` that came from `origin`, read back; None when there is
    none (or the newest cannot be read: the next fetch is then unconditional)."""
    from advisory.errors import InputError
    from advisory.official.advice import imports, read_import

    for item in reversed(imports(folder)):
        if item.source != source:
            continue
        try:
            file = read_import(item)
        except InputError:
            return None
        if file.origin == origin:
            return item.path, file
    return None
