"""A queued message goes to the channel it was queued for, whatever happens to the settings meanwhile."""

from __future__ import annotations

from backend.domain.accounts.roles import Role
from backend.domain.notifications.channels import channels_for, configured_url

PARK = "park_admin=dingtalk://park-token"
E001 = "enterprise_staff@E001=wecombot://e001-key"
E002 = "enterprise_staff@E002=wecombot://e002-key"


def queued_ref(urls: list[str], enterprise: str) -> str:
    (channel,) = channels_for(urls, Role.ENTERPRISE_STAFF, enterprise)
    return channel.ref


def test_a_reordered_list_still_sends_to_the_channel_the_message_was_queued_for() -> None:
    ref = queued_ref([PARK, E001, E002], "E001")
    assert configured_url([E002, E001, PARK], ref) == "wecombot://e001-key"  # not E002's group


def test_a_channel_removed_before_sending_is_gone_not_replaced_by_its_neighbour() -> None:
    ref = queued_ref([PARK, E001, E002], "E001")
    assert configured_url([PARK, E002], ref) is None


def test_a_group_moved_to_another_enterprise_no_longer_gets_the_first_enterprises_messages() -> None:
    ref = queued_ref([PARK, E001], "E001")
    assert configured_url([PARK, "enterprise_staff@E003=wecombot://e001-key"], ref) is None


def test_references_queued_before_fingerprints_go_by_position() -> None:
    assert configured_url([PARK, E001], "settings:1") == "wecombot://e001-key"
    assert configured_url([PARK], "settings:1") is None


def test_the_reference_holds_no_part_of_the_secret_url() -> None:
    ref = queued_ref([E001], "E001")
    assert "e001-key" not in ref and len(ref) <= 64
