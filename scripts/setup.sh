#!/usr/bin/env bash
# Installs everything idv-capture needs to build and test, and skips what is already there.
#
# Why this is more than `rustup target add`: on machines that reach only the package registries,
# rustup cannot download the wasm32 standard library. We then fall back to Debian's rustc-web, build
# its wasm32 sysroot from the matching std source, and link it as the rustup toolchain `web-offline`
# (see README "What a machine needs"). Every step checks first, so a warm run takes seconds.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else echo "setup: need root for: $*" >&2; return 1; fi; }

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  have apt-get || { echo "setup: no apt-get; install ${missing[*]} by hand" >&2; return 1; }
  if [ $apt_updated = 0 ]; then say "apt-get update"; as_root apt-get update -qq; apt_updated=1; fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

have cargo || { echo "setup: cargo not found; install rustup from https://rustup.rs first" >&2; exit 1; }

# ---------------------------------------------------------------- wasm32 toolchain
wasm_ok() { # $1: toolchain name; true when its rustc has a wasm32 std
  local dir
  dir=$(RUSTUP_TOOLCHAIN="$1" rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
  compgen -G "$dir/libstd-*.rlib" >/dev/null
}

default_tc=$(rustup show active-toolchain 2>/dev/null | awk '{print $1}')
if [ "${IDV_SETUP_OFFLINE:-0}" != 1 ] && wasm_ok "$default_tc"; then
  say "wasm32 target: present in $default_tc"
elif wasm_ok web-offline; then
  say "wasm32 target: present in web-offline (Debian rustc-web)"
else
  say "wasm32 target: trying rustup target add (20 s at most)"
  # IDV_SETUP_OFFLINE=1 skips rustup, to exercise the registry-only path on a machine where rustup works.
  if [ "${IDV_SETUP_OFFLINE:-0}" != 1 ] && timeout 20 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 && wasm_ok "$default_tc"; then
    say "wasm32 target: installed by rustup"
  else
    say "wasm32 target: rustup cannot fetch it; building Debian rustc-web's wasm32 sysroot"
    apt_install rustc-web cargo-web rust-web-src
    lld_src="$(rustc +"$default_tc" --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
    [ -x "$lld_src" ] || { echo "setup: no rust-lld at $lld_src" >&2; exit 1; }
    as_root mkdir -p /usr/lib/rustlib/x86_64-unknown-linux-gnu/bin
    as_root ln -sf "$lld_src" /usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld
    tmp=$(mktemp -d)
    (
      cd "$tmp" && /usr/bin/cargo new --lib sysroot-build -q && cd sysroot-build
      RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$lld_src" \
        /usr/bin/cargo build -q --release --target wasm32-unknown-unknown \
        -Zbuild-std=std,panic_abort,panic_unwind,test,proc_macro
      as_root mkdir -p /usr/lib/rustlib/wasm32-unknown-unknown/lib
      for f in target/wasm32-unknown-unknown/release/deps/lib*.rlib; do
        case "$(basename "$f")" in libsysroot_build-*) ;; *) as_root cp "$f" /usr/lib/rustlib/wasm32-unknown-unknown/lib/ ;; esac
      done
    )
    rm -rf "$tmp"
    rustup toolchain link web-offline /usr
    wasm_ok web-offline || { echo "setup: the web-offline toolchain still has no wasm32 std" >&2; exit 1; }
    say "wasm32 target: web-offline ready ($(/usr/bin/rustc --version))"
  fi
fi

# ---------------------------------------------------------------- wasm-bindgen-cli and wasm-pack
bindgen_ver=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
[ -n "$bindgen_ver" ] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$bindgen_ver" ] && have wasm-bindgen-test-runner; then
  say "wasm-bindgen-cli $bindgen_ver: present"
else
  say "cargo install wasm-bindgen-cli $bindgen_ver (about 3 minutes)"
  # No --locked: its lock file pins a webpki-roots the registry no longer serves.
  RUSTUP_TOOLCHAIN="$default_tc" cargo install -q --force wasm-bindgen-cli --version "$bindgen_ver"
fi
if have wasm-pack; then
  say "wasm-pack: present ($(wasm-pack --version))"
else
  say "cargo install wasm-pack (about 3 minutes)"
  RUSTUP_TOOLCHAIN="$default_tc" cargo install -q wasm-pack
fi

# ---------------------------------------------------------------- browser
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium and chromedriver: present"
else
  apt_install chromium chromium-driver
fi

# ---------------------------------------------------------------- npm dev dependencies (wasm-opt, playwright-core)
have npm || apt_install nodejs npm
stamp=node_modules/.package-lock.json
if [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/esbuild ] && [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ]; then
  say "npm dev dependencies: present"
else
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "ready"
