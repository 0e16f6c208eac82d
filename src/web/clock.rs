//! Time, randomness and cancellation in the browser: `setTimeout`, `performance.now()`,
//! `crypto.getRandomValues()` and one `AbortController` shared by everything a session starts.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::session::Clock;

/// Set once by `stop()`: ends sleeps, aborts requests in flight, stops the frame loop.
pub(crate) struct Stop {
    flag: Cell<bool>,
    controller: Option<AbortController>,
}

impl Stop {
    pub(crate) fn new() -> Rc<Stop> {
        Rc::new(Stop {
            flag: Cell::new(false),
            controller: AbortController::new().ok(),
        })
    }

    pub(crate) fn stop(&self) {
        self.flag.set(true);
        if let Some(c) = &self.controller {
            c.abort();
        }
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.flag.get()
    }

    pub(crate) fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn timeout(ms: u32) {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Milliseconds from `performance.now()` (0 where there is no window).
pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

pub(crate) struct WebClock {
    pub(crate) stop: Rc<Stop>,
}

impl Clock for WebClock {
    async fn sleep(&self, ms: u32) {
        // In slices, so stop() is noticed within 100 ms of a long backoff.
        let mut left = ms;
        while left > 0 && !self.stop.is_stopped() {
            let slice = left.min(100);
            timeout(slice).await;
            left -= slice;
        }
    }

    fn stopped(&self) -> bool {
        self.stop.is_stopped()
    }

    fn random(&self) -> [u8; 16] {
        random_bytes()
    }
}

pub(crate) fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut b).is_ok());
    if !filled {
        // No Web Crypto (very old browser): time-based ids are still unique per capture.
        let t = (now_ms() * 1000.0) as u64 ^ (js_sys::Math::random() * 1e15) as u64;
        b[..8].copy_from_slice(&t.to_le_bytes());
    }
    b
}
