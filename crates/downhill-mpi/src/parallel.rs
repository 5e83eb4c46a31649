//! [`DataParallel`]: any [`SampledObjective`] made collective — each rank computes the gradient
//! of its part of the global batch and the parts are summed across ranks.

use std::cell::{Cell, RefCell};
use std::time::Instant;

use downhill::SampledObjective;
use serde::{Deserialize, Serialize};

use crate::comm::{Communicator, Wire};
use crate::split::part;

/// How the per-rank gradients are summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    /// Fixed order: the global batch is cut into `chunks` contiguous chunks (independent of the
    /// number of ranks); rank `r` computes the count-weighted gradients of its contiguous run of
    /// chunks, then a chain in rank order adds them into a running sum (rank 0 → 1 → … → K−1)
    /// and rank K−1 broadcasts it. The sum is `((c₀ + c₁) + c₂) + …` whatever K, so results
    /// are bit-identical for every K ≤ `chunks`.
    #[default]
    Ordered,
    /// `MPI_Allreduce(SUM)` of each rank's count-weighted gradient (Open MPI: ring or recursive
    /// doubling). Bandwidth-optimal, one gradient call per rank, but the summation order depends
    /// on K, so results agree across K only to rounding (≈1e-15 relative per step in f64).
    Allreduce,
}

/// Which samples a rank holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every rank holds the whole dataset; ranks split each batch by position.
    Replicated,
    /// This rank holds rows `offset..offset + model.n_samples()` of `n_total`; each rank
    /// computes the batch entries it holds (results agree across K to rounding).
    Sharded {
        /// First global row held here.
        offset: usize,
        /// Rows in the whole dataset.
        n_total: usize,
    },
}

/// Communication statistics of a [`DataParallel`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CommStats {
    /// Wall-clock seconds inside reductions (transfer plus waiting for slower ranks).
    pub allreduce_seconds: f64,
    /// Number of reductions.
    pub reductions: usize,
    /// Values sent by this rank.
    pub values_sent: usize,
}

struct Scratch<T> {
    /// Count-weighted contributions (gradient… , loss) of this rank's chunks, one after another.
    contrib: Vec<T>,
    /// The running / reduced sum.
    acc: Vec<T>,
    /// Local indices of the batch entries held here (sharded layout).
    local: Vec<usize>,
}

/// A [`SampledObjective`] whose batch gradient and value are computed by all ranks together.
///
/// Every rank must call [`batch_gradient`](SampledObjective::batch_gradient) and
/// [`batch_value`](SampledObjective::batch_value) with the same parameters and the same batch
/// (the same seeded sampler on every rank guarantees it). With `B` the batch length and `n_j`,
/// `ḡ_j`, `ℓ̄_j` the size, mean gradient and mean loss of part `j`:
///
/// ```text
/// g = (1/B) Σ_j n_j ḡ_j        loss = (1/B) Σ_j n_j ℓ̄_j
/// ```
///
/// so every rank holds the gradient of the mean loss over the whole batch and applies the same
/// update. No allocation after the first call with the largest batch.
pub struct DataParallel<'c, C: Communicator, O, T: Wire> {
    comm: &'c C,
    model: O,
    reduction: Reduction,
    chunks: usize,
    layout: Layout,
    scratch: RefCell<Scratch<T>>,
    stats: Cell<CommStats>,
}

impl<'c, C: Communicator, O: SampledObjective<T>, T: Wire> DataParallel<'c, C, O, T> {
    /// Wraps `model` (the whole dataset on every rank) with the [`Reduction::Ordered`] reduction
    /// over 8 chunks.
    pub fn new(comm: &'c C, model: O) -> Self {
        DataParallel {
            comm,
            model,
            reduction: Reduction::Ordered,
            chunks: 8,
            layout: Layout::Replicated,
            scratch: RefCell::new(Scratch {
                contrib: Vec::new(),
                acc: Vec::new(),
                local: Vec::new(),
            }),
            stats: Cell::new(CommStats::default()),
        }
    }
    /// Sets the reduction.
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// Sets the number of chunks of the ordered reduction (bit-identical for K ≤ chunks; at
    /// least 1).
    pub fn chunks(mut self, chunks: usize) -> Self {
        self.chunks = chunks.max(1);
        self
    }
    /// Declares that `model` holds only rows `offset..offset + model.n_samples()` of `n_total`.
    pub fn sharded(mut self, offset: usize, n_total: usize) -> Self {
        self.layout = Layout::Sharded { offset, n_total };
        self
    }
    /// The communicator.
    pub fn comm(&self) -> &C {
        self.comm
    }
    /// The wrapped model.
    pub fn model(&self) -> &O {
        &self.model
    }
    /// Communication statistics so far.
    pub fn stats(&self) -> CommStats {
        self.stats.get()
    }

    /// Reduces `acc` (length `len`) across ranks: the chain in rank order, or MPI_Allreduce.
    fn reduce(&self, s: &mut Scratch<T>, len: usize, slots: usize) {
        let (k, r) = (self.comm.size(), self.comm.rank());
        let t0 = Instant::now();
        let mut st = self.stats.get();
        match self.reduction {
            Reduction::Ordered => {
                s.acc.iter_mut().for_each(|a| *a = T::zero());
                if r > 0 {
                    self.comm.recv(r - 1, T::buf_mut(&mut s.acc));
                }
                for c in s.contrib.chunks_exact(len).take(slots) {
                    s.acc.iter_mut().zip(c).for_each(|(a, &v)| *a += v);
                }
                if r + 1 < k {
                    self.comm.send(r + 1, T::buf(&s.acc));
                    st.values_sent += len;
                }
                if k > 1 {
                    self.comm.broadcast(k - 1, T::buf_mut(&mut s.acc));
                    if r == k - 1 {
                        st.values_sent += len * (k - 1);
                    }
                }
            }
            Reduction::Allreduce => {
                s.acc.iter_mut().for_each(|a| *a = T::zero());
                for c in s.contrib.chunks_exact(len).take(slots) {
                    s.acc.iter_mut().zip(c).for_each(|(a, &v)| *a += v);
                }
                if k > 1 {
                    self.comm.all_reduce_sum(T::buf_mut(&mut s.acc));
                    st.values_sent += 2 * (k - 1) * len / k;
                }
            }
        }
        st.allreduce_seconds += t0.elapsed().as_secs_f64();
        st.reductions += 1;
        self.stats.set(st);
    }

    /// Fills `s.contrib` with this rank's count-weighted contributions and returns how many.
    fn contribute(&self, params: &[T], batch: &[usize], s: &mut Scratch<T>, grad: bool) -> usize {
        let p = self.model.n_params();
        let len = if grad { p + 1 } else { 1 };
        let (k, r) = (self.comm.size(), self.comm.rank());
        let b = batch.len();
        let Scratch { contrib, local, .. } = s;
        let one = |slot: usize, idx: &[usize], contrib: &mut Vec<T>| {
            let n = T::of(idx.len() as f64);
            let c = &mut contrib[slot * len..(slot + 1) * len];
            if idx.is_empty() {
                c.iter_mut().for_each(|v| *v = T::zero());
            } else if grad {
                let loss = self.model.batch_gradient(params, idx, &mut c[..p]);
                c[..p].iter_mut().for_each(|v| *v *= n);
                c[p] = loss * n;
            } else {
                c[0] = self.model.batch_value(params, idx) * n;
            }
        };
        match (self.layout, self.reduction) {
            (Layout::Replicated, Reduction::Ordered) => {
                let g = self.chunks.min(b).max(1);
                let mine = part(g, k, r);
                grow(contrib, mine.len().max(1) * len);
                for (slot, j) in mine.clone().enumerate() {
                    one(slot, &batch[part(b, g, j)], contrib);
                }
                mine.len()
            }
            (Layout::Replicated, Reduction::Allreduce) => {
                grow(contrib, len);
                one(0, &batch[part(b, k, r)], contrib);
                1
            }
            (Layout::Sharded { offset, .. }, _) => {
                let held = offset..offset + self.model.n_samples();
                local.clear();
                local.extend(
                    batch
                        .iter()
                        .filter(|i| held.contains(i))
                        .map(|&i| i - offset),
                );
                grow(contrib, len);
                one(0, local, contrib);
                1
            }
        }
    }

    fn collective(&self, params: &[T], batch: &[usize], g: Option<&mut [T]>) -> T {
        let p = self.model.n_params();
        let len = if g.is_some() { p + 1 } else { 1 };
        let mut s = self.scratch.borrow_mut();
        grow(&mut s.acc, len);
        s.acc.truncate(len);
        let slots = self.contribute(params, batch, &mut s, g.is_some());
        self.reduce(&mut s, len, slots);
        let nb = T::of(batch.len().max(1) as f64);
        if let Some(g) = g {
            g.iter_mut()
                .zip(&s.acc[..p])
                .for_each(|(d, &v)| *d = v / nb);
        }
        s.acc[len - 1] / nb
    }
}

/// Grows `v` to at least `n` elements (allocates only when a larger batch first appears).
fn grow<T: Wire>(v: &mut Vec<T>, n: usize) {
    if v.len() < n {
        v.resize(n, T::zero());
    }
}

impl<C: Communicator, O: SampledObjective<T>, T: Wire> SampledObjective<T>
    for DataParallel<'_, C, O, T>
{
    fn n_samples(&self) -> usize {
        match self.layout {
            Layout::Replicated => self.model.n_samples(),
            Layout::Sharded { n_total, .. } => n_total,
        }
    }
    fn n_params(&self) -> usize {
        self.model.n_params()
    }
    fn batch_value(&self, params: &[T], batch: &[usize]) -> T {
        self.collective(params, batch, None)
    }
    fn batch_gradient(&self, params: &[T], batch: &[usize], g: &mut [T]) -> T {
        self.collective(params, batch, Some(g))
    }
}
