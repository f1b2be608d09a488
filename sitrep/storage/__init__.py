"""Storage: SQLModel tables (`models`), engines and sessions (`db`), and data access (`queries`).

Both `jobs` and `bot` import this package; it imports neither.
"""
