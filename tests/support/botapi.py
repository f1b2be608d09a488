"""A small Telegram Bot API server for tests and benchmarks (standard library only).

It speaks the Bot API's HTTP protocol at `/bot<token>/<method>` (JSON, form or multipart
bodies), records what the bot sends, lets tests inject updates, and misbehaves on demand
the way Telegram does (429 with retry_after, 403 for blocked users, 400 for migrated groups,
400 for malformed HTML or text over 4096 characters).

In tests::

    with BotApiServer() as server:            # 127.0.0.1, random port
        settings = load_settings(telegram_api_url=server.base_url, ...)
        server.send_text("/start", user_id=42)
        [reply] = await server.wait_for_messages(42, 1)

From another process (benchmarks)::

    python -m tests.support.botapi --port 8081 --limits 30,1,20

prints the base URL; `POST /_control/<name>` with a JSON body of keyword arguments calls
the method of the same name (stats, messages, send_text, press_button, fail_next, block,
unblock, migrate, set_limits, reset).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import signal
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.telegram_html import HtmlError, parse_html, utf16_length

JsonDict = dict[str, Any]
MAX_TEXT = 4096
MAX_CAPTION = 1024
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText"})
_JSON_FIELDS = frozenset({
    "reply_markup", "commands", "scope", "entities", "caption_entities", "allowed_updates",
    "link_preview_options", "reply_parameters",
})
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ApiError(Exception):
    """An error answer: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class SentMessage:
    """A message the bot sent (or a photo); `text` is exactly what the bot sent."""

    chat_id: int
    message_id: int
    method: str
    text: str | None
    parse_mode: str | None
    reply_markup: JsonDict | None
    time: float
    seq: int
    plain: str | None = None
    caption: str | None = None
    photo: bytes | None = None
    edits: int = 0

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Inline keyboard buttons as (label, callback_data or url), row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            (b.get("text", ""), b.get("callback_data") or b.get("url") or "")
            for row in rows for b in row
        ]

    def button_data(self, label_contains: str) -> str:
        """The callback_data of the first button whose label contains the given text."""
        for label, data in self.buttons:
            if label_contains.lower() in label.lower():
                return data
        raise AssertionError(f"no button containing {label_contains!r} in {self.buttons}")

    def to_json(self) -> JsonDict:
        body = asdict(self)
        photo = body.pop("photo")
        body["photo_size"] = len(photo) if photo is not None else None
        return body


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's documented limits; None switches one off."""

    per_second: int | None = 30
    per_chat_per_second: int | None = 1
    per_group_per_minute: int | None = 20

    @classmethod
    def parse(cls, value: str) -> FloodLimits:
        parts = [int(p) if p.strip() not in {"", "-"} else None for p in value.split(",")]
        return cls(*parts)


@dataclass(frozen=True)
class CallRecord:
    method: str
    params: JsonDict
    status: int
    time: float


class _FloodGate:
    """Sliding-window counters; `check` returns seconds to wait, or None when allowed."""

    def __init__(self, limits: FloodLimits):
        self.limits = limits
        self._overall: deque[float] = deque()
        self._chat: defaultdict[int, deque[float]] = defaultdict(deque)
        self._group: defaultdict[int, deque[float]] = defaultdict(deque)

    @staticmethod
    def _wait(window: deque[float], limit: int | None, period: float, now: float) -> float:
        while window and window[0] <= now - period:
            window.popleft()
        if limit is None or len(window) < limit:
            return 0.0
        return window[0] + period - now

    def check(self, chat_id: int, now: float) -> int | None:
        waits = [
            self._wait(self._overall, self.limits.per_second, 1.0, now),
            self._wait(self._chat[chat_id], self.limits.per_chat_per_second, 1.0, now),
        ]
        if chat_id < 0:
            waits.append(self._wait(self._group[chat_id], self.limits.per_group_per_minute, 60.0, now))
        if max(waits) > 0:
            return max(1, math.ceil(max(waits)))
        self._overall.append(now)
        self._chat[chat_id].append(now)
        if chat_id < 0:
            self._group[chat_id].append(now)
        return None


def _coerce(name: str, value: str) -> Any:
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_body(content_type: str, body: bytes) -> tuple[JsonDict, dict[str, bytes]]:
    """Parameters and uploaded files from a JSON, urlencoded or multipart request body."""
    if not body:
        return {}, {}
    if content_type.startswith("application/json"):
        return json.loads(body), {}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
        params: JsonDict = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                files[name] = payload
            else:
                params[name] = _coerce(name, payload.decode("utf-8"))
        return params, files
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {k: _coerce(k, v) for k, v in pairs}, {}


def _as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


class BotApiServer:
    """The fake Bot API. Thread-safe; `start()` serves from a background thread."""

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: FloodLimits | tuple[int | None, int | None, int | None] | None = None,
        bot_username: str = "sitrep_test_bot",
    ):
        self.token = token
        self._cond = threading.Condition()
        self._http = _HttpServer((host, port), _Handler, self)
        self._thread: threading.Thread | None = None
        self.bot_user: JsonDict = {
            "id": 7000001, "is_bot": True, "first_name": "Sitrep", "username": bot_username,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._methods: dict[str, Callable[[JsonDict, dict[str, bytes]], Any]] = {
            name.removeprefix("_api_"): getattr(self, name)
            for name in dir(self) if name.startswith("_api_")
        }
        self.set_limits(limits)
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> BotApiServer:
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="botapi", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._http.shutdown()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._http.server_address[1]

    @property
    def base_url(self) -> str:
        """Like https://api.telegram.org/bot — what `Settings.telegram_api_url` expects."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- controls --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, updates, calls and failures (limits and token stay)."""
        with self._cond:
            self._closing = False
            self._updates: list[JsonDict] = []
            self._messages: list[SentMessage] = []
            self._calls: list[CallRecord] = []
            self._failures: defaultdict[str, deque[ApiError]] = defaultdict(deque)
            self._blocked: set[int] = set()
            self._migrated: dict[int, int] = {}
            self._chats: dict[int, JsonDict] = {}
            self._admins: dict[int, list[int]] = {}
            self._users: dict[int, JsonDict] = {}
            self._commands: dict[str, list[JsonDict]] = {}
            self.callback_answers: list[JsonDict] = []
            self._ids = itertools.count(1)
            self._update_ids = itertools.count(1)
            self._seq = itertools.count(1)
            self.count_429 = 0
            self.flood_429 = 0

    def set_limits(
        self, limits: FloodLimits | tuple[int | None, int | None, int | None] | list | None = None
    ) -> None:
        """Enforce flood limits (30/s overall, 1/s per chat, 20/min per group by default)."""
        if isinstance(limits, tuple | list):
            limits = FloodLimits(*limits)
        with self._cond:
            self._gate = _FloodGate(limits) if limits is not None else None

    def fail_next(
        self, method: str, status: int = 429, *, retry_after: int | None = None,
        description: str | None = None, times: int = 1,
    ) -> None:
        """The next `times` calls of `method` fail with this status."""
        text = description or _DEFAULT_DESCRIPTIONS.get(status, "Error")
        params = None
        if status == 429:
            retry_after = retry_after if retry_after is not None else 1
            text = description or f"Too Many Requests: retry after {retry_after}"
            params = {"retry_after": retry_after}
        with self._cond:
            for _ in range(times):
                self._failures[method].append(ApiError(status, text, params))

    def block(self, chat_id: int) -> None:
        """Sending to this chat answers 403 "Forbidden: bot was blocked by the user"."""
        with self._cond:
            self._blocked.add(int(chat_id))

    def unblock(self, chat_id: int) -> None:
        with self._cond:
            self._blocked.discard(int(chat_id))

    def migrate(self, old_id: int, new_id: int) -> None:
        """Sending to old_id answers 400 with parameters.migrate_to_chat_id = new_id."""
        with self._cond:
            self._migrated[int(old_id)] = int(new_id)
            old = self._chats.get(int(old_id), {"title": "Group"})
            self._chats[int(new_id)] = {"id": int(new_id), "type": "supergroup", "title": old.get("title")}

    def set_chat_admins(self, chat_id: int, user_ids: Iterable[int]) -> None:
        """The group's administrators; the first one is its creator."""
        with self._cond:
            self._admins[int(chat_id)] = [int(u) for u in user_ids]

    # -- injecting updates ------------------------------------------------------------------

    def _user(self, user_id: int, first_name: str | None = None) -> JsonDict:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}",
                      "username": f"user{user_id}", "language_code": "en"},
        )
        return user

    def _chat(self, chat_id: int, chat_type: str | None = None, title: str | None = None) -> JsonDict:
        if chat_id not in self._chats:
            kind = chat_type or ("private" if chat_id > 0 else "group")
            chat: JsonDict = {"id": chat_id, "type": kind}
            if kind == "private":
                chat["first_name"] = self._user(chat_id)["first_name"]
            else:
                chat["title"] = title or f"Group {chat_id}"
            self._chats[chat_id] = chat
        return self._chats[chat_id]

    def inject(self, update: JsonDict) -> JsonDict:
        """Queue a raw update (update_id is assigned when missing)."""
        with self._cond:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def send_text(
        self, text: str, *, user_id: int = 1001, chat_id: int | None = None,
        chat_type: str | None = None, chat_title: str | None = None, first_name: str | None = None,
    ) -> JsonDict:
        """A user writes `text` (private chat unless chat_id is a group's negative id)."""
        with self._cond:
            chat = self._chat(chat_id if chat_id is not None else user_id, chat_type, chat_title)
            message: JsonDict = {
                "message_id": next(self._ids), "date": int(time.time()), "chat": chat,
                "from": self._user(user_id, first_name), "text": text,
            }
        if text.startswith("/"):
            length = len(text.split()[0]) if text.split() else 1
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_length(text[:length])}]
        return self.inject({"message": message})

    def press_button(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> JsonDict:
        """A user presses an inline button of one of the bot's messages."""
        with self._cond:
            sent = next(
                (m for m in self._messages if m.chat_id == chat_id and m.message_id == message_id), None
            )
            if sent is None:
                raise AssertionError(f"no message {message_id} in chat {chat_id}")
            message = self._message_json(sent)
            query = {
                "id": str(next(self._ids)), "from": self._user(user_id or chat_id),
                "message": message, "chat_instance": str(chat_id), "data": data,
            }
        return self.inject({"callback_query": query})

    # -- inspecting -------------------------------------------------------------------------

    def mark(self) -> int:
        """A position in the message log; pass it as `since` to see only later messages."""
        with self._cond:
            return self._messages[-1].seq if self._messages else 0

    @property
    def messages(self) -> list[SentMessage]:
        with self._cond:
            return list(self._messages)

    def messages_for(self, chat_id: int, since: int = 0) -> list[SentMessage]:
        with self._cond:
            return [m for m in self._messages if m.chat_id == chat_id and m.seq > since]

    def calls(self, method: str | None = None) -> list[CallRecord]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    @property
    def commands(self) -> list[tuple[str, str]]:
        """Commands set with setMyCommands for the default scope and language."""
        with self._cond:
            return [(c["command"], c["description"]) for c in self._commands.get("default:", [])]

    def stats(self) -> JsonDict:
        with self._cond:
            by_method: defaultdict[str, int] = defaultdict(int)
            for call in self._calls:
                by_method[call.method] += 1
            return {
                "calls": len(self._calls), "by_method": dict(by_method), "messages": len(self._messages),
                "429": self.count_429, "flood_429": self.flood_429,
                "pending_updates": len(self._updates),
            }

    def wait_for_messages_sync(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, since: int = 0
    ) -> list[SentMessage]:
        """Block until `count` messages reached the chat after `since`; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self._messages if m.chat_id == chat_id and m.seq > since]
                left = deadline - time.monotonic()
                if len(found) >= count:
                    return found
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} message(s) in chat {chat_id} within {timeout}s, got "
                        f"{[m.text or m.caption for m in found]}"
                    )
                self._cond.wait(left)

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, since: int = 0
    ) -> list[SentMessage]:
        """Async twin of `wait_for_messages_sync` that keeps the event loop running."""
        await self.wait_until(lambda: len(self.messages_for(chat_id, since)) >= count, timeout,
                              lambda: f"messages in chat {chat_id}: "
                                      f"{[m.text or m.caption for m in self.messages_for(chat_id, since)]}")
        return self.messages_for(chat_id, since)

    async def ask(
        self, text: str, *, user_id: int = 1001, chat_id: int | None = None, count: int = 1,
        timeout: float = 5.0, chat_type: str | None = None,
    ) -> list[SentMessage]:
        """Send `text` as a user and wait for `count` answers in that chat; return all so far."""
        chat = chat_id if chat_id is not None else user_id
        since = self.mark()
        self.send_text(text, user_id=user_id, chat_id=chat_id, chat_type=chat_type)
        return await self.wait_for_messages(chat, count, timeout, since=since)

    async def press(
        self, message: SentMessage, label_contains: str, *, user_id: int | None = None,
        count: int = 1, timeout: float = 5.0,
    ) -> list[SentMessage]:
        """Press the button whose label contains the text; wait for `count` new or edited messages."""
        since = self.mark()
        data = message.button_data(label_contains)
        self.press_button(message.chat_id, message.message_id, data, user_id=user_id)
        return await self.wait_for_messages(message.chat_id, count, timeout, since=since)

    async def wait_for_quiet(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until nothing was sent (or edited) for `quiet` seconds: the bot has finished."""
        def settled() -> bool:
            with self._cond:
                last = max((m.time for m in self._messages), default=0.0)
            return time.time() - last >= quiet

        await asyncio.sleep(quiet)
        await self.wait_until(settled, timeout)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0,
        describe: Callable[[], str] | None = None,
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s" + (f"; {describe()}" if describe else ""))
            await asyncio.sleep(0.01)

    # -- HTTP entry point -------------------------------------------------------------------

    def handle_http(self, path: str, content_type: str, body: bytes) -> tuple[int, JsonDict]:
        parts = urlsplit(path)
        if parts.path.startswith("/_control/"):
            return self._control(parts.path.removeprefix("/_control/"), body)
        prefix, _, method = parts.path.rpartition("/")
        params: JsonDict = {}
        try:
            if not prefix.startswith("/bot"):
                raise ApiError(404, "Not Found")
            if self.token and prefix != f"/bot{self.token}":
                raise ApiError(401, "Unauthorized")
            params, files = parse_body(content_type, body)
            params.update(parse_qsl(parts.query))
            status, payload = 200, {"ok": True, "result": self._call(method, params, files)}
        except ApiError as exc:
            status, payload = exc.status, exc.payload()
        with self._cond:
            if status == 429:
                self.count_429 += 1
            self._calls.append(CallRecord(method, params, status, time.time()))
            self._cond.notify_all()
        return status, payload

    def _call(self, method: str, params: JsonDict, files: dict[str, bytes]) -> Any:
        handler = self._methods.get(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        with self._cond:
            if self._failures[method]:
                raise self._failures[method].popleft()
        return handler(params, files)

    def _control(self, name: str, body: bytes) -> tuple[int, JsonDict]:
        allowed = {"stats", "messages", "send_text", "press_button", "fail_next", "block",
                   "unblock", "migrate", "set_limits", "reset", "set_chat_admins"}
        if name not in allowed:
            return 404, {"ok": False, "description": f"unknown control {name}"}
        kwargs = json.loads(body) if body else {}
        if name == "messages":
            return 200, {"ok": True, "result": [m.to_json() for m in self.messages_for(**kwargs)]}
        return 200, {"ok": True, "result": getattr(self, name)(**kwargs)}

    # -- sending helpers --------------------------------------------------------------------

    def _target_chat(self, params: JsonDict) -> JsonDict:
        """The chat a send goes to, after blocked/migrated checks and flood limits."""
        chat_id = _as_int(params.get("chat_id"), "chat_id")
        with self._cond:
            if chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id in self._migrated:
                raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                               {"migrate_to_chat_id": self._migrated[chat_id]})
            if self._gate is not None:
                wait = self._gate.check(chat_id, time.monotonic())
                if wait is not None:
                    self.flood_429 += 1
                    raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            return self._chat(chat_id)

    @staticmethod
    def _checked_text(text: Any, parse_mode: Any, limit: int, empty: str, too_long: str) -> str:
        """Validate text as Telegram does; return the visible text."""
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, f"Bad Request: {empty}")
        plain = text
        if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
            try:
                plain = parse_html(text)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not plain.strip():
            raise ApiError(400, f"Bad Request: {empty}")
        if utf16_length(plain) > limit:
            raise ApiError(400, f"Bad Request: {too_long}")
        return plain

    def _record(self, chat: JsonDict, method: str, params: JsonDict, **extra: Any) -> SentMessage:
        with self._cond:
            message = SentMessage(
                chat_id=chat["id"], message_id=next(self._ids), method=method,
                text=params.get("text"), parse_mode=params.get("parse_mode"),
                reply_markup=params.get("reply_markup") or None, time=time.time(),
                seq=next(self._seq), **extra,
            )
            self._messages.append(message)
            self._cond.notify_all()
            return message

    def _message_json(self, message: SentMessage) -> JsonDict:
        body: JsonDict = {
            "message_id": message.message_id, "date": int(message.time),
            "chat": self._chats.get(message.chat_id) or {"id": message.chat_id, "type": "private"},
            "from": self.bot_user,
        }
        if message.photo is not None:
            body["photo"] = [{"file_id": f"photo{message.message_id}", "file_unique_id":
                              f"u{message.message_id}", "width": 800, "height": 400,
                              "file_size": len(message.photo)}]
            if message.caption:
                body["caption"] = message.caption
        else:
            body["text"] = message.plain or message.text
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body

    # -- Bot API methods (name after `_api_` is the method) ---------------------------------

    def _api_getMe(self, params: JsonDict, files: dict[str, bytes]) -> JsonDict:
        return self.bot_user

    def _api_getUpdates(self, params: JsonDict, files: dict[str, bytes]) -> list[JsonDict]:
        """Long polling: confirm updates below `offset`, wait up to `timeout` seconds."""
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._cond:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if self._updates or left <= 0 or self._closing:
                    return self._updates[:limit]
                self._cond.wait(min(left, 0.5))

    def _api_sendMessage(self, params: JsonDict, files: dict[str, bytes]) -> JsonDict:
        chat = self._target_chat(params)
        plain = self._checked_text(params.get("text"), params.get("parse_mode"), MAX_TEXT,
                                   "message text is empty", "message is too long")
        return self._message_json(self._record(chat, "sendMessage", params, plain=plain))

    def _api_sendPhoto(self, params: JsonDict, files: dict[str, bytes]) -> JsonDict:
        chat = self._target_chat(params)
        if "photo" not in files:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption = params.get("caption")
        if caption:
            self._checked_text(caption, params.get("parse_mode"), MAX_CAPTION,
                               "message caption is empty", "message caption is too long")
        message = self._record(chat, "sendPhoto", params, caption=caption, photo=files["photo"])
        return self._message_json(message)

    def _api_editMessageText(self, params: JsonDict, files: dict[str, bytes]) -> JsonDict:
        chat = self._target_chat(params)
        message_id = _as_int(params.get("message_id"), "message_id")
        plain = self._checked_text(params.get("text"), params.get("parse_mode"), MAX_TEXT,
                                   "message text is empty", "message is too long")
        with self._cond:
            found = next((m for m in self._messages
                          if m.chat_id == chat["id"] and m.message_id == message_id), None)
            if found is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            found.text, found.plain = params["text"], plain
            found.parse_mode = params.get("parse_mode")
            found.reply_markup = params.get("reply_markup") or None
            found.edits += 1
            found.seq = next(self._seq)
            self._cond.notify_all()
            return self._message_json(found)

    def _api_answerCallbackQuery(self, params: JsonDict, files: dict[str, bytes]) -> bool:
        with self._cond:
            self.callback_answers.append(dict(params))
        return True

    def _scope_key(self, params: JsonDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return f"{scope.get('type', 'default')}:{params.get('language_code') or ''}"

    def _api_setMyCommands(self, params: JsonDict, files: dict[str, bytes]) -> bool:
        commands = params.get("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 items")
        with self._cond:
            self._commands[self._scope_key(params)] = commands
        return True

    def _api_getMyCommands(self, params: JsonDict, files: dict[str, bytes]) -> list[JsonDict]:
        with self._cond:
            return self._commands.get(self._scope_key(params), [])

    def _api_deleteMyCommands(self, params: JsonDict, files: dict[str, bytes]) -> bool:
        with self._cond:
            self._commands.pop(self._scope_key(params), None)
        return True

    def _api_deleteWebhook(self, params: JsonDict, files: dict[str, bytes]) -> bool:
        return True

    def _api_setWebhook(self, params: JsonDict, files: dict[str, bytes]) -> bool:
        return True

    def _api_getWebhookInfo(self, params: JsonDict, files: dict[str, bytes]) -> JsonDict:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _api_sendChatAction(self, params: JsonDict, files: dict[str, bytes]) -> bool:
        self._target_chat(params)
        return True

    def _api_deleteMessage(self, params: JsonDict, files: dict[str, bytes]) -> bool:
        return True

    def _member(self, chat_id: int, user_id: int) -> JsonDict:
        user = self._user(user_id)
        admins = self._admins.get(chat_id, [])
        if chat_id != user_id and admins and admins[0] == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if chat_id == user_id or user_id not in admins:
            return {"status": "member", "user": user}
        rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                  "can_restrict_members", "can_promote_members", "can_change_info",
                  "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories")
        return {"status": "administrator", "user": user, "can_be_edited": False,
                "is_anonymous": False, **dict.fromkeys(rights, True)}

    def _api_getChatMember(self, params: JsonDict, files: dict[str, bytes]) -> JsonDict:
        chat_id = _as_int(params.get("chat_id"), "chat_id")
        user_id = _as_int(params.get("user_id"), "user_id")
        with self._cond:
            return self._member(chat_id, user_id)

    def _api_getChatAdministrators(self, params: JsonDict, files: dict[str, bytes]) -> list[JsonDict]:
        chat_id = _as_int(params.get("chat_id"), "chat_id")
        with self._cond:
            if chat_id > 0:
                raise ApiError(400, "Bad Request: there are no administrators in the private chat")
            return [self._member(chat_id, user_id) for user_id in self._admins.get(chat_id, [])]

    def _api_getChat(self, params: JsonDict, files: dict[str, bytes]) -> JsonDict:
        chat_id = _as_int(params.get("chat_id"), "chat_id")
        with self._cond:
            gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                                   "premium_subscription", "gifts_from_channels"), False)
            return {**self._chat(chat_id), "accent_color_id": 0, "max_reaction_count": 11,
                    "accepted_gift_types": gifts}


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, api: BotApiServer):
        super().__init__(address, handler)
        self.api = api

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up (a cancelled long poll at shutdown) are normal, not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _HttpServer

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self._answer()

    def do_GET(self) -> None:  # noqa: N802
        self._answer()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet, token-free
        return

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while (size := int(self.rfile.readline().strip() or b"0", 16)) > 0:
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self) -> None:
        body = self._read_body()
        status, payload = self.server.api.handle_http(
            self.path, self.headers.get("Content-Type", ""), body
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=None, help="accept only this token (default: any)")
    parser.add_argument("--limits", default=None,
                        help="flood limits 'overall/s,per-chat/s,per-group/min', e.g. 30,1,20")
    args = parser.parse_args(argv)
    limits = FloodLimits.parse(args.limits) if args.limits else None
    server = BotApiServer(host=args.host, port=args.port, token=args.token, limits=limits).start()
    print(f"http://{args.host}:{server.port}/bot", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
