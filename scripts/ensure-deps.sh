#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine: system packages when missing,
# node_modules when absent or older than the lockfile. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
# Not `grep -q`: it exits at the first match, fc-list dies of SIGPIPE and pipefail reads that
# as "missing" (an apt-get install in the middle of a bench run).
fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
# The system's fallback for families the page gets no faces for (src/fonts registers our npm
# faces only under the families a scenario names): colour emoji, and DejaVu for Arabic/Hebrew.
fc-list 2>/dev/null | grep "Noto Color Emoji" >/dev/null || missing+=(fonts-noto-color-emoji)
fc-list 2>/dev/null | grep "DejaVu Sans" >/dev/null || missing+=(fonts-dejavu-core)
if ((${#missing[@]})); then
  echo "[ensure-deps] installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" fontconfig >/dev/null
fi

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[ensure-deps] npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

# The caption page bundle (esbuild, about a second); rebuilt when its sources change.
node_modules/.bin/node scripts/build-caption-page.mjs --if-stale >&2
# The editor reference page (the parity tools' model of the editor's preview); same rule.
node_modules/.bin/node scripts/build-editor-reference.mjs --if-stale >&2

# Swagger schemas from the @nestjs/swagger plugin (src/swagger-metadata.ts, generated, not
# committed); regenerated when a DTO, entity or controller changed.
node_modules/.bin/node scripts/generate-swagger-metadata.mjs --if-stale >/dev/null
# The web console (dist/console; esbuild, a few ms): rebuilt when console/ changes.
node_modules/.bin/node scripts/build-console.mjs --if-stale >&2
