"""Scheduled work: fetch feeds, extract incidents, build and deliver digests. Never imports `bot`."""
