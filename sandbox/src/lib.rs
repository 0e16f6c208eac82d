//! idv-sandbox: a local emulator of the Transmit Security Verify API, and the server of the demo page.
//!
//! [`app`] builds the whole router, so integration tests can serve it on a random loopback port.

mod static_files;

use std::path::PathBuf;

use axum::Router;

/// Where the sandbox finds what it serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The demo page (`www/`), served at `/`.
    pub www_dir: PathBuf,
    /// The wasm-pack output (`pkg/`), served at `/pkg/`.
    pub pkg_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            www_dir: "www".into(),
            pkg_dir: "pkg".into(),
        }
    }
}

/// The sandbox's router.
pub fn app(config: &Config) -> Router {
    static_files::router(config)
}
