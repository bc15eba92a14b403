//! A tiny seeded RNG (SplitMix64): reproducible across platforms and
//! versions, no dependency.

/// SplitMix64 generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize % n.max(1)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Pick an element.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Sampler over a cumulative weight table (Zipf-like name frequencies).
#[derive(Clone, Debug)]
pub struct Weighted {
    cum: Vec<f64>,
}

impl Weighted {
    /// Zipf weights 1/(rank+shift)^s for `n` items.
    pub fn zipf(n: usize, s: f64, shift: f64) -> Weighted {
        let mut cum = Vec::with_capacity(n);
        let mut t = 0.0;
        for r in 0..n {
            t += 1.0 / (r as f64 + 1.0 + shift).powf(s);
            cum.push(t);
        }
        Weighted { cum }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let x = rng.f64() * self.cum.last().copied().unwrap_or(0.0);
        self.cum
            .partition_point(|&c| c <= x)
            .min(self.cum.len().saturating_sub(1))
    }
}
