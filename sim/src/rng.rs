//! The simulation's PRNG.

/// SplitMix64: small, fast, and good enough for a simulation.
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi.saturating_sub(lo).saturating_add(1)).max(1)
    }

    pub(crate) fn chance(&mut self, ppm: u32) -> bool {
        self.next() % 1_000_000 < u64::from(ppm)
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn ranges_and_chances_stay_in_bounds() {
        let mut r = Rng(9);
        for _ in 0..10_000 {
            let x = r.range(10, 20);
            assert!((10..=20).contains(&x), "{x}");
            assert_eq!(r.range(5, 5), 5);
            assert!(!r.chance(0));
            assert!(r.chance(1_000_000));
        }
        // The same seed, the same stream.
        let (mut a, mut b) = (Rng(3), Rng(3));
        assert!((0..100).all(|_| a.next() == b.next()));
    }
}
