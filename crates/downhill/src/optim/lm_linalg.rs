//! The dense linear algebra of [`super::lm::Lm`], after Moré (1978) and the MINPACK design:
//! Householder QR with column pivoting ([`Qr`]), the damped least-squares solve by Givens
//! rotations ([`damped_solve`]) and the Levenberg parameter search ([`lm_parameter`]).
//!
//! Matrices are column-major: element `(i, j)` of an `m × n` matrix is `a[i + m·j]`.

/// `‖x‖₂`, scaled by the largest magnitude when the plain sum of squares would overflow or
/// lose its small terms (MINPACK's `enorm` guards the same two ends).
pub(crate) fn norm(x: &[f64]) -> f64 {
    let s: f64 = x.iter().map(|v| v * v).sum();
    if s.is_finite() && s > 1e-290 {
        return s.sqrt();
    }
    let big = x.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    if big == 0.0 || !big.is_finite() {
        return big;
    }
    big * x.iter().map(|v| (v / big).powi(2)).sum::<f64>().sqrt()
}

/// `A·P = Q·R` for an `m × n` matrix `A` (`m ≥ n`), with the pivot columns chosen by largest
/// remaining norm. `a` holds `R` above the diagonal and the Householder vectors `vⱼ` (with
/// `vⱼ[j] = 1 + |aⱼⱼ|/‖aⱼ‖` normalised so that `Hⱼ = I − vⱼvⱼᵀ/vⱼ[j]`) on and below it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Qr {
    /// Rows.
    pub m: usize,
    /// Columns.
    pub n: usize,
    /// The factored matrix (see above).
    pub a: Vec<f64>,
    /// The diagonal of `R`.
    pub rdiag: Vec<f64>,
    /// The norms of the columns of the original `A`.
    pub acnorm: Vec<f64>,
    /// Column `j` of `A·P` is column `ipvt[j]` of `A`.
    pub ipvt: Vec<usize>,
}

impl Qr {
    /// Factors `a` (`m × n`, column-major; `m ≥ n`).
    #[allow(clippy::needless_range_loop)] // column indices into several arrays at once
    pub fn factor(&mut self, m: usize, n: usize, a: &[f64]) {
        self.m = m;
        self.n = n;
        self.a.clear();
        self.a.extend_from_slice(a);
        self.acnorm.clear();
        self.acnorm
            .extend((0..n).map(|j| norm(&self.a[j * m..(j + 1) * m])));
        self.rdiag.clear();
        self.rdiag.extend_from_slice(&self.acnorm);
        self.ipvt.clear();
        self.ipvt.extend(0..n);
        // Norms at the last full recomputation, to detect cancellation in the downdates.
        let mut reference = self.acnorm.clone();
        let a = &mut self.a;
        for j in 0..n.min(m) {
            let kmax = (j..n).fold(j, |best, k| {
                if self.rdiag[k] > self.rdiag[best] {
                    k
                } else {
                    best
                }
            });
            if kmax != j {
                for i in 0..m {
                    a.swap(i + m * j, i + m * kmax);
                }
                self.rdiag[kmax] = self.rdiag[j];
                reference[kmax] = reference[j];
                self.ipvt.swap(j, kmax);
            }
            let mut alpha = norm(&a[j + m * j..m * (j + 1)]);
            if alpha == 0.0 {
                self.rdiag[j] = 0.0;
                continue;
            }
            if a[j + m * j] < 0.0 {
                alpha = -alpha;
            }
            for v in &mut a[j + m * j..m * (j + 1)] {
                *v /= alpha;
            }
            a[j + m * j] += 1.0;
            for k in j + 1..n {
                let (head, tail) = a.split_at_mut(m * k);
                let vj = &head[j + m * j..m * (j + 1)];
                let ak = &mut tail[j..m];
                let s: f64 = vj.iter().zip(ak.iter()).map(|(v, x)| v * x).sum();
                let t = s / vj[0];
                for (x, v) in ak.iter_mut().zip(vj) {
                    *x -= t * v;
                }
                if self.rdiag[k] != 0.0 {
                    let r = ak[0] / self.rdiag[k];
                    self.rdiag[k] *= (1.0 - r * r).max(0.0).sqrt();
                    if 0.05 * (self.rdiag[k] / reference[k]).powi(2) <= f64::EPSILON {
                        self.rdiag[k] = norm(&ak[1..]);
                        reference[k] = self.rdiag[k];
                    }
                }
            }
            self.rdiag[j] = -alpha;
        }
    }

    /// Overwrites `b` (length `m`) with `Qᵀb`.
    pub fn apply_qt(&self, b: &mut [f64]) {
        let m = self.m;
        for j in 0..self.n.min(m) {
            let v = &self.a[j + m * j..m * (j + 1)];
            if v[0] == 0.0 {
                continue;
            }
            let s: f64 = v.iter().zip(&b[j..]).map(|(v, x)| v * x).sum();
            let t = -s / v[0];
            for (x, v) in b[j..].iter_mut().zip(v) {
                *x += t * v;
            }
        }
    }

    /// The upper-triangular `R` as an `n × n` column-major matrix (zeros below the diagonal).
    pub fn r(&self, out: &mut Vec<f64>) {
        let (m, n) = (self.m, self.n);
        out.clear();
        out.resize(n * n, 0.0);
        for j in 0..n {
            for i in 0..j {
                out[i + n * j] = self.a[i + m * j];
            }
            out[j + n * j] = self.rdiag[j];
        }
    }
}

/// Back substitution `R z = b` over the leading nonsingular block: components from the first
/// zero diagonal on are set to 0 (the minimum-norm-like choice of MINPACK). `r` is `n × n`.
fn solve_upper_truncated(r: &[f64], n: usize, z: &mut [f64], diag_of: impl Fn(usize) -> f64) {
    let nsing = (0..n).find(|&j| diag_of(j) == 0.0).unwrap_or(n);
    for zj in &mut z[nsing..n] {
        *zj = 0.0;
    }
    for j in (0..nsing).rev() {
        z[j] /= diag_of(j);
        let t = z[j];
        for i in 0..j {
            z[i] -= r[i + n * j] * t;
        }
    }
}

/// Working memory of [`damped_solve`] and [`lm_parameter`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// `S`, upper triangular (`n × n`), with `SᵀS = RᵀR + PᵀD²P`.
    s: Vec<f64>,
    /// The diagonal of `S`.
    sdiag: Vec<f64>,
    w: Vec<f64>,
    row: Vec<f64>,
    dx: Vec<f64>,
}

/// Solves `min ‖[R; D·P] z − [qtb; 0]‖` for `z`, with `R` (`n × n`, upper triangular, from
/// [`Qr::r`]) and the diagonal `d` of a scaling applied to `x = P z`. Each row of `D·P` is
/// rotated into `R` by Givens rotations, giving `S` (kept in `ws` for [`lm_parameter`]);
/// then `S z = (rotated qtb)` is solved by back substitution, over the nonsingular leading
/// block. Writes `x` (unpermuted).
pub(crate) fn damped_solve(
    r: &[f64],
    ipvt: &[usize],
    d: &[f64],
    qtb: &[f64],
    x: &mut [f64],
    ws: &mut Scratch,
) {
    let n = ipvt.len();
    ws.s.clear();
    ws.s.extend_from_slice(r);
    ws.w.clear();
    ws.w.extend_from_slice(qtb);
    ws.row.clear();
    ws.row.resize(n, 0.0);
    let s = &mut ws.s;
    for j in 0..n {
        let dj = d[ipvt[j]];
        if dj == 0.0 {
            continue;
        }
        ws.row[j..].fill(0.0);
        ws.row[j] = dj;
        // The rotated rows add one component beyond `qtb`, initially 0.
        let mut extra = 0.0;
        for k in j..n {
            let e = ws.row[k];
            if e == 0.0 {
                continue;
            }
            let skk = s[k + n * k];
            let (c, sn) = if skk.abs() < e.abs() {
                let cot = skk / e;
                let sn = 0.5 / (0.25 + 0.25 * cot * cot).sqrt();
                (sn * cot, sn)
            } else {
                let tan = e / skk;
                let c = 0.5 / (0.25 + 0.25 * tan * tan).sqrt();
                (c, c * tan)
            };
            s[k + n * k] = c * skk + sn * e;
            let wk = ws.w[k];
            ws.w[k] = c * wk + sn * extra;
            extra = -sn * wk + c * extra;
            for i in k + 1..n {
                let ski = s[k + n * i];
                let ri = ws.row[i];
                s[k + n * i] = c * ski + sn * ri;
                ws.row[i] = -sn * ski + c * ri;
            }
        }
    }
    ws.sdiag.clear();
    ws.sdiag.extend((0..n).map(|j| s[j + n * j]));
    let sdiag = &ws.sdiag;
    solve_upper_truncated(s, n, &mut ws.w, |j| sdiag[j]);
    for j in 0..n {
        x[ipvt[j]] = ws.w[j];
    }
}

/// The Levenberg–Marquardt parameter `λ` (`par`) for the trust radius `delta` (Moré 1978,
/// §5): the step `p(λ)` solving `min ‖J p + r‖² + λ‖D p‖²` is written to `x` (as `−p`, the
/// solution of [`damped_solve`]'s problem), with `‖D p‖` within 10% of `delta` — or `λ = 0`
/// when the Gauss–Newton step is already inside `1.1·delta`. The search keeps bounds
/// `parl ≤ λ ≤ paru` and takes Newton steps on `φ(λ) = ‖D p(λ)‖ − delta`, at most 10.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub(crate) fn lm_parameter(
    r: &[f64],
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
    delta: f64,
    par: &mut f64,
    x: &mut [f64],
    ws: &mut Scratch,
) {
    let n = ipvt.len();
    let tiny = f64::MIN_POSITIVE;
    // Gauss–Newton direction (truncated at the first zero of R's diagonal).
    let mut z = qtb.to_vec();
    let rank_full = (0..n).all(|j| r[j + n * j] != 0.0);
    solve_upper_truncated(r, n, &mut z, |j| r[j + n * j]);
    for j in 0..n {
        x[ipvt[j]] = z[j];
    }
    let scaled = |x: &[f64], dx: &mut Vec<f64>| -> f64 {
        dx.clear();
        dx.extend(x.iter().zip(diag).map(|(x, d)| x * d));
        norm(dx)
    };
    let mut dx = std::mem::take(&mut ws.dx);
    let mut dxnorm = scaled(x, &mut dx);
    let mut fp = dxnorm - delta;
    if fp <= 0.1 * delta {
        *par = 0.0;
        ws.dx = dx;
        return;
    }
    // Lower bound from the Newton step at λ = 0 (only when R is nonsingular).
    let mut parl = 0.0;
    if rank_full {
        let mut w: Vec<f64> = ipvt.iter().map(|&l| diag[l] * (dx[l] / dxnorm)).collect();
        for j in 0..n {
            let s: f64 = (0..j).map(|i| r[i + n * j] * w[i]).sum();
            w[j] = (w[j] - s) / r[j + n * j];
        }
        let t = norm(&w);
        parl = ((fp / delta) / t) / t;
    }
    // Upper bound ‖(JD⁻¹)ᵀ r‖ / delta.
    let g: Vec<f64> = (0..n)
        .map(|j| {
            let s: f64 = (0..=j).map(|i| r[i + n * j] * qtb[i]).sum();
            s / diag[ipvt[j]]
        })
        .collect();
    let gnorm = norm(&g);
    let mut paru = gnorm / delta;
    if paru == 0.0 {
        paru = tiny / delta.min(0.1);
    }
    *par = par.max(parl).min(paru);
    if *par == 0.0 {
        *par = gnorm / dxnorm;
    }
    let mut d = vec![0.0; n];
    let mut iter = 0;
    loop {
        iter += 1;
        if *par == 0.0 {
            *par = tiny.max(0.001 * paru);
        }
        let sq = par.sqrt();
        for (dj, &g) in d.iter_mut().zip(diag) {
            *dj = sq * g;
        }
        damped_solve(r, ipvt, &d, qtb, x, ws);
        dxnorm = scaled(x, &mut dx);
        let previous = fp;
        fp = dxnorm - delta;
        if fp.abs() <= 0.1 * delta
            || (parl == 0.0 && fp <= previous && previous < 0.0)
            || iter == 10
        {
            break;
        }
        // Newton correction: φ/φ' from Sᵀ w = P ᵀ D² x / ‖D x‖.
        let mut w: Vec<f64> = ipvt.iter().map(|&l| diag[l] * (dx[l] / dxnorm)).collect();
        for j in 0..n {
            w[j] /= ws.sdiag[j];
            let t = w[j];
            for i in j + 1..n {
                w[i] -= ws.s[j + n * i] * t;
            }
        }
        let t = norm(&w);
        let parc = ((fp / delta) / t) / t;
        if fp > 0.0 {
            parl = parl.max(*par);
        }
        if fp < 0.0 {
            paru = paru.min(*par);
        }
        *par = parl.max(*par + parc);
    }
    ws.dx = dx;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `A P = Q R`: `RᵀR = (AP)ᵀ(AP)`, `|diag R|` non-increasing, and `Qᵀ` preserves norms.
    #[test]
    fn qr_reproduces_the_gram_matrix() {
        let (m, n) = (5, 3);
        let a: Vec<f64> = (0..m * n)
            .map(|k| ((k * 7 + 3) % 11) as f64 - 4.0 + 0.1 * k as f64)
            .collect();
        let mut qr = Qr::default();
        qr.factor(m, n, &a);
        let mut r = Vec::new();
        qr.r(&mut r);
        for p in 0..n {
            for q in 0..n {
                let (cp, cq) = (qr.ipvt[p], qr.ipvt[q]);
                let ata: f64 = (0..m).map(|i| a[i + m * cp] * a[i + m * cq]).sum();
                let rtr: f64 = (0..n).map(|i| r[i + n * p] * r[i + n * q]).sum();
                assert!((ata - rtr).abs() < 1e-12 * ata.abs().max(1.0), "{p} {q}");
            }
        }
        for j in 1..n {
            assert!(qr.rdiag[j].abs() <= qr.rdiag[j - 1].abs() + 1e-12);
        }
        let mut b: Vec<f64> = (0..m).map(|i| i as f64 - 1.5).collect();
        let before = norm(&b);
        qr.apply_qt(&mut b);
        assert!((norm(&b) - before).abs() < 1e-12);
    }

    /// The damped solve equals the normal equations `(AᵀA + D²) x = Aᵀb`.
    #[test]
    fn damped_solve_matches_normal_equations() {
        let (m, n) = (4, 2);
        let a = [1.0, 2.0, 0.5, -1.0, 3.0, 0.0, 1.0, 2.0];
        let b = [1.0, -2.0, 0.5, 3.0];
        let d = [0.7, 1.3];
        let mut qr = Qr::default();
        qr.factor(m, n, &a);
        let mut qtb = b.to_vec();
        qr.apply_qt(&mut qtb);
        let mut r = Vec::new();
        qr.r(&mut r);
        let mut x = [0.0; 2];
        damped_solve(&r, &qr.ipvt, &d, &qtb[..n], &mut x, &mut Scratch::default());
        let g = |p: usize, q: usize| (0..m).map(|i| a[i + m * p] * a[i + m * q]).sum::<f64>();
        let atb = |p: usize| (0..m).map(|i| a[i + m * p] * b[i]).sum::<f64>();
        let (h00, h01, h11) = (g(0, 0) + d[0] * d[0], g(0, 1), g(1, 1) + d[1] * d[1]);
        let det = h00 * h11 - h01 * h01;
        let x0 = (h11 * atb(0) - h01 * atb(1)) / det;
        let x1 = (h00 * atb(1) - h01 * atb(0)) / det;
        assert!(
            (x[0] - x0).abs() < 1e-12 && (x[1] - x1).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn norm_survives_extremes() {
        assert_eq!(norm(&[3.0, 4.0]), 5.0);
        assert!((norm(&[3e200, 4e200]) / 5e200 - 1.0).abs() < 1e-15);
        assert!((norm(&[3e-200, 4e-200]) / 5e-200 - 1.0).abs() < 1e-15);
        assert_eq!(norm(&[0.0, 0.0]), 0.0);
    }
}
