//! SHA-256 as plain data: the eight state words, one block buffer and a byte count, fed to
//! `sha2`'s raw compression function.
//!
//! Why not `sha2::Sha256`: its state has a destructor (sha2 0.11 implements `Drop` for its
//! core, for optional zeroising) and cannot resume from a midstate. The device port keeps a
//! hasher in caller-owned C memory, which is overwritten or abandoned without a destructor, so
//! it needs plain data ([`crate::signature::PortableImageHasher`]); fleet sampling resumes
//! from the midstate of a shared prefix. The compression function, the part that matters for
//! speed and correctness, is sha2's (SHA-NI / ARMv8 where the CPU has them); only the
//! buffering and padding (FIPS 180-4, 5.1.1) are here, checked against `sha2::Sha256` for
//! every length from 0 to 300 bytes and every split.

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3). `sha2` keeps its copy private; the tests
/// check that hashing from it agrees with `sha2::Sha256`.
pub(crate) const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// SHA-256 fed block by block from a midstate, with the message length counted in bytes.
#[derive(Clone, Copy)]
pub(crate) struct Blocks {
    state: [u32; 8],
    buf: [u8; 64],
    filled: usize,
    len: u64,
}

impl Default for Blocks {
    fn default() -> Blocks {
        Blocks::new(SHA256_IV, 0)
    }
}

impl Blocks {
    /// Resumes from `state` after `len` bytes (a whole number of blocks).
    pub(crate) fn new(state: [u32; 8], len: u64) -> Blocks {
        Blocks {
            state,
            buf: [0; 64],
            filled: 0,
            len,
        }
    }

    /// The midstate and byte count, when a whole number of blocks was absorbed.
    pub(crate) fn midstate(&self) -> Option<([u32; 8], u64)> {
        (self.filled == 0).then_some((self.state, self.len))
    }

    /// Bytes absorbed so far (the midstate's included).
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u64);
        if self.filled > 0 {
            let take = (64 - self.filled).min(bytes.len());
            let (head, rest) = bytes.split_at(take);
            if let Some(dst) = self.buf.get_mut(self.filled..self.filled + take) {
                dst.copy_from_slice(head);
            }
            self.filled += take;
            bytes = rest;
            if self.filled < 64 {
                return;
            }
            sha2::block_api::compress256(&mut self.state, core::slice::from_ref(&self.buf));
            self.filled = 0;
        }
        // Whole blocks straight from the input, then keep the tail.
        let (blocks, tail) = bytes.as_chunks::<64>();
        if !blocks.is_empty() {
            sha2::block_api::compress256(&mut self.state, blocks);
        }
        if let Some(dst) = self.buf.get_mut(..tail.len()) {
            dst.copy_from_slice(tail);
        }
        self.filled = tail.len();
    }

    /// Pads (`0x80`, zeros, the bit count) and gives the final state words.
    fn finish_words(&self) -> [u32; 8] {
        let (mut state, mut buf) = (self.state, self.buf);
        let bits = self.len.wrapping_mul(8).to_be_bytes();
        // `filled` is below 64 between updates, so the tail holds at least the 0x80 byte.
        let at = self.filled.min(63);
        buf[at] = 0x80;
        buf[at + 1..].fill(0);
        if self.filled >= 56 {
            sha2::block_api::compress256(&mut state, core::slice::from_ref(&buf));
            buf = [0; 64];
        }
        buf[56..].copy_from_slice(&bits);
        sha2::block_api::compress256(&mut state, core::slice::from_ref(&buf));
        state
    }

    /// The first eight digest bytes as a big-endian u64.
    pub(crate) fn finish_u64(&self) -> u64 {
        let s = self.finish_words();
        (u64::from(s[0]) << 32) | u64::from(s[1])
    }

    /// The digest.
    pub(crate) fn finish(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, w) in out.chunks_exact_mut(4).zip(self.finish_words()) {
            chunk.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    #[test]
    fn agrees_with_sha2_for_every_length_and_split() {
        let data: std::vec::Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..=data.len() {
            let want: [u8; 32] = sha2::Sha256::digest(&data[..n]).into();
            for split in [0, 1, 55, 56, 63, 64, 65, 128, n / 2, n] {
                let split = split.min(n);
                let mut b = Blocks::default();
                b.update(&data[..split]);
                b.update(&data[split..n]);
                assert_eq!(b.len(), n as u64);
                assert_eq!(b.finish(), want, "n={n} split={split}");
            }
            let mut one = Blocks::default();
            for byte in &data[..n] {
                one.update(core::slice::from_ref(byte));
            }
            assert_eq!(one.finish(), want, "bytewise n={n}");
        }
    }
}
