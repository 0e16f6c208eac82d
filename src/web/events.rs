//! The app's `onEvent` callback.

use js_sys::Function;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::convert::to_js;
use crate::session::{Event, EventSink};

/// Sends events to JS as plain objects. A throwing callback is the app's bug: it must not end the
/// user's session, so its exception is dropped.
#[derive(Clone, Default)]
pub(crate) struct JsEvents {
    callback: Option<Function>,
}

impl JsEvents {
    pub(crate) fn new(callback: Option<Function>) -> Self {
        Self { callback }
    }

    pub(crate) fn send<T: Serialize>(&self, event: &T) {
        self.send_with(event, None);
    }

    /// Sends `event` with one extra property that has no JSON form (e.g. the JPEG bytes).
    pub(crate) fn send_with<T: Serialize>(&self, event: &T, extra: Option<(&str, &JsValue)>) {
        let (Some(cb), Ok(v)) = (&self.callback, to_js(event)) else {
            return;
        };
        if let Some((key, value)) = extra {
            let _ = js_sys::Reflect::set(&v, &key.into(), value);
        }
        let _ = cb.call1(&JsValue::NULL, &v);
    }
}

impl EventSink for JsEvents {
    fn emit(&self, event: &Event) {
        self.send(event);
    }
}
