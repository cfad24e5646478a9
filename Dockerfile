# commerce-hub: one image for `hub api`, `hub worker` and `hub start` (see docker-compose.yml).
#   docker build -t commerce-hub:local .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    # In a container the API must listen beyond loopback; the hub then insists on a real HUB_ADMIN_TOKEN.
    HUB_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
# No src/ in the image: bin/hub.js runs the compiled dist/.
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
# The embedded database and a hub-started Redis write under storage.dataDir (./data): owned by the
# user the hub runs as, and a volume so it outlives the container.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 8080 9464
ENTRYPOINT ["/app/bin/docker-entrypoint.sh"]
CMD ["start"]
