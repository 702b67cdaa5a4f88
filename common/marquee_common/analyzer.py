"""Turns text into the tokens of the recommendation model; the pipeline and the recommender
share it so that free text at query time lands in the same space as the films.

The stop words and the stemming switch travel inside the release (`model/analyzer.json`),
so a service always analyses queries exactly as the model it serves was built.
"""

from __future__ import annotations

from collections.abc import Iterable

import Stemmer

from marquee_common.text import normalize_text

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t""".split()
)


class Analyzer:
    """Words of a text: normalised, stop words out, stemmed (Snowball English via PyStemmer's C
    code, no download).

    >>> Analyzer().words("The Toys are running!")
    ['toy', 'run']
    """

    def __init__(self, stop_words: Iterable[str] = STOP_WORDS, stem: bool = True) -> None:
        self.stop_words = frozenset(stop_words)
        self.stem = stem
        self._stemmer = Stemmer.Stemmer("english", 100_000)  # with a cache of that many words

    def words(self, text: str) -> list[str]:
        return self.normalized_words(normalize_text(text))

    def normalized_words(self, normalized: str) -> list[str]:
        """`words` for text already normalised (the pipeline normalises whole columns in Polars)."""
        kept = [w for w in normalized.split() if w not in self.stop_words]
        return self._stemmer.stemWords(kept) if self.stem else kept

    def config(self) -> dict[str, object]:
        """What a service needs to analyse queries the same way (written to the release)."""
        return {
            "stop_words": sorted(self.stop_words),
            "stem": "snowball-english" if self.stem else "none",
            "normalize": "NFKD, marks removed, lowercase, non-word runs to one space",
        }

    @classmethod
    def from_config(cls, config: dict[str, object]) -> Analyzer:
        stop_words = config.get("stop_words", [])
        assert isinstance(stop_words, list)
        return cls(stop_words, stem=config.get("stem") == "snowball-english")
