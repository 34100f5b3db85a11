//! Reproducible random streams: run `i` of an ensemble with seed `S` draws
//! from ChaCha8 keyed by `(S, i)` only, with one stream (ChaCha's 64-bit
//! nonce) per uncertain item, so a run's draws depend neither on the thread
//! that runs it nor on the shard, and adding an item does not shift the
//! draws of the others.

use chacha20::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// Stream ids of the kinds of uncertain items (item index added).
pub(crate) const PARAMETER: u64 = 1 << 40;
pub(crate) const PROJECT: u64 = 2 << 40;
pub(crate) const EVENT: u64 = 3 << 40;

/// One item's random numbers in one run.
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// The stream `stream` of run `run` under seed `seed`.
    pub fn new(seed: u64, run: u64, stream: u64) -> Stream {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&run.to_le_bytes());
        key[16..24].copy_from_slice(b"oreflow\0");
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(stream);
        Stream(rng)
    }

    /// A uniform number in the open interval (0, 1): 53 random bits, centred
    /// in their cell so that neither 0 nor 1 can come out.
    pub fn uniform(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_seed_run_and_stream_only() {
        let a: Vec<f64> = (0..4)
            .map(|_| Stream::new(7, 3, PARAMETER).uniform())
            .collect();
        assert!(
            a.windows(2).all(|w| w[0] == w[1]),
            "same key, same first draw"
        );
        let mut s = Stream::new(7, 3, PARAMETER);
        let first = s.uniform();
        let second = s.uniform();
        assert_ne!(first, second);
        assert_ne!(first, Stream::new(8, 3, PARAMETER).uniform());
        assert_ne!(first, Stream::new(7, 4, PARAMETER).uniform());
        assert_ne!(first, Stream::new(7, 3, PARAMETER + 1).uniform());
    }

    #[test]
    fn uniforms_are_inside_the_open_interval_and_roughly_uniform() {
        let mut s = Stream::new(1, 0, EVENT);
        let n = 20_000;
        let mut below_half = 0;
        for _ in 0..n {
            let u = s.uniform();
            assert!(u > 0.0 && u < 1.0);
            below_half += usize::from(u < 0.5);
        }
        // Binomial(20000, 0.5): sd 71; 5 sd is a failure chance of 6e-7.
        assert!((below_half as i64 - n / 2).abs() < 355, "{below_half}");
    }
}
