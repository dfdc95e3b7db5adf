"""Where notifications go: park-wide channels from settings and each user's own URL.

``PARKSAFE_NOTIFY_URLS`` lists apprise URLs; an entry may name its audience with a
prefix, e.g. ``enterprise_staff=wecombot://KEY`` or ``park_admin=dingtalk://TOKEN``.
Entries without a prefix receive everything. Rows in the outbox reference a channel
(``settings:<n>`` or ``user:<id>``), never the URL itself, so no secret is stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from backend.domain.accounts.roles import Role

ALL = "all"


@dataclass(frozen=True, slots=True)
class ConfiguredChannel:
    index: int
    audience: str
    url: str

    @property
    def ref(self) -> str:
        return f"settings:{self.index}"


def configured_channels(urls: list[str]) -> list[ConfiguredChannel]:
    channels = []
    for index, entry in enumerate(urls):
        audience, sep, url = entry.partition("=")
        if sep and audience in {role.value for role in Role} and "://" in url:
            channels.append(ConfiguredChannel(index, audience, url))
        else:
            channels.append(ConfiguredChannel(index, ALL, entry))
    return channels


def channels_for(urls: list[str], audience: Role) -> list[ConfiguredChannel]:
    return [c for c in configured_channels(urls) if c.audience in {ALL, audience.value}]


def user_ref(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"
