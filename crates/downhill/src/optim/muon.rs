//! Muon, as `torch.optim.Muon` (torch ≥ 2.9), for 2-D weight matrices.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{lerp, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Error, Float, Result};

/// How Muon scales the learning rate by the matrix shape (A × B = rows × cols), PyTorch's
/// `adjust_lr_fn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustLr {
    /// Keller Jordan's `√max(1, A/B)` (also what `None` means).
    Original,
    /// Moonshot's `0.2·√max(A, B)`, matching AdamW's update RMS.
    MatchRmsAdamw,
    /// Bernstein's `√(A/B)`.
    SpectralUnclamped,
}

crate::hyperparameters! {
    /// `muon`: the hyperparameters of [`Muon`], PyTorch's names and defaults.
    pub struct MuonConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// Decoupled weight decay λ.
        weight_decay: f64 = 0.1, [Kind::Float, AtLeast(0.0), "decoupled weight decay"],
        /// Momentum μ.
        momentum: f64 = 0.95, [Kind::Float, AtLeast(0.0), "momentum factor μ"],
        /// Nesterov momentum.
        nesterov: bool = true, [Kind::Bool, Any, "Nesterov momentum"],
        /// (a, b, c) of the quintic Newton–Schulz iteration.
        #[serde(deserialize_with = "super::exact_triple")]
        ns_coefficients: [f64; 3] = [3.4445, -4.7750, 2.0315],
            [Kind::Triple, Any, "(a, b, c) of the quintic Newton–Schulz iteration"],
        /// Floor of the Frobenius norm the iteration starts by dividing by.
        eps: f64 = 1e-7, [Kind::Float, Any, "floor of the norm the iteration divides by"],
        /// Newton–Schulz iterations.
        ns_steps: u32 = 5, [Kind::Int, HalfOpen(0.0, 100.0), "Newton–Schulz iterations (< 100)"],
        /// The shape adjustment of the lr (`None` = `original`).
        adjust_lr_fn: Option<AdjustLr> = None, [
            Kind::Choice(&["original", "match_rms_adamw", "spectral_unclamped"]),
            Any,
            "lr scaling by the matrix shape (absent: original)"
        ],
    }
}

impl Entry for MuonConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "Muon: momentum orthogonalised by Newton–Schulz, for 2-D weight matrices only.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Muon`] carries from step to step (PyTorch's state keys).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct MuonState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// The momentum buffer B of every matrix, concatenated.
    pub momentum_buffer: StateBuf<T>,
    /// Newton–Schulz workspace (X, G, bG + cG², and a product), sized on the first step (not
    /// checkpointed).
    #[serde(skip)]
    pub work: [Vec<T>; 4],
}

/// `torch.optim.Muon` (Jordan et al. 2024), transcribed from `_single_tensor_muon`: for each
/// matrix θ (A × B) with lr γ, weight decay λ, momentum μ, coefficients (a, b, c), k steps:
///
/// ```text
/// g ← ∇f(θ)
/// B ← lerp(B, g, 1 − μ)                     (= μB + (1 − μ)g)
/// M ← lerp(g, B, μ) if nesterov, else B
/// X ← M (Mᵀ if A > B);  X ← X / max(‖X‖_F, ε)
/// k times:  G ← XXᵀ;  X ← aX + (bG + cG²)X
/// O ← X (transposed back)
/// θ ← θ·(1 − γλ)
/// θ ← θ − γ'·O,   γ' = γ√max(1, A/B)  (original, None) | 0.2γ√max(A, B)  (match_rms_adamw)
///                      | γ√(A/B)       (spectral_unclamped)
/// ```
///
/// **Difference from PyTorch**: torch runs the Newton–Schulz iteration in bfloat16; here it
/// runs in the parameters' precision (f32 or f64), so in float64 it equals torch's
/// algorithm with the iteration kept in float64 (the reference tests compare with exactly
/// that), and a bf16 run of torch differs from it by bf16 rounding (~1e-2 relative).
///
/// Muon takes 2-D parameters only, as torch does: [`Optimizer::set_shapes`] refuses a
/// vector, naming it (`params[i]`, which `train` turns into the parameter's name). Until
/// matrices are set (and when their sizes do not add up to the slice), a step changes
/// nothing and counts as skipped ([`Optimizer::skipped`]). Torch has no `maximize` for Muon.
pub type Muon<T> = Optim<MuonConfig, T>;

/// `out = s·x + t·(l @ r)` for row-major `l` (m × k) and `r` (k × n), as `torch.addmm`
/// (`beta·input + alpha·(m1 @ m2)`); each dot product summed in order.
#[allow(clippy::too_many_arguments)]
fn addmm<T: Float>(out: &mut [T], s: T, x: &[T], t: T, l: &[T], r: &[T], m: usize, k: usize) {
    let n = out.len() / m;
    for i in 0..m {
        for j in 0..n {
            let mut acc = T::zero();
            for q in 0..k {
                acc += l[i * k + q] * r[q * n + j];
            }
            out[i * n + j] = s * x[i * n + j] + t * acc;
        }
    }
}

/// The zeroth power of `m` (rows × cols, row-major) by `steps` quintic Newton–Schulz
/// iterations with coefficients `abc`, written into `m`; `work` is scratch.
fn orthogonalise<T: Float>(
    m: &mut [T],
    (rows, cols): (usize, usize),
    abc: [f64; 3],
    steps: u32,
    eps: f64,
    work: &mut [Vec<T>; 4],
) {
    let n = rows * cols;
    let (small, large) = (rows.min(cols), rows.max(cols));
    let [x, gram, poly, next] = work;
    for w in [&mut *x, &mut *next] {
        w.resize(n, T::zero());
    }
    for w in [&mut *gram, &mut *poly] {
        w.resize(small * small, T::zero());
    }
    // X is small × large: M itself, or Mᵀ when M is tall.
    if rows > cols {
        for i in 0..rows {
            for j in 0..cols {
                x[j * rows + i] = m[i * cols + j];
            }
        }
    } else {
        x[..n].copy_from_slice(m);
    }
    let norm = x[..n].iter().fold(T::zero(), |s, &v| s + v * v).sqrt();
    let eps = T::of(eps);
    let norm = if norm < eps { eps } else { norm };
    x[..n].iter_mut().for_each(|v| *v /= norm);
    let (a, b, c) = (T::of(abc[0]), T::of(abc[1]), T::of(abc[2]));
    let xt = |x: &[T], out: &mut [T]| {
        for i in 0..small {
            for j in 0..small {
                let mut acc = T::zero();
                for q in 0..large {
                    acc += x[i * large + q] * x[j * large + q];
                }
                out[i * small + j] = acc;
            }
        }
    };
    for _ in 0..steps {
        xt(&x[..n], &mut gram[..]);
        addmm(
            &mut poly[..],
            b,
            &gram[..],
            c,
            &gram[..],
            &gram[..],
            small,
            small,
        );
        addmm(
            &mut next[..n],
            a,
            &x[..n],
            T::one(),
            &poly[..],
            &x[..n],
            small,
            small,
        );
        std::mem::swap(x, next);
    }
    if rows > cols {
        for i in 0..rows {
            for j in 0..cols {
                m[i * cols + j] = x[j * rows + i];
            }
        }
    } else {
        m.copy_from_slice(&x[..n]);
    }
}

impl MuonConfig {
    /// γ' for a `rows × cols` matrix at lr `lr`.
    fn adjusted_lr(&self, lr: f64, rows: usize, cols: usize) -> f64 {
        let (a, b) = (rows as f64, cols as f64);
        let ratio = match self.adjust_lr_fn {
            None | Some(AdjustLr::Original) => 1f64.max(a / b).sqrt(),
            Some(AdjustLr::MatchRmsAdamw) => 0.2 * a.max(b).sqrt(),
            Some(AdjustLr::SpectralUnclamped) => (a / b).sqrt(),
        };
        lr * ratio
    }
}

impl Rule for MuonConfig {
    type State<T: Float> = MuonState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("momentum");
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn init<T: Float>(&self) -> MuonState<T> {
        MuonState {
            step: 0,
            momentum_buffer: StateBuf::default(),
            work: Default::default(),
        }
    }

    /// Refuses a vector (or an empty matrix), naming it `params[i]`.
    fn check_shapes(&self, shapes: &[Shape]) -> Result<()> {
        for (i, s) in shapes.iter().enumerate() {
            match *s {
                Shape::Matrix { rows, cols } if rows > 0 && cols > 0 => {}
                _ => {
                    return Err(Error::param(
                        &format!("params[{i}]"),
                        describe_shape(s),
                        "muon takes 2-D parameters (weight matrices) only, as torch.optim.Muon: \
                         give the others to another optimizer",
                    ))
                }
            }
        }
        Ok(())
    }

    /// Skips the step unless every tensor is a (non-empty) matrix.
    fn step<T: Float>(
        &self,
        st: &mut MuonState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        shapes: &[Shape],
    ) -> StepOutcome {
        let n = params.len();
        let matrix = |s: &Shape| match *s {
            Shape::Matrix { rows, cols } if rows > 0 && cols > 0 => Some((rows, cols)),
            _ => None,
        };
        if !shapes.iter().all(|s| matrix(s).is_some()) {
            return StepOutcome::Skipped;
        }
        let mu = h.mu();
        let (w_buf, w_nest) = (T::of(1.0 - mu), T::of(mu));
        let decay = T::of(1.0 - h.lr * self.weight_decay);
        let buf = st.momentum_buffer.full_of(n, T::zero());
        // The update M overwrites the gradient.
        for (g, b) in grad.iter_mut().zip(buf.iter_mut()) {
            *b = lerp(*b, *g, w_buf);
            *g = if self.nesterov {
                lerp(*g, *b, w_nest)
            } else {
                *b
            };
        }
        st.step += 1;
        let mut at = 0;
        for (rows, cols) in shapes.iter().filter_map(matrix) {
            let len = rows * cols;
            let m = &mut grad[at..at + len];
            let c = self;
            orthogonalise(
                m,
                (rows, cols),
                c.ns_coefficients,
                c.ns_steps,
                c.eps,
                &mut st.work,
            );
            let step = T::of(-self.adjusted_lr(h.lr, rows, cols));
            for (p, o) in params[at..at + len].iter_mut().zip(m.iter()) {
                *p *= decay;
                *p += step * *o;
            }
            at += len;
        }
        StepOutcome::Applied
    }
}

fn describe_shape(s: &Shape) -> String {
    match *s {
        Shape::Vector(n) => format!("a vector of length {n}"),
        Shape::Matrix { rows, cols } => format!("an empty {rows}×{cols} matrix"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With many iterations of the classic cubic (a, b, c) = (1.5, −0.5, 0), Newton–Schulz
    /// converges to the orthogonal polar factor: O Oᵀ = I for a wide matrix, Oᵀ O = I for a
    /// tall one.
    #[test]
    fn newton_schulz_orthogonalises() {
        for (rows, cols) in [(2, 3), (3, 2)] {
            let mut m = vec![1.0, 0.5, -0.3, 0.2, 2.0, 0.7];
            let mut work = Default::default();
            orthogonalise(&mut m, (rows, cols), [1.5, -0.5, 0.0], 60, 1e-7, &mut work);
            let small = rows.min(cols);
            for i in 0..small {
                for j in 0..small {
                    let dot: f64 = if rows < cols {
                        (0..cols).map(|q| m[i * cols + q] * m[j * cols + q]).sum()
                    } else {
                        (0..rows).map(|q| m[q * cols + i] * m[q * cols + j]).sum()
                    };
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((dot - want).abs() < 1e-12, "{rows}×{cols} ({i},{j}): {dot}");
                }
            }
        }
    }

    #[test]
    fn refuses_vectors_naming_them_and_skips_without_shapes() {
        let mut opt = Muon::<f64>::new(MuonConfig::default()).unwrap();
        let (mut x, mut g) = (vec![1.0; 6], vec![1.0; 6]);
        assert_eq!(opt.step(&mut x, &mut g), StepOutcome::Skipped);
        assert_eq!(opt.skipped(), 1);
        assert_eq!(x, vec![1.0; 6]);
        let shapes = [Shape::Matrix { rows: 2, cols: 2 }, Shape::Vector(2)];
        match opt.set_shapes(&shapes) {
            Err(Error::InvalidParameter { key, value, .. }) => {
                assert_eq!(key, "params[1]");
                assert_eq!(value, "a vector of length 2");
            }
            other => panic!("{other:?}"),
        }
        opt.set_shapes(&[Shape::Matrix { rows: 2, cols: 3 }])
            .unwrap();
        assert_eq!(opt.step(&mut x, &mut g), StepOutcome::Applied);
        assert_ne!(x, vec![1.0; 6]);
    }

    #[test]
    fn validates_as_torch() {
        let bad = [
            (r#"{"lr": -1}"#, "lr"),
            (r#"{"momentum": -0.1}"#, "momentum"),
            (r#"{"weight_decay": -0.1}"#, "weight_decay"),
            (r#"{"ns_steps": 100}"#, "ns_steps"),
        ];
        for (text, key) in bad {
            let c: MuonConfig = serde_json::from_str(text).unwrap();
            match Muon::<f64>::new(c) {
                Err(Error::InvalidParameter { key: k, .. }) => assert_eq!(k, key),
                other => panic!("{text}: {:?}", other.err()),
            }
        }
        for text in [
            r#"{"ns_coefficients": [1, 2]}"#,
            r#"{"adjust_lr_fn": "other"}"#,
        ] {
            assert!(serde_json::from_str::<MuonConfig>(text).is_err(), "{text}");
        }
    }
}
