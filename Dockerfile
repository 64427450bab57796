# syntax=docker/dockerfile:1
# One image per Agora service, all from this file (docker-compose.yml builds each of them):
#   docker build --build-arg SERVICE=forum -t agora/forum .
# SERVICE: users | auth | forum | pictures | comments | gateway (search and analytics once they
# exist). The image runs the service's TypeScript sources with tsx (the workspace packages
# export their .ts files, so there is no compile step), with production dependencies only, as
# the unprivileged `node` user. Configured only by env: see docs/operations.md.

ARG NODE_VERSION=20

# The package manifests alone, so the dependency layers are rebuilt only when they change.
FROM node:${NODE_VERSION}-bookworm-slim AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc -delete \
  && find . -type d -empty -delete

# Every dependency, to build the web app the gateway serves at / (an empty folder for the
# other services). `npm install`, not `npm ci`: see .ci/run.
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /app
COPY --from=manifests /app ./
RUN npm install --no-audit --no-fund
COPY . .
ARG SERVICE
RUN if [ "$SERVICE" = gateway ]; then npm run build -w web; else rm -rf web/dist && mkdir -p web/dist; fi

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
COPY --from=manifests /app ./
# Production dependencies, and tsx (a dev dependency of the repo) at the lock file's version
# in its own folder.
RUN npm install --omit=dev --no-audit --no-fund \
  && npm install --prefix /opt/tsx --no-audit --no-fund \
    "tsx@$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
  && npm cache clean --force
# Sources stay owned by root: the service can read them, not change them.
COPY . .
COPY --from=web /app/web/dist web/dist
ARG SERVICE
RUN case "$SERVICE" in gateway) main=gateway/src/main.ts ;; *) main=subgraphs/$SERVICE/src/main.ts ;; esac \
  && if [ -z "$SERVICE" ] || [ ! -f "$main" ]; then \
    echo "SERVICE must be gateway or a subgraph with src/main.ts (got '$SERVICE')" >&2; exit 1; fi \
  && printf '#!/bin/sh\nexec node /app/%s "$@"\n' "$main" >/usr/local/bin/agora-service \
  && chmod 755 /usr/local/bin/agora-service \
  && mkdir -p /data && chown node:node /data
ENV NODE_ENV=production \
  NODE_OPTIONS="--import /opt/tsx/node_modules/tsx/dist/loader.mjs" \
  HOST=0.0.0.0 \
  DATA_DIR=/data
USER node
VOLUME /data
EXPOSE 4000-4007
# node runs as PID 1 (exec) and stops gracefully on SIGTERM.
CMD ["agora-service"]
