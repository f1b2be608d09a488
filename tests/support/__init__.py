"""Test helpers shared across suites: a fake Telegram Bot API server, HTML checks, fixtures data."""
