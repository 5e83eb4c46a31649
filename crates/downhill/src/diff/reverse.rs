//! Reverse-mode automatic differentiation on a tape ("backpropagation"): record the function
//! once as plain `f64` arithmetic plus a few tape entries, then one backward sweep gives the
//! whole gradient, at a cost that is a small multiple of one evaluation whatever `n` is —
//! instead of the `2n` evaluations of central differences (seed 004).
//!
//! ## How it is kept cheap
//! A [`Var`] is not a tape node but an *affine view* of one: it carries its value `v`, the
//! index `i` of a tape entry (a leaf `xᵢ` or a recorded binary node) and `s = ∂v/∂(entry i)`.
//! Unary operations (`exp`, `sin`, `powi`, …) and operations with constants (`x·100`,
//! `x − 1`) therefore record nothing: they only update `v` and multiply `s` by the local
//! derivative. A binary operation of two variables on the *same* entry (`x·x`) folds into `s`
//! too. Only a binary operation joining two different entries pushes a node
//! `(parents [p, q], partials [∂/∂p, ∂/∂q])` — 24 bytes. Rosenbrock records 3 nodes per
//! coordinate. The backward sweep walks the nodes once in reverse:
//!
//! ```text
//! ā[out] = s_out;   for node k = last … first:  ā[p_k] += ā[k]·∂_p,  ā[q_k] += ā[k]·∂_q
//! ```
//!
//! and `∇f = ā[0 .. n)`. The tape and adjoint vectors are kept and reused across calls
//! ([`Tape::clear`]); recording allocates only when a vector must grow.

use std::cell::RefCell;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::scalar::{Partials2, Scalar};

/// The index of "no entry": a constant.
const CONST: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    parents: [u32; 2],
    partials: [f64; 2],
}

/// The record of one evaluation: `n` leaves (indices `0 .. n`) followed by binary nodes.
#[derive(Debug, Default)]
pub struct Tape {
    nodes: RefCell<Vec<Node>>,
    n_leaves: usize,
    adjoints: Vec<f64>,
}

/// A number being recorded on a [`Tape`]: value, entry index and `∂value/∂entry`.
#[derive(Debug, Clone, Copy)]
pub struct Var<'t> {
    tape: &'t Tape,
    val: f64,
    scale: f64,
    idx: u32,
}

impl Tape {
    /// An empty tape.
    pub fn new() -> Self {
        Tape::default()
    }

    /// Forgets the previous recording (keeping the memory) and declares `n` leaves.
    ///
    /// # Panics
    /// If `n ≥ 2³²−1` (indices are `u32`).
    pub fn clear(&mut self, n: usize) {
        assert!(n < CONST as usize, "too many variables for the tape");
        self.nodes.get_mut().clear();
        self.n_leaves = n;
    }

    /// Number of recorded binary nodes.
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// `true` when no node has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Leaf `i` (`0 ≤ i < n`) with value `x`.
    pub fn var(&self, i: usize, x: f64) -> Var<'_> {
        debug_assert!(i < self.n_leaves);
        Var {
            tape: self,
            val: x,
            scale: 1.0,
            idx: i as u32,
        }
    }

    /// The constant `c` on this tape.
    pub fn constant(&self, c: f64) -> Var<'_> {
        Var {
            tape: self,
            val: c,
            scale: 0.0,
            idx: CONST,
        }
    }

    /// One backward sweep from an output recorded on this tape (given by [`Var::seed`]):
    /// writes `∂out/∂xᵢ` into `grad[i]` for the `n` leaves.
    pub fn backward(&mut self, out: Seed, grad: &mut [f64]) {
        let n = self.n_leaves;
        let nodes = self.nodes.get_mut();
        let adj = &mut self.adjoints;
        adj.clear();
        adj.resize(n + nodes.len(), 0.0);
        if out.idx != CONST {
            adj[out.idx as usize] = out.scale;
        }
        for (k, node) in nodes.iter().enumerate().rev() {
            let a = adj[n + k];
            if a != 0.0 {
                adj[node.parents[0] as usize] += a * node.partials[0];
                adj[node.parents[1] as usize] += a * node.partials[1];
            }
        }
        grad[..n].copy_from_slice(&adj[..n]);
    }

    #[inline(always)]
    fn push(&self, parents: [u32; 2], partials: [f64; 2]) -> u32 {
        let mut nodes = self.nodes.borrow_mut();
        let k = self.n_leaves + nodes.len();
        nodes.push(Node { parents, partials });
        k as u32
    }
}

/// Where an output sits on its tape; what [`Tape::backward`] starts from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    idx: u32,
    scale: f64,
}

impl<'t> Var<'t> {
    /// The value.
    pub fn val(&self) -> f64 {
        self.val
    }

    /// The output handle for [`Tape::backward`] (releases the borrow of the tape).
    pub fn seed(&self) -> Seed {
        Seed {
            idx: self.idx,
            scale: self.scale,
        }
    }

    #[inline(always)]
    fn with(self, val: f64, idx: u32, scale: f64) -> Self {
        Var {
            tape: self.tape,
            val,
            scale,
            idx,
        }
    }

    /// `g(self, b)` with value `f` and partials `da`, `db`: records a node only when both
    /// operands depend on different entries.
    #[inline(always)]
    fn binary(self, b: Self, f: f64, da: f64, db: f64) -> Self {
        if b.idx == CONST {
            self.with(f, self.idx, da * self.scale)
        } else if self.idx == CONST {
            self.with(f, b.idx, db * b.scale)
        } else if self.idx == b.idx {
            self.with(f, self.idx, da * self.scale + db * b.scale)
        } else {
            let k = self
                .tape
                .push([self.idx, b.idx], [da * self.scale, db * b.scale]);
            self.with(f, k, 1.0)
        }
    }
}

impl Scalar for Var<'_> {
    #[inline(always)]
    fn value(&self) -> f64 {
        self.val
    }
    #[inline(always)]
    fn constant(&self, c: f64) -> Self {
        self.tape.constant(c)
    }
    #[inline(always)]
    fn chain(self, f: f64, df: f64, _d2f: f64) -> Self {
        self.with(f, self.idx, df * self.scale)
    }
    #[inline(always)]
    fn chain2(self, other: Self, p: Partials2) -> Self {
        self.binary(other, p.f, p.fa, p.fb)
    }
    #[inline(always)]
    fn square(self) -> Self {
        self.with(self.val * self.val, self.idx, 2.0 * self.val * self.scale)
    }
    #[inline(always)]
    fn powi(self, n: i32) -> Self {
        match n {
            2 => self.square(),
            _ => {
                let a = self.val;
                let d1 = if n == 0 {
                    0.0
                } else {
                    n as f64 * a.powi(n - 1)
                };
                self.with(a.powi(n), self.idx, d1 * self.scale)
            }
        }
    }
}

impl<'t> Add for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        self.binary(b, self.val + b.val, 1.0, 1.0)
    }
}

impl<'t> Sub for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        self.binary(b, self.val - b.val, 1.0, -1.0)
    }
}

impl<'t> Mul for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        self.binary(b, self.val * b.val, b.val, self.val)
    }
}

impl<'t> Div for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        let r = 1.0 / b.val;
        let f = self.val / b.val;
        self.binary(b, f, r, -f * r)
    }
}

impl<'t> Neg for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.with(-self.val, self.idx, -self.scale)
    }
}

impl<'t> Add<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn add(self, c: f64) -> Self {
        self.with(self.val + c, self.idx, self.scale)
    }
}

impl<'t> Sub<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, c: f64) -> Self {
        self.with(self.val - c, self.idx, self.scale)
    }
}

impl<'t> Mul<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, c: f64) -> Self {
        self.with(self.val * c, self.idx, self.scale * c)
    }
}

impl<'t> Div<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn div(self, c: f64) -> Self {
        self.with(self.val / c, self.idx, self.scale / c)
    }
}

/// Reusable working memory for [`gradient_with`]: a tape and the leaves' buffer.
///
/// `Send`, so an objective can keep one behind a `Mutex`.
#[derive(Debug, Default)]
pub struct Workspace {
    tape: Tape,
    /// Storage of the leaves' `Vec<Var>` between calls, as a type of the same size and
    /// alignment without the borrow.
    leaves: Vec<[u64; 4]>,
}

/// Reuses the (empty) allocation of a `Vec<A>` as a `Vec<B>`: the standard library collects a
/// mapped `vec::IntoIter` in place when both types have the same size and alignment (and
/// allocates, still correctly, otherwise).
fn recycle<A, B>(mut v: Vec<A>) -> Vec<B> {
    v.clear();
    v.into_iter().map(|_| unreachable!()).collect()
}

/// Evaluates `f` at `x` on the workspace's tape and writes `∇f(x)` into `grad`; returns `f(x)`.
///
/// One forward recording and one backward sweep; no allocation once the workspace has grown
/// to the size this function needs.
pub fn gradient_with<F>(ws: &mut Workspace, f: F, x: &[f64], grad: &mut [f64]) -> f64
where
    F: for<'t> FnOnce(&[Var<'t>]) -> Var<'t>,
{
    ws.tape.clear(x.len());
    let mut leaves = recycle(std::mem::take(&mut ws.leaves));
    let tape = &ws.tape;
    leaves.extend(x.iter().enumerate().map(|(i, &v)| tape.var(i, v)));
    let out = f(&leaves);
    let (val, seed) = (out.val, out.seed());
    ws.leaves = recycle(leaves);
    ws.tape.backward(seed, grad);
    val
}

/// [`gradient_with`] with a fresh workspace.
pub fn gradient<F>(f: F, x: &[f64], grad: &mut [f64]) -> f64
where
    F: for<'t> FnOnce(&[Var<'t>]) -> Var<'t>,
{
    gradient_with(&mut Workspace::default(), f, x, grad)
}

impl Workspace {
    /// Number of binary nodes the last recording pushed (a function's tape cost).
    pub fn nodes(&self) -> usize {
        self.tape.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-13 * a.abs().max(b.abs()).max(1.0)
    }

    fn grad_of(f: impl for<'t> Fn(&[Var<'t>]) -> Var<'t>, x: &[f64]) -> (f64, Vec<f64>) {
        let mut g = vec![f64::NAN; x.len()];
        let v = gradient(f, x, &mut g);
        (v, g)
    }

    #[test]
    fn elementary_derivatives() {
        let a = 0.7_f64;
        type Case = (fn(Var) -> Var, f64);
        let cases: Vec<Case> = vec![
            (|x| x.exp(), a.exp()),
            (|x| x.ln(), 1.0 / a),
            (|x| x.log10(), 1.0 / (a * std::f64::consts::LN_10)),
            (|x| x.sqrt(), 0.5 / a.sqrt()),
            (|x| x.sin(), a.cos()),
            (|x| x.cos(), -a.sin()),
            (|x| x.tan(), 1.0 / (a.cos() * a.cos())),
            (|x| x.tanh(), 1.0 - a.tanh() * a.tanh()),
            (|x| x.abs(), 1.0),
            (|x| -x, -1.0),
            (|x| x.powi(3), 3.0 * a * a),
            (|x| x.powi(-2), -2.0 / (a * a * a)),
            (|x| x.powf(2.5), 2.5 * a.powf(1.5)),
            (|x| x.recip(), -1.0 / (a * a)),
            (|x| x.rsub(3.0), -1.0),
            (|x| x.rdiv(3.0), -3.0 / (a * a)),
            (|x| x * x * x, 3.0 * a * a),
            (|x| x / (x + 1.0), 1.0 / ((a + 1.0) * (a + 1.0))),
            (|x| x.pow(x), a.powf(a) * (a.ln() + 1.0)),
        ];
        for (k, (f, d)) in cases.into_iter().enumerate() {
            let (_, g) = grad_of(|v| f(v[0]), &[a]);
            assert!(close(g[0], d), "case {k}: {} vs {d}", g[0]);
        }
    }

    #[test]
    fn binary_ops_and_max_min() {
        let (v, g) = grad_of(|x| x[0] * x[1] + x[0] / x[1] - x[1], &[2.0, 4.0]);
        assert!(close(v, 8.0 + 0.5 - 4.0));
        assert!(close(g[0], 4.0 + 0.25));
        assert!(close(g[1], 2.0 - 2.0 / 16.0 - 1.0));
        let (v, g) = grad_of(|x| x[0].max(x[1] * 2.0) + x[0].min(x[1]), &[3.0, 2.0]);
        assert_eq!(v, 4.0 + 2.0);
        assert_eq!(g, vec![0.0, 3.0]);
        let (_, g) = grad_of(|x| x[0].pow(x[1]), &[2.0, 3.0]);
        assert!(close(g[0], 12.0) && close(g[1], 8.0 * 2f64.ln()));
    }

    #[test]
    fn unary_chains_and_constants_record_nothing() {
        let mut ws = Workspace::default();
        let mut g = [0.0; 2];
        let v = gradient_with(
            &mut ws,
            |x| ((x[0] * 3.0 - 1.0).sin().exp() * x[0]).sqrt() + x[1].constant(2.0),
            &[0.4, 9.0],
            &mut g,
        );
        assert_eq!(ws.tape.len(), 0);
        let a: f64 = 0.4;
        let e = (3.0 * a - 1.0).sin().exp();
        assert!(close(v, (e * a).sqrt() + 2.0));
        let d = (e * 3.0 * (3.0 * a - 1.0).cos() * a + e) / (2.0 * (e * a).sqrt());
        assert!(close(g[0], d) && g[1] == 0.0);
        // A constant output has a zero gradient.
        gradient_with(&mut ws, |x| x[0].constant(5.0), &[1.0, 2.0], &mut g);
        assert_eq!(g, [0.0, 0.0]);
    }

    #[test]
    fn tape_is_reused_across_calls() {
        let mut ws = Workspace::default();
        let mut g = vec![0.0; 3];
        for round in 0..3 {
            let x = [1.0 + round as f64, 2.0, 3.0];
            gradient_with(&mut ws, |v| v[0] * v[1] + v[1] * v[2], &x, &mut g);
            assert_eq!(ws.tape.len(), 3);
            assert_eq!(g, vec![2.0, x[0] + 3.0, 2.0]);
        }
    }
}
