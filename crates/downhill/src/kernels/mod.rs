//! Hot loops: fused, vectorised, runtime-dispatched and (for long vectors) multi-threaded
//! optimiser updates and reductions.
//!
//! - [`dispatch`] — CPU-feature detection and the `multiversion!` macro (AVX-512 / AVX2 /
//!   baseline copies of one body).
//! - [`update`] — single-chunk kernels: `axpy` (the bandwidth probe), SGD, SGD with momentum,
//!   Adam/AdamW, sum of squares, scale, copy-and-check-finite (the trainer's divergence
//!   guard), relu forward and backward.
//! - [`par`] — the same over long vectors with rayon, bit-identical to one thread.
//! - [`bf16`] — Adam and SGD-momentum steps with bfloat16 state and stochastic rounding.
//! - [`gemm`] — matrix products of the models (the `gemm` crate: AVX-512, rayon).
//! - [`rows`] — one dense layer over rows picked in place (the single-layer models' batches).
//!
//! Optimisers call [`par`]; the results equal those of a plain scalar loop with the same
//! operation order bit for bit (no FMA contraction, IEEE `sqrt` and division).

pub mod bf16;
pub mod dispatch;
pub mod gemm;
pub mod par;
pub mod rows;
pub mod update;

pub use par::{
    adam, adam_bf16, all_finite, axpy, copy_if_finite, norm2, scale, sgd, sgd_momentum,
    sgd_momentum_bf16, sum_sq,
};
pub use update::{AdamStep, Decay, SgdStep};

#[cfg(test)]
mod tests;
