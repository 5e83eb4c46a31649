//! Fused single-pass optimiser updates over equal-length slices, one pass over memory each.
//!
//! Each public function here is [`multiversion!`](crate::multiversion)-dispatched and works on
//! one contiguous chunk; [`super::par`] splits large vectors across rayon threads. Flags that
//! select a variant (weight decay, Nesterov, first step) are lifted out of the loop into const
//! generics so every inner loop is branch-free and vectorises.

use crate::Float;

/// Coefficients of one SGD step (see [`crate::optim::Sgd`] for the rule).
#[derive(Debug, Clone, Copy)]
pub struct SgdStep<T> {
    /// `−γ`.
    pub neg_lr: T,
    /// Weight decay λ (used when `weight_decay` is true).
    pub wd: T,
    /// Whether λ ≠ 0.
    pub weight_decay: bool,
    /// `−1` when maximising, else `1`.
    pub sign: T,
    /// Momentum μ.
    pub mu: T,
    /// `1 − τ` (dampening τ).
    pub one_minus_damp: T,
    /// Nesterov look-ahead.
    pub nesterov: bool,
    /// First momentum step (`b ← g`).
    pub first: bool,
}

/// Coefficients of one Adam/AdamW step, precomputed per step in `f64` and rounded to `T`.
#[derive(Debug, Clone, Copy)]
pub struct AdamStep<T> {
    /// `−lr / (1 − β₁ᵗ)`.
    pub neg_step_size: T,
    /// `1 − β₁` (the `lerp` weight).
    pub one_minus_beta1: T,
    /// β₂.
    pub beta2: T,
    /// `1 − β₂`.
    pub one_minus_beta2: T,
    /// `√(1 − β₂ᵗ)`.
    pub bias_correction2_sqrt: T,
    /// ε.
    pub eps: T,
    /// How weight decay enters.
    pub decay: Decay<T>,
    /// `−1` when maximising, else `1`.
    pub sign: T,
}

/// How weight decay enters an Adam-family step.
#[derive(Debug, Clone, Copy)]
pub enum Decay<T> {
    /// No weight decay.
    None,
    /// L2 (Adam): `g ← g + λθ`.
    L2(T),
    /// Decoupled (AdamW): `θ ← θ·(1 − γλ)`; holds `1 − γλ`.
    Decoupled(T),
}

crate::multiversion! {
    /// `a ← a + s·b` (the bandwidth probe of `downhill bench`: 12 bytes per element).
    pub fn axpy<T: Float>(a: &mut [T], b: &[T], s: T) {
        let n = a.len();
        let b = &b[..n];
        for i in 0..n {
            a[i] += s * b[i];
        }
    }
}

#[inline(always)]
fn sgd_plain<T: Float, const WD: bool>(p: &mut [T], g: &[T], c: &SgdStep<T>) {
    let n = p.len();
    let g = &g[..n];
    for i in 0..n {
        let mut d = g[i] * c.sign;
        if WD {
            d += c.wd * p[i];
        }
        p[i] += c.neg_lr * d;
    }
}

#[inline(always)]
fn sgd_mom<T: Float, const WD: bool, const NEST: bool, const FIRST: bool>(
    p: &mut [T],
    g: &[T],
    b: &mut [T],
    c: &SgdStep<T>,
) {
    let n = p.len();
    let g = &g[..n];
    let b = &mut b[..n];
    for i in 0..n {
        let mut d = g[i] * c.sign;
        if WD {
            d += c.wd * p[i];
        }
        let bi = if FIRST {
            d
        } else {
            b[i] * c.mu + d * c.one_minus_damp
        };
        b[i] = bi;
        let dir = if NEST { d + bi * c.mu } else { bi };
        p[i] += c.neg_lr * dir;
    }
}

crate::multiversion! {
    /// One SGD step without momentum: `θ ← θ − γ(±g + λθ)`.
    pub fn sgd<T: Float>(p: &mut [T], g: &[T], c: &SgdStep<T>) {
        if c.weight_decay {
            sgd_plain::<T, true>(p, g, c)
        } else {
            sgd_plain::<T, false>(p, g, c)
        }
    }
}

crate::multiversion! {
    /// One SGD step with momentum buffer `b` (PyTorch form, optional Nesterov).
    pub fn sgd_momentum<T: Float>(p: &mut [T], g: &[T], b: &mut [T], c: &SgdStep<T>) {
        match (c.weight_decay, c.nesterov, c.first) {
            (false, false, false) => sgd_mom::<T, false, false, false>(p, g, b, c),
            (false, false, true) => sgd_mom::<T, false, false, true>(p, g, b, c),
            (false, true, false) => sgd_mom::<T, false, true, false>(p, g, b, c),
            (false, true, true) => sgd_mom::<T, false, true, true>(p, g, b, c),
            (true, false, false) => sgd_mom::<T, true, false, false>(p, g, b, c),
            (true, false, true) => sgd_mom::<T, true, false, true>(p, g, b, c),
            (true, true, false) => sgd_mom::<T, true, true, false>(p, g, b, c),
            (true, true, true) => sgd_mom::<T, true, true, true>(p, g, b, c),
        }
    }
}

/// `MODE`: 0 no decay, 1 L2, 2 decoupled; `HI`: the `lerp` weight `1 − β₁` is ≥ 0.5.
#[inline(always)]
fn adam_body<T: Float, const MODE: u8, const HI: bool>(
    p: &mut [T],
    g: &[T],
    m: &mut [T],
    v: &mut [T],
    c: &AdamStep<T>,
    wd: T,
) {
    let n = p.len();
    let g = &g[..n];
    let m = &mut m[..n];
    let v = &mut v[..n];
    let one_minus_w = T::one() - c.one_minus_beta1;
    for i in 0..n {
        let mut gi = g[i] * c.sign;
        let mut pi = p[i];
        if MODE == 1 {
            gi += wd * pi;
        }
        if MODE == 2 {
            pi *= wd;
        }
        // exp_avg.lerp_(grad, w = 1 − β₁), with torch's two branches of lerp
        let mi = if HI {
            gi - (gi - m[i]) * one_minus_w
        } else {
            m[i] + c.one_minus_beta1 * (gi - m[i])
        };
        // exp_avg_sq.mul_(β₂).addcmul_(grad, grad, value = 1 − β₂)
        let vi = v[i] * c.beta2 + c.one_minus_beta2 * gi * gi;
        // denom = exp_avg_sq.sqrt() / √bc₂ + ε ; param.addcdiv_(exp_avg, denom, −step_size)
        let denom = vi.sqrt() / c.bias_correction2_sqrt + c.eps;
        p[i] = pi + c.neg_step_size * mi / denom;
        m[i] = mi;
        v[i] = vi;
    }
}

crate::multiversion! {
    /// One Adam/AdamW step over params `p`, gradient `g`, first moment `m`, second moment `v`.
    pub fn adam<T: Float>(p: &mut [T], g: &[T], m: &mut [T], v: &mut [T], c: &AdamStep<T>) {
        let hi = c.one_minus_beta1.abs() >= T::of(0.5);
        match (c.decay, hi) {
            (Decay::None, false) => adam_body::<T, 0, false>(p, g, m, v, c, T::zero()),
            (Decay::L2(wd), false) => adam_body::<T, 1, false>(p, g, m, v, c, wd),
            (Decay::Decoupled(f), false) => adam_body::<T, 2, false>(p, g, m, v, c, f),
            (Decay::None, true) => adam_body::<T, 0, true>(p, g, m, v, c, T::zero()),
            (Decay::L2(wd), true) => adam_body::<T, 1, true>(p, g, m, v, c, wd),
            (Decay::Decoupled(f), true) => adam_body::<T, 2, true>(p, g, m, v, c, f),
        }
    }
}

/// Sum of squares of one chunk in `f64`, with 8 independent accumulators (so it vectorises;
/// the order is fixed by the chunk, not by the thread count).
#[inline(always)]
fn sum_sq_body<T: Float>(x: &[T]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut it = x.chunks_exact(8);
    for c in &mut it {
        for k in 0..8 {
            let v = c[k].f64();
            acc[k] += v * v;
        }
    }
    for (k, v) in it.remainder().iter().enumerate() {
        acc[k] += v.f64() * v.f64();
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

crate::multiversion! {
    /// `Σ xᵢ²` of one chunk into `out[0]` (in `f64`).
    pub fn sum_sq_into<T: Float>(x: &[T], out: &mut f64) {
        *out = sum_sq_body(x);
    }
}

crate::multiversion! {
    /// `x ← s·x`.
    pub fn scale<T: Float>(x: &mut [T], s: T) {
        for v in x.iter_mut() {
            *v *= s;
        }
    }
}

crate::multiversion! {
    /// `z ← max(z, 0)` with NaN mapped to 0 (`z > 0 ? z : 0`): branch-free, so it vectorises.
    pub fn relu<T: Float>(z: &mut [T]) {
        for v in z.iter_mut() {
            *v = if *v > T::zero() { *v } else { T::zero() };
        }
    }
}

crate::multiversion! {
    /// `δ ← a > 0 ? δ : 0` (PyTorch's relu backward, written with the activation `a`).
    pub fn relu_backward<T: Float>(delta: &mut [T], a: &[T]) {
        let a = &a[..delta.len()];
        for (d, &a) in delta.iter_mut().zip(a) {
            *d = if a > T::zero() { *d } else { T::zero() };
        }
    }
}

crate::multiversion! {
    /// `dst ← src`, and whether every element of `src` is finite into `out` — one pass doing
    /// what a copy followed by [`all_finite_into`] would do in two (same test).
    pub fn copy_finite_into<T: Float>(src: &[T], dst: &mut [T], out: &mut bool) {
        let dst = &mut dst[..src.len()];
        let mut acc = [T::zero(); 16];
        // Blocks small enough to still be in L1 when the probe reads them after the copy.
        for (s, d) in src.chunks(1024).zip(dst.chunks_mut(1024)) {
            d.copy_from_slice(s);
            finite_probe(&mut acc, s);
        }
        *out = finite_probe_result(&acc);
    }
}

crate::multiversion! {
    /// Whether every element of `x` is finite, into `out`: one branch-free pass that adds
    /// `xᵢ·0` (±0 for finite values, NaN for ±∞ and NaN) into 16 interleaved sums.
    pub fn all_finite_into<T: Float>(x: &[T], out: &mut bool) {
        let mut acc = [T::zero(); 16];
        finite_probe(&mut acc, x);
        *out = finite_probe_result(&acc);
    }
}

/// Adds `xᵢ·0` (±0 for finite values, NaN for ±∞ and NaN) into 16 interleaved sums.
#[inline(always)]
fn finite_probe<T: Float>(acc: &mut [T; 16], x: &[T]) {
    let chunks = x.chunks_exact(16);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..16 {
            acc[l] += c[l] * T::zero();
        }
    }
    for (l, v) in tail.iter().enumerate() {
        acc[l] += *v * T::zero();
    }
}

/// Whether every value fed to [`finite_probe`] was finite.
#[inline(always)]
fn finite_probe_result<T: Float>(acc: &[T; 16]) -> bool {
    acc.iter().all(|a| *a == T::zero())
}
