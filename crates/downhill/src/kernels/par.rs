//! Rayon across fixed-size chunks for long vectors.
//!
//! Elementwise updates are independent per element, so splitting them across threads gives
//! bit-identical results for any thread count and any split; they are cut into a few long
//! contiguous pieces per thread ([`piece_len`]: long runs keep the hardware prefetchers
//! streaming and the per-task overhead negligible — 64 Ki-element tasks were ≈ 12 % slower
//! on an L3-resident 10⁷-element update). The reduction [`sum_sq`] splits at points that
//! depend only on the length (a fixed binary tree of [`CHUNK`]-sized leaves), so its rounding
//! is the same whatever the number of threads, too.

use rayon::prelude::*;

use super::update::{self, AdamStep, SgdStep};
use crate::Float;

/// Elements per parallel work item (256 KiB of `f32` per buffer).
pub const CHUNK: usize = 1 << 16;
/// Vectors shorter than this run on the calling thread (rayon overhead is not worth it).
/// 2¹⁷: the MLP 784-256-10's 203 530 parameters (an 800 KB SGD step and divergence check per
/// batch of 64) are split in pieces, 4 of [`CHUNK`].
pub const PAR_MIN: usize = 1 << 17;

/// Pieces per thread for the elementwise updates (a few, so that a thread slowed by other
/// work on the machine leaves its last pieces to the others).
const PIECES_PER_THREAD: usize = 4;

/// The length of the contiguous pieces an elementwise update of `n` elements is cut into:
/// about `n / (PIECES_PER_THREAD · threads)`, at least [`CHUNK`], a multiple of 64 elements
/// (whole vectors and cache lines). Results never depend on it.
pub fn piece_len(n: usize) -> usize {
    let t = rayon::current_num_threads().max(1);
    n.div_ceil(PIECES_PER_THREAD * t)
        .next_multiple_of(64)
        .max(CHUNK)
}

/// `a ← a + s·b`, in parallel for long vectors.
pub fn axpy<T: Float>(a: &mut [T], b: &[T], s: T) {
    if a.len() < PAR_MIN {
        return update::axpy(a, b, s);
    }
    let c_len = piece_len(a.len());
    a.par_chunks_mut(c_len)
        .zip(b.par_chunks(c_len))
        .for_each(|(a, b)| update::axpy(a, b, s));
}

/// One SGD step (no momentum buffer), in parallel for long vectors.
pub fn sgd<T: Float>(p: &mut [T], g: &[T], c: &SgdStep<T>) {
    if p.len() < PAR_MIN {
        return update::sgd(p, g, c);
    }
    let c_len = piece_len(p.len());
    p.par_chunks_mut(c_len)
        .zip(g.par_chunks(c_len))
        .for_each(|(p, g)| update::sgd(p, g, c));
}

/// One SGD-with-momentum step, in parallel for long vectors.
pub fn sgd_momentum<T: Float>(p: &mut [T], g: &[T], b: &mut [T], c: &SgdStep<T>) {
    if p.len() < PAR_MIN {
        return update::sgd_momentum(p, g, b, c);
    }
    let c_len = piece_len(p.len());
    p.par_chunks_mut(c_len)
        .zip(g.par_chunks(c_len))
        .zip(b.par_chunks_mut(c_len))
        .for_each(|((p, g), b)| update::sgd_momentum(p, g, b, c));
}

/// One Adam/AdamW step, in parallel for long vectors.
pub fn adam<T: Float>(p: &mut [T], g: &[T], m: &mut [T], v: &mut [T], c: &AdamStep<T>) {
    if p.len() < PAR_MIN {
        return update::adam(p, g, m, v, c);
    }
    let c_len = piece_len(p.len());
    p.par_chunks_mut(c_len)
        .zip(g.par_chunks(c_len))
        .zip(m.par_chunks_mut(c_len))
        .zip(v.par_chunks_mut(c_len))
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
    let c_len = piece_len(x.len());
    x.par_chunks_mut(c_len).for_each(|x| update::scale(x, s));
}

/// One SGD-with-momentum step with a bfloat16 buffer ([`super::bf16`]); same bits for any
/// thread count (the rounding bits depend on the element index, not on the chunking).
pub fn sgd_momentum_bf16<T: Float>(p: &mut [T], g: &[T], b: &mut [u16], c: &SgdStep<T>, key: u32) {
    if p.len() < PAR_MIN {
        return super::bf16::sgd_momentum(p, g, b, c, key, 0);
    }
    let c_len = piece_len(p.len());
    p.par_chunks_mut(c_len)
        .zip(g.par_chunks(c_len))
        .zip(b.par_chunks_mut(c_len))
        .enumerate()
        .for_each(|(k, ((p, g), b))| super::bf16::sgd_momentum(p, g, b, c, key, k * c_len));
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
    let c_len = piece_len(p.len());
    p.par_chunks_mut(c_len)
        .zip(g.par_chunks(c_len))
        .zip(m.par_chunks_mut(c_len))
        .zip(v.par_chunks_mut(c_len))
        .enumerate()
        .for_each(|(k, (((p, g), m), v))| super::bf16::adam(p, g, m, v, c, key, k * c_len));
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

/// `dst ← src` and whether every element of `src` is finite, in one pass (in parallel for
/// long vectors). `dst` is fully written either way.
pub fn copy_if_finite<T: Float>(src: &[T], dst: &mut [T]) -> bool {
    let one = |s: &[T], d: &mut [T]| {
        let mut ok = false;
        update::copy_finite_into(s, d, &mut ok);
        ok
    };
    if src.len() < PAR_MIN {
        return one(src, &mut dst[..src.len()]);
    }
    let c_len = piece_len(src.len());
    src.par_chunks(c_len)
        .zip(dst.par_chunks_mut(c_len))
        .map(|(s, d)| one(s, d))
        .reduce(|| true, |a, b| a && b)
}
