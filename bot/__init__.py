"""The Telegram bot: `app.build_application` wires handlers (`handlers`) and resources."""
