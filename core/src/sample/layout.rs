//! The hashed message of [`position`](super::position) split around what varies per row, for
//! engines that build the message and hash it themselves (a SQL `sha2` over a concatenation).

use alloc::vec::Vec;

use super::{encode_head, pad_len};
use crate::sample::SamplingPlan;

/// The message of [`position`](super::position) for one (salt, class), with the period and
/// the device id left open:
///
/// ```text
/// message = head ‖ u64be(period) ‖ pad zero bytes ‖ u32be(len(device_id)) ‖ device_id
/// ```
///
/// `head` is the tag, the salt and the class with their lengths; `pad` does not depend on the
/// period (it makes the shared part whole 64-byte blocks). A query engine that has SHA-256
/// (Spark's `sha2`) computes every position from these two values, with the period and the id
/// of each row; compare the first 8 bytes of the digest, big-endian, with
/// [`positions_below`](super::positions_below) of the rate.
///
/// ```
/// use sha2::{Digest, Sha256};
/// use stepstone::sample::{position, MessageLayout};
/// let layout = MessageLayout::new(b"acme-2026", "metrics");
/// let id = b"DA143532";
/// let mut msg = layout.head.clone();
/// msg.extend_from_slice(&20415u64.to_be_bytes());
/// msg.extend(core::iter::repeat_n(0u8, layout.pad));
/// msg.extend_from_slice(&(id.len() as u32).to_be_bytes());
/// msg.extend_from_slice(id);
/// let digest = Sha256::digest(&msg);
/// let first8 = u64::from_be_bytes(digest[..8].try_into().unwrap());
/// assert_eq!(first8, position(b"acme-2026", id, 20415, "metrics"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageLayout {
    /// The bytes before the period: tag, `u32be(len(salt))`, salt, `u32be(len(class))`, class.
    pub head: Vec<u8>,
    /// How many zero bytes follow the period (0 to 63).
    pub pad: usize,
}

impl MessageLayout {
    /// The layout for `salt` and `class`.
    pub fn new(salt: &[u8], class: &str) -> MessageLayout {
        let mut head = Vec::new();
        encode_head(salt, class, |b| head.extend_from_slice(b));
        MessageLayout {
            head,
            pad: pad_len(salt, class),
        }
    }
}

impl SamplingPlan {
    /// The message layout of `class` with the plan's salt (the class need not be in the plan,
    /// as for [`position`](Self::position)).
    pub fn message_layout(&self, class: &str) -> MessageLayout {
        MessageLayout::new(self.salt().as_bytes(), class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::position;
    use sha2::{Digest, Sha256};

    fn by_layout(layout: &MessageLayout, period: u64, id: &[u8]) -> u64 {
        let mut msg = layout.head.clone();
        msg.extend_from_slice(&period.to_be_bytes());
        msg.resize(msg.len() + layout.pad, 0);
        msg.extend_from_slice(&(id.len() as u32).to_be_bytes());
        msg.extend_from_slice(id);
        u64::from_be_bytes(Sha256::digest(&msg)[..8].try_into().unwrap())
    }

    #[test]
    fn the_layout_gives_every_position() {
        // Salts and classes that put the period at every offset within a block.
        let bytes: Vec<u8> = (0..120u8).map(|i| i.wrapping_mul(29) ^ 0x33).collect();
        for salt_len in 0..=70 {
            for class in ["", "m", "metrics", "a-much-longer-class.name_64"] {
                let salt = &bytes[..salt_len];
                let layout = MessageLayout::new(salt, class);
                assert_eq!(
                    (layout.head.len() + 8 + layout.pad) % 64,
                    0,
                    "salt {salt_len}"
                );
                for (period, id) in [
                    (0u64, &b""[..]),
                    (20415, b"DA143532"),
                    (u64::MAX, &bytes[..52]),
                    (7, &bytes[..120]),
                ] {
                    assert_eq!(
                        by_layout(&layout, period, id),
                        position(salt, id, period, class)
                    );
                }
            }
        }
    }

    #[test]
    fn a_plan_uses_its_salt() {
        let plan = SamplingPlan::new("acme-2026", 86_400).unwrap();
        assert_eq!(
            plan.message_layout("metrics"),
            MessageLayout::new(b"acme-2026", "metrics")
        );
        assert!(
            plan.message_layout("metrics")
                .head
                .starts_with(b"stepstone/sample/v2")
        );
    }
}
