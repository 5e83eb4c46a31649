//! Reverse-mode automatic differentiation on a tape ("backpropagation"): record the function
//! once as plain `f64` arithmetic plus a few tape entries, then one backward sweep gives the
//! whole gradient, at a cost that is a small multiple of one evaluation whatever `n` is —
//! instead of the `2n` evaluations of central differences.
//!
//! ## How it is kept cheap
//! A [`Var`] is not a tape node but a *linear view* of at most two tape entries (leaves `xᵢ`
//! or recorded nodes): its value `v`, the entries `i₀, i₁` and the local derivatives
//! `s_j = ∂v/∂(entry i_j)`. Unary operations (`exp`, `sin`, `powi`, …) and operations with
//! constants (`x·100`, `x − 1`) record nothing: they update `v` and multiply the `s_j` by the
//! local derivative. A binary operation merges the operands' entries (`x·x` stays one entry,
//! `y − x²` becomes two) and records a node only when more than two distinct entries result;
//! the node's parents are those entries, with their partials. [`Scalar::sum_of`] records one
//! node for a whole sum. Rosenbrock therefore records a single node with `2(n−1)` parent
//! links (12 bytes each). The backward sweep walks the nodes once in reverse:
//!
//! ```text
//! ā[out entries] = s_out;   for node k = last … first, for each parent (p, ∂): ā[p] += ā[k]·∂
//! ```
//!
//! and `∇f = ā[0 .. n)`. The tape and adjoint vectors are kept and reused across calls
//! ([`Tape::clear`]); recording allocates only when a vector must grow.

use std::cell::RefCell;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::scalar::{Partials2, Scalar};

/// The index of "no entry": a constant.
const CONST: u32 = u32::MAX;

/// The recorded nodes: node `k` (entry `n + k`) has the parents `parents[ends[k-1]..ends[k]]`
/// with the local partials at the same positions.
#[derive(Debug, Default)]
struct Nodes {
    parents: Vec<u32>,
    partials: Vec<f64>,
    ends: Vec<u32>,
    /// Stack of pending sum terms (see [`Scalar::sum_of`] for `Var`).
    pending: Vec<(u32, f64)>,
}

/// The record of one evaluation: `n` leaves (entries `0 .. n`) followed by nodes.
#[derive(Debug, Default)]
pub struct Tape {
    nodes: RefCell<Nodes>,
    n_leaves: usize,
    adjoints: Vec<f64>,
}

/// A number being recorded on a [`Tape`]: its value as a linear view of up to two tape
/// entries, `∂value/∂entry[j] = s[j]` (unused slots hold `CONST` and 0).
#[derive(Debug, Clone, Copy)]
pub struct Var<'t> {
    tape: &'t Tape,
    val: f64,
    i: [u32; 2],
    s: [f64; 2],
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
        let nodes = self.nodes.get_mut();
        nodes.parents.clear();
        nodes.partials.clear();
        nodes.ends.clear();
        nodes.pending.clear();
        self.n_leaves = n;
    }

    /// Number of recorded nodes.
    pub fn len(&self) -> usize {
        self.nodes.borrow().ends.len()
    }

    /// `true` when no node has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total number of parent links of the recorded nodes (the tape's size in 12-byte units).
    pub fn links(&self) -> usize {
        self.nodes.borrow().parents.len()
    }

    /// Leaf `i` (`0 ≤ i < n`) with value `x`.
    pub fn var(&self, i: usize, x: f64) -> Var<'_> {
        debug_assert!(i < self.n_leaves);
        Var {
            tape: self,
            val: x,
            i: [i as u32, CONST],
            s: [1.0, 0.0],
        }
    }

    /// The constant `c` on this tape.
    pub fn constant(&self, c: f64) -> Var<'_> {
        Var {
            tape: self,
            val: c,
            i: [CONST, CONST],
            s: [0.0, 0.0],
        }
    }

    /// One backward sweep from an output recorded on this tape (given by [`Var::seed`]):
    /// writes `∂out/∂xᵢ` into `grad[i]` for the `n` leaves.
    pub fn backward(&mut self, out: Seed, grad: &mut [f64]) {
        let n = self.n_leaves;
        let nodes = self.nodes.get_mut();
        let adj = &mut self.adjoints;
        adj.clear();
        adj.resize(n + nodes.ends.len(), 0.0);
        for (i, s) in out.i.into_iter().zip(out.s) {
            if i != CONST {
                adj[i as usize] += s;
            }
        }
        let mut end = nodes.parents.len();
        for k in (0..nodes.ends.len()).rev() {
            let start = if k == 0 {
                0
            } else {
                nodes.ends[k - 1] as usize
            };
            let a = adj[n + k];
            if a != 0.0 {
                let ps = &nodes.parents[start..end];
                let ds = &nodes.partials[start..end];
                for (&p, &d) in ps.iter().zip(ds) {
                    adj[p as usize] += a * d;
                }
            }
            end = start;
        }
        grad[..n].copy_from_slice(&adj[..n]);
    }

    /// Records a node with the given (parent, partial) links; returns its entry index.
    #[inline(always)]
    fn push(&self, links: &[(u32, f64)]) -> u32 {
        let mut guard = self.nodes.borrow_mut();
        let nodes = &mut *guard;
        let k = self.n_leaves + nodes.ends.len();
        for &(p, d) in links {
            nodes.parents.push(p);
            nodes.partials.push(d);
        }
        let len = nodes.parents.len();
        assert!(len < CONST as usize, "tape too long");
        nodes.ends.push(len as u32);
        k as u32
    }
}

/// Where an output sits on its tape; what [`Tape::backward`] starts from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    i: [u32; 2],
    s: [f64; 2],
}

impl<'t> Var<'t> {
    /// The value.
    pub fn val(&self) -> f64 {
        self.val
    }

    /// The output handle for [`Tape::backward`] (releases the borrow of the tape).
    pub fn seed(&self) -> Seed {
        Seed {
            i: self.i,
            s: self.s,
        }
    }

    /// The same entries with every scale multiplied by `d`, and value `f`.
    #[inline(always)]
    fn scaled(self, f: f64, d: f64) -> Self {
        Var {
            tape: self.tape,
            val: f,
            i: self.i,
            s: [self.s[0] * d, self.s[1] * d],
        }
    }

    /// `g(self, b)` with value `f` and partials `da`, `db`: merges the entries of both
    /// operands; records a node only when more than two distinct entries result.
    #[inline(always)]
    fn binary(self, b: Self, f: f64, da: f64, db: f64) -> Self {
        if b.i[0] == CONST {
            return self.scaled(f, da);
        }
        if self.i[0] == CONST {
            return b.scaled(f, db);
        }
        let (a0, a1) = (self.s[0] * da, self.s[1] * da);
        let (b0, b1) = (b.s[0] * db, b.s[1] * db);
        if self.i[1] == CONST && b.i[1] == CONST {
            // The common case: two single-entry views.
            let (i, j) = (self.i[0], b.i[0]);
            let v = if i == j {
                ([i, CONST], [a0 + b0, 0.0])
            } else {
                ([i, j], [a0, b0])
            };
            return Var {
                tape: self.tape,
                val: f,
                i: v.0,
                s: v.1,
            };
        }
        let mut e = [(self.i[0], a0), (self.i[1], a1), (CONST, 0.0), (CONST, 0.0)];
        let mut n = if self.i[1] == CONST { 1 } else { 2 };
        for (i, s) in [(b.i[0], b0), (b.i[1], b1)] {
            if i == CONST {
                continue;
            }
            if e[0].0 == i {
                e[0].1 += s;
            } else if n > 1 && e[1].0 == i {
                e[1].1 += s;
            } else if n > 2 && e[2].0 == i {
                e[2].1 += s;
            } else {
                e[n] = (i, s);
                n += 1;
            }
        }
        if n <= 2 {
            Var {
                tape: self.tape,
                val: f,
                i: [e[0].0, e[1].0],
                s: [e[0].1, e[1].1],
            }
        } else {
            let k = self.tape.push(&e[..n]);
            Var {
                tape: self.tape,
                val: f,
                i: [k, CONST],
                s: [1.0, 0.0],
            }
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
        self.scaled(f, df)
    }
    #[inline(always)]
    fn chain2(self, other: Self, p: Partials2) -> Self {
        self.binary(other, p.f, p.fa, p.fb)
    }
    #[inline(always)]
    fn square(self) -> Self {
        self.scaled(self.val * self.val, 2.0 * self.val)
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
                self.scaled(a.powi(n), d1)
            }
        }
    }
    /// One node whose parents are all the terms' entries (instead of a chain of additions).
    fn sum_of<I: Iterator<Item = Self>>(self, terms: I) -> Self {
        let tape = self.tape;
        let start = tape.nodes.borrow().pending.len();
        let mut total = 0.0;
        for t in std::iter::once(self).chain(terms) {
            total += t.val;
            let mut nodes = tape.nodes.borrow_mut();
            for (i, s) in t.i.into_iter().zip(t.s) {
                if i != CONST {
                    nodes.pending.push((i, s));
                }
            }
        }
        let mut guard = tape.nodes.borrow_mut();
        let nodes = &mut *guard;
        let links = nodes.pending.len() - start;
        let out = if links <= 2 {
            let mut v = tape.constant(total);
            for (slot, &(i, s)) in nodes.pending[start..].iter().enumerate() {
                v.i[slot] = i;
                v.s[slot] = s;
            }
            v
        } else {
            let k = tape.n_leaves + nodes.ends.len();
            for &(p, d) in &nodes.pending[start..] {
                nodes.parents.push(p);
                nodes.partials.push(d);
            }
            let len = nodes.parents.len();
            assert!(len < CONST as usize, "tape too long");
            nodes.ends.push(len as u32);
            Var {
                tape,
                val: total,
                i: [k as u32, CONST],
                s: [1.0, 0.0],
            }
        };
        nodes.pending.truncate(start);
        out
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
        self.scaled(-self.val, -1.0)
    }
}

impl<'t> Add<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn add(self, c: f64) -> Self {
        self.scaled(self.val + c, 1.0)
    }
}

impl<'t> Sub<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, c: f64) -> Self {
        self.scaled(self.val - c, 1.0)
    }
}

impl<'t> Mul<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, c: f64) -> Self {
        self.scaled(self.val * c, c)
    }
}

impl<'t> Div<f64> for Var<'t> {
    type Output = Self;
    #[inline(always)]
    fn div(self, c: f64) -> Self {
        self.scaled(self.val / c, 1.0 / c)
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
    leaves: Vec<[u64; 5]>,
}

// The leaves' buffer is only recycled in place if the layouts agree.
const _: () = assert!(std::mem::size_of::<Var<'static>>() == std::mem::size_of::<[u64; 5]>());

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
    fn sums_record_one_node_even_when_nested() {
        let mut ws = Workspace::default();
        let x = [0.5, -1.5, 2.0, 3.0];
        let mut g = [0.0; 4];
        // Σ_i (x_i · Σ_j x_j²): the inner sums are nodes recorded while the outer is pending.
        let v = gradient_with(
            &mut ws,
            |v| {
                let inner = || super::super::scalar::sum(v[0], v.iter().map(|&t| t.square()));
                super::super::scalar::sum(v[0], v.iter().map(|&t| t * inner()))
            },
            &x,
            &mut g,
        );
        let (s1, s2): (f64, f64) = (x.iter().sum(), x.iter().map(|t| t * t).sum());
        assert!(close(v, s1 * s2));
        for i in 0..4 {
            assert!(close(g[i], s2 + 2.0 * x[i] * s1), "{i}");
        }
        assert_eq!(ws.nodes(), 4 + 1);
        // Rosenbrock: one node, two links per term.
        let n = 50;
        let xs: Vec<f64> = (0..n).map(|i| 0.1 * i as f64 - 1.0).collect();
        let mut g = vec![0.0; n];
        let f = crate::problems::Rosenbrock;
        gradient_with(&mut ws, |v| crate::diff::ScalarFn::eval(&f, v), &xs, &mut g);
        assert_eq!((ws.nodes(), ws.tape.links()), (1, 2 * (n - 1)));
    }

    #[test]
    fn tape_is_reused_across_calls() {
        let mut ws = Workspace::default();
        let mut g = vec![0.0; 3];
        for round in 0..3 {
            let x = [1.0 + round as f64, 2.0, 3.0];
            gradient_with(&mut ws, |v| v[0] * v[1] + v[1] * v[2], &x, &mut g);
            // v0·v1 and v1·v2 are views of two leaves each; their sum needs one node.
            assert_eq!(ws.tape.len(), 1);
            assert_eq!(g, vec![2.0, x[0] + 3.0, 2.0]);
        }
    }
}
