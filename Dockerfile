# OMS service image, three stages on Node 24 (the current LTS):
#   build — every dependency, TypeScript compiled to dist/;
#   deps  — production dependencies only (no tsx, no TypeScript, no test tools), npm cache removed;
#   final — dist/ (with the built console), the error pages, migrations, the CLI and those dependencies, run as the unprivileged `node` user,
#           which owns the data directory (the embedded database when DATABASE_URL is unset).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/buildStamp.mjs ./scripts/
COPY src ./src
RUN npm run build && npm run build:console

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 OMS_DATA_DIR=/var/lib/oms
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY docs/errors ./docs/errors
COPY bin ./bin
RUN mkdir -p /var/lib/oms && chown node:node /var/lib/oms && chmod +x bin/oms.mjs && ln -s /app/bin/oms.mjs /usr/local/bin/oms
USER node
VOLUME /var/lib/oms
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=100", "dist/main.js"]
