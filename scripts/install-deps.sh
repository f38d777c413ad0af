#!/usr/bin/env bash
# Installs what aio's build, tests, tour and tooling need on Debian 12 (bookworm), with apt-get, and
# the browser test's one npm package (playwright-core, pinned in tests/browser/package-lock.json) with
# `npm ci` into tests/browser/node_modules.
# Idempotent: when every package is already installed it does nothing (no apt-get, no npm at all).
# Runs as root directly; otherwise through sudo when sudo is available (npm never needs root).
# AIO_SKIP_BROWSER=1 leaves out Chromium, Node.js and playwright-core (the browser test then skips).
#
# Later subsystems add their packages to AIO_APT_PACKAGES (one per line, with the reason).
set -euo pipefail

AIO_APT_PACKAGES=(
  cmake            # >= 3.25 (bookworm has 3.25.1)
  ninja-build      # the presets' generator
  ccache           # scripts/test.sh: a compiler cache outside the clone (CI budget)
  g++              # g++ 12: the default compiler
  clang            # clang++ 14: the second compiler (the clang preset)
  libgtest-dev     # unit tests (GoogleTest)
  libgmock-dev     # unit tests (GoogleMock matchers)
  libbenchmark-dev # bench/ (Google Benchmark)
  pkg-config       # the install consumer test checks aio.pc
  clang-format     # formatting check in scripts/test.sh
  clang-tidy       # static analysis (DEVELOPERS.md)
  python3          # scripts/check_doc_examples.py (the docs' code blocks stay real files)
  libssl-dev       # TLS (OpenSSL 3)
  openssl          # tests create their own CA and certificates with the openssl tool
  zlib1g-dev       # gzip/deflate HTTP bodies
  liburing-dev     # the io_uring backend
  node-llhttp      # llhttp's C sources (HTTP/1.1 parser), built into the library
  nlohmann-json3-dev # JSON for aio::http
  curl             # HTTP interop tests (curl against our server)
  python3-aiohttp  # HTTP interop tests and client benchmark peer
  python3-websockets # WebSocket interop tests
  python3-prometheus-client # the metrics test parses /metrics with Prometheus's own parser
  nginx-light      # HTTP interop tests (our client against nginx)
  libsqlite3-dev   # aio::sqlite (the embedded default database)
  libpq-dev        # aio::pg (PostgreSQL's client library)
  postgresql       # aio::pg's tests start a private PostgreSQL server
)
if [[ ${AIO_SKIP_BROWSER:-0} != 1 ]]; then
  AIO_APT_PACKAGES+=(
    chromium          # tests/browser: the tour's chat room in a real (headless) browser
    fonts-dejavu-core # ... so that its screenshot shows text
    nodejs            # ... runs tests/browser/chat_e2e.mjs (playwright-core needs Node >= 18)
  )
  # Debian's npm; a nodejs from elsewhere (NodeSource) ships its own npm and conflicts with this one.
  if ! command -v npm >/dev/null 2>&1; then AIO_APT_PACKAGES+=(npm); fi
fi

# playwright-core, pinned by tests/browser/package-lock.json, unless that version is there already.
install_browser_driver() {
  [[ ${AIO_SKIP_BROWSER:-0} == 1 ]] && return 0
  local dir want have
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && pwd)"
  want=$(cd "$dir" && node -p "require('./package-lock.json').packages['node_modules/playwright-core'].version")
  have=$(cd "$dir" && node -p "try { require('playwright-core/package.json').version } catch { '' }")
  if [[ "$want" == "$have" ]]; then return 0; fi
  echo "install-deps: npm ci in tests/browser (playwright-core $want)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

missing=()
for pkg in "${AIO_APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#AIO_APT_PACKAGES[@]} packages are installed"
  install_browser_driver
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; install these by hand: ${missing[*]}" >&2
  exit 1
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: not root and no sudo; as root, run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
install_browser_driver
