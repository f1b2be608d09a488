"""The fake Bot API server behaves like Telegram where the bot's correctness depends on it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from tests.support.botapi import BotApiServer
from tests.support.telegram_html import HtmlError, parse_html

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-token-not-real-abcdefghijkl"


@pytest.fixture
async def bot(botapi: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=botapi.base_url, base_file_url=botapi.base_file_url) as bot:
        yield bot


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "<b>unclosed", "<b>x</i>", "a & b", "&nbsp;", "x</b>",
    '<span class="other">x</span>', "<a href='x'>x", "1 < 2",
])
def test_invalid_html_is_rejected(text: str) -> None:
    with pytest.raises(HtmlError):
        parse_html(text)


def test_valid_html_gives_the_visible_text() -> None:
    source = ('<b>bold</b> <i>it</i> <a href="https://x.test/?a=1&amp;b=2">link</a> '
              '&lt;tag&gt; &amp; &quot; &#39; &#x41; <code>c</code> > <tg-spoiler>s</tg-spoiler>')
    assert parse_html(source) == 'bold it link <tag> & " \' A c > s'


async def test_send_message_records_and_validates(bot: Bot, botapi: BotApiServer) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Pick", callback_data="sub::PK")]])
    sent = await bot.send_message(5, "<b>hi</b> &amp; bye", parse_mode="HTML", reply_markup=markup)
    [recorded] = botapi.messages_for(5)
    assert (recorded.text, recorded.plain, recorded.parse_mode) == ("<b>hi</b> &amp; bye", "hi & bye", "HTML")
    assert recorded.message_id == sent.message_id
    assert recorded.buttons == [("Pick", "sub::PK")]
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(5, "<script>x</script>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(5, "x" * 4097)
    await bot.send_message(5, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # counted after parsing
    assert len(botapi.messages_for(5)) == 2


async def test_failures_on_demand(bot: Bot, botapi: BotApiServer) -> None:
    botapi.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as exc:
        await bot.send_message(5, "x")
    assert exc.value.retry_after in (3, timedelta(seconds=3))
    botapi.block(9)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(9, "x")
    botapi.migrate(-5, -1005)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-5, "x")
    assert migrated.value.new_chat_id == -1005
    await bot.send_message(-1005, "x")
    assert botapi.stats()["429"] == 1


async def test_flood_limits(bot: Bot, botapi: BotApiServer) -> None:
    botapi.set_limits((30, 1, 20))
    await bot.send_message(7, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(7, "two in the same second")
    refused = 0
    for chat in range(100, 140):
        try:
            await bot.send_message(chat, "x")
        except RetryAfter:
            refused += 1
    assert refused == 11  # 30 per second overall: 1 + 29 allowed
    assert botapi.stats()["flood_429"] == 12


async def test_long_polling_and_buttons(bot: Bot, botapi: BotApiServer) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9
    botapi.send_text("/start@sitrep_test_bot now", user_id=42)
    [update] = await bot.get_updates(timeout=1)
    assert update.message.text == "/start@sitrep_test_bot now"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@sitrep_test_bot")
    sent = await bot.send_message(42, "choose", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("A", callback_data="a")]]))
    botapi.press_button(42, sent.message_id, "a", user_id=42)
    [press] = await bot.get_updates(offset=update.update_id + 1, timeout=1)
    assert press.callback_query.data == "a"
    assert press.callback_query.message.message_id == sent.message_id
    await bot.answer_callback_query(press.callback_query.id, text="ok")
    assert botapi.callback_answers[-1]["text"] == "ok"


async def test_photos_members_and_commands(bot: Bot, botapi: BotApiServer) -> None:
    await bot.send_photo(5, b"\x89PNG\r\n\x1a\n....", caption="<i>chart</i>", parse_mode="HTML")
    assert botapi.messages_for(5)[0].photo.startswith(b"\x89PNG")
    botapi.set_chat_admins(-7, [1, 2])
    statuses = [(await bot.get_chat_member(-7, user)).status for user in (1, 2, 3)]
    assert statuses == ["creator", "administrator", "member"]
    assert len(await bot.get_chat_administrators(-7)) == 2
    assert (await bot.get_chat(-7)).type == "group"
    await bot.set_my_commands([("start", "Start")])
    assert botapi.commands == [("start", "Start")]
    edited = await bot.edit_message_text("new", chat_id=5, message_id=botapi.messages_for(5)[0].message_id)
    assert edited.message_id == botapi.messages_for(5)[0].message_id


def test_runs_as_a_subprocess_with_http_controls() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.botapi", "--port", "0", "--limits", "30,1,20"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        root = base_url.removesuffix("/bot")
        request = urllib.request.Request(f"{root}/_control/send_text", method="POST",
                                         data=json.dumps({"text": "/start", "user_id": 3}).encode())
        urllib.request.urlopen(request, timeout=5).read()
        with urllib.request.urlopen(f"{base_url}{TOKEN}/getUpdates", timeout=5) as response:
            assert json.load(response)["result"][0]["message"]["text"] == "/start"
        with urllib.request.urlopen(f"{root}/_control/stats", timeout=5) as response:
            assert json.load(response)["result"]["by_method"]["getUpdates"] == 1
    finally:
        process.terminate()
        process.wait(timeout=5)
