# syntax=docker/dockerfile:1
# The vendor's license service image. Build from the repository root:
#   docker build -f compose/license-service.Dockerfile -t ghcr.io/atendo/license-service:<version> .
# BuildKit reads compose/license-service.Dockerfile.dockerignore (keeps server/, tests, scripts/ out).

# ---- build: compile the TypeScript to plain JavaScript (no tsx at runtime) ----
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY compose/tsconfig.build.json compose/
COPY license-service/src/ license-service/src/
COPY license-service/migrations/ license-service/migrations/
COPY license-service/kit/ license-service/kit/
COPY license-service/protocol/ license-service/protocol/
RUN npx tsc -p compose/tsconfig.build.json --outDir /src/dist \
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
COPY --from=build /src/dist/ ./
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini is PID 1: forwards SIGTERM to node (which stops gracefully) and reaps zombies.
ENTRYPOINT ["/usr/bin/tini", "--"]
# Migrates its database, then serves.
CMD ["node", "license-service/src/entry/web.js"]
