"""The model's settings: MARQUEE_MODEL_* variables over the defaults, one clear line when one is wrong."""

from __future__ import annotations

import pytest

from marquee_etl.params import ModelParams


def test_unset_variables_leave_the_defaults() -> None:
    params = ModelParams.from_env()
    assert (params.dimensions, params.trees, params.max_df, params.min_recall) == (128, 40, 0.5, 0.95)
    assert params.effective_search_k == 4000


def test_each_setting_comes_from_its_marquee_model_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_MODEL_DIMENSIONS", "64")
    monkeypatch.setenv("MARQUEE_MODEL_SEARCH_K", "900")
    monkeypatch.setenv("MARQUEE_MODEL_MAX_DF", "0.8")
    params = ModelParams.from_env()
    assert (params.dimensions, params.effective_search_k, params.max_df) == (64, 900, 0.8)


def test_the_parameters_recorded_in_a_manifest_keep_their_names_and_types() -> None:
    dumped = ModelParams.from_env().model_dump()
    assert list(dumped)[:3] == ["dimensions", "trees", "search_k"] and len(dumped) == 16
    assert isinstance(dumped["dimensions"], int) and isinstance(dumped["max_df"], float)


def test_a_value_that_is_not_a_number_names_its_variable_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_MODEL_TREES", "many")
    monkeypatch.setenv("MARQUEE_MODEL_MIN_RECALL", "high")
    with pytest.raises(ValueError) as caught:
        ModelParams.from_env()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("MARQUEE_MODEL_TREES='many': Input should be a valid integer")
    assert "MARQUEE_MODEL_MIN_RECALL='high': Input should be a valid number" in message
