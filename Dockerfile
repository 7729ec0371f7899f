# ECG Render, CPU image: api, worker or standalone by ECG_RENDER_MODE. Built and smoke-tested
# here by `npm run images` (buildah + podman); test/deploy/dockerfiles checks on every CI run that
# the build stage copies everything `npm run build` reads.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY scripts ./scripts
COPY libs ./libs
COPY src ./src
COPY console ./console
COPY samples ./samples
# The same build as `npm run build`: caption page (+ plugin assets), console, Swagger metadata, tsc.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && node scripts/prune-runtime.mjs node_modules

FROM node:24-bookworm-slim
# Debian's Chromium, ffmpeg and CJK fonts; tini reaps Chromium's children and forwards signals.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium ffmpeg fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core fontconfig tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    CHROMIUM_PATH=/usr/bin/chromium \
    ECG_RENDER_MODE=standalone \
    LOCAL_STORAGE_DIR=/data/storage \
    RENDER_TMP_DIR=/tmp/ecg-render
WORKDIR /app
# Only the built caption page bundle ships, not motiontext-renderer's unused server dependencies.
# Fonts come with node_modules (npm font packages), so every image carries the same faces.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/samples ./samples
RUN useradd --system --uid 10001 --create-home ecg \
 && mkdir -p /data/storage /tmp/ecg-render && chown -R ecg /data /tmp/ecg-render
# Not root: Chromium then runs its sandbox (src/browser-pool/chromium-launch.ts adds --no-sandbox
# for uid 0 only). The sandbox needs unprivileged user namespaces, which Docker's and containerd's
# default seccomp profiles allow; on a host that forbids them (sysctl
# kernel.unprivileged_userns_clone=0, or Ubuntu 24.04's AppArmor restriction) allow them for this
# container rather than running it as root. Never run this image with --user 0.
USER ecg
EXPOSE 3000 3001
ENTRYPOINT ["/usr/bin/tini", "--"]
# A 4 MB young generation: a render makes garbage fast and keeps little of it (node's PSS
# 193 → 139 MB in `npm run bench`, for a little more scavenging).
CMD ["node", "--max-semi-space-size=1", "dist/src/main.js"]
