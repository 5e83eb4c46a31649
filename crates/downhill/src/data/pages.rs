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

/// `Vec::with_capacity(cap)`, with the allocation advised to use huge pages before anything
/// is written to it (Linux only, and only from [`HUGE_PAGE_MIN_BYTES`]).
pub fn vec_with_capacity<T>(cap: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(cap);
    let spare = v.spare_capacity_mut();
    let bytes = std::mem::size_of_val(spare);
    if bytes >= HUGE_PAGE_MIN_BYTES {
        #[cfg(target_os = "linux")]
        linux::advise(spare.as_ptr().cast(), bytes, false);
    }
    v
}

/// `n` copies of `v` in a buffer from [`vec_with_capacity`] (huge pages for large buffers).
pub fn filled<T: Copy>(n: usize, v: T) -> Vec<T> {
    let mut out = vec_with_capacity(n);
    out.resize(n, v);
    out
}

/// A copy of `src` in a buffer from [`vec_with_capacity`] (huge pages for large buffers).
pub fn copied<T: Copy>(src: &[T]) -> Vec<T> {
    let mut out = vec_with_capacity(src.len());
    out.extend_from_slice(src);
    out
}

/// Asks the OS to back the 2 MiB-aligned interior of the existing `buf` with huge pages,
/// collapsing its pages now (Linux only; a no-op elsewhere and under
/// [`HUGE_PAGE_MIN_BYTES`]).
pub fn advise_huge_pages<T>(buf: &[T]) {
    let bytes = std::mem::size_of_val(buf);
    if bytes < HUGE_PAGE_MIN_BYTES {
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
