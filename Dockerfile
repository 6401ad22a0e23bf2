# syntax=docker/dockerfile:1
# Build: compile TypeScript, keep production dependencies only.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY locales locales
COPY drizzle drizzle
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: non-root, the embedded database on a volume unless DATABASE_URL points at PostgreSQL.
FROM node:20-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HTTP_PORT=8080
# Memory for a region (12,000 chats, 300,000 members) on a small machine: the bot's live heap is about
# 70 MB at 200,000 members (caches are bounded), so the heap is capped at 128 MB and collected before it
# balloons; small young generation; two malloc arenas. `npm run bench` measures the bot with these.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=1" \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
