#!/usr/bin/env bash
# `npm run images`: builds the CPU and GPU images with buildah and smoke-tests the CPU image with
# podman (scripts/images-smoke.mjs): standalone against this machine's PostgreSQL and Redis,
# console at /, health ready, upload → render → download with its frames checked, non-root with
# the Chromium sandbox on, a clean exit on SIGTERM. Runs as root on Debian (installs buildah,
# podman, runc and debootstrap with apt when missing).
#
# No image registry may be reachable: when `node:24-bookworm-slim` cannot be pulled, a local base
# of the same name is made — debootstrap (minbase bookworm) + the Node 24 binary of the `node`
# npm package + npm + this machine's CA bundle — and imported with podman.
#
# Flags: --no-smoke (build only), --no-gpu (CPU image only)
set -euo pipefail
cd "$(dirname "$0")/.."
SMOKE=1; GPU=1
for a in "$@"; do
  case "$a" in
    --no-smoke) SMOKE=0 ;;
    --no-gpu) GPU=0 ;;
    *) echo "images: unknown flag $a" >&2; exit 2 ;;
  esac
done
log() { echo "[images] $*" >&2; }

need=()
for t in buildah podman runc debootstrap; do command -v "$t" >/dev/null 2>&1 || need+=("$t"); done
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" uidmap fuse-overlayfs >/dev/null
fi

# Containers here may not raise rlimits, and crun refuses this machine's cgroup mode: runc, no
# default ulimits. Our own containers.conf, not the machine's.
mkdir -p .cache/containers
cat > .cache/containers/containers.conf <<'CONF'
[containers]
default_ulimits = []
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$PWD/.cache/containers/containers.conf"
BUILD=(buildah bud --isolation chroot --layers)

BASE=docker.io/library/node:24-bookworm-slim
if ! podman image exists "$BASE" 2>/dev/null; then
  if podman pull -q "$BASE" >/dev/null 2>&1; then
    log "pulled $BASE"
  else
    log "no registry: making $BASE locally (debootstrap + Node 24 from the node npm package)"
    [ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund >&2
    root=$(mktemp -d /var/tmp/ecg-base.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
    install -D -m 0755 "$(readlink -f node_modules/.bin/node)" "$root/usr/local/bin/node"
    npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
    mkdir -p "$root/usr/local/lib/node_modules"
    cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
    # TLS inside the build (npm, apt over https) needs the CA bundle.
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
    tar -C "$root" -c . | podman import --change 'CMD ["node"]' --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin' - "$BASE" >/dev/null
    rm -rf "$root"; trap - EXIT
    log "made $BASE ($(podman image inspect "$BASE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
  fi
fi

log "building ecg-render (Dockerfile)"
"${BUILD[@]}" -t ecg-render:latest -f Dockerfile . >&2
if ((GPU)); then
  log "building ecg-render-gpu (Dockerfile.gpu)"
  "${BUILD[@]}" -t ecg-render-gpu:latest -f Dockerfile.gpu . >&2
fi
for img in ecg-render ecg-render-gpu; do
  podman image exists "$img:latest" && log "$img: $(podman image inspect "$img:latest" --format '{{.Size}}' | awk '{printf "%.2f GB", $1/1e9}')"
done

if ((SMOKE)); then
  bash scripts/ensure-services.sh
  node_modules/.bin/node scripts/images-smoke.mjs
fi
