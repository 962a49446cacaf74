# Nestguard: multi-stage build. The build stage compiles TypeScript and the native SQLite
# binding, and Vite builds the console into dist/console; the runtime stage carries only what serving needs.

FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY console/package.json ./console/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY resolver ./resolver
COPY scripts ./scripts
COPY blocklists ./blocklists
COPY console ./console
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
# Port 53 without root: give the node binary just the capability to bind low ports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep "$(readlink -f /usr/local/bin/node)" \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/nestguard && chown node:node /var/lib/nestguard
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/blocklists ./blocklists
ENV NODE_ENV=production \
    NESTGUARD_DATA_DIR=/var/lib/nestguard \
    NESTGUARD_DNS_LISTEN=0.0.0.0:53,[::]:53 \
    NESTGUARD_HTTP_LISTEN=0.0.0.0:8080
USER node
VOLUME ["/var/lib/nestguard"]
EXPOSE 53/udp 53/tcp 8080/tcp
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
CMD ["node", "dist/resolver/src/main.js"]
