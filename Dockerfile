# gitcron agent image. Build:   docker build -t gitcron .
# Run (the socket's group must be added so the non-root user can reach Docker):
#   docker run -d --init --name gitcron \
#     -v /var/run/docker.sock:/var/run/docker.sock \
#     --group-add "$(stat -c %g /var/run/docker.sock)" \
#     -v gitcron-data:/var/lib/gitcron -p 8080:8080 \
#     -e GITCRON_REPO=https://github.com/acme/jobs.git gitcron
#
# NODE_IMAGE picks the Node LTS base for both stages (a Debian-based image: the runtime
# stage installs git and the ssh client with apt when the base lacks them).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Lets scripts find (and prune) the untagged build-stage images the classic builder leaves.
LABEL gitcron.stage=build
WORKDIR /src
# A registry other than npm's default (a mirror, a proxy) can be passed in; none is assumed.
ARG NPM_REGISTRY=""
COPY package.json package-lock.json ./
RUN if [ -n "$NPM_REGISTRY" ]; then npm config set registry "$NPM_REGISTRY"; fi \
 && npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY schema ./schema
COPY src ./src
COPY scripts/bundle.mjs ./scripts/bundle.mjs
# The build needs the dev dependencies (TypeScript, esbuild); its result, dist/bin, is a bundle
# with every dependency and the schema inside, so the image needs no node_modules.
RUN npm run build

FROM ${NODE_IMAGE}
RUN if ! command -v git >/dev/null || ! command -v ssh >/dev/null; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
           git openssh-client ca-certificates \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin gitcron \
 && mkdir -p /var/lib/gitcron \
 && chown gitcron:gitcron /var/lib/gitcron
WORKDIR /opt/gitcron
COPY --from=build /src/dist/bin ./bin
RUN ln -s /opt/gitcron/bin/gitcron /usr/local/bin/gitcron

ENV NODE_ENV=production \
    GITCRON_DATA_DIR=/var/lib/gitcron \
    GITCRON_LISTEN=0.0.0.0:8080
USER gitcron
WORKDIR /var/lib/gitcron
VOLUME ["/var/lib/gitcron"]
EXPOSE 8080
# Node is in the image already; no curl needed. Probes the port of GITCRON_LISTEN locally.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const port = (process.env.GITCRON_LISTEN || ':8080').split(':').pop(); fetch(`http://127.0.0.1:${port}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["gitcron"]
CMD ["agent"]
