"""Where notifications go: park-wide channels from settings and each user's own URL.

``PARKSAFE_NOTIFY_URLS`` lists apprise URLs; an entry may name its audience with a
prefix, e.g. ``park_admin=dingtalk://TOKEN``, and an enterprise staff channel the enterprise
it serves: ``enterprise_staff@E001=wecombot://KEY`` (the enterprise's code) gets only that
enterprise's findings. A bare ``enterprise_staff=`` channel is one group for the staff of every
enterprise and gets all of theirs. Entries without a prefix receive everything. Rows in the
outbox reference a channel (``settings:<n>:<fingerprint>`` or ``user:<id>``), never the URL
itself, so no secret is stored; the fingerprint (a short hash of the entry) keeps a queued message
from going to another channel when the list is reordered, or an entry removed or changed (a new
key, another enterprise), before it is sent: it then fails as "channel no longer configured".
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from backend.domain.accounts.roles import Role

ALL = "all"


@dataclass(frozen=True, slots=True)
class ConfiguredChannel:
    index: int
    audience: str
    url: str
    enterprise: str | None = None  # an enterprise's code: only its findings
    entry: str = ""  # as configured, audience and enterprise included

    @property
    def fingerprint(self) -> str:
        """Of the whole entry: a group moved to another enterprise or audience is another channel."""
        return hashlib.sha256(self.entry.encode()).hexdigest()[:10]

    @property
    def ref(self) -> str:
        return f"settings:{self.index}:{self.fingerprint}"


def configured_channels(urls: list[str]) -> list[ConfiguredChannel]:
    channels = []
    for index, entry in enumerate(urls):
        prefix, sep, url = entry.partition("=")
        audience, scoped, enterprise = prefix.partition("@")
        if sep and audience in {role.value for role in Role} and "://" in url:
            scope = enterprise if scoped and audience == Role.ENTERPRISE_STAFF.value else None
            channels.append(ConfiguredChannel(index, audience, url, scope, entry))
        else:
            channels.append(ConfiguredChannel(index, ALL, entry, entry=entry))
    return channels


def channels_for(urls: list[str], audience: Role, enterprise: str) -> list[ConfiguredChannel]:
    """The channels of ``audience`` for a finding of the enterprise whose code is ``enterprise``."""
    return [
        channel
        for channel in configured_channels(urls)
        if channel.audience in {ALL, audience.value} and channel.enterprise in {None, enterprise}
    ]


def configured_url(urls: list[str], ref: str) -> str | None:
    """The URL a ``settings:`` reference was queued for, wherever it now stands in ``urls``; None
    once it is gone. References from before fingerprints (``settings:<n>``) go by position."""
    index, _, fingerprint = ref.removeprefix("settings:").partition(":")
    channels = configured_channels(urls)
    if fingerprint:
        return next((channel.url for channel in channels if channel.fingerprint == fingerprint), None)
    position = int(index)
    return channels[position].url if position < len(channels) else None


def user_ref(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"
