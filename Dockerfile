# The Kubernetes image: the node:http adapter around the same handlers as on Lambda.
# Multi-stage: build with the full toolchain, run from distroless Node.js 22 as non-root, with
# only the bundles and the shipped data (a read-only root filesystem works: /tmp is a volume).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts also skips the postinstall that patches s3rver (patches/): the image has no
# embedded S3 server (a dev dependency, never bundled into dist/server), so it needs no patch.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY lib lib
COPY functions functions
COPY scripts scripts
COPY console console
COPY data data
RUN node_modules/.bin/tsx scripts/build.ts

FROM gcr.io/distroless/nodejs22-debian12:nonroot
WORKDIR /app
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/data/credit_score_customers_raw.csv ./data/
COPY --from=build /app/data/specs ./data/specs
# LOG_FORMAT=json: the log shipper parses every line as ECS JSON, even under `docker run -t` (a terminal would
# otherwise get short human lines).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 RETRAIN_JOB_SCRIPT=dist/server/retrain-job.mjs LOG_FORMAT=json
USER nonroot
EXPOSE 8080
CMD ["dist/server/serve.mjs"]
