"""Reference for `make bench`: the same HTML files to PDF with raw WeasyPrint, in two worker
processes each reusing one FontConfiguration, as tagged PDF/UA like ours. No templates, no
composing, no fetch policy: a floor to measure `advisory alert --all` against."""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_fonts = None


def _start() -> None:
    global _fonts
    from weasyprint.text.fonts import FontConfiguration

    _fonts = FontConfiguration()


def _render(paths: tuple[Path, Path]) -> int:
    from weasyprint import HTML

    source, target = paths
    HTML(filename=str(source)).write_pdf(str(target), font_config=_fonts, pdf_variant="pdf/ua-1")
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [
        (p, args.out_dir / p.with_suffix(".pdf").name) for p in sorted(args.html_dir.glob("*.html"))
    ]
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_start) as pool:
        done = sum(pool.map(_render, jobs, chunksize=8))
    sys.stdout.write(f"{done} PDFs\n")


if __name__ == "__main__":
    main()
