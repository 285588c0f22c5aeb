//! Fleet sampling: which devices report which data in which period.
//!
//! Every device gets a *position* in `[0, 2^64)` from hashing (salt, data class, period, device
//! id) with SHA-256; a device is in a sample of rate `r` parts per million iff
//! `position / 2^64 < r / 1_000_000`, compared exactly in integers. So:
//!
//! * a device decides on its own whether it reports today, with no list from the cloud, and the
//!   cloud computes the same answer from the same inputs;
//! * smaller rates nest inside larger ones (same salt, class and period): the 1% sample is a
//!   subset of the 5% sample;
//! * the sample rotates every period (a new period gives every device a new position);
//! * different data classes and different salts give independent samples;
//! * staged rollouts use the same positions (class [`ROLLOUT_CLASS`], period 0), so "stage 1 =
//!   1%" is a set anyone can compute.
//!
//! The encoding is specified byte for byte in `docs/sampling.md` (and in [`position`]), so a
//! Python user can re-implement it with `hashlib` in ten lines.
//!
//! [`position`], [`is_below`], [`is_sampled`], [`period_index`] and [`Sampler`] are heap-free and
//! `no_std`; the device needs nothing else. Plans ([`SamplingPlan`]; read from JSON with `alloc` alone, written as JSON with feature `serde`) and
//! rates as text need `alloc`; the fleet arithmetic ([`fleet`]) needs `std` (for `exp`/`ln`).
//!
//! ```
//! use stepstone::sample::{is_below, is_sampled, position};
//! let p = position(b"acme-2026", b"DA143532", 20415, "metrics");
//! assert_eq!(is_sampled(b"acme-2026", b"DA143532", 20415, "metrics", 50_000), is_below(p, 50_000));
//! // Nesting: sampled at 1% implies sampled at 5%.
//! if is_below(p, 10_000) {
//!     assert!(is_below(p, 50_000));
//! }
//! ```

#[cfg(feature = "std")]
pub mod column;
#[cfg(feature = "alloc")]
mod error;
#[cfg(feature = "std")]
pub mod fleet;
#[cfg(feature = "alloc")]
mod layout;
#[cfg(feature = "alloc")]
mod plan;
#[cfg(feature = "alloc")]
mod rate;

#[cfg(feature = "alloc")]
pub use error::SampleError;
#[cfg(feature = "alloc")]
pub use layout::MessageLayout;
#[cfg(feature = "alloc")]
pub use plan::{ClassRate, MAX_CLASS_LEN, MAX_SALT_LEN, SamplingPlan, check_class_name};
#[cfg(feature = "alloc")]
pub use rate::{format_rate, parse_rate};

/// The domain-separation tag that starts every hashed message (19 ASCII bytes, no length
/// prefix). A future incompatible encoding gets a new tag (`.../v3`).
///
/// (`v1` put the device id right after the period, so a typical message took two SHA-256
/// blocks per device; `v2` pads the shared part to whole 64-byte blocks, so a fleet-wide pass
/// hashes one block per device from a precomputed midstate: about twice as fast on the cloud
/// and on the device.)
pub const DOMAIN_TAG: &[u8] = b"stepstone/sample/v2";

/// A rate that samples every device: one million parts per million.
pub const PPM_ALL: u32 = 1_000_000;

/// The data class staged rollouts use, with period 0 (membership that never rotates).
pub const ROLLOUT_CLASS: &str = "rollout";

/// Writes a field's length as four big-endian bytes. A field of 4 GiB or more cannot be encoded
/// by the spec; its length saturates to `u32::MAX` (plans refuse such fields long before).
fn len_be(bytes: &[u8]) -> [u8; 4] {
    u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes()
}

use crate::signature::blocks::{Blocks, SHA256_IV};

/// Feeds the part of the message before the period to `put`: the tag, the salt and the class,
/// each variable field after its length.
fn encode_head(salt: &[u8], class: &str, mut put: impl FnMut(&[u8])) {
    put(DOMAIN_TAG);
    put(&len_be(salt));
    put(salt);
    put(&len_be(class.as_bytes()));
    put(class.as_bytes());
}

/// How many zero bytes follow the period: those that make the shared part a whole number of
/// 64-byte blocks (0 to 63).
const fn pad_len(salt: &[u8], class: &str) -> usize {
    let len = DOMAIN_TAG.len() + 4 + salt.len() + 4 + class.len() + 8;
    (64 - len % 64) % 64
}

/// Feeds the part of the message every device of one (salt, class, period) shares to `put`:
/// the tag, salt, class and period, zero-padded to a whole number of 64-byte blocks. The one
/// place the layout of [`position`] is written down in code (with [`encode_head`] and
/// [`pad_len`]); both hashers and [`MessageLayout`] read it from here.
fn encode_shared(salt: &[u8], class: &str, period: u64, mut put: impl FnMut(&[u8])) {
    encode_head(salt, class, &mut put);
    put(&period.to_be_bytes());
    put(&[0u8; 64][..pad_len(salt, class)]);
}

/// The hash state after the shared part ([`encode_shared`]), with its length in bytes. Each
/// device then costs only its own block(s).
fn prefix(salt: &[u8], class: &str, period: u64) -> ([u32; 8], u64) {
    let mut h = Blocks::new(SHA256_IV, 0);
    encode_shared(salt, class, period, |b| h.update(b));
    // `encode_shared` pads the shared part to whole blocks.
    let midstate = h.midstate();
    assert!(midstate.is_some(), "shared prefix is not whole blocks");
    midstate.unwrap_or((SHA256_IV, 0))
}

/// Longest device id that fits, with its 4-byte length, SHA-256's `0x80` byte and its 8-byte
/// bit count, in the one block after the shared part: `64 - 4 - 1 - 8`.
const ONE_BLOCK_ID_LEN: usize = 51;

/// Finishes from a prefix state with the device id and reads the position.
fn finish(state: [u32; 8], prefix_len: u64, device_id: &[u8]) -> u64 {
    if device_id.len() <= ONE_BLOCK_ID_LEN {
        // The common case: one block, built in place, one compression.
        let n = device_id.len();
        let mut block = [0u8; 64];
        block[..4].copy_from_slice(&len_be(device_id));
        block[4..4 + n].copy_from_slice(device_id);
        block[4 + n] = 0x80;
        let bits = prefix_len.wrapping_add(4 + n as u64).wrapping_mul(8);
        block[56..].copy_from_slice(&bits.to_be_bytes());
        let mut state = state;
        sha2::block_api::compress256(&mut state, core::slice::from_ref(&block));
        return (u64::from(state[0]) << 32) | u64::from(state[1]);
    }
    let mut h = Blocks::new(state, prefix_len);
    h.update(&len_be(device_id));
    h.update(device_id);
    h.finish_u64()
}

/// A device's position in `[0, 2^64)` for (salt, class, period). Heap-free.
///
/// The position is the first 8 bytes, read as a big-endian unsigned integer, of SHA-256 over
///
/// ```text
/// b"stepstone/sample/v2"            19 bytes, no length prefix
/// u32be(len(salt))    || salt
/// u32be(len(class))   || class      UTF-8 bytes of the class name
/// u64be(period)
/// zero bytes up to the next multiple of 64 bytes (none if already a multiple)
/// u32be(len(device_id)) || device_id
/// ```
///
/// where `u32be`/`u64be` are fixed-width big-endian unsigned integers. Every variable field is
/// length-prefixed and the padding length follows from them, so no two different inputs encode
/// to the same message.
///
/// ```
/// use stepstone::sample::position;
/// // The first conformance vector (core/tests/vectors/sample.json).
/// assert_eq!(position(b"", b"", 0, ""), 0x8c87_d162_41ae_754b);
/// ```
pub fn position(salt: &[u8], device_id: &[u8], period: u64, class: &str) -> u64 {
    // One decision: the plain streaming hasher, whose code a device already links for images
    // (the midstate machinery of `Sampler` pays off only over many ids; the tests hold the two
    // equal).
    let mut h = Blocks::default();
    encode_shared(salt, class, period, |b| h.update(b));
    h.update(&len_be(device_id));
    h.update(device_id);
    h.finish_u64()
}

/// Whether `position` is below a rate of `rate_ppm` parts per million: true iff
/// `position / 2^64 < rate_ppm / 1_000_000`, computed exactly as
/// `(position as u128) * 1_000_000 < (rate_ppm as u128) << 64`.
///
/// Rate 0 samples nothing; rate 1_000_000 (and, saturating, anything above it) samples every
/// position. Plans refuse rates above 1_000_000 with an error; this function does not fail.
///
/// ```
/// use stepstone::sample::is_below;
/// assert!(!is_below(0, 0));
/// assert!(is_below(0, 1));
/// assert!(is_below(u64::MAX, 1_000_000));
/// // 2^64 / 2 is exactly the 50% threshold: not below it.
/// assert!(!is_below(1 << 63, 500_000));
/// assert!(is_below((1 << 63) - 1, 500_000));
/// ```
pub const fn is_below(position: u64, rate_ppm: u32) -> bool {
    (position as u128) * (PPM_ALL as u128) < (rate_ppm as u128) << 64
}

/// How many positions are below a rate of `rate_ppm` parts per million:
/// `ceil(rate_ppm × 2^64 / 1_000_000)`, at most `2^64` (rates above 1_000_000 saturate, as in
/// [`is_below`]). A position is below the rate iff it is less than this number:
/// `is_below(p, r) == ((p as u128) < positions_below(r))`. For engines that compare positions
/// themselves (a SQL expression, a GPU kernel): one integer comparison per device.
///
/// ```
/// use stepstone::sample::{is_below, positions_below};
/// assert_eq!(positions_below(0), 0);
/// assert_eq!(positions_below(250_000), 1 << 62);
/// assert_eq!(positions_below(1_000_000), 1 << 64);
/// let t = positions_below(50_000);
/// assert!(is_below((t - 1) as u64, 50_000) && !is_below(t as u64, 50_000));
/// ```
pub const fn positions_below(rate_ppm: u32) -> u128 {
    let rate = if rate_ppm > PPM_ALL {
        PPM_ALL
    } else {
        rate_ppm
    };
    ((rate as u128) << 64).div_ceil(PPM_ALL as u128)
}

/// Whether a device is in the rate-`rate_ppm` sample of `class` in `period`, with `salt`.
/// Same as `is_below(position(salt, device_id, period, class), rate_ppm)`. Heap-free.
///
/// ```
/// use stepstone::sample::is_sampled;
/// assert!(is_sampled(b"salt", b"device-1", 7, "uptime", 1_000_000));
/// assert!(!is_sampled(b"salt", b"device-1", 7, "coredumps", 0));
/// ```
pub fn is_sampled(salt: &[u8], device_id: &[u8], period: u64, class: &str, rate_ppm: u32) -> bool {
    is_below(position(salt, device_id, period, class), rate_ppm)
}

/// The period index that contains a moment: `floor((unix_seconds - offset_seconds) /
/// period_seconds)`. `offset_seconds` moves the period boundary (e.g. `7200` rotates daily
/// samples at 02:00 UTC instead of midnight). `None` when `period_seconds` is 0 or the moment
/// is before `offset_seconds`.
///
/// ```
/// use stepstone::sample::period_index;
/// // 2025-11-23T12:00:00Z in daily periods: day 20415 since the epoch.
/// assert_eq!(period_index(1_763_899_200, 86_400, 0), Some(20415));
/// assert_eq!(period_index(1_763_899_200, 0, 0), None);
/// ```
pub const fn period_index(
    unix_seconds: u64,
    period_seconds: u64,
    offset_seconds: u64,
) -> Option<u64> {
    if period_seconds == 0 || unix_seconds < offset_seconds {
        return None;
    }
    Some(crate::arith::div_rem(unix_seconds - offset_seconds, period_seconds).0)
}

/// Positions for many devices that share one (salt, class, period): the shared part of the
/// message is hashed once. Heap-free; gives exactly what [`position`] gives.
///
/// ```
/// use stepstone::sample::{position, Sampler};
/// let s = Sampler::new(b"acme", "metrics", 3);
/// assert_eq!(s.position(b"dev-9"), position(b"acme", b"dev-9", 3, "metrics"));
/// ```
#[derive(Clone)]
pub struct Sampler {
    state: [u32; 8],
    prefix_len: u64,
}

impl Sampler {
    /// A sampler for one (salt, class, period).
    pub fn new(salt: &[u8], class: &str, period: u64) -> Sampler {
        let (state, prefix_len) = prefix(salt, class, period);
        Sampler { state, prefix_len }
    }

    /// The device's position.
    pub fn position(&self, device_id: &[u8]) -> u64 {
        finish(self.state, self.prefix_len, device_id)
    }

    /// Whether the device is in the rate-`rate_ppm` sample.
    pub fn is_sampled(&self, device_id: &[u8], rate_ppm: u32) -> bool {
        is_below(self.position(device_id), rate_ppm)
    }
}

#[cfg(feature = "std")]
impl Sampler {
    /// Decisions for many devices at once, split over the machine's cores (feature `std`): the
    /// bulk path for the cloud. `out[i]` is `self.is_sampled(ids[i], rate_ppm)`.
    ///
    /// ```
    /// use stepstone::sample::Sampler;
    /// let s = Sampler::new(b"acme", "metrics", 3);
    /// let ids: Vec<String> = (0..1000).map(|i| format!("dev-{i}")).collect();
    /// let many = s.sample_many(&ids, 50_000);
    /// assert!(ids.iter().zip(&many).all(|(id, &m)| m == s.is_sampled(id.as_bytes(), 50_000)));
    /// ```
    pub fn sample_many<T: AsRef<[u8]> + Sync>(
        &self,
        ids: &[T],
        rate_ppm: u32,
    ) -> std::vec::Vec<bool> {
        let mut out = std::vec![false; ids.len()];
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = ids.len().div_ceil(threads).max(4096);
        std::thread::scope(|scope| {
            for (ids, out) in ids.chunks(chunk).zip(out.chunks_mut(chunk)) {
                scope.spawn(move || {
                    for (id, o) in ids.iter().zip(out.iter_mut()) {
                        *o = self.is_sampled(id.as_ref(), rate_ppm);
                    }
                });
            }
        });
        out
    }
}

impl core::fmt::Debug for Sampler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Sampler { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// The message bytes written out by hand, hashed in one piece.
    fn by_hand(salt: &[u8], device_id: &[u8], period: u64, class: &str) -> u64 {
        let mut msg = [0u8; 512];
        let mut n = 0;
        let mut put = |b: &[u8]| {
            msg[n..n + b.len()].copy_from_slice(b);
            n += b.len();
        };
        put(b"stepstone/sample/v2");
        put(&(salt.len() as u32).to_be_bytes());
        put(salt);
        put(&(class.len() as u32).to_be_bytes());
        put(class.as_bytes());
        put(&period.to_be_bytes());
        let pad = (64 - (19 + 4 + salt.len() + 4 + class.len() + 8) % 64) % 64;
        put(&[0u8; 64][..pad]);
        put(&(device_id.len() as u32).to_be_bytes());
        put(device_id);
        let d = Sha256::digest(&msg[..n]);
        u64::from_be_bytes(d[..8].try_into().unwrap())
    }

    #[test]
    fn position_is_the_documented_encoding() {
        for (salt, id, period, class) in [
            (&b""[..], &b""[..], 0u64, ""),
            (b"acme-2026", b"DA143532", 20415, "metrics"),
            (b"s", b"\x00\xff", u64::MAX, "coredumps"),
        ] {
            assert_eq!(
                position(salt, id, period, class),
                by_hand(salt, id, period, class)
            );
            assert_eq!(
                Sampler::new(salt, class, period).position(id),
                by_hand(salt, id, period, class)
            );
        }
    }

    #[test]
    fn every_id_and_salt_length_agrees_with_sha2() {
        // Ids around the one-block limit (51 bytes) and the block boundaries after it, salts
        // that put the shared part at every offset within a block: the raw-compression path
        // must give what sha2::Sha256 gives over the whole message.
        let bytes: [u8; 200] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);
        for salt_len in [0, 1, 7, 20, 21, 29, 30, 64, 85, 100] {
            let salt = &bytes[..salt_len];
            let sampler = Sampler::new(salt, "metrics", 20415);
            for id_len in 0..=200 {
                let id = &bytes[200 - id_len..];
                let want = by_hand(salt, id, 20415, "metrics");
                assert_eq!(sampler.position(id), want, "salt {salt_len}, id {id_len}");
                assert_eq!(position(salt, id, 20415, "metrics"), want);
            }
        }
    }

    #[test]
    fn known_answer() {
        // Computed independently with Python: m = b"stepstone/sample/v2" + b"\0" * 16;
        // hashlib.sha256(m + bytes(-len(m) % 64) + b"\0" * 4).digest()[:8]
        assert_eq!(position(b"", b"", 0, ""), 0x8c87_d162_41ae_754b);
    }

    #[test]
    fn length_prefixes_separate_fields() {
        // Moving a byte from salt to class (or class to id) changes the message.
        assert_ne!(position(b"ab", b"x", 1, "c"), position(b"a", b"x", 1, "bc"));
        assert_ne!(position(b"a", b"cx", 1, "b"), position(b"a", b"x", 1, "bc"));
        assert_ne!(position(b"a", b"x", 1, "m"), position(b"a", b"x", 2, "m"));
    }

    #[test]
    fn is_below_boundaries_are_exact() {
        assert!(!is_below(0, 0));
        assert!(!is_below(u64::MAX, 0));
        assert!(is_below(0, 1));
        assert!(is_below(u64::MAX, PPM_ALL));
        assert!(is_below(u64::MAX, u32::MAX));
        // Threshold for 1 ppm: ceil(2^64 / 10^6) positions are below it.
        let t = ((1u128 << 64).div_ceil(1_000_000)) as u64;
        assert!(is_below(t - 1, 1));
        assert!(!is_below(t, 1));
        // 25%: exactly 2^62 positions.
        assert!(is_below((1 << 62) - 1, 250_000));
        assert!(!is_below(1 << 62, 250_000));
    }

    #[test]
    fn positions_below_is_the_is_below_threshold() {
        for rate in
            (0..=PPM_ALL)
                .step_by(7_919)
                .chain([0, 1, 3, 999_999, PPM_ALL, PPM_ALL + 1, u32::MAX])
        {
            let t = positions_below(rate);
            assert!(t <= 1 << 64, "rate {rate}");
            for p in [0u128, 1, t.saturating_sub(1), t, t + 1, (1 << 64) - 1] {
                let Ok(p) = u64::try_from(p) else { continue };
                assert_eq!(
                    is_below(p, rate),
                    u128::from(p) < t,
                    "rate {rate}, position {p}"
                );
            }
        }
    }

    #[test]
    fn is_below_is_monotone_in_rate() {
        let positions = [
            0,
            1,
            1 << 40,
            1 << 63,
            u64::MAX - 1,
            u64::MAX,
            0x8c87_d162_41ae_754b,
        ];
        for p in positions {
            let mut was = false;
            for r in (0..=PPM_ALL).step_by(997).chain([PPM_ALL]) {
                let now = is_below(p, r);
                assert!(
                    !was || now,
                    "position {p} sampled at a lower rate but not at {r}"
                );
                was = now;
            }
        }
    }

    #[test]
    fn period_index_floors() {
        assert_eq!(period_index(0, 86_400, 0), Some(0));
        assert_eq!(period_index(86_399, 86_400, 0), Some(0));
        assert_eq!(period_index(86_400, 86_400, 0), Some(1));
        assert_eq!(period_index(7_199, 86_400, 7_200), None);
        assert_eq!(period_index(7_200, 86_400, 7_200), Some(0));
        assert_eq!(period_index(u64::MAX, 1, 0), Some(u64::MAX));
        assert_eq!(period_index(5, 0, 0), None);
    }
}

/// The examples in `docs/sampling.md`, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/sampling.md")]
pub struct SamplingDocs;
