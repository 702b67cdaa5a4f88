"""One release's catalog, held in memory: the parts that answer, loaded together. No gRPC here.

Each part answers in plain Python values (frozen dataclasses); the servicer turns them into
protobuf replies (replies.py), so the core can be tested, and reused, without the network.
"""

from __future__ import annotations

import time
from pathlib import Path

from marquee_catalog.figures import Figures
from marquee_catalog.movies import Movies
from marquee_catalog.people import People
from marquee_catalog.tables import read_tables
from marquee_catalog.titles import Titles
from marquee_common.release import read_manifest


class CatalogStore:
    """Loads a release folder once; `movies`, `titles`, `people` and `figures` answer from it."""

    def __init__(self, folder: Path) -> None:
        started = time.perf_counter()
        self.folder = folder
        self.manifest = read_manifest(folder)
        self.version: str = self.manifest.get("version", folder.name)
        tables = read_tables(folder)
        self.movies = Movies(tables)
        self.titles = Titles(self.movies)
        self.people = People(tables, self.movies)
        self.figures = Figures(tables, self.movies)
        self.load_seconds = time.perf_counter() - started

    def prepare_suggestions(self) -> None:
        """Build the big name indexes' buckets; run in the background once the service is serving."""
        for index in (self.people.actors.names, self.people.directors.names, self.titles.names,
                      self.figures.company_names):  # fmt: skip
            index.prepare()
