# sluice: a runnable image. Build: docker build -t sluice .   Run: docker run --rm -p 9070:9070 sluice
# Node 24 LTS. The image starts the embedded demo (config/docker/sluice.yaml); mount your own
# config over /etc/sluice/sluice.yaml and a volume on /var/lib/sluice for the SQLite state.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native module when no prebuilt binary matches.
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
 && test -f node_modules/better-sqlite3/build/Release/better_sqlite3.node || npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY examples ./examples
RUN mkdir -p /etc/sluice /var/lib/sluice \
 && cp config/docker/sluice.yaml /etc/sluice/sluice.yaml \
 && chown -R node:node /var/lib/sluice
USER node
VOLUME ["/var/lib/sluice"]
EXPOSE 9070
# SIGTERM (docker stop) drains in-flight batches with shutdown.drainTimeoutSeconds (default 30 s):
# give docker stop at least that long, e.g. docker stop -t 40.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/cli.js", "start", "--config", "/etc/sluice/sluice.yaml"]
