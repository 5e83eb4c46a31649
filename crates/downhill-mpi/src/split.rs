//! Contiguous, balanced splits of `0..len` into `k` parts (batches into chunks, chunks and
//! dataset rows into ranks).

use std::ops::Range;

/// Part `i` of `0..len` cut into `k` contiguous parts whose lengths differ by at most one:
/// `[i·len/k, (i+1)·len/k)`. Returns an empty range when `k == 0`.
pub fn part(len: usize, k: usize, i: usize) -> Range<usize> {
    if k == 0 {
        return 0..0;
    }
    (i * len / k)..((i + 1) * len / k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_tile_the_range_and_are_balanced() {
        for len in 0..40 {
            for k in 1..9 {
                let parts: Vec<_> = (0..k).map(|i| part(len, k, i)).collect();
                assert_eq!(parts[0].start, 0);
                assert_eq!(parts[k - 1].end, len);
                for w in parts.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                }
                let lens: Vec<_> = parts.iter().map(|p| p.len()).collect();
                let (lo, hi) = (lens.iter().min().unwrap(), lens.iter().max().unwrap());
                assert!(hi - lo <= 1, "len {len} k {k}: {lens:?}");
            }
        }
    }

    #[test]
    fn chunks_of_ranks_nest() {
        // 8 chunks over 2 ranks = ranks own chunks 0..4 and 4..8.
        assert_eq!(part(8, 2, 1), 4..8);
        assert_eq!(part(100, 8, 3), 37..50);
    }
}
