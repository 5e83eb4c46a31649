//! Rayon across fixed-size chunks for long vectors.
//!
//! Elementwise updates are independent per element, so splitting them across threads gives
//! bit-identical results for any thread count. The reduction [`sum_sq`] splits at points that
//! depend only on the length (a fixed binary tree of [`CHUNK`]-sized leaves), so its rounding
//! is the same whatever the number of threads, too.

use rayon::prelude::*;

use super::update::{self, AdamStep, SgdStep};
use crate::Float;

/// Elements per parallel work item (256 KiB of `f32` per buffer).
pub const CHUNK: usize = 1 << 16;
/// Vectors shorter than this run on the calling thread (rayon overhead is not worth it).
pub const PAR_MIN: usize = 1 << 18;

/// `a ← a + s·b`, in parallel for long vectors.
pub fn axpy<T: Float>(a: &mut [T], b: &[T], s: T) {
    if a.len() < PAR_MIN {
        return update::axpy(a, b, s);
    }
    a.par_chunks_mut(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .for_each(|(a, b)| update::axpy(a, b, s));
}

/// One SGD step (no momentum buffer), in parallel for long vectors.
pub fn sgd<T: Float>(p: &mut [T], g: &[T], c: &SgdStep<T>) {
    if p.len() < PAR_MIN {
        return update::sgd(p, g, c);
    }
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .for_each(|(p, g)| update::sgd(p, g, c));
}

/// One SGD-with-momentum step, in parallel for long vectors.
pub fn sgd_momentum<T: Float>(p: &mut [T], g: &[T], b: &mut [T], c: &SgdStep<T>) {
    if p.len() < PAR_MIN {
        return update::sgd_momentum(p, g, b, c);
    }
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .zip(b.par_chunks_mut(CHUNK))
        .for_each(|((p, g), b)| update::sgd_momentum(p, g, b, c));
}

/// One Adam/AdamW step, in parallel for long vectors.
pub fn adam<T: Float>(p: &mut [T], g: &[T], m: &mut [T], v: &mut [T], c: &AdamStep<T>) {
    if p.len() < PAR_MIN {
        return update::adam(p, g, m, v, c);
    }
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .zip(m.par_chunks_mut(CHUNK))
        .zip(v.par_chunks_mut(CHUNK))
        .for_each(|(((p, g), m), v)| update::adam(p, g, m, v, c));
}

/// `Σ xᵢ²` in `f64`, deterministic: the same bits for any thread count.
pub fn sum_sq<T: Float>(x: &[T]) -> f64 {
    if x.len() <= CHUNK {
        let mut s = 0.0;
        update::sum_sq_into(x, &mut s);
        return s;
    }
    // Split at a multiple of CHUNK near the middle: a tree fixed by the length alone.
    let leaves = x.len().div_ceil(CHUNK);
    let mid = (leaves / 2) * CHUNK;
    let (a, b) = x.split_at(mid);
    if x.len() < PAR_MIN {
        sum_sq(a) + sum_sq(b)
    } else {
        let (sa, sb) = rayon::join(|| sum_sq(a), || sum_sq(b));
        sa + sb
    }
}

/// `‖x‖₂` (see [`sum_sq`]).
pub fn norm2<T: Float>(x: &[T]) -> f64 {
    sum_sq(x).sqrt()
}

/// `x ← s·x`, in parallel for long vectors (used by gradient clipping).
pub fn scale<T: Float>(x: &mut [T], s: T) {
    if x.len() < PAR_MIN {
        return update::scale(x, s);
    }
    x.par_chunks_mut(CHUNK).for_each(|x| update::scale(x, s));
}

/// One SGD-with-momentum step with a bfloat16 buffer ([`super::bf16`]); same bits for any
/// thread count (the rounding bits depend on the element index, not on the chunking).
pub fn sgd_momentum_bf16<T: Float>(p: &mut [T], g: &[T], b: &mut [u16], c: &SgdStep<T>, key: u32) {
    if p.len() < PAR_MIN {
        return super::bf16::sgd_momentum(p, g, b, c, key, 0);
    }
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .zip(b.par_chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(k, ((p, g), b))| super::bf16::sgd_momentum(p, g, b, c, key, k * CHUNK));
}

/// One Adam/AdamW step with bfloat16 moments ([`super::bf16`]); thread-count independent.
pub fn adam_bf16<T: Float>(
    p: &mut [T],
    g: &[T],
    m: &mut [u16],
    v: &mut [u16],
    c: &AdamStep<T>,
    key: u32,
) {
    if p.len() < PAR_MIN {
        return super::bf16::adam(p, g, m, v, c, key, 0);
    }
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .zip(m.par_chunks_mut(CHUNK))
        .zip(v.par_chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(k, (((p, g), m), v))| super::bf16::adam(p, g, m, v, c, key, k * CHUNK));
}

/// Whether every element of `x` is finite (no NaN, no ±∞), in parallel for long vectors.
pub fn all_finite<T: Float>(x: &[T]) -> bool {
    let one = |c: &[T]| {
        let mut ok = false;
        update::all_finite_into(c, &mut ok);
        ok
    };
    if x.len() < PAR_MIN {
        return one(x);
    }
    x.par_chunks(CHUNK).all(one)
}
