//! Mini-batch samplers: which sample indices each step of an epoch sees.
//!
//! An epoch has `⌈n / batch_size⌉` batches covering `n` samples (the last batch holds the
//! remainder, as PyTorch's `DataLoader` with `drop_last = False`). `batch_size = 1` is SGD,
//! `batch_size = n` full-batch GD. The random stream of epoch `e` is
//! `ChaCha8Rng::seed_from_u64(seed)` on stream `e`, so an epoch's batches depend only on
//! `(seed, e)` — which is what makes a resumed run bit-identical.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// How batches are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// A fresh random permutation every epoch, cut into batches (the default).
    #[default]
    WithoutReplacement,
    /// Every index drawn uniformly and independently (repeats possible).
    WithReplacement,
    /// `0, 1, …, n−1` in order every epoch.
    Sequential,
}

/// Draws the batches of an epoch; reuses its index buffer (no allocation per batch).
#[derive(Debug, Clone)]
pub struct Sampler {
    n: usize,
    sampling: Sampling,
    seed: u64,
    batch_size: usize,
    order: Vec<usize>,
    batch: Vec<usize>,
    pos: usize,
    rng: ChaCha8Rng,
}

impl Sampler {
    /// A sampler over `n` samples.
    pub fn new(n: usize, sampling: Sampling, seed: u64) -> Self {
        Sampler {
            n,
            sampling,
            seed,
            batch_size: 1,
            order: (0..n).collect(),
            batch: Vec::new(),
            pos: n,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Starts epoch `epoch` (0-based) with batches of `batch_size` (clamped to `1..=n`).
    pub fn start_epoch(&mut self, epoch: usize, batch_size: usize) {
        self.batch_size = batch_size.clamp(1, self.n.max(1));
        self.rng = ChaCha8Rng::seed_from_u64(self.seed);
        self.rng.set_stream(epoch as u64);
        self.pos = 0;
        match self.sampling {
            Sampling::WithoutReplacement => {
                self.order.clear();
                self.order.extend(0..self.n);
                self.order.shuffle(&mut self.rng);
            }
            Sampling::Sequential => {
                self.order.clear();
                self.order.extend(0..self.n);
            }
            Sampling::WithReplacement => {}
        }
    }

    /// Number of batches in an epoch with the current batch size.
    pub fn batches_per_epoch(&self) -> usize {
        self.n.div_ceil(self.batch_size)
    }

    /// The next batch of the epoch and the indices of the batch after it (empty at the end of
    /// the epoch and with replacement, whose draws are not made ahead), or `None` when the
    /// epoch is over. The second slice is for prefetching only: it is what the following
    /// [`Sampler::next_batch`] will return.
    pub fn next_batch_ahead(&mut self) -> Option<(&[usize], &[usize])> {
        let start = self.pos;
        self.next_batch()?;
        let end = self.pos;
        let after = match self.sampling {
            Sampling::WithReplacement => &[][..],
            _ => &self.order[end..(end + self.batch_size).min(self.n)],
        };
        let batch = match self.sampling {
            Sampling::WithReplacement => &self.batch[..],
            _ => &self.order[start..end],
        };
        Some((batch, after))
    }

    /// The next batch of the epoch, or `None` when the epoch is over.
    pub fn next_batch(&mut self) -> Option<&[usize]> {
        if self.pos >= self.n {
            return None;
        }
        let end = (self.pos + self.batch_size).min(self.n);
        let len = end - self.pos;
        self.pos = end;
        match self.sampling {
            Sampling::WithReplacement => {
                self.batch.clear();
                for _ in 0..len {
                    let i = self.rng.random_range(0..self.n);
                    self.batch.push(i);
                }
                Some(&self.batch)
            }
            _ => Some(&self.order[end - len..end]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn epoch(s: &mut Sampler, e: usize, b: usize) -> Vec<Vec<usize>> {
        s.start_epoch(e, b);
        let mut out = Vec::new();
        while let Some(batch) = s.next_batch() {
            out.push(batch.to_vec());
        }
        out
    }

    #[test]
    fn sequential_and_remainder_batch() {
        let mut s = Sampler::new(5, Sampling::Sequential, 0);
        assert_eq!(epoch(&mut s, 0, 2), vec![vec![0, 1], vec![2, 3], vec![4]]);
        assert_eq!(epoch(&mut s, 1, 5), vec![vec![0, 1, 2, 3, 4]]);
    }

    #[test]
    fn deterministic_per_seed_and_epoch_and_reshuffled() {
        let mut a = Sampler::new(50, Sampling::WithoutReplacement, 3);
        let mut b = Sampler::new(50, Sampling::WithoutReplacement, 3);
        let e0 = epoch(&mut a, 0, 7);
        let e1 = epoch(&mut a, 1, 7);
        assert_ne!(e0, e1);
        // Epoch 1 alone (as after a resume) equals epoch 1 after epoch 0.
        assert_eq!(epoch(&mut b, 1, 7), e1);
        let mut w = Sampler::new(50, Sampling::WithReplacement, 3);
        let r = epoch(&mut w, 0, 7);
        assert_eq!(r.iter().map(Vec::len).sum::<usize>(), 50);
        assert_eq!(epoch(&mut w, 0, 7), r);
        let mut flat: Vec<usize> = r.concat();
        flat.sort_unstable();
        flat.dedup();
        assert!(flat.len() < 50, "with replacement repeats some index");
    }

    #[test]
    fn next_batch_ahead_gives_the_batches_of_next_batch_and_the_one_after() {
        for sampling in [
            Sampling::WithoutReplacement,
            Sampling::Sequential,
            Sampling::WithReplacement,
        ] {
            let mut a = Sampler::new(23, sampling, 5);
            let plain = epoch(&mut a, 2, 4);
            let mut s = Sampler::new(23, sampling, 5);
            s.start_epoch(2, 4);
            let mut got = Vec::new();
            let mut ahead = Vec::new();
            while let Some((batch, after)) = s.next_batch_ahead() {
                got.push(batch.to_vec());
                ahead.push(after.to_vec());
            }
            assert_eq!(got, plain, "{sampling:?}");
            for (i, after) in ahead.iter().enumerate() {
                let want = match (sampling, plain.get(i + 1)) {
                    (Sampling::WithReplacement, _) | (_, None) => Vec::new(),
                    (_, Some(next)) => next.clone(),
                };
                assert_eq!(after, &want, "{sampling:?} batch {i}");
            }
        }
    }

    proptest! {
        #[test]
        fn without_replacement_visits_each_index_once(n in 1usize..200, b in 1usize..64, seed: u64, e in 0usize..5) {
            let mut s = Sampler::new(n, Sampling::WithoutReplacement, seed);
            let mut all: Vec<usize> = epoch(&mut s, e, b).concat();
            all.sort_unstable();
            prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
        }
    }
}
