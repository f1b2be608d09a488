"""Digests and statistics: regions, queries, rendering (Telegram HTML and text) and charts.

Used by the bot, the delivery job and the command line; imports neither `bot` nor Telegram.
"""
