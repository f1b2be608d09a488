"""The commands the bot understands, with one line of help each (menu and /help)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    description: str
    operator: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("start", "", "what this bot does and how to begin"),
    Command("help", "", "every command with one line each"),
    Command("subscribe", "<region>", "daily digest for a country, province or district"),
    Command("unsubscribe", "[region]", "stop following a region"),
    Command("mysubs", "", "your regions, digest time and time zone"),
    Command("time", "HH:MM", "when the digest arrives (24-hour, your time zone)"),
    Command("timezone", "<zone>", "your time zone, e.g. Asia/Karachi"),
    Command("region", "<region> [days]", "a region's digest now (last 24 hours or N days, at most 30)"),
    Command("stats", "[region] [days]", "statistics and a chart (default 7 days, at most 30)"),
    Command("stop", "", "unsubscribe from everything and delete what is stored about this chat"),
    Command("addfeed", "<url> [name]", "add a news feed and fetch it now", operator=True),
    Command("removefeed", "<url|id>", "remove a news feed", operator=True),
    Command("feeds", "", "feeds and their health", operator=True),
)
