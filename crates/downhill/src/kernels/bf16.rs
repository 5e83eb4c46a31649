//! Optimiser state stored as bfloat16 (the top 16 bits of an `f32`), written back with
//! stochastic rounding so that small updates are kept in expectation.
//!
//! Rounding `x` (as `f32` bits `b`) to bfloat16: add 16 random bits `r` to `b` and truncate,
//! `bf16(x) = (b + r) >> 16`, which rounds the magnitude up with probability equal to the
//! dropped fraction — unbiased, `E[bf16(x)] = x`. The random bits are a hash of
//! (`seed`, step, element index), so results do not depend on chunking or thread count and
//! a run is reproducible. Non-finite values are truncated (NaN stays NaN).
//!
//! Bytes per `f32` parameter and step: Adam 20 (θ, g 4 + 4 read; m, v 2 + 2 read; θ 4, m, v
//! 2 + 2 written) instead of 28; SGD with momentum 16 instead of 20.

use super::update::{AdamStep, Decay, SgdStep};
use crate::Float;

/// bfloat16 bits to `f32` (exact).
#[inline(always)]
pub fn to_f32(b: u16) -> f32 {
    f32::from_bits((b as u32) << 16)
}

/// Round-to-nearest-even `f32` → bfloat16 (for initialising and checkpoint loading).
pub fn from_f32_nearest(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    let round = 0x7fff + ((b >> 16) & 1);
    (b.wrapping_add(round) >> 16) as u16
}

/// 32 well-mixed bits from (`key`, `i`) (murmur3's finaliser; vectorises).
#[inline(always)]
fn hash(key: u32, i: u32) -> u32 {
    let mut x = i.wrapping_mul(0x9E37_79B1) ^ key;
    x ^= x >> 16;
    x = x.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 13;
    x = x.wrapping_mul(0xC2B2_AE35);
    x ^ (x >> 16)
}

/// The rounding bits of element `i` at a step keyed `key`: one multiply (a Weyl step, whose
/// low 16 bits run through every value once per 2¹⁶ consecutive indices) folded with its
/// high half. Three times cheaper than [`hash`] in the vectorised loops, where the
/// multiplies and shifts compete with the update's `sqrt` and division for one port;
/// `key` (a full [`hash`] of seed and step, see [`step_key`]) decorrelates the steps.
#[inline(always)]
fn bits(key: u32, i: u32) -> u32 {
    let x = (i ^ key).wrapping_mul(0x9E37_79B1);
    x ^ (x >> 16)
}

/// Stochastic rounding of `x` to bfloat16 with random bits from `bits(key, i)`.
#[inline(always)]
fn round_sr(x: f32, key: u32, i: u32) -> u16 {
    round_bits(x, bits(key, i))
}

/// Stochastic rounding of `x` to bfloat16 using the low 16 bits of `r` as randomness.
#[inline(always)]
fn round_bits(x: f32, r: u32) -> u16 {
    let b = x.to_bits();
    if (b & 0x7f80_0000) == 0x7f80_0000 {
        // Inf or NaN: keep (set a mantissa bit so a NaN cannot truncate to Inf).
        let nan_bit = if b & 0x007f_ffff != 0 { 0x40 } else { 0 };
        return ((b >> 16) as u16) | nan_bit;
    }
    (b.wrapping_add(r & 0xffff) >> 16) as u16
}

/// The per-step key: mixes the run's seed and the step number.
pub fn step_key(seed: u64, step: u64) -> u32 {
    hash(
        (seed ^ (seed >> 32)) as u32,
        (step as u32).wrapping_mul(0x2545_F491) ^ 0x5bd1_e995,
    )
}

/// SGD with momentum, momentum buffer in bfloat16; `offset` is the index of `p[0]` in the
/// whole parameter vector (for the rounding bits).
#[inline(always)]
fn sgd_mom_bf16<T: Float, const FIRST: bool>(
    p: &mut [T],
    g: &[T],
    b: &mut [u16],
    c: &SgdStep<T>,
    key: u32,
    offset: usize,
) {
    let n = p.len();
    let g = &g[..n];
    let b = &mut b[..n];
    let (mu, omd) = (c.mu.f64() as f32, c.one_minus_damp.f64() as f32);
    let (wd, sign) = (c.wd.f64() as f32, c.sign.f64() as f32);
    let nlr = c.neg_lr.f64() as f32;
    for i in 0..n {
        let pi = p[i].f64() as f32;
        let mut d = g[i].f64() as f32 * sign;
        if c.weight_decay {
            d += wd * pi;
        }
        let bi = if FIRST {
            d
        } else {
            to_f32(b[i]) * mu + d * omd
        };
        b[i] = round_sr(bi, key, (offset as u32).wrapping_add(i as u32));
        let dir = if c.nesterov { d + bi * mu } else { bi };
        p[i] = T::of((pi + nlr * dir) as f64);
    }
}

crate::multiversion! {
    /// One SGD-with-momentum step with a bfloat16 momentum buffer (see the module docs).
    pub fn sgd_momentum<T: Float>(p: &mut [T], g: &[T], b: &mut [u16], c: &SgdStep<T>, key: u32, offset: usize) {
        if c.first {
            sgd_mom_bf16::<T, true>(p, g, b, c, key, offset)
        } else {
            sgd_mom_bf16::<T, false>(p, g, b, c, key, offset)
        }
    }
}

crate::multiversion! {
    /// One Adam/AdamW step with both moments in bfloat16 (see the module docs). The update
    /// itself is computed in `f32` from the unrounded new moments (dividing by √(1 − β₂ᵗ) as
    /// a multiplication by its reciprocal: this path is not bit-compared with the f32 one).
    pub fn adam<T: Float>(p: &mut [T], g: &[T], m: &mut [u16], v: &mut [u16], c: &AdamStep<T>, key: u32, offset: usize) {
        let n = p.len();
        let g = &g[..n];
        let m = &mut m[..n];
        let v = &mut v[..n];
        let f = |x: T| x.f64() as f32;
        let (w1, b2, w2) = (f(c.one_minus_beta1), f(c.beta2), f(c.one_minus_beta2));
        let (bc2, eps, nss, sign) = (f(c.bias_correction2_sqrt), f(c.eps), f(c.neg_step_size), f(c.sign));
        let (l2, dec) = match c.decay {
            Decay::None => (0.0f32, 1.0f32),
            Decay::L2(wd) => (f(wd), 1.0),
            Decay::Decoupled(d) => (0.0, f(d)),
        };
        let inv_bc2 = 1.0 / bc2;
        for i in 0..n {
            let pi = p[i].f64() as f32 * dec;
            let gi = g[i].f64() as f32 * sign + l2 * pi;
            let m0 = to_f32(m[i]);
            let mi = m0 + w1 * (gi - m0);
            let vi = to_f32(v[i]) * b2 + w2 * gi * gi;
            let denom = vi.sqrt() * inv_bc2 + eps;
            p[i] = T::of((pi + nss * mi / denom) as f64);
            // One draw per element: its low half rounds m, its high half v.
            // The index in 32 bits (wrapping, as before): keeps the loop in 32-bit lanes.
            let r = bits(key, (offset as u32).wrapping_add(i as u32));
            m[i] = round_bits(mi, r);
            v[i] = round_bits(vi, r >> 16);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip_and_round_to_nearest_even() {
        for x in [
            0.0f32,
            1.0,
            -2.5,
            3.140625,
            2f32.powi(-100),
            -(2f32.powi(100)),
        ] {
            assert_eq!(to_f32(from_f32_nearest(x)), x, "{x} is exact in bf16");
        }
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties to even (1).
        assert_eq!(to_f32(from_f32_nearest(1.0 + 1.0 / 256.0)), 1.0);
        assert_eq!(
            to_f32(from_f32_nearest(1.0 + 3.0 / 256.0)),
            1.0 + 4.0 / 256.0
        );
        assert!(to_f32(from_f32_nearest(f32::NAN)).is_nan());
        assert!(to_f32(round_sr(f32::NAN, 1, 2)).is_nan());
        assert_eq!(to_f32(round_sr(f32::INFINITY, 1, 2)), f32::INFINITY);
    }

    #[test]
    fn stochastic_rounding_is_unbiased() {
        // x = 1 + 0.3·2^-7: rounds to 1 + 2^-7 with probability 0.3.
        let x = 1.0f32 + 0.3 / 128.0;
        let n = 200_000u32;
        let mean: f64 = (0..n)
            .map(|i| to_f32(round_sr(x, 7, i)) as f64)
            .sum::<f64>()
            / n as f64;
        assert!((mean - x as f64).abs() < 2e-5, "{mean} vs {x}");
        let neg: f64 = (0..n)
            .map(|i| to_f32(round_sr(-x, 7, i)) as f64)
            .sum::<f64>()
            / n as f64;
        assert!((neg + x as f64).abs() < 2e-5);
    }

    fn coeffs(t: i32) -> AdamStep<f32> {
        let (b1, b2, lr) = (0.9f64, 0.999f64, 1e-2f64);
        AdamStep {
            neg_step_size: (-lr / (1.0 - b1.powi(t))) as f32,
            one_minus_beta1: (1.0 - b1) as f32,
            beta2: b2 as f32,
            one_minus_beta2: (1.0 - b2) as f32,
            bias_correction2_sqrt: (1.0 - b2.powi(t)).sqrt() as f32,
            eps: 1e-8,
            decay: Decay::None,
            sign: 1.0,
        }
    }

    /// Adam on ½‖x − t‖²: bf16 state reaches the f32-state loss within 1 %, and is
    /// bit-identical for 1 and 3 threads.
    #[test]
    fn adam_bf16_tracks_f32_state_and_ignores_thread_count() {
        let n = crate::kernels::par::PAR_MIN + 17;
        let target: Vec<f32> = (0..n).map(|i| ((i % 97) as f32 - 48.0) / 16.0).collect();
        let run = |bf: bool| {
            let mut x = vec![0.0f32; n];
            let (mut m, mut v) = (vec![0.0f32; n], vec![0.0f32; n]);
            let (mut mb, mut vb) = (vec![0u16; n], vec![0u16; n]);
            let mut g = vec![0.0f32; n];
            for t in 1..=300 {
                for i in 0..n {
                    g[i] = x[i] - target[i];
                }
                if bf {
                    let key = step_key(42, t as u64);
                    crate::kernels::adam_bf16(&mut x, &g, &mut mb, &mut vb, &coeffs(t), key);
                } else {
                    crate::kernels::adam(&mut x, &g, &mut m, &mut v, &coeffs(t));
                }
            }
            let loss: f64 = x
                .iter()
                .zip(&target)
                .map(|(a, b)| 0.5 * ((a - b) as f64).powi(2))
                .sum();
            (loss / n as f64, x)
        };
        let (l32, _) = run(false);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let (l16, x1) = one.install(|| run(true));
        let (_, x3) = three.install(|| run(true));
        assert!(x1.iter().zip(&x3).all(|(a, b)| a.to_bits() == b.to_bits()));
        let l0: f64 = target
            .iter()
            .map(|t| 0.5 * (*t as f64).powi(2))
            .sum::<f64>()
            / n as f64;
        assert!(l32 < 0.2 * l0, "{l32} vs {l0}");
        assert!((l16 - l32).abs() <= 0.01 * l32, "bf16 {l16} vs f32 {l32}");
    }
}
