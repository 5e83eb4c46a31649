//! The elementwise operations of the vector tape, each with its forward loop over a block and
//! its backward loop (the adjoint times the local derivative, assigned or accumulated).
//!
//! Every loop is a plain loop over equal-length slices with the `match` on the operation
//! outside it, so that LLVM vectorises it; the callers are compiled per SIMD level by
//! [`crate::multiversion!`]. No FMA contraction happens, so every level rounds alike.

/// A unary operation `y = u(x)` (constants folded in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Un {
    /// `−x`.
    Neg,
    /// `x²`.
    Square,
    /// `xⁿ`.
    Powi(i32),
    /// `eˣ`.
    Exp,
    /// `ln x`.
    Ln,
    /// `√x`.
    Sqrt,
    /// `sin x`.
    Sin,
    /// `cos x`.
    Cos,
    /// `tanh x`.
    Tanh,
    /// `c·x`.
    Scale(f64),
    /// `x + c`.
    Shift(f64),
    /// `c − x`.
    RSub(f64),
    /// `c / x`.
    RDiv(f64),
}

/// A binary operation `y = a ∘ b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bin {
    Add,
    Sub,
    Mul,
    Div,
}

impl Un {
    /// `u(x)`.
    #[inline(always)]
    pub(crate) fn f(self, x: f64) -> f64 {
        match self {
            Un::Neg => -x,
            Un::Square => x * x,
            Un::Powi(n) => x.powi(n),
            Un::Exp => x.exp(),
            Un::Ln => x.ln(),
            Un::Sqrt => x.sqrt(),
            Un::Sin => x.sin(),
            Un::Cos => x.cos(),
            Un::Tanh => x.tanh(),
            Un::Scale(c) => x * c,
            Un::Shift(c) => x + c,
            Un::RSub(c) => c - x,
            Un::RDiv(c) => c / x,
        }
    }

    /// `u'(x)`, given `y = u(x)` too (cheaper for `exp`, `√`, `tanh`, `c/x`).
    #[inline(always)]
    pub(crate) fn d(self, x: f64, y: f64) -> f64 {
        match self {
            Un::Neg | Un::RSub(_) => -1.0,
            Un::Square => 2.0 * x,
            Un::Powi(0) => 0.0,
            Un::Powi(n) => n as f64 * x.powi(n - 1),
            Un::Exp => y,
            Un::Ln => 1.0 / x,
            Un::Sqrt => 0.5 / y,
            Un::Sin => x.cos(),
            Un::Cos => -x.sin(),
            Un::Tanh => 1.0 - y * y,
            Un::Scale(c) => c,
            Un::Shift(_) => 1.0,
            Un::RDiv(_) => -y / x,
        }
    }

    /// `true` when `u` is affine (`u'` constant): what keeps a scalar result affine in its sums.
    pub(crate) fn affine(self) -> bool {
        matches!(self, Un::Neg | Un::Scale(_) | Un::Shift(_) | Un::RSub(_))
    }

    /// `out[i] = u(a[i])`.
    #[inline(always)]
    pub(crate) fn map(self, out: &mut [f64], a: &[f64]) {
        match self {
            Un::Neg => map1(out, a, |x| -x),
            Un::Square => map1(out, a, |x| x * x),
            Un::Scale(c) => map1(out, a, |x| x * c),
            Un::Shift(c) => map1(out, a, |x| x + c),
            Un::RSub(c) => map1(out, a, |x| c - x),
            Un::RDiv(c) => map1(out, a, |x| c / x),
            Un::Sqrt => map1(out, a, f64::sqrt),
            op => map1(out, a, |x| op.f(x)),
        }
    }

    /// `ga[i] (+)= g[i]·u'(a[i])` (`y` = the forward output), assigning when `assign`.
    #[inline(always)]
    pub(crate) fn back(self, ga: &mut [f64], g: &[f64], a: &[f64], y: &[f64], assign: bool) {
        match self {
            Un::Neg | Un::RSub(_) => back1(ga, g, a, y, assign, |_, _| -1.0),
            Un::Square => back1(ga, g, a, y, assign, |x, _| 2.0 * x),
            Un::Scale(c) => back1(ga, g, a, y, assign, |_, _| c),
            Un::Shift(_) => back1(ga, g, a, y, assign, |_, _| 1.0),
            Un::Exp => back1(ga, g, a, y, assign, |_, y| y),
            Un::Sqrt => back1(ga, g, a, y, assign, |_, y| 0.5 / y),
            Un::Tanh => back1(ga, g, a, y, assign, |_, y| 1.0 - y * y),
            Un::RDiv(_) => back1(ga, g, a, y, assign, |x, y| -y / x),
            op => back1(ga, g, a, y, assign, |x, y| op.d(x, y)),
        }
    }
}

impl Bin {
    /// `a ∘ b`.
    #[inline(always)]
    pub(crate) fn f(self, a: f64, b: f64) -> f64 {
        match self {
            Bin::Add => a + b,
            Bin::Sub => a - b,
            Bin::Mul => a * b,
            Bin::Div => a / b,
        }
    }

    /// `(∂y/∂a, ∂y/∂b)` at `(a, b)` with `y = a ∘ b`.
    #[inline(always)]
    pub(crate) fn d(self, a: f64, b: f64, y: f64) -> (f64, f64) {
        match self {
            Bin::Add => (1.0, 1.0),
            Bin::Sub => (1.0, -1.0),
            Bin::Mul => (b, a),
            Bin::Div => (1.0 / b, -y / b),
        }
    }

    /// `out[i] = a[i] ∘ b[i]`.
    #[inline(always)]
    pub(crate) fn map(self, out: &mut [f64], a: &[f64], b: &[f64]) {
        match self {
            Bin::Add => map2(out, a, b, |x, y| x + y),
            Bin::Sub => map2(out, a, b, |x, y| x - y),
            Bin::Mul => map2(out, a, b, |x, y| x * y),
            Bin::Div => map2(out, a, b, |x, y| x / y),
        }
    }

    /// The adjoint of the first operand: `ga[i] (+)= g[i]·∂y/∂a`.
    #[inline(always)]
    pub(crate) fn back_a(self, ga: &mut [f64], g: &[f64], b: &[f64], assign: bool) {
        match self {
            Bin::Add | Bin::Sub => back1(ga, g, b, b, assign, |_, _| 1.0),
            Bin::Mul => back1(ga, g, b, b, assign, |b, _| b),
            Bin::Div => back1(ga, g, b, b, assign, |b, _| 1.0 / b),
        }
    }

    /// The adjoint of the second operand: `gb[i] (+)= g[i]·∂y/∂b` (`y` = the forward output).
    #[inline(always)]
    pub(crate) fn back_b(
        self,
        gb: &mut [f64],
        g: &[f64],
        a: &[f64],
        b: &[f64],
        y: &[f64],
        assign: bool,
    ) {
        match self {
            Bin::Add => back1(gb, g, a, a, assign, |_, _| 1.0),
            Bin::Sub => back1(gb, g, a, a, assign, |_, _| -1.0),
            Bin::Mul => back1(gb, g, a, a, assign, |a, _| a),
            Bin::Div => back1(gb, g, b, y, assign, |b, y| -y / b),
        }
    }
}

#[inline(always)]
fn map1(out: &mut [f64], a: &[f64], f: impl Fn(f64) -> f64) {
    let a = &a[..out.len()];
    for (o, &x) in out.iter_mut().zip(a) {
        *o = f(x);
    }
}

#[inline(always)]
fn map2(out: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    let n = out.len();
    let (a, b) = (&a[..n], &b[..n]);
    for i in 0..n {
        out[i] = f(a[i], b[i]);
    }
}

/// `ga[i] = g[i]·d(a[i], y[i])` or `ga[i] += …`.
#[inline(always)]
fn back1(
    ga: &mut [f64],
    g: &[f64],
    a: &[f64],
    y: &[f64],
    assign: bool,
    d: impl Fn(f64, f64) -> f64,
) {
    let n = ga.len();
    let (g, a, y) = (&g[..n], &a[..n], &y[..n]);
    if assign {
        for i in 0..n {
            ga[i] = g[i] * d(a[i], y[i]);
        }
    } else {
        for i in 0..n {
            ga[i] += g[i] * d(a[i], y[i]);
        }
    }
}

/// `Σ a[i]` in four interleaved lanes added at the end (a fixed order, so the same bits at
/// every SIMD level).
#[inline(always)]
pub(crate) fn sum(a: &[f64]) -> f64 {
    sum_with(a, |x| x)
}

/// `Σ u(a[i])`, in the order of [`sum`] (the same bits as summing a stored `u(a)`).
#[inline(always)]
pub(crate) fn sum_map(u: Un, a: &[f64]) -> f64 {
    match u {
        Un::Square => sum_with(a, |x| x * x),
        Un::Shift(c) => sum_with(a, |x| x + c),
        Un::Scale(c) => sum_with(a, |x| x * c),
        op => sum_with(a, |x| op.f(x)),
    }
}

#[inline(always)]
fn sum_with(a: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut l = [0.0f64; 4];
    let mut chunks = a.chunks_exact(4);
    for c in &mut chunks {
        for j in 0..4 {
            l[j] += f(c[j]);
        }
    }
    let mut s = (l[0] + l[1]) + (l[2] + l[3]);
    for &v in chunks.remainder() {
        s += f(v);
    }
    s
}

/// `ga[i] (+)= s·u'(a[i])`: the adjoint of a fused `Σ u(a)` (the bits of seeding `u(a)` with
/// `s` and then its backward step).
#[inline(always)]
pub(crate) fn seed_map(ga: &mut [f64], s: f64, u: Un, a: &[f64], assign: bool) {
    match u {
        Un::Square => seed_with(ga, a, assign, |x| s * (2.0 * x)),
        Un::Neg | Un::RSub(_) => seed_with(ga, a, assign, |_| -s),
        op => seed_with(ga, a, assign, |x| s * op.d(x, op.f(x))),
    }
}

#[inline(always)]
fn seed_with(ga: &mut [f64], a: &[f64], assign: bool, f: impl Fn(f64) -> f64) {
    let a = &a[..ga.len()];
    if assign {
        ga.iter_mut().zip(a).for_each(|(g, &x)| *g = f(x));
    } else {
        ga.iter_mut().zip(a).for_each(|(g, &x)| *g += f(x));
    }
}

/// `Σ a[i]·b[i]` in four interleaved lanes, as [`sum`].
#[inline(always)]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len();
    let b = &b[..n];
    let mut l = [0.0f64; 4];
    let m = n - n % 4;
    for i in (0..m).step_by(4) {
        for j in 0..4 {
            l[j] += a[i + j] * b[i + j];
        }
    }
    let mut s = (l[0] + l[1]) + (l[2] + l[3]);
    for i in m..n {
        s += a[i] * b[i];
    }
    s
}

/// `ga[i] (+)= s·b[i]` (`b = None`: `ga[i] (+)= s`): the adjoint of a sum or a dot product.
#[inline(always)]
pub(crate) fn seed(ga: &mut [f64], s: f64, b: Option<&[f64]>, assign: bool) {
    match (b, assign) {
        (None, true) => ga.iter_mut().for_each(|v| *v = s),
        (None, false) => ga.iter_mut().for_each(|v| *v += s),
        (Some(b), true) => map1(ga, b, |x| s * x),
        (Some(b), false) => {
            let b = &b[..ga.len()];
            for (v, &x) in ga.iter_mut().zip(b) {
                *v += s * x;
            }
        }
    }
}
