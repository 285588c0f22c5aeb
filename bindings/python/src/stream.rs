//! The state of a streaming check (`ImageHasher`, `StreamVerifier`, `ImageCheck`,
//! `ManifestFirst`): fed chunk by chunk with the GIL released, taken once by `finish`, and
//! `python.finished` for every call after that.
//!
//! The lock is taken with the GIL released, and released before the GIL is taken back: a
//! thread holding the GIL while it waits for the lock never blocks the thread that holds the
//! lock and needs the GIL to return (two threads feeding one hasher do not deadlock).

use std::sync::Mutex;

use pyo3::prelude::*;

use crate::errors::finished;

/// A streaming check's live state, named (`"ImageHasher"`) for the `python.finished` message.
pub(crate) struct Stream<T> {
    what: &'static str,
    state: Mutex<Option<T>>,
}

impl<T: Send> Stream<T> {
    /// A new stream over `state`.
    pub(crate) fn new(what: &'static str, state: T) -> Stream<T> {
        Stream {
            what,
            state: Mutex::new(Some(state)),
        }
    }

    /// Runs `f` on the live state with the GIL released; `python.finished` once `finish` took
    /// it.
    pub(crate) fn feed<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut T) -> R + Send,
    ) -> PyResult<R> {
        py.detach(|| {
            let mut guard = self.state.lock().ok()?;
            Some(f(guard.as_mut()?))
        })
        .ok_or_else(|| finished(self.what))
    }

    /// `f` of the live state, or `done` once finished (`len`, `remaining`).
    pub(crate) fn peek<R>(&self, done: R, f: impl FnOnce(&T) -> R) -> PyResult<R> {
        let guard = self.state.lock().map_err(|_| finished(self.what))?;
        Ok(guard.as_ref().map_or(done, f))
    }

    /// Takes the state out for `finish`; `python.finished` the second time.
    pub(crate) fn take(&self) -> PyResult<T> {
        self.state
            .lock()
            .map_err(|_| finished(self.what))?
            .take()
            .ok_or_else(|| finished(self.what))
    }
}
