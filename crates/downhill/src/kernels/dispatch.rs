//! Runtime CPU-feature dispatch for the elementwise kernels.
//!
//! [`multiversion!`](crate::multiversion) turns one generic function body into three copies
//! compiled for AVX-512 (x86-64-v4), AVX2 + FMA (x86-64-v3) and the baseline target, and picks
//! one at run time with [`level`], so a plain `cargo build --release` uses the widest vectors
//! the machine has. The bodies are plain scalar loops over equal-length slices that LLVM
//! auto-vectorises; Rust never contracts `a * b + c` into an FMA on its own, so all three
//! copies round identically and their results are bit-identical.

use std::sync::atomic::{AtomicU8, Ordering};

/// The instruction-set level a kernel runs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The compile-time baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 + FMA (x86-64-v3).
    Avx2,
    /// AVX-512 F/VL/BW/DQ (x86-64-v4).
    Avx512,
}

impl Level {
    /// A short name (`"avx512"`, `"avx2"`, `"baseline"`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(u8::MAX);
/// Ceiling set by [`set_max_level`] (for benchmarks comparing levels).
static MAX_LEVEL: AtomicU8 = AtomicU8::new(2);

fn detect() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            return Level::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Level::Avx2;
        }
    }
    Level::Baseline
}

fn from_u8(v: u8) -> Level {
    match v {
        2 => Level::Avx512,
        1 => Level::Avx2,
        _ => Level::Baseline,
    }
}

/// The level the kernels run at: the best the CPU supports, capped by [`set_max_level`].
#[inline]
pub fn level() -> Level {
    let v = LEVEL.load(Ordering::Relaxed);
    if v != u8::MAX {
        return from_u8(v);
    }
    let l = (detect() as u8).min(MAX_LEVEL.load(Ordering::Relaxed));
    LEVEL.store(l, Ordering::Relaxed);
    from_u8(l)
}

/// The best level this CPU supports, ignoring any cap.
pub fn detected() -> Level {
    detect()
}

/// Caps the level (e.g. `Level::Baseline` to measure what dispatch buys). Results do not
/// change — every level rounds identically — only speed does.
pub fn set_max_level(max: Level) {
    MAX_LEVEL.store(max as u8, Ordering::Relaxed);
    LEVEL.store((detect() as u8).min(max as u8), Ordering::Relaxed);
}

/// Defines `fn NAME<T: Float>(args…)` whose body is compiled three times (AVX-512, AVX2+FMA,
/// baseline) and dispatched on [`level`] at run time.
///
/// The only `unsafe` in the crate lives in the expansion of this macro: calling a
/// `#[target_feature]` function is unsafe because the CPU must support the feature, and the
/// call is made only after [`level`] has detected exactly those features at run time.
#[macro_export]
#[doc(hidden)]
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident<T: Float>($($arg:ident : $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        #[allow(unsafe_code)]
        $vis fn $name<T: $crate::Float>($($arg: $ty),*) {
            #[inline(always)]
            fn body<T: $crate::Float>($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
                fn v4<T: $crate::Float>($($arg: $ty),*) {
                    body::<T>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn v3<T: $crate::Float>($($arg: $ty),*) {
                    body::<T>($($arg),*)
                }
                match $crate::kernels::dispatch::level() {
                    // SAFETY: `level()` returned Avx512 only after detecting every feature
                    // `v4` is compiled with.
                    $crate::kernels::dispatch::Level::Avx512 => return unsafe { v4::<T>($($arg),*) },
                    // SAFETY: as above, for AVX2 and FMA.
                    $crate::kernels::dispatch::Level::Avx2 => return unsafe { v3::<T>($($arg),*) },
                    $crate::kernels::dispatch::Level::Baseline => {}
                }
            }
            body::<T>($($arg),*)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_is_at_most_detected() {
        assert!(level() <= detected());
        assert!(!detected().name().is_empty());
    }
}
