#!/usr/bin/env bash
# `npm run compose:smoke`: runs docker-compose.yml as written with podman and renders through it.
# Builds the app image with scripts/images.sh (CPU image only, no image smoke test) and the
# stack's PostgreSQL / Redis / S3 images (deploy/compose/*.Containerfile) with buildah, brings the
# stack up under its own project name, runs scripts/compose-smoke.mjs (API ready, token, upload
# to S3 → render on a worker → download, frames counted), checks that only the API and S3 ports
# are published, and takes the stack down with its volumes (also on failure).
#
# `podman compose` exists from podman 4.7; Debian bookworm has 4.3, so podman-compose (apt) runs
# the file, and the CNI dnsname plugin lets the services find each other by name.
# Env: API_PORT (3080), S3_PORT (3090). Flags: --keep leaves the stack running for a look;
# --no-app-build uses the localhost/ecg-render image as it is (an earlier `npm run images`).
set -euo pipefail
cd "$(dirname "$0")/.."
KEEP=0; APP_BUILD=1
for a in "$@"; do
  case "$a" in
    --keep) KEEP=1 ;;
    --no-app-build) APP_BUILD=0 ;;
    *) echo "compose-smoke: unknown flag $a" >&2; exit 2 ;;
  esac
done
log() { echo "[compose] $*" >&2; }
started=$(date +%s)

# The images (and containers.conf: runc, no default ulimits) first; both need root tools.
if ((APP_BUILD)) || [ ! -f .cache/containers/containers.conf ]; then bash scripts/images.sh --no-smoke --no-gpu; fi
export CONTAINERS_CONF="$PWD/.cache/containers/containers.conf" BUILDAH_ISOLATION=chroot

if podman compose version >/dev/null 2>&1; then
  COMPOSE=(podman compose)
else
  need=()
  command -v podman-compose >/dev/null 2>&1 || need+=(podman-compose)
  [ -x /usr/lib/cni/dnsname ] || need+=(golang-github-containernetworking-plugin-dnsname)
  if ((${#need[@]})); then
    log "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  COMPOSE=(podman-compose)
fi
for svc in postgres redis s3; do
  log "building ecg-render-$svc (deploy/compose/$svc.Containerfile)"
  buildah bud --isolation chroot --layers -q -t "localhost/ecg-render-$svc:latest" -f "deploy/compose/$svc.Containerfile" deploy/compose >/dev/null
done
built=$(date +%s)

export API_PORT=${API_PORT:-3080} S3_PORT=${S3_PORT:-3090}
for p in "$API_PORT" "$S3_PORT"; do
  if ss -ltn "( sport = :$p )" | grep -q LISTEN; then log "port $p is taken (set API_PORT / S3_PORT)"; exit 1; fi
done
export JWT_SECRET URL_SIGNING_SECRET
JWT_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
URL_SIGNING_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export PUBLIC_BASE_URL="http://127.0.0.1:$API_PORT" S3_PUBLIC_ENDPOINT="http://127.0.0.1:$S3_PORT"
PROJECT=ecg-compose-smoke
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f docker-compose.yml "$@"; }
down() {
  if ((KEEP)); then log "left running: ${COMPOSE[*]} -p $PROJECT down -v"; return; fi
  local t0; t0=$(date +%s)
  compose down -v >/dev/null 2>&1 || true
  # podman-compose 1.0.3 keeps the project's network.
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
  log "down with volumes in $(( $(date +%s) - t0 )) s"
}
trap down EXIT

log "up (${COMPOSE[*]})"
uplog=$(mktemp)
# podman-compose 1.0.3 prints "no such volume" before creating each volume: kept out of sight.
compose up -d >"$uplog" 2>&1 || { cat "$uplog" >&2; exit 1; }
rm -f "$uplog"
up=$(date +%s)
names=$(podman ps --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}' | sort)
log "running: $(echo $names)"

# Only the API and S3 publish ports on the host (PostgreSQL and Redis must not: this machine's
# own 5432 and 6379 are taken, and they need not be reachable from outside the stack).
published=$(podman ps --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}} {{.Ports}}' | grep -- '->' | sort || true)
echo "$published" | sed 's/^/[compose] published: /' >&2
if echo "$published" | grep -Eq 'postgres|redis'; then log "FAILED: PostgreSQL or Redis publishes a port"; exit 1; fi
workers=$(echo "$names" | grep -c worker || true)
if [ "$workers" -ne 2 ]; then log "FAILED: $workers workers running, 2 expected"; exit 1; fi

if ! API_BASE="$PUBLIC_BASE_URL" node_modules/.bin/node scripts/compose-smoke.mjs; then
  for n in $names; do echo "--- $n" >&2; podman logs --tail 15 "$n" >&2 || true; done
  exit 1
fi
# Both workers take jobs from the queue; the one that ran the render logs it.
for n in $(echo "$names" | grep worker); do
  for _ in $(seq 60); do podman logs "$n" 2>&1 | grep -q 'taking render jobs' && break; sleep 1; done
  podman logs "$n" 2>&1 | grep -q 'taking render jobs' || { log "FAILED: $n takes no jobs"; podman logs --tail 15 "$n" >&2; exit 1; }
  done_line=$(podman logs "$n" 2>&1 | grep -oE 'render [0-9a-f-]+ completed: [^"]*' | tail -1 || true)
  log "$n takes jobs${done_line:+; $done_line}"
done
log "passed: build $((built - started)) s, stack up $((up - built)) s, API part $(( $(date +%s) - up )) s, total $(( $(date +%s) - started )) s"
