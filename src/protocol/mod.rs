//! The Verify API's vocabulary and wire types, shared by the client, the pre-check and the sandbox.
//!
//! Pure serde types: no I/O here.

mod codes;

pub use codes::{Feedback, ImageType, ParseImageTypeError};
