"""The gate's rules and the quality figures, on hand-made numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from marquee_common.errors import ReleaseError
from marquee_etl.evaluate import collection_hit, genre_jaccard
from marquee_etl.lifecycle import GateSettings, gate


def manifest(films: int, rejected_share: float, coll: float | None, genre: float, recall: float) -> dict[str, Any]:
    quality = {"collection_hit_at_5": coll, "genre_jaccard_at_10": genre, "recall_at_10": recall}
    return {"evaluation": {"films": films, "rejected_share": rejected_share, "quality": quality},
            "model": {"recall_at_10": recall, "quality": quality}}  # fmt: skip


DEFAULTS = GateSettings.model_construct()
"""The documented defaults, whatever the environment says."""


def failed(candidate: dict[str, Any], current: dict[str, Any] | None) -> list[str]:
    return [check.figure for check in gate(candidate, current, DEFAULTS) if not check.passed]


def test_a_first_release_meets_the_floors_only() -> None:
    assert failed(manifest(1, 0.9, None, 0.1, 0.95), None) == []
    assert failed(manifest(0, 0.0, None, 0.1, 0.99), None) == ["films"]
    assert failed(manifest(10, 0.0, None, 0.1, 0.94), None) == ["recall@10"]


def test_films_may_drop_ten_percent_and_no_more() -> None:
    old = manifest(1000, 0.01, 0.9, 0.6, 0.98)
    assert failed(manifest(900, 0.01, 0.9, 0.6, 0.98), old) == []
    assert failed(manifest(899, 0.01, 0.9, 0.6, 0.98), old) == ["films"]


def test_the_rejected_share_may_rise_two_points() -> None:
    old = manifest(1000, 0.01, 0.9, 0.6, 0.98)
    assert failed(manifest(1000, 0.0299, 0.9, 0.6, 0.98), old) == []
    assert failed(manifest(1000, 0.0301, 0.9, 0.6, 0.98), old) == ["rejected share"]


def test_each_quality_figure_may_drop_by_at_most_0_02() -> None:
    old = manifest(1000, 0.01, 0.90, 0.60, 0.98)
    assert failed(manifest(1000, 0.01, 0.885, 0.585, 0.965), old) == []
    assert failed(manifest(1000, 0.01, 0.87, 0.60, 0.98), old) == ["collection_hit@5"]
    assert failed(manifest(1000, 0.01, None, 0.57, 0.95), old) == ["collection_hit@5", "genre_jaccard@10", "recall@10"]


def _with_holdout(base: dict[str, Any], holdout: float | None) -> dict[str, Any]:
    """`base` with a held-out hit rate recorded (None: a release built without ratings)."""
    quality = {**base["model"]["quality"], "holdout_hit_rate_at_10": holdout}
    return {"evaluation": {**base["evaluation"], "quality": quality}, "model": {**base["model"], "quality": quality}}


def test_the_held_out_hit_rate_may_drop_by_at_most_0_02_when_current_has_one() -> None:
    old = _with_holdout(manifest(1000, 0.01, 0.9, 0.6, 0.98), 0.40)
    assert failed(_with_holdout(manifest(1000, 0.01, 0.9, 0.6, 0.98), 0.385), old) == []
    assert failed(_with_holdout(manifest(1000, 0.01, 0.9, 0.6, 0.98), 0.37), old) == ["holdout hit@10"]


def test_a_candidate_without_ratings_fails_against_a_current_with_a_held_out_figure() -> None:
    old = _with_holdout(manifest(1000, 0.01, 0.9, 0.6, 0.98), 0.40)
    assert failed(manifest(1000, 0.01, 0.9, 0.6, 0.98), old) == ["holdout hit@10"]
    # ... while a candidate with ratings passes against a current without: nothing to compare.
    assert failed(_with_holdout(manifest(1000, 0.01, 0.9, 0.6, 0.98), 0.10), manifest(1000, 0.01, 0.9, 0.6, 0.98)) == []


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_GATE_MAX_FILM_DROP", "0.5")
    monkeypatch.setenv("MARQUEE_KEEP_RELEASES", "2")
    settings = GateSettings.from_env()
    assert settings.max_film_drop == 0.5 and settings.keep == 2
    assert failed(manifest(600, 0.01, 0.9, 0.6, 0.98), manifest(1000, 0.01, 0.9, 0.6, 0.98)) == ["films"]
    assert [c.figure for c in gate(manifest(600, 0.01, 0.9, 0.6, 0.98), manifest(1000, 0.01, 0.9, 0.6, 0.98),
                                   settings) if not c.passed] == []  # fmt: skip


def test_a_wrong_setting_is_one_line_naming_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_GATE_MAX_FILM_DROP", "lots")
    monkeypatch.setenv("MARQUEE_KEEP_RELEASES", "0")
    with pytest.raises(ReleaseError) as caught:
        GateSettings.from_env()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("MARQUEE_GATE_MAX_FILM_DROP='lots': ") and "MARQUEE_KEEP_RELEASES='0': " in message


def test_collection_hit_counts_films_whose_top_holds_a_collection_mate() -> None:
    # Films 0, 1, 2 share collection 7; film 3 is alone in collection 8; film 4 has none.
    collection = np.array([7, 7, 7, 8, -1])
    tops = np.array([[1, 3], [4, 3], [3, 4], [0, 1], [0, 1]])
    # Eligible: films 0, 1, 2. Hits: film 0 (holds 1); films 1 and 2 hold no mate.
    assert collection_hit(tops, collection, k=5) == pytest.approx(1 / 3)
    assert collection_hit(tops, np.array([-1, -1, -1, 8, -1]), k=5) is None


def test_genre_jaccard_is_the_mean_overlap_over_films_with_genres() -> None:
    bits = np.array([0b011, 0b001, 0b100, 0b000], dtype=np.uint64)
    tops = np.array([[1, 2], [0, 3], [0, 1], [0, 1]])
    # film 0 {a,b}: with {a} 1/2, with {c} 0 -> 0.25; film 1 {a}: with {a,b} 1/2, with {} 0 -> 0.25;
    # film 2 {c}: 0 and 0 -> 0; film 3 has no genre and is left out. Mean: 0.5 / 3.
    assert genre_jaccard(tops, bits, k=10) == pytest.approx(0.5 / 3)


def test_the_quality_figures_can_be_taken_over_some_films_only() -> None:
    collection = np.array([7, 7, 7, 8, -1])
    tops = np.array([[1, 3], [4, 3], [3, 4], [0, 1], [0, 1]])
    # Film 1 is left out: of films 0 and 2, film 0 holds a mate.
    assert collection_hit(tops, collection, k=5, seeds=np.array([1, 0, 1, 1, 1], dtype=bool)) == pytest.approx(1 / 2)
    bits = np.array([0b011, 0b001, 0b100, 0b000], dtype=np.uint64)
    tops = np.array([[1, 2], [0, 3], [0, 1], [0, 1]])
    # Film 0 is left out: film 1 scores 0.25, film 2 scores 0, film 3 has no genre.
    seeds = np.array([0, 1, 1, 1], dtype=bool)
    assert genre_jaccard(tops, bits, k=10, seeds=seeds) == pytest.approx(0.25 / 2)
