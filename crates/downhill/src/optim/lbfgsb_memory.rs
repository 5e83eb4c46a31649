//! The compact limited-memory BFGS matrix of [`super::Lbfgsb`] (Byrd, Lu, Nocedal & Zhu 1995,
//! §3): the last `m` pairs, `θ`, the inner products `SᵀY` and `SᵀS` (one new row and column
//! per pair, so `M` costs `O(m·n)` per iteration, not `O(m²·n)`), and `M` itself.

use std::collections::VecDeque;

use super::dense::invert;
use crate::kernels::rows::dot;

/// `B = θI − W M Wᵀ` with `W = [Y  θS]`, `M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹`.
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
    /// `M` (2k × 2k, row-major).
    m_mat: Vec<f64>,
}

impl Memory {
    pub(crate) fn new() -> Self {
        Memory {
            s: VecDeque::new(),
            y: VecDeque::new(),
            sy: VecDeque::new(),
            ss: VecDeque::new(),
            theta: 1.0,
            m_mat: Vec::new(),
        }
    }

    /// Forgets every pair (`B = I`).
    pub(crate) fn clear(&mut self) {
        *self = Memory::new();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    /// Columns of `W`: `2k`.
    pub(crate) fn width(&self) -> usize {
        2 * self.s.len()
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

    /// Adds the pair `(s, y)` (dropping the oldest beyond `m`), with `θ = yᵀy / sᵀy`, and
    /// rebuilds `M`; a singular middle matrix clears the memory.
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
        self.form_m();
    }

    /// `M` from the cached products (Byrd et al. (3.4)).
    fn form_m(&mut self) {
        let k = self.s.len();
        let k2 = 2 * k;
        let mut kmat = vec![0.0; k2 * k2];
        for i in 0..k {
            for j in 0..k {
                let sy = self.sy[i][j];
                if i == j {
                    kmat[i * k2 + j] = -sy;
                } else if i > j {
                    kmat[(k + i) * k2 + j] = sy; // L
                    kmat[j * k2 + k + i] = sy; // Lᵀ
                }
                kmat[(k + i) * k2 + k + j] = self.theta * self.ss[i][j];
            }
        }
        match invert(kmat, k2) {
            Some(m) => self.m_mat = m,
            None => self.clear(),
        }
    }

    /// `M v`.
    pub(crate) fn m_times(&self, v: &[f64]) -> Vec<f64> {
        let k2 = v.len();
        (0..k2)
            .map(|r| (0..k2).map(|c| self.m_mat[r * k2 + c] * v[c]).sum())
            .collect()
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

    /// The columns of `ZᵀW` for the variables `free`: `2k` vectors of `free.len()` entries.
    pub(crate) fn free_columns(&self, free: &[usize]) -> Vec<Vec<f64>> {
        (0..self.width())
            .map(|p| {
                let (v, a) = self.col(p);
                free.iter().map(|&i| a * v[i]).collect()
            })
            .collect()
    }
}
