"""Which Redis URL the commands use, and how it is shown (password masked)."""

from __future__ import annotations

import pytest

from flask_script_hub_rq.connection import DEFAULT_URL, mask_text, mask_url, redis_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:s3cret@cache:6379/2", "redis://:***@cache:6379/2"),
        ("redis://app:s3cret@cache/0", "redis://app:***@cache/0"),
        ("rediss://app:p%40ss@cache:6380/0", "rediss://app:***@cache:6380/0"),
        ("redis://app@cache/0", "redis://app@cache/0"),
        ("unix://:s3cret@/run/redis.sock?db=1", "unix://:***@/run/redis.sock?db=1"),
        ("redis://cache/0?password=s3cret&db=1", "redis://cache/0?password=***&db=1"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_mask_text_removes_the_password_and_the_url() -> None:
    url = "redis://app:s3cret@cache:6379/0"
    text = f"cannot AUTH with s3cret at {url}"
    assert mask_text(text, url) == "cannot AUTH with *** at redis://app:***@cache:6379/0"


def test_the_url_comes_from_the_option_then_the_config() -> None:
    config = {"RQ_REDIS_URL": "redis://rq/1", "REDIS_URL": "redis://shared/2"}
    assert redis_url("redis://given/3", config) == "redis://given/3"
    assert redis_url(None, config) == "redis://rq/1"
    assert redis_url(None, {"REDIS_URL": "redis://shared/2"}) == "redis://shared/2"
    assert redis_url(None, {}) == DEFAULT_URL == "redis://127.0.0.1:6379/0"
