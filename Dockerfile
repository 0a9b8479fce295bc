# City to City Residency: one image for every role of the many-machine deployment
# (web, Celery worker, Celery beat, migrations). See docker-compose.yml.
#
#   docker build -t city-to-city-residency .
#   docker run --rm -p 5000:5000 -e SECRET_KEY=... city-to-city-residency              # web
#   docker run --rm city-to-city-residency celery -A workers.celery_app worker --queues io,cpu

# ---- front-end assets: `npm ci` + `npm run build` write static/vendor/ (no CDN at run time)
FROM node:22-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/build-assets.mjs scripts/build-assets.mjs
COPY static/js/uploader.js static/js/uploader.js
RUN npm ci --no-audit --no-fund --loglevel=error \
 && npm run --silent build

# ---- the application
FROM python:3.11-slim AS app

# PYTHONPATH: residency/__init__.py finds templates/, static/ and migrations/ next to the
# imported package, and the wheel carries only .py files (no cities.json, no translations), so
# the source tree in /app is what gets imported; site-packages supplies the dependencies.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    RESIDENCY_DATA_DIR=/data

# ffmpeg for the media tasks of the `cpu` queue.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 residency \
 && useradd --system --uid 10001 --gid residency --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin residency

WORKDIR /app

# Dependencies and the packages (pyproject: `residency*`, `workers*`).
COPY pyproject.toml README.md ./
COPY residency ./residency
COPY workers ./workers
RUN pip install . \
 && rm -rf build *.egg-info

# What the application reads at run time besides its packages.
COPY config.py wsgi.py babel.cfg ./
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY --from=assets /src/static/vendor ./static/vendor
RUN pybabel compile -d residency/translations --statistics

# /app stays root-owned and read-only for the service user; only the data folder is writable.
# A named volume mounted on /data starts with this ownership.
RUN mkdir -p /data && chown residency:residency /data
VOLUME ["/data"]

USER residency:residency
EXPOSE 5000

# As the Procfile's web line: Flask-SocketIO on gevent (a greenlet per open socket, psycopg 3
# cooperative) needs exactly one gunicorn worker per process (scale with processes behind a
# sticky proxy). README, "Live rooms".
CMD ["sh", "-c", "exec gunicorn --worker-class gevent --workers 1 --worker-connections ${WEB_CONNECTIONS:-4000} --bind 0.0.0.0:${PORT:-5000} --no-control-socket --access-logfile - wsgi:app"]
