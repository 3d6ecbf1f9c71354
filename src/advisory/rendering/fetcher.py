"""WeasyPrint's URL fetcher: the templates folder's files, and nothing else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname


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
