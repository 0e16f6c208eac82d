//! A one-shot value that a JS callback fills and a Rust future awaits.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Inner<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// Cloned handles share one value: the first `fill` wins, later ones are ignored.
pub(crate) struct Slot<T>(Rc<RefCell<Inner<T>>>);

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Slot(self.0.clone())
    }
}

impl<T> Slot<T> {
    pub(crate) fn new() -> Self {
        Slot(Rc::new(RefCell::new(Inner {
            value: None,
            waker: None,
        })))
    }

    /// Fills the slot once; returns false if it was already filled.
    pub(crate) fn fill(&self, v: T) -> bool {
        let waker = {
            let mut i = self.0.borrow_mut();
            if i.value.is_some() {
                return false;
            }
            i.value = Some(v);
            i.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        true
    }
}

impl<T> Future for Slot<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut i = self.0.borrow_mut();
        match i.value.take() {
            Some(v) => Poll::Ready(v),
            None => {
                i.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
