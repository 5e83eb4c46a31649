//! Reverse-mode AD on a tape of **vector** operations: one node per operation on a whole
//! slice, not one per scalar.
//!
//! A function written against [`Input`], [`Vector`] and [`Real`] ([`VectorFn`]) records a
//! small graph: shifted views of the input (`x.slice(1..)`), elementwise maps (`square`,
//! `exp`, `a − b`, `a·2`, …), reductions (`sum`, `dot`) to [`Real`]s, and scalar arithmetic
//! on those. Rosenbrock is nine nodes whatever `d` is:
//!
//! ```
//! use downhill::diff::vector::{self, Input, Real, VectorFn};
//!
//! struct Rosenbrock;
//! impl VectorFn for Rosenbrock {
//!     fn eval<'t>(&self, x: Input<'t>) -> Real<'t> {
//!         let n = x.len();
//!         let (head, tail) = (x.slice(0..n - 1), x.slice(1..n));
//!         (tail - head.square()).square().sum() * 100.0 + head.rsub(1.0).square().sum()
//!     }
//! }
//! let mut g = [0.0; 3];
//! let f = vector::gradient(&Rosenbrock, &[1.0, 1.0, 2.0], &mut g);
//! assert_eq!(f, 100.0);
//! assert_eq!(g, [0.0, -400.0, 200.0]);
//! ```
//!
//! ## How it runs
//! Recording builds the graph only; nothing is computed until the graph is run (like a traced
//! JAX function, so a function cannot branch on values). Vector nodes of one length are then
//! evaluated **block by block** (512 elements): every node's block of values lives in L1/L2,
//! never as a whole `d`-long temporary, and each reduction adds its block's partial
//! (four interleaved lanes, then in block order: a fixed order, so the bits do not depend on
//! anything but the input). For `f = φ(s₁, …, s_k)` with sums `sⱼ = Σᵢ vⱼ(x)ᵢ`:
//!
//! ```text
//! ∂f/∂x = Σⱼ (∂φ/∂sⱼ) · Σᵢ ∂vⱼ(x)ᵢ/∂x        (ā of each node: ā[operand] += ā[node]·∂node/∂operand)
//! ```
//!
//! The backward sweep of a block recomputes that block's forward values and walks its nodes
//! in reverse; a view's adjoint is added into the gradient at its offset. When φ is affine in
//! the sums (rosenbrock, sphere, rastrigin, …), `∂φ/∂sⱼ` is known before any sum, so forward
//! and backward run in **one** sweep; otherwise (ackley) a forward sweep gives the sums first.
//! The loops are compiled per SIMD level ([`crate::multiversion!`]); see
//! `examples/gradient_cost.rs` for the cost table against the scalar tape
//! ([`super::reverse`]), which scalar functions and formulas keep using.

mod exec;
mod ops;

use std::cell::RefCell;
use std::ops::{Add, Div, Mul, Neg, Range, Sub};
use std::sync::Mutex;

pub use exec::Workspace;
use ops::{Bin, Un};

use crate::{Float, Objective};

/// A vector node: a view of the input at an offset, or an elementwise operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum VNode {
    View(usize),
    Un(Un, u32),
    Bin(Bin, u32, u32),
}

/// A scalar node: a constant, a reduction of vector nodes, or scalar arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SNode {
    Const(f64),
    Sum(u32),
    Dot(u32, u32),
    Un(Un, u32),
    Bin(Bin, u32, u32),
}

/// The recorded graph of one evaluation.
#[derive(Debug, Default, Clone, PartialEq)]
struct Graph {
    /// Length of the input.
    n: usize,
    vnodes: Vec<(VNode, usize)>,
    snodes: Vec<SNode>,
}

/// The tape a [`VectorFn`] records on (one per evaluation; see [`Workspace`] for reuse).
#[derive(Debug, Default)]
pub struct Tape {
    graph: RefCell<Graph>,
}

impl Tape {
    fn vector(&self, node: VNode, len: usize) -> Vector<'_> {
        let mut g = self.graph.borrow_mut();
        g.vnodes.push((node, len));
        Vector {
            tape: self,
            id: (g.vnodes.len() - 1) as u32,
            len,
        }
    }

    fn real(&self, node: SNode) -> Real<'_> {
        let mut g = self.graph.borrow_mut();
        g.snodes.push(node);
        Real {
            tape: self,
            id: (g.snodes.len() - 1) as u32,
        }
    }
}

/// The input `x` of a [`VectorFn`]: its length is known, its values are not (they are read
/// when the graph runs).
#[derive(Debug, Clone, Copy)]
pub struct Input<'t> {
    tape: &'t Tape,
    n: usize,
}

impl<'t> Input<'t> {
    /// `d`, the length of `x`.
    pub fn len(&self) -> usize {
        self.n
    }
    /// `true` for a zero-length input.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    /// The view `x[r]` (shifted views such as `x[1..] − x[..n−1]²` combine elementwise).
    ///
    /// # Panics
    /// If `r` is not within `0..d` (a programming error in the function, not bad input).
    pub fn slice(&self, r: Range<usize>) -> Vector<'t> {
        assert!(
            r.start <= r.end && r.end <= self.n,
            "slice {r:?} out of 0..{}",
            self.n
        );
        self.tape.vector(VNode::View(r.start), r.end - r.start)
    }
    /// The whole of `x`.
    pub fn all(&self) -> Vector<'t> {
        self.slice(0..self.n)
    }
    /// `xᵢ` as a length-1 vector (for fixed-dimension functions).
    pub fn at(&self, i: usize) -> Vector<'t> {
        self.slice(i..i + 1)
    }
    /// The constant `c` as a [`Real`] on this tape.
    pub fn constant(&self, c: f64) -> Real<'t> {
        self.tape.real(SNode::Const(c))
    }
}

/// A vector of the graph: a view of the input or an elementwise result.
#[derive(Debug, Clone, Copy)]
pub struct Vector<'t> {
    tape: &'t Tape,
    id: u32,
    len: usize,
}

/// A scalar of the graph: a reduction of vectors or arithmetic on reductions and constants.
#[derive(Debug, Clone, Copy)]
pub struct Real<'t> {
    tape: &'t Tape,
    id: u32,
}

macro_rules! unary_methods {
    ($t:ident) => {
        impl<'t> $t<'t> {
            /// Elementwise `x²`.
            pub fn square(self) -> Self {
                self.un(Un::Square)
            }
            /// Elementwise `xⁿ`.
            pub fn powi(self, n: i32) -> Self {
                self.un(Un::Powi(n))
            }
            /// Elementwise `eˣ`.
            pub fn exp(self) -> Self {
                self.un(Un::Exp)
            }
            /// Elementwise `ln x`.
            pub fn ln(self) -> Self {
                self.un(Un::Ln)
            }
            /// Elementwise `√x`.
            pub fn sqrt(self) -> Self {
                self.un(Un::Sqrt)
            }
            /// Elementwise `sin x`.
            pub fn sin(self) -> Self {
                self.un(Un::Sin)
            }
            /// Elementwise `cos x`.
            pub fn cos(self) -> Self {
                self.un(Un::Cos)
            }
            /// Elementwise `tanh x`.
            pub fn tanh(self) -> Self {
                self.un(Un::Tanh)
            }
            /// Elementwise `c − x`.
            pub fn rsub(self, c: f64) -> Self {
                self.un(Un::RSub(c))
            }
            /// Elementwise `c / x`.
            pub fn rdiv(self, c: f64) -> Self {
                self.un(Un::RDiv(c))
            }
        }
        impl<'t> Add<f64> for $t<'t> {
            type Output = Self;
            fn add(self, c: f64) -> Self {
                self.un(Un::Shift(c))
            }
        }
        impl<'t> Sub<f64> for $t<'t> {
            type Output = Self;
            fn sub(self, c: f64) -> Self {
                self.un(Un::Shift(-c))
            }
        }
        impl<'t> Mul<f64> for $t<'t> {
            type Output = Self;
            fn mul(self, c: f64) -> Self {
                self.un(Un::Scale(c))
            }
        }
        impl<'t> Div<f64> for $t<'t> {
            type Output = Self;
            fn div(self, c: f64) -> Self {
                self.un(Un::Scale(1.0 / c))
            }
        }
        impl<'t> Neg for $t<'t> {
            type Output = Self;
            fn neg(self) -> Self {
                self.un(Un::Neg)
            }
        }
        impl<'t> Add<$t<'t>> for f64 {
            type Output = $t<'t>;
            fn add(self, v: $t<'t>) -> $t<'t> {
                v + self
            }
        }
        impl<'t> Sub<$t<'t>> for f64 {
            type Output = $t<'t>;
            fn sub(self, v: $t<'t>) -> $t<'t> {
                v.rsub(self)
            }
        }
        impl<'t> Mul<$t<'t>> for f64 {
            type Output = $t<'t>;
            fn mul(self, v: $t<'t>) -> $t<'t> {
                v * self
            }
        }
        impl<'t> Div<$t<'t>> for f64 {
            type Output = $t<'t>;
            fn div(self, v: $t<'t>) -> $t<'t> {
                v.rdiv(self)
            }
        }
        binary_ops!($t, Add, add, Bin::Add);
        binary_ops!($t, Sub, sub, Bin::Sub);
        binary_ops!($t, Mul, mul, Bin::Mul);
        binary_ops!($t, Div, div, Bin::Div);
    };
}

macro_rules! binary_ops {
    ($t:ident, $tr:ident, $m:ident, $op:expr) => {
        impl<'t> $tr for $t<'t> {
            type Output = Self;
            fn $m(self, o: Self) -> Self {
                self.bin($op, o)
            }
        }
    };
}

impl<'t> Vector<'t> {
    fn un(self, op: Un) -> Self {
        self.tape.vector(VNode::Un(op, self.id), self.len)
    }
    fn bin(self, op: Bin, o: Self) -> Self {
        assert!(
            self.len == o.len,
            "elementwise operation on lengths {} and {}",
            self.len,
            o.len
        );
        self.tape.vector(VNode::Bin(op, self.id, o.id), self.len)
    }
    /// The length.
    pub fn len(&self) -> usize {
        self.len
    }
    /// `true` for a zero-length vector.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// `Σᵢ vᵢ`.
    pub fn sum(self) -> Real<'t> {
        self.tape.real(SNode::Sum(self.id))
    }
    /// `Σᵢ vᵢ·wᵢ`.
    ///
    /// # Panics
    /// If the lengths differ.
    pub fn dot(self, w: Vector<'t>) -> Real<'t> {
        assert!(
            self.len == w.len,
            "dot of lengths {} and {}",
            self.len,
            w.len
        );
        self.tape.real(SNode::Dot(self.id, w.id))
    }
}

impl<'t> Real<'t> {
    fn un(self, op: Un) -> Self {
        self.tape.real(SNode::Un(op, self.id))
    }
    fn bin(self, op: Bin, o: Self) -> Self {
        self.tape.real(SNode::Bin(op, self.id, o.id))
    }
}

unary_methods!(Vector);
unary_methods!(Real);

/// A function `ℝᵈ → ℝ` written against the vector API (see the [module docs](self)).
pub trait VectorFn {
    /// The required length of `x`, or `None` when any length works.
    fn dim(&self) -> Option<usize> {
        None
    }
    /// Records `f(x)`.
    fn eval<'t>(&self, x: Input<'t>) -> Real<'t>;
}

impl<F: VectorFn + ?Sized> VectorFn for &F {
    fn dim(&self) -> Option<usize> {
        (**self).dim()
    }
    fn eval<'t>(&self, x: Input<'t>) -> Real<'t> {
        (**self).eval(x)
    }
}

/// `f(x)` and `∇f(x)` into `grad` (a fresh [`Workspace`]; see [`Workspace::gradient`]).
pub fn gradient<F: VectorFn + ?Sized>(f: &F, x: &[f64], grad: &mut [f64]) -> f64 {
    Workspace::default().gradient(f, x, grad)
}

/// The objective of a [`VectorFn`]: `value` runs the graph forward, `gradient` forward and
/// backward (block by block), in `f64` whatever `T` is; `hessian` is not provided (Newton
/// falls back to differences of the gradient). The workspace sits behind a `Mutex`, so it is
/// `Send + Sync`.
#[derive(Debug)]
pub struct VectorAd<F> {
    /// The function.
    pub f: F,
    ws: Mutex<(Workspace, Vec<f64>, Vec<f64>)>,
}

impl<F: VectorFn> VectorAd<F> {
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        VectorAd {
            f,
            ws: Mutex::default(),
        }
    }
}

impl<T: Float, F: VectorFn> Objective<T> for VectorAd<F> {
    fn dim(&self) -> Option<usize> {
        self.f.dim()
    }

    fn value(&self, x: &[T]) -> T {
        let mut guard = self.ws.lock().unwrap_or_else(|e| e.into_inner());
        let (ws, xb, _) = &mut *guard;
        match T::as_f64s(x) {
            Some(xs) => T::of(ws.value(&self.f, xs)),
            None => {
                xb.clear();
                xb.extend(x.iter().map(|v| v.f64()));
                T::of(ws.value(&self.f, xb))
            }
        }
    }

    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let mut guard = self.ws.lock().unwrap_or_else(|e| e.into_inner());
        let (ws, xb, gb) = &mut *guard;
        if let (Some(xs), Some(gs)) = (T::as_f64s(x), T::as_f64s_mut(g)) {
            return T::of(ws.gradient(&self.f, xs, gs));
        }
        xb.clear();
        xb.extend(x.iter().map(|v| v.f64()));
        gb.clear();
        gb.resize(x.len(), 0.0);
        let fx = ws.gradient(&self.f, xb, gb);
        for (gi, &v) in g.iter_mut().zip(gb.iter()) {
            *gi = T::of(v);
        }
        T::of(fx)
    }
}

#[cfg(test)]
mod tests;
