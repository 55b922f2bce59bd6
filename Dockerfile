# Resonance API image. Build with `docker compose build` (see docker-compose.yml)
# or `docker build -t resonance .`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system --gid 10001 resonance \
    && useradd --system --uid 10001 --gid resonance \
        --home-dir /home/resonance --create-home --shell /usr/sbin/nologin resonance

WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY loaders ./loaders
COPY web ./web
RUN pip install --no-cache-dir . \
    && rm -rf /src \
    && mkdir -p /data \
    && chown resonance:resonance /data

# The container network is the boundary: listen on every interface inside it and
# publish the port on 127.0.0.1 only (docker-compose.yml does).
ENV RESONANCE_HOST=0.0.0.0 \
    RESONANCE_PORT=8000 \
    RESONANCE_DATA_DIR=/data

USER resonance
WORKDIR /home/resonance
EXPOSE 8000

CMD ["resonance", "serve", "--host", "0.0.0.0", "--port", "8000"]
