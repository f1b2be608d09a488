"""Subscriptions end to end: real Application, real HTTP, real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from telegram.ext import Application

from sitrep.storage import subscribers as subs
from sitrep.storage.db import session_scope
from tests.support.botapi import BotApiServer
from tests.support.incidents import BANNU_IED, LAHORE_PROTEST, add_incident

pytestmark = pytest.mark.usefixtures("bot_app")
USER = 42
KP = "PK|Khyber Pakhtunkhwa"


def regions_of(engine: Engine, chat_id: int) -> list[str]:
    with session_scope(engine) as session:
        return [s.region_key for s in subs.list_subscriptions(session, chat_id=chat_id)]


def subscriber(engine: Engine, chat_id: int):  # noqa: ANN201 - a detached Subscriber
    with session_scope(engine) as session:
        return subs.get_subscriber(session, chat_id=chat_id)


async def test_commands_are_in_the_menu(bot_app: Application, botapi: BotApiServer) -> None:
    names = [name for name, _ in botapi.commands]
    assert names == ["start", "help", "subscribe", "unsubscribe", "mysubs", "time", "timezone",
                     "region", "stats", "stop"]


async def test_start_offers_the_most_active_regions(botapi: BotApiServer, engine: Engine) -> None:
    today = datetime.now(UTC).date()
    add_incident(engine, BANNU_IED, event_date=today)
    add_incident(engine, BANNU_IED, event_date=today)
    add_incident(engine, LAHORE_PROTEST, event_date=today)
    [welcome] = await botapi.ask("/start", user_id=USER)
    assert "daily" in welcome.plain or "a day" in welcome.plain
    assert [label for label, _ in welcome.buttons] == [
        "Khyber Pakhtunkhwa (Pakistan) · 2", "Punjab (Pakistan) · 1"]
    [confirmation] = await botapi.press(welcome, "Khyber", user_id=USER)
    assert confirmation.message_id != welcome.message_id  # the welcome stays as it was
    assert "Subscribed to Khyber Pakhtunkhwa (Pakistan)" in confirmation.plain
    assert regions_of(engine, USER) == [KP]


async def test_start_without_incidents_and_help(botapi: BotApiServer) -> None:
    [welcome] = await botapi.ask("/start", user_id=USER)
    assert welcome.buttons == [] and "/subscribe Khyber Pakhtunkhwa" in welcome.plain
    [help_text] = await botapi.ask("/help", user_id=USER)
    lines = help_text.plain.splitlines()
    for command in ("start", "help", "subscribe <region>", "unsubscribe [region]", "mysubs",
                    "time HH:MM", "timezone <zone>", "region <region> [days]", "stats [region] [days]", "stop"):
        assert any(line.startswith(f"/{command} — ") for line in lines), command
    assert "/addfeed" not in help_text.plain
    [operator_help] = await botapi.ask("/help", user_id=1001)
    assert "/addfeed <url> [name]" in operator_help.plain and "/feeds" in operator_help.plain


@pytest.mark.parametrize("name", ["KP", "kpk", "NWFP", "Khyber-Pakhtunkhwa", "KHYBER PAKHTUNKHWA"])
async def test_subscribe_with_aliases(botapi: BotApiServer, engine: Engine, name: str) -> None:
    [reply] = await botapi.ask(f"/subscribe {name}", user_id=USER)
    assert reply.plain.startswith("Subscribed to Khyber Pakhtunkhwa (Pakistan). The digest arrives every day at 07:00 (UTC)")
    assert regions_of(engine, USER) == [KP]


async def test_subscribe_country_district_twice_and_usage(botapi: BotApiServer, engine: Engine) -> None:
    await botapi.ask("/subscribe pakistan", user_id=USER)
    await botapi.ask("/subscribe Peshawar", user_id=USER)
    [again] = await botapi.ask("/subscribe Pakistan", user_id=USER)
    assert again.plain == "You already follow Pakistan."
    assert regions_of(engine, USER) == ["PK", "PK|Khyber Pakhtunkhwa|Peshawar"]
    [usage] = await botapi.ask("/subscribe", user_id=USER)
    assert usage.plain.startswith("Which region?")


async def test_ambiguous_region_offers_buttons(botapi: BotApiServer, engine: Engine) -> None:
    [question] = await botapi.ask("/subscribe Punjab", user_id=USER)
    assert question.plain == '"Punjab" could mean several places. Which one?'
    assert [label for label, _ in question.buttons] == ["Punjab (Pakistan)", "Punjab (India)"]
    [edited] = await botapi.press(question, "India", user_id=USER)
    assert edited.message_id == question.message_id and edited.edits == 1
    assert edited.plain.startswith("Subscribed to Punjab (India)")
    assert regions_of(engine, USER) == ["IN|Punjab"]
    assert botapi.callback_answers  # the button's spinner is stopped


async def test_unknown_region_names_the_closest(botapi: BotApiServer, engine: Engine) -> None:
    [reply] = await botapi.ask("/subscribe Pesahwar", user_id=USER)
    assert reply.plain.startswith('I don\'t know a region called "Pesahwar". Closest names: Peshawar, Khyber Pakhtunkhwa (Pakistan)')
    assert reply.buttons[0][0] == "Peshawar, Khyber Pakhtunkhwa (Pakistan)"
    await botapi.press(reply, "Peshawar", user_id=USER)
    assert regions_of(engine, USER) == ["PK|Khyber Pakhtunkhwa|Peshawar"]


async def test_unsubscribe_with_buttons_and_by_name(botapi: BotApiServer, engine: Engine) -> None:
    [nothing] = await botapi.ask("/unsubscribe", user_id=USER)
    assert nothing.plain.startswith("You don't follow any region")
    for name in ("KP", "Punjab, India", "Pakistan"):
        await botapi.ask(f"/subscribe {name}", user_id=USER)
    [menu] = await botapi.ask("/unsubscribe", user_id=USER)
    assert [label for label, _ in menu.buttons] == [
        "Khyber Pakhtunkhwa (Pakistan)", "Punjab (India)", "Pakistan"]
    [done] = await botapi.press(menu, "Punjab", user_id=USER)
    assert done.plain == "Unsubscribed from Punjab (India)."
    [by_name] = await botapi.ask("/unsubscribe kpk", user_id=USER)
    assert by_name.plain == "Unsubscribed from Khyber Pakhtunkhwa (Pakistan)."
    [missing] = await botapi.ask("/unsubscribe Sindh", user_id=USER)
    assert missing.plain == 'You don\'t follow "Sindh". You follow: Pakistan.'
    assert regions_of(engine, USER) == ["PK"]


async def test_mysubs_time_and_timezone(botapi: BotApiServer, engine: Engine) -> None:
    [empty] = await botapi.ask("/mysubs", user_id=USER)
    assert "You don't follow any region yet" in empty.plain and "07:00 (UTC)" in empty.plain
    await botapi.ask("/subscribe KP", user_id=USER)
    [zone] = await botapi.ask("/timezone asia/karachi", user_id=USER)
    assert zone.plain == "Time zone set to Asia/Karachi; the digest arrives at 07:00 local time."
    [time_reply] = await botapi.ask("/time 6:45", user_id=USER)
    assert time_reply.plain == "The digest will arrive at 06:45 (Asia/Karachi)."
    [mine] = await botapi.ask("/mysubs", user_id=USER)
    assert mine.plain == "Your regions\n• Khyber Pakhtunkhwa (Pakistan)\n\nDigest every day at 06:45 (Asia/Karachi)."
    stored = subscriber(engine, USER)
    assert (stored.timezone, stored.digest_time) == ("Asia/Karachi", "06:45")


@pytest.mark.parametrize(("command", "answer"), [
    ("/time 25:00", "Send a 24-hour time, for example: /time 07:30"),
    ("/time 7pm", "Send a 24-hour time, for example: /time 07:30"),
    ("/time", "Send a 24-hour time, for example: /time 07:30"),
    ("/timezone Mars/Olympus", 'I don\'t know the time zone "Mars/Olympus". Use an IANA name such as Asia/Karachi'),
    ("/timezone Asia/Karachy", "Closest: Asia/Karachi"),
    ("/timezone", "Which time zone? For example: /timezone Asia/Karachi"),
])
async def test_bad_time_and_zone(botapi: BotApiServer, engine: Engine, command: str, answer: str) -> None:
    [reply] = await botapi.ask(command, user_id=USER)
    assert answer in reply.plain
    assert subscriber(engine, USER) is None


async def test_stop_deletes_everything(botapi: BotApiServer, engine: Engine) -> None:
    await botapi.ask("/subscribe KP", user_id=USER)
    await botapi.ask("/timezone Asia/Karachi", user_id=USER)
    [bye] = await botapi.ask("/stop", user_id=USER)
    assert bye.plain.startswith("Done: no more digests")
    assert subscriber(engine, USER) is None and regions_of(engine, USER) == []


GROUP, ADMIN, MEMBER = -100500, 2001, 2002


async def test_only_group_admins_change_a_group(botapi: BotApiServer, engine: Engine) -> None:
    botapi.set_chat_admins(GROUP, [2000, ADMIN])
    for command in ("/subscribe KP", "/time 08:00", "/timezone Asia/Karachi", "/unsubscribe", "/stop"):
        [refusal] = await botapi.ask(command, user_id=MEMBER, chat_id=GROUP)
        assert refusal.plain == "Only this group's administrators can change its subscriptions and digest time."
    assert subscriber(engine, GROUP) is None
    [ok] = await botapi.ask("/subscribe@sitrep_test_bot Punjab", user_id=ADMIN, chat_id=GROUP)
    since = botapi.mark()
    botapi.press_button(GROUP, ok.message_id, ok.button_data("Pakistan"), user_id=MEMBER)
    await botapi.wait_until(lambda: any(a.get("show_alert") for a in botapi.callback_answers))
    assert botapi.messages_for(GROUP, since) == [] and subscriber(engine, GROUP) is None
    await botapi.press(ok, "Pakistan", user_id=ADMIN)
    assert regions_of(engine, GROUP) == ["PK|Punjab"]
    assert subscriber(engine, GROUP).chat_type == "group"
    [mine] = await botapi.ask("/mysubs", user_id=MEMBER, chat_id=GROUP)  # reading is open to all
    assert "Punjab (Pakistan)" in mine.plain


async def test_a_group_that_becomes_a_supergroup_keeps_its_subscriptions(
    botapi: BotApiServer, engine: Engine
) -> None:
    botapi.set_chat_admins(GROUP, [ADMIN])
    await botapi.ask("/subscribe KP", user_id=ADMIN, chat_id=GROUP)
    chat = {"id": GROUP, "type": "group", "title": "Desk"}
    botapi.inject({"message": {"message_id": 900, "date": 0, "chat": chat,
                               "from": {"id": ADMIN, "is_bot": False, "first_name": "A"},
                               "migrate_to_chat_id": -1001234}})
    await botapi.wait_until(lambda: subscriber(engine, -1001234) is not None)
    assert regions_of(engine, -1001234) == [KP] and subscriber(engine, GROUP) is None
