//! The compiled form of an expression — a flat postfix instruction list — and its evaluation
//! over any [`Scalar`] with an explicit value stack (no recursion).

use crate::diff::Scalar;

/// A built-in function of the expression language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `sin`
    Sin,
    /// `cos`
    Cos,
    /// `tan`
    Tan,
    /// `exp`
    Exp,
    /// `ln` (natural logarithm)
    Ln,
    /// `log10`
    Log10,
    /// `sqrt`
    Sqrt,
    /// `abs`
    Abs,
    /// `tanh`
    Tanh,
}

impl Func {
    /// The function names, as written in expressions.
    pub const NAMES: &'static [&'static str] = &[
        "sin", "cos", "tan", "exp", "ln", "log10", "sqrt", "abs", "tanh",
    ];
    const ALL: [Func; 9] = [
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Exp,
        Func::Ln,
        Func::Log10,
        Func::Sqrt,
        Func::Abs,
        Func::Tanh,
    ];

    /// The function called `name`.
    pub fn by_name(name: &str) -> Option<Func> {
        Func::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Func::ALL[i])
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        Func::NAMES[self as usize]
    }

    /// Applies it to a scalar.
    #[inline]
    pub fn apply<S: Scalar>(self, a: S) -> S {
        match self {
            Func::Sin => a.sin(),
            Func::Cos => a.cos(),
            Func::Tan => a.tan(),
            Func::Exp => a.exp(),
            Func::Ln => a.ln(),
            Func::Log10 => a.log10(),
            Func::Sqrt => a.sqrt(),
            Func::Abs => a.abs(),
            Func::Tanh => a.tanh(),
        }
    }
}

/// One postfix instruction: pushes a value, or pops its operands and pushes the result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Instr {
    /// Push a constant.
    Const(f64),
    /// Push variable `i`.
    Var(usize),
    /// `a + b`
    Add,
    /// `a − b`
    Sub,
    /// `a · b`
    Mul,
    /// `a / b`
    Div,
    /// `a ^ b` with a non-constant exponent.
    Pow,
    /// `a ^ n` with a constant integer exponent.
    PowI(i32),
    /// `a ^ p` with a constant non-integer exponent.
    PowF(f64),
    /// `−a`
    Neg,
    /// `f(a)`
    Call(Func),
}

impl Instr {
    /// How many values it pops.
    pub fn arity(self) -> usize {
        match self {
            Instr::Const(_) | Instr::Var(_) => 0,
            Instr::Neg | Instr::Call(_) | Instr::PowI(_) | Instr::PowF(_) => 1,
            _ => 2,
        }
    }
}

/// Where an instruction came from: the column of its operator and the operator's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// 1-based character column in the expression.
    pub col: usize,
    /// The operator or function (`"ln"`, `"/"`, `"^"`, `"number"`, …).
    pub op: &'static str,
}

/// The deepest the value stack gets while running `code`.
pub(crate) fn max_depth(code: &[Instr]) -> usize {
    let (mut d, mut m) = (0usize, 0usize);
    for i in code {
        d = d - i.arity() + 1;
        m = m.max(d);
    }
    m
}

/// Runs one instruction on the stack `st` of height `sp`; returns the new height.
#[inline(always)]
fn step<S: Scalar>(i: Instr, x: &[S], st: &mut [S], sp: usize) -> usize {
    match i {
        Instr::Const(c) => {
            st[sp] = x[0].constant(c);
            sp + 1
        }
        Instr::Var(k) => {
            st[sp] = x[k];
            sp + 1
        }
        Instr::Neg => {
            st[sp - 1] = -st[sp - 1];
            sp
        }
        Instr::Call(f) => {
            st[sp - 1] = f.apply(st[sp - 1]);
            sp
        }
        Instr::PowI(n) => {
            st[sp - 1] = st[sp - 1].powi(n);
            sp
        }
        Instr::PowF(p) => {
            st[sp - 1] = st[sp - 1].powf(p);
            sp
        }
        bin => {
            let (a, b) = (st[sp - 2], st[sp - 1]);
            st[sp - 2] = match bin {
                Instr::Add => a + b,
                Instr::Sub => a - b,
                Instr::Mul => a * b,
                Instr::Div => a / b,
                _ => a.pow(b),
            };
            sp - 1
        }
    }
}

/// Evaluates `code` at `x` (non-empty) using `st` (at least `max_depth` long) as the stack.
pub(crate) fn run<S: Scalar>(code: &[Instr], x: &[S], st: &mut [S]) -> S {
    let mut sp = 0;
    for &i in code {
        sp = step(i, x, st, sp);
    }
    st[0]
}

/// The first instruction whose result is non-finite while its operands are finite, when
/// evaluating `code` as `f64` at `x`: its index, the operand values and the result.
pub(crate) fn first_non_finite(code: &[Instr], x: &[f64]) -> Option<(usize, Vec<f64>, f64)> {
    let mut st = vec![0.0; max_depth(code)];
    let mut sp = 0;
    for (k, &i) in code.iter().enumerate() {
        let args = st[sp - i.arity()..sp].to_vec();
        sp = step(i, x, &mut st, sp);
        let r = st[sp - 1];
        if !r.is_finite() && args.iter().all(|a| a.is_finite()) {
            return Some((k, args, r));
        }
    }
    None
}
