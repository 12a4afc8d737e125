"""Which Redis server and serializer the ``rq`` commands use, and connecting to it.

The URL comes from ``--url``, else the app config's ``RQ_REDIS_URL``, else ``REDIS_URL`` (the key
Flask-RQ2 and most Flask apps use), else ``redis://127.0.0.1:6379/0`` (redis-py's and RQ's
default server). Every URL shown to a user goes through :func:`mask_url`.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask_script_hub import InvalidCommand
from flask_script_hub.commands import one_line

if TYPE_CHECKING:
    from redis import Redis
    from rq.serializers import Serializer

__all__ = ["DEFAULT_URL", "connect", "mask_text", "mask_url", "redis_url", "serializer"]

DEFAULT_URL = "redis://127.0.0.1:6379/0"

#: Seconds redis-py waits for the TCP connection before giving up (redis-py waits forever).
CONNECT_TIMEOUT = 5.0


def redis_url(option: str | None, config: Mapping[str, Any]) -> str:
    """The Redis URL to use: ``option``, else ``RQ_REDIS_URL``, else ``REDIS_URL``, else default.

    :param option: the value of ``--url`` (``None`` when not given).
    :param config: the app's config (``flask.Config`` or any mapping).
    """
    for value in (option, config.get("RQ_REDIS_URL"), config.get("REDIS_URL")):
        if value:
            return str(value)
    return DEFAULT_URL


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (``redis://:***@host:6379/0``).

    Follows SQLAlchemy's ``URL.render_as_string(hide_password=True)``; the rest of the URL is
    kept as it was written. A ``password=`` query parameter is masked too.
    """
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:***@{hostinfo}"
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        if any(key == "password" for key, _ in pairs):
            masked = [(k, "***" if k == "password" else v) for k, v in pairs]
            query = urllib.parse.urlencode(masked, safe="*")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))


def mask_text(text: str, url: str) -> str:
    """Remove the password of ``url`` from ``text`` (error messages may echo it)."""
    parts = urllib.parse.urlsplit(url)
    secrets = [parts.password] + [
        v for k, v in urllib.parse.parse_qsl(parts.query) if k == "password"
    ]
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***").replace(urllib.parse.quote(secret), "***")
    return text.replace(url, mask_url(url))


def connect(url: str, retry_connect: bool = False) -> Redis:
    """Connect to Redis at ``url`` and check that it answers (``PING``).

    :param url: a ``redis://``, ``rediss://`` or ``unix://`` URL (redis-py's ``from_url``).
    :param retry_connect: retry a refused or lost connection forever, with redis-py's
        exponential backoff (1 s doubling up to 60 s), instead of failing at once.
    :returns: a :class:`redis.Redis` client.
    :raises InvalidCommand: one line naming the masked URL, when the URL is malformed or the
        server does not answer.
    """
    from redis import Redis
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError, RedisError, TimeoutError
    from redis.retry import Retry

    options: dict[str, Any] = {"socket_connect_timeout": CONNECT_TIMEOUT}
    if retry_connect:
        options["retry"] = Retry(ExponentialBackoff(cap=60, base=1), -1)
        options["retry_on_error"] = [ConnectionError, TimeoutError]
    try:
        client = Redis.from_url(url, **options)
        client.ping()
    except (RedisError, ValueError, OSError) as exc:
        message = mask_text(one_line(exc), url)
        raise InvalidCommand(f"cannot use Redis at {mask_url(url)}: {message}") from None
    return client


def serializer(option: str | None, config: Mapping[str, Any]) -> Serializer:
    """The RQ serializer: ``--serializer``, else the app config's ``RQ_SERIALIZER``, else pickle.

    :param option: an import string (``"rq.serializers.JSONSerializer"``) or RQ's alias
        ``json`` / ``pickle``.
    :raises InvalidCommand: when it cannot be imported or is not a serializer.
    """
    from rq.serializers import resolve_serializer

    name = option or config.get("RQ_SERIALIZER")
    try:
        return resolve_serializer(name)
    except (ImportError, AttributeError, ValueError, NotImplementedError) as exc:
        raise InvalidCommand(f"bad serializer {name!r}: {one_line(exc)}") from None
