import pytest

from leadline.config import scaled_seconds, time_scale


def test_default_is_real_time(monkeypatch):
    monkeypatch.delenv("LEADLINE_TIME_SCALE", raising=False)
    assert time_scale() == 1 and scaled_seconds(300) == 300


def test_a_scale_makes_timers_faster(monkeypatch):
    monkeypatch.setenv("LEADLINE_TIME_SCALE", "60")
    assert scaled_seconds(300) == 5


@pytest.mark.parametrize("raw", ["0", "-1", "fast"])
def test_nonsense_is_refused(monkeypatch, raw):
    monkeypatch.setenv("LEADLINE_TIME_SCALE", raw)
    with pytest.raises(ValueError, match="LEADLINE_TIME_SCALE"):
        time_scale()
