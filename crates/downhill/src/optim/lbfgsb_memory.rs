//! The compact limited-memory BFGS matrix of [`super::Lbfgsb`] (Byrd, Lu, Nocedal & Zhu 1995,
//! §3): the last `m` pairs, `θ`, the inner products `SᵀY` and `SᵀS` (one new row and column
//! per pair, so an update costs `O(m·n)`, not `O(m²·n)`), and the Cholesky factor that applies
//! the middle matrix `M` without forming it.

use std::collections::VecDeque;

use super::newton::{cholesky, cholesky_solve};
use crate::kernels::rows::dot;

/// `B = θI − W M Wᵀ` with `W = [Y  θS]`, `M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹`, `D = diag(sᵢᵀyᵢ)`,
/// `L` the strictly lower triangle of `SᵀY`.
///
/// `M` is never inverted explicitly: with `θ` large (`≈ 10⁸` on a badly scaled problem) the
/// blocks of `M⁻¹` differ by many orders of magnitude and an explicit inverse loses the digits
/// the step needs. As in L-BFGS-B's `formt`/`bmv`, `M v` is a block elimination with the
/// Cholesky factor of the positive definite `T = θSᵀS + L D⁻¹ Lᵀ`.
#[derive(Debug, Clone)]
pub(crate) struct Memory {
    s: VecDeque<Vec<f64>>,
    y: VecDeque<Vec<f64>>,
    /// `sy[i][j] = sᵢᵀyⱼ`.
    sy: VecDeque<VecDeque<f64>>,
    /// `ss[i][j] = sᵢᵀsⱼ`.
    ss: VecDeque<VecDeque<f64>>,
    /// `θ = yᵀy / sᵀy` of the newest pair (1 with no pair).
    pub(crate) theta: f64,
    /// Cholesky factor of `T = θSᵀS + L D⁻¹ Lᵀ` (k × k, row-major, lower triangle).
    t_chol: Vec<f64>,
}

impl Memory {
    pub(crate) fn new() -> Self {
        Memory {
            s: VecDeque::new(),
            y: VecDeque::new(),
            sy: VecDeque::new(),
            ss: VecDeque::new(),
            theta: 1.0,
            t_chol: Vec::new(),
        }
    }

    /// Forgets every pair (`B = I`).
    pub(crate) fn clear(&mut self) {
        *self = Memory::new();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    /// Pairs kept: `k`.
    pub(crate) fn len(&self) -> usize {
        self.s.len()
    }

    /// Columns of `W`: `2k`.
    pub(crate) fn width(&self) -> usize {
        2 * self.s.len()
    }

    /// `sᵢᵀyⱼ`.
    pub(crate) fn sy(&self, i: usize, j: usize) -> f64 {
        self.sy[i][j]
    }

    /// `sᵢ` (oldest first).
    pub(crate) fn s(&self, i: usize) -> &[f64] {
        &self.s[i]
    }

    /// `yᵢ` (oldest first).
    pub(crate) fn y(&self, i: usize) -> &[f64] {
        &self.y[i]
    }

    /// Column `p` of `W` as (stored vector, its factor): `yₚ` for `p < k`, else `θ sₚ₋ₖ`.
    fn col(&self, p: usize) -> (&[f64], f64) {
        let k = self.s.len();
        if p < k {
            (&self.y[p], 1.0)
        } else {
            (&self.s[p - k], self.theta)
        }
    }

    /// Adds the pair `(s, y)` (dropping the oldest beyond `m`) with `sᵀy = sy`, `yᵀy = yy`,
    /// `θ = yy / sy`, and refactors `T`; a `T` that is not numerically positive definite clears
    /// the memory (L-BFGS-B's `formt` failure: "refresh the lbfgs memory").
    pub(crate) fn push(&mut self, s: Vec<f64>, y: Vec<f64>, m: usize, sy: f64, yy: f64) {
        if self.s.len() == m {
            self.s.pop_front();
            self.y.pop_front();
            for t in [&mut self.sy, &mut self.ss] {
                t.pop_front();
                for row in t.iter_mut() {
                    row.pop_front();
                }
            }
        }
        for (i, si) in self.s.iter().enumerate() {
            self.sy[i].push_back(dot(si, &y));
            self.ss[i].push_back(dot(si, &s));
        }
        let mut sy_row: VecDeque<f64> = self.y.iter().map(|yj| dot(&s, yj)).collect();
        sy_row.push_back(sy);
        let mut ss_row: VecDeque<f64> = self.s.iter().map(|sj| dot(&s, sj)).collect();
        ss_row.push_back(dot(&s, &s));
        self.sy.push_back(sy_row);
        self.ss.push_back(ss_row);
        self.s.push_back(s);
        self.y.push_back(y);
        self.theta = yy / sy;
        if !self.form_t() {
            self.clear();
        }
    }

    /// Factors `T = θSᵀS + L D⁻¹ Lᵀ` (Byrd et al. (3.4) after eliminating `D`).
    fn form_t(&mut self) -> bool {
        let k = self.s.len();
        let mut t = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..=i {
                let mut v = self.theta * self.ss[i][j];
                for l in 0..j {
                    v += self.sy[i][l] * self.sy[j][l] / self.sy[l][l];
                }
                t[i * k + j] = v;
                t[j * k + i] = v;
            }
        }
        let ok = cholesky(&mut t, k);
        self.t_chol = t;
        ok
    }

    /// `M v` for `v = [v₁; v₂]` (`v₁` against the `Y` columns, `v₂` against `θS`):
    /// `p₂ = T⁻¹(v₂ + L D⁻¹ v₁)`, `p₁ = D⁻¹(Lᵀ p₂ − v₁)` (L-BFGS-B's `bmv`).
    pub(crate) fn m_times(&self, v: &[f64]) -> Vec<f64> {
        let k = self.s.len();
        if k == 0 {
            return Vec::new();
        }
        let (v1, v2) = v.split_at(k);
        let mut p2: Vec<f64> = (0..k)
            .map(|i| {
                v2[i]
                    + (0..i)
                        .map(|l| self.sy[i][l] * v1[l] / self.sy[l][l])
                        .sum::<f64>()
            })
            .collect();
        cholesky_solve(&self.t_chol, k, &mut p2);
        let mut p: Vec<f64> = (0..k)
            .map(|j| {
                let lt: f64 = (j + 1..k).map(|i| self.sy[i][j] * p2[i]).sum();
                (lt - v1[j]) / self.sy[j][j]
            })
            .collect();
        p.extend(p2);
        p
    }

    /// Row `i` of `W` into `out`.
    pub(crate) fn row_into(&self, i: usize, out: &mut Vec<f64>) {
        out.clear();
        out.extend((0..self.width()).map(|p| {
            let (v, a) = self.col(p);
            a * v[i]
        }));
    }

    /// `Wᵀ d`.
    pub(crate) fn wt_times(&self, d: &[f64]) -> Vec<f64> {
        (0..self.width())
            .map(|p| {
                let (v, a) = self.col(p);
                a * dot(v, d)
            })
            .collect()
    }
}
