//! Status codes: one `#[repr(i32)]` enum, 0 = ok, each standing for one code of core's error
//! registry (`stepstone::error::REGISTRY`, listed in `docs/errors.md`).
//!
//! Everything here comes from the registry. The enum (names, numbers, comments) is generated
//! from it into `status/table.rs`, where cbindgen reads it; the port's tests fail when that
//! file is not what the registry gives. Messages, codes and the status of a core error are
//! derived from the registry below, when the crate compiles: a core error maps to the device
//! status of its registered code, through one function for every error type.

mod table;

use stepstone::error::{ALL, Device, REGISTRY, Registered};

pub use table::StepstoneStatus;

impl StepstoneStatus {
    /// The status of a core error: the device status of its registered code, or
    /// `StepstoneErrUnknown` for a code the device never meets (`[host]` in the registry).
    pub fn of(error: impl Registered) -> StepstoneStatus {
        match error.registered().device_status() {
            // SAFETY: every `Code` is one of `stepstone::error::ALL` (core makes no other), and
            // the check below, when the crate compiles, proves each of their device statuses a
            // variant of this `#[repr(i32)]` enum.
            Some(n) => unsafe { core::mem::transmute::<i32, StepstoneStatus>(n) },
            None => StepstoneStatus::StepstoneErrUnknown,
        }
    }

    /// The static, NUL-terminated message: a few words, as it lives in firmware flash (the
    /// status name and [`StepstoneStatus::code`] say the rest).
    pub const fn message(self) -> &'static [u8] {
        message(self as i32)
    }

    /// The stable core code (`area.reason`), `""` for ok.
    pub const fn code(self) -> &'static str {
        let mut rest = REGISTRY;
        while let Some((e, tail)) = rest.split_first() {
            if let Device::Status(s) = e.device
                && s.number == self as i32
            {
                return e.code;
            }
            rest = tail;
        }
        ""
    }

    /// The status for a core error code (`StepstoneErrUnknown` for one the device never sees).
    /// Host-side helper for tests and tools; the device maps errors by their [`Registered`]
    /// code ([`StepstoneStatus::of`]), so no code string is linked into the firmware.
    pub fn from_code(code: &str) -> StepstoneStatus {
        stepstone::error::Code::find(code)
            .map_or(StepstoneStatus::StepstoneErrUnknown, StepstoneStatus::of)
    }
}

// Every device status of the registry (of every `Code`, which `StepstoneStatus::of` relies on)
// is a status here, and every status here but ok is one of the registry (checked when the crate
// compiles; `table.rs` is generated so that it holds).
const _: () = {
    let mut rest = ALL;
    while let Some((code, tail)) = rest.split_first() {
        if let Some(n) = code.device_status() {
            match StepstoneStatus::from_i32(n) {
                Some(status) if status as i32 != 0 => {}
                _ => {
                    panic!("a device status of the registry is missing: regenerate status/table.rs")
                }
            }
        }
        rest = tail;
    }
    let mut rest: &[StepstoneStatus] = &StepstoneStatus::ALL;
    while let Some((&status, tail)) = rest.split_first() {
        if status as i32 != 0 && status.code().is_empty() {
            panic!("a status is not in the registry: regenerate status/table.rs");
        }
        rest = tail;
    }
};

/// The tag of the last message record, which every search stops at.
const UNKNOWN_TAG: u8 = 0xFF;
const OK_MESSAGE: &str = "ok";
const UNKNOWN_MESSAGE: &str = "unknown status code";

const fn messages_len() -> usize {
    let mut len = 1 + OK_MESSAGE.len() + 1 + 1 + UNKNOWN_MESSAGE.len() + 1;
    let mut rest = REGISTRY;
    while let Some((e, tail)) = rest.split_first() {
        if let Device::Status(s) = e.device {
            len += 1 + s.message.len() + 1;
        }
        rest = tail;
    }
    len
}

const MESSAGES_LEN: usize = messages_len();

/// Writes one record at `at`: the tag, the text, NUL. Returns where the next one goes.
/// Only for [`MESSAGES`], so its indexing runs (and could fail) only when the crate compiles.
#[allow(clippy::indexing_slicing)]
const fn record(out: &mut [u8; MESSAGES_LEN], at: usize, tag: u8, text: &str) -> usize {
    out[at] = tag;
    let text = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        out[at + 1 + i] = text[i];
        i += 1;
    }
    out[at + 1 + text.len()] = 0;
    at + 1 + text.len() + 1
}

/// Every message as a record: the status number (one byte; the registry keeps them 1 to 127),
/// the text (printable ASCII), NUL. `ok` first, the registry's statuses, and last `unknown
/// status code`, tagged [`UNKNOWN_TAG`]. The smallest form: no table of offsets, no lengths.
const MESSAGES: [u8; MESSAGES_LEN] = {
    let mut out = [0; MESSAGES_LEN];
    let mut at = record(&mut out, 0, 0, OK_MESSAGE);
    let mut rest = REGISTRY;
    while let Some((e, tail)) = rest.split_first() {
        if let Device::Status(s) = e.device {
            at = record(&mut out, at, s.number as u8, s.message);
        }
        rest = tail;
    }
    at = record(&mut out, at, UNKNOWN_TAG, UNKNOWN_MESSAGE);
    assert!(at == MESSAGES_LEN);
    out
};

/// [`MESSAGES`] in flash, once.
static MESSAGE_BYTES: [u8; MESSAGES_LEN] = MESSAGES;

/// Where the message for status number `n` starts (`unknown status code` for a number that is
/// no status): `stepstone_strerror`, in as few instructions as the search takes.
pub(crate) fn message_ptr(n: i32) -> *const u8 {
    let bytes = &MESSAGE_BYTES;
    let mut at = 0;
    loop {
        let tag = bytes.get(at).copied().unwrap_or(UNKNOWN_TAG);
        at += 1;
        if tag == UNKNOWN_TAG || i32::from(tag) == n {
            return bytes.as_ptr().wrapping_add(at);
        }
        while bytes.get(at).is_some_and(|&b| b != 0) {
            at += 1;
        }
        at += 1;
    }
}

/// The NUL-terminated message for status number `n` (`unknown status code` for a number that
/// is no status); the same bytes as [`message_ptr`] points to.
pub(crate) const fn message(n: i32) -> &'static [u8] {
    let mut rest: &'static [u8] = &MESSAGES;
    while let Some((&tag, tail)) = rest.split_first() {
        // The text and its NUL.
        let mut len = 0;
        let mut after = tail;
        while let Some((&b, t)) = after.split_first() {
            after = t;
            len += 1;
            if b == 0 {
                break;
            }
        }
        if tag == UNKNOWN_TAG || tag as i32 == n {
            return tail.split_at(len).0;
        }
        rest = after;
    }
    // Not reached: the last record is tagged UNKNOWN_TAG.
    b"\0"
}
