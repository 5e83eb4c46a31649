//! [`Float`]: the one numeric trait of the library, implemented for `f32` and `f64`.

use std::fmt::{Debug, Display};

/// A floating-point scalar that parameters, gradients and optimiser state are stored in.
///
/// Hyperparameters (learning rates, betas, …) are kept as `f64` everywhere and converted
/// with [`Float::of`] at the point of use, as PyTorch keeps them as Python floats.
pub trait Float:
    num_traits::Float
    + num_traits::FloatConst
    + num_traits::NumAssign
    + Copy
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + std::iter::Sum
    + 'static
{
    /// Short name of the type (`"f32"` or `"f64"`).
    const NAME: &'static str;
    /// Converts an `f64` (rounding to nearest for `f32`).
    fn of(x: f64) -> Self;
    /// Widens to `f64` (exact for both types).
    fn f64(self) -> f64;
    /// The slice itself when `Self` is `f64` (lets `f64`-only code skip a copy), else `None`.
    fn as_f64s(_xs: &[Self]) -> Option<&[f64]> {
        None
    }
    /// Mutable version of [`Float::as_f64s`].
    fn as_f64s_mut(_xs: &mut [Self]) -> Option<&mut [f64]> {
        None
    }
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self as f64
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    fn as_f64s(xs: &[Self]) -> Option<&[f64]> {
        Some(xs)
    }
    fn as_f64s_mut(xs: &mut [Self]) -> Option<&mut [f64]> {
        Some(xs)
    }
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self
    }
}

/// Converts a slice of `f64` into a `Vec<T>`.
pub fn vec_of<T: Float>(xs: &[f64]) -> Vec<T> {
    xs.iter().map(|&x| T::of(x)).collect()
}

/// Widens a slice of `T` into a `Vec<f64>`.
pub fn to_f64s<T: Float>(xs: &[T]) -> Vec<f64> {
    xs.iter().map(|x| x.f64()).collect()
}
