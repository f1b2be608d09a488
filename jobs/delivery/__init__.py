"""Daily digests: delivered once to every subscriber at their hour, within Telegram's limits."""
