//! The browser shell: JS exports over the pure core. Only compiled for wasm32.
//!
//! One file per browser concern; this module only re-exports them.

mod analysis;
mod convert;
