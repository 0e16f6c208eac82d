# Sourced by the Makefile and scripts: picks the toolchain that has wasm32, and puts the tools on PATH.
# Kept cheap (one rustc call) because every make target sources it.
_idv_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$_idv_root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ -z "${RUSTUP_TOOLCHAIN:-}" ]; then
  _idv_dir=$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null || true)
  if ! compgen -G "$_idv_dir/libstd-*.rlib" >/dev/null && rustup toolchain list 2>/dev/null | grep -q '^web-offline'; then
    export RUSTUP_TOOLCHAIN=web-offline
  fi
  unset _idv_dir
fi
unset _idv_root
