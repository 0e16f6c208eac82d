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
