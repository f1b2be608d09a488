"""Sitrep: daily security digests on Telegram.

The shared core lives here: configuration (`settings`), storage (`storage`), the
gazetteer and region names (`places`), and the command line (`cli`). The scheduled
work is in the top-level `jobs` package and everything that talks to Telegram is in
`bot`; both import this package, neither imports the other's internals except that
`bot` may call into `jobs` (data flows feeds -> articles -> incidents -> digests -> Telegram).
"""

__version__ = "0.1.0"
USER_AGENT = f"Sitrep/{__version__} (+https://github.com/sitrep-bot/sitrep)"
