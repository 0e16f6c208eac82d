//! The browser shell: JS exports over the pure core. Only compiled for wasm32.
//!
//! One file per browser concern, as in Ruffle's `web/src`: each implements a core backend trait
//! (`session::Api`, `session::Clock`, `session::Capturer`, `session::EventSink`) or exports a
//! piece of the JS API.

mod analysis;
mod camera;
mod capture;
mod clock;
mod convert;
mod decode;
mod events;
mod face;
mod http;
mod session;
mod slot;

pub use capture::IdvCapture;
pub use session::Session;

// Talc instead of the default dlmalloc: a few KB less wasm (the package has a 250 KB gzipped
// budget), and faster. Single-threaded wasm only, which is the only build there is.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
