# One image for every Headwater process kind: `headwater web`, `headwater worker --stage ...`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /srv/headwater
COPY pyproject.toml README.md ./
COPY app app
COPY consumers consumers
COPY producers producers
COPY web web
COPY schemas schemas
COPY headwater headwater
RUN pip install --no-cache-dir . && useradd --system --home /srv/headwater headwater \
    && mkdir -p /data && chown headwater /data
USER headwater
ENV HEADWATER_DATA_DIR=/data HEADWATER_HTTP_HOST=0.0.0.0
ENTRYPOINT ["headwater"]
