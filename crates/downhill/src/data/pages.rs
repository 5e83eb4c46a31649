//! Backing large feature matrices with huge pages.
//!
//! Mini-batch training reads rows picked at random from the whole matrix. With 4 KiB pages a
//! matrix of hundreds of megabytes spans ~10⁵ pages, so nearly every row costs a TLB miss and
//! a page walk (two-level under virtualisation) before its first byte arrives; with 2 MiB
//! pages the whole matrix fits the TLB. On Linux, [`vec_with_capacity`] allocates a buffer and
//! advises the kernel (`MADV_HUGEPAGE`) *before* it is written, so its pages fault in as
//! transparent huge pages; every loader (CSV, .npy, built-in and synthetic data, `select`,
//! `cast`) allocates its feature matrix this way. [`advise_huge_pages`] does the same for a
//! buffer that already exists, and also collapses its written pages (`MADV_COLLAPSE`,
//! Linux ≥ 6.1 — a copy, ≈ 2 s per GB here). Both are hints: contents never change, and where
//! the kernel refuses (older kernels, THP disabled) nothing happens.

/// Buffers smaller than this are left alone (they fit the caches' reach anyway).
pub const HUGE_PAGE_MIN_BYTES: usize = 32 << 20;

/// Whether the advice is given at all: yes unless the environment variable
/// `DOWNHILL_HUGE_PAGES` is `0` (read once; for measuring what huge pages buy).
pub fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DOWNHILL_HUGE_PAGES").is_none_or(|v| v != "0"))
}

/// `Vec::with_capacity(cap)`, with the allocation advised to use huge pages before anything
/// is written to it (Linux only, only from [`HUGE_PAGE_MIN_BYTES`], and only if
/// [`enabled`]).
pub fn vec_with_capacity<T>(cap: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(cap);
    let spare = v.spare_capacity_mut();
    let bytes = std::mem::size_of_val(spare);
    if bytes >= HUGE_PAGE_MIN_BYTES && enabled() {
        #[cfg(target_os = "linux")]
        linux::advise(spare.as_ptr().cast(), bytes, false);
    }
    v
}

/// Streamed buffers (optimiser state, parameters, gradients: read and written front to back
/// every step) smaller than this are left alone. Measured with `downhill bench step
/// --optimizer sgd_momentum` on 2 threads: at 10⁸ `f32` (400 MB buffers) huge pages made steps
/// ≈ 10 % faster (Adam 64.7 → 56.8 ms), at 10⁷ (40 MB, within this machine's large L3) they
/// made SGD-momentum steps 2.9 ms or 5.6–6.0 ms from run to run against a steady 2.9–3.05 ms
/// without — so only buffers well beyond that get them (10⁸ bf16 moments, 200 MB, do).
pub const STREAMED_HUGE_PAGE_MIN_BYTES: usize = 128 << 20;

/// `Vec::with_capacity(cap)` for a streamed buffer: huge pages as [`vec_with_capacity`], but
/// only from [`STREAMED_HUGE_PAGE_MIN_BYTES`].
pub fn streamed_with_capacity<T>(cap: usize) -> Vec<T> {
    if cap.saturating_mul(std::mem::size_of::<T>()) >= STREAMED_HUGE_PAGE_MIN_BYTES {
        vec_with_capacity(cap)
    } else {
        Vec::with_capacity(cap)
    }
}

/// `n` copies of `v` in a streamed buffer ([`streamed_with_capacity`]).
pub fn filled<T: Copy>(n: usize, v: T) -> Vec<T> {
    let mut out = streamed_with_capacity(n);
    out.resize(n, v);
    out
}

/// A copy of `src` in a streamed buffer ([`streamed_with_capacity`]).
pub fn copied<T: Copy>(src: &[T]) -> Vec<T> {
    let mut out = streamed_with_capacity(src.len());
    out.extend_from_slice(src);
    out
}

/// Asks the OS to back the 2 MiB-aligned interior of the existing `buf` with huge pages,
/// collapsing its pages now (Linux only; a no-op elsewhere and under
/// [`HUGE_PAGE_MIN_BYTES`]).
pub fn advise_huge_pages<T>(buf: &[T]) {
    let bytes = std::mem::size_of_val(buf);
    if bytes < HUGE_PAGE_MIN_BYTES || !enabled() {
        return;
    }
    #[cfg(target_os = "linux")]
    linux::advise(buf.as_ptr().cast(), bytes, true);
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod linux {
    /// `MADV_COLLAPSE` (Linux 6.1; the same value on every architecture).
    const MADV_COLLAPSE: libc::c_int = 25;
    const HUGE: usize = 2 << 20;

    pub(super) fn advise(start: *const u8, bytes: usize, collapse: bool) {
        let (lo, hi) = (start as usize, start as usize + bytes);
        let a = lo.next_multiple_of(HUGE);
        let b = hi / HUGE * HUGE;
        if b <= a {
            return;
        }
        let p = a as *mut libc::c_void;
        // SAFETY: [a, b) lies inside one live allocation that the caller borrows (written or
        // not: advice on untouched pages only shapes how they fault in later). Both advices
        // only change how the kernel maps these pages, never their contents (a collapse copies
        // them into a huge page under the page-table lock), so no Rust reference is affected.
        // Failures (EINVAL on old kernels, THP disabled) are ignored: this is only a hint.
        unsafe {
            libc::madvise(p, b - a, libc::MADV_HUGEPAGE);
            if collapse {
                libc::madvise(p, b - a, MADV_COLLAPSE);
            }
        }
    }
}
