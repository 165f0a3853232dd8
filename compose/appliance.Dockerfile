# syntax=docker/dockerfile:1
# The Atendo appliance image (web, worker and CLI entries). Build from the repository root:
#   docker build -f compose/appliance.Dockerfile -t ghcr.io/atendo/appliance:<version> .
# BuildKit reads compose/appliance.Dockerfile.dockerignore, which keeps the development entry
# (server/src/entry/dev.ts), license-service/src, tests, scripts/ and installer/ out of the build context.

# ---- build: compile the TypeScript to plain JavaScript (no tsx at runtime) ----
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: the only thing needed here is tsc (dev dependencies' postinstalls fetch nothing we use).
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY compose/tsconfig.build.json compose/
COPY server/ server/
COPY license-service/kit/ license-service/kit/
COPY license-service/protocol/ license-service/protocol/
RUN npx tsc -p compose/tsconfig.build.json --outDir /src/dist
# The development entry trusts a local license key: it must never reach this image. The dockerignore
# keeps it out of the context and the build config excludes it; this fails the build if either slips.
RUN test ! -e server/src/entry/dev.ts \
 && test ! -e dist/server/src/entry/dev.js \
 && test ! -e dist/license-service/src \
 && test -z "$(find dist -name '*.test.js')"

# ---- runtime: production dependencies and the compiled tree only ----
FROM node:20.20.2-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# Same relative layout as the source: server/src/version.ts reads ../../package.json (= /app/package.json).
COPY --from=build /src/dist/ ./
# The dashboard is served as static files, as they are.
COPY web-dist/ web-dist/
# DATA_DIR: a named volume mounted here inherits this ownership on first use.
RUN mkdir -p /var/lib/atendo && chown node:node /var/lib/atendo
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini is PID 1: forwards SIGTERM to node (which stops gracefully) and reaps zombies.
ENTRYPOINT ["/usr/bin/tini", "--"]
# web by default; compose runs `node server/src/entry/worker.js` for the worker and
# `node server/src/entry/cli.js <command>` for one-off CLI commands.
CMD ["node", "server/src/entry/web.js"]
