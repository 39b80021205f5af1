import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from NetWorkMonitor.env import env_bool, env_float, env_int, env_list, env_url


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False


def test_env_bool_rejects_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)


def test_env_int_rejects_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("N", 1, minimum=0)


@pytest.mark.parametrize("raw", ["0.05", "nan", "soon"])
def test_env_float_rejects_bad_intervals(monkeypatch, raw):
    monkeypatch.setenv("INTERVAL", raw)
    with pytest.raises(ImproperlyConfigured, match="INTERVAL"):
        env_float("INTERVAL", 1.0, minimum=0.2)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b ,,")
    assert env_list("HOSTS", []) == ["a.example", "b"]


def test_env_url_checks_the_scheme(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be a URL starting with"):
        env_url("REDIS_URL", "redis://x", schemes=("redis",))


def start_with(**overrides) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with these environment variables."""
    env = {**os.environ, **overrides}
    for name, value in overrides.items():
        if value is None:
            env.pop(name)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "NetWorkMonitor.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not a boolean"),
        ({"SAMPLE_INTERVAL": "0"}, "SAMPLE_INTERVAL=0 must be at least 0.2"),
        ({"DATABASE_URL": "mysql://db/netmon"}, "DATABASE_URL must be a URL starting with"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must be a URL starting with"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(overrides, message):
    result = start_with(**overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_settings_start():
    result = start_with(DATABASE_URL="postgres://netmon@127.0.0.1:5432/netmon", SAMPLE_INTERVAL="0.5")
    assert result.returncode == 0, result.stderr
