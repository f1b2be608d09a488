"""Hostile or broken input, handler errors and Telegram errors: always a short, safe answer."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from bot.handlers import common
from tests.support.botapi import BotApiServer

pytestmark = [
    pytest.mark.usefixtures("bot_app"),
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),  # PTB reads retry_after
]
USER = 42
TOKEN = "123456:TEST-token-not-real-abcdefghijkl"


def no_rejections(botapi: BotApiServer) -> None:
    assert [(c.method, c.status) for c in botapi.calls() if c.status != 200] == []


@pytest.mark.parametrize("command", ["/subscribe", "/unsubscribe", "/region", "/stats", "/time", "/timezone"])
async def test_oversized_arguments(botapi: BotApiServer, command: str) -> None:
    [reply] = await botapi.ask(f"{command} {'Peshawar ' * 555}", user_id=USER)
    assert "is too long" in reply.plain and len(reply.text) < 200
    no_rejections(botapi)


async def test_oversized_operator_argument(botapi: BotApiServer) -> None:
    [reply] = await botapi.ask("/addfeed https://example.com/" + "a" * 5000, user_id=1001)
    assert "is too long" in reply.plain and len(reply.text) < 200


async def test_control_characters_are_dropped(botapi: BotApiServer) -> None:
    [reply] = await botapi.ask("/subscribe K\x00P\x07\u200b", user_id=USER)
    assert reply.plain.startswith("Subscribed to Khyber Pakhtunkhwa (Pakistan).")
    [usage] = await botapi.ask("/subscribe \x00\x01\x1b", user_id=USER)
    assert usage.plain.startswith("Which region?")


@pytest.mark.parametrize("command", [
    "/subscribe <b>Punjab</b> & <script>",
    "/unsubscribe <i>x</i> &amp;",
    "/region </a> &#0; <tg-spoiler>",
    "/timezone <b>&</b>",
])
async def test_html_in_arguments_is_echoed_escaped(botapi: BotApiServer, engine: Engine, command: str) -> None:
    await botapi.ask("/subscribe Pakistan", user_id=USER)  # so /unsubscribe has something to say
    [reply] = await botapi.ask(command, user_id=USER)
    echoed = command.split(maxsplit=1)[1]
    assert echoed in reply.plain
    no_rejections(botapi)


async def test_handler_error_is_logged_with_context_and_apologised(
    botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(common, "most_active_regions", broken)
    with caplog.at_level(logging.INFO):
        [reply] = await botapi.ask("/start extra words", user_id=USER)
    assert reply.plain == common.APOLOGY
    [record] = [r for r in caplog.records if r.getMessage().startswith("handler failed")]
    assert record.getMessage() == "handler failed: chat_id=42 user_id=42 command='/start'"
    assert "database on fire" in caplog.text
    assert TOKEN not in caplog.text


async def test_flood_control_is_retried(botapi: BotApiServer) -> None:
    botapi.fail_next("sendMessage", 429, retry_after=1)
    [reply] = await botapi.ask("/help", user_id=USER, timeout=6)
    assert reply.plain.startswith("Commands")
    assert [c.status for c in botapi.calls("sendMessage")] == [429, 200]


async def test_blocked_user_does_not_break_the_bot(botapi: BotApiServer, caplog: pytest.LogCaptureFixture) -> None:
    botapi.block(USER)
    botapi.send_text("/help", user_id=USER)
    await botapi.wait_until(lambda: len(botapi.calls("sendMessage")) >= 2)
    assert "handler failed: chat_id=42" in caplog.text
    [reply] = await botapi.ask("/help", user_id=43)
    assert reply.plain.startswith("Commands")
