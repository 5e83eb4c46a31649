//! The compiled form of an expression — a flat postfix instruction list — and its evaluation
//! over any [`Scalar`] with an explicit value stack (no recursion).

use crate::diff::Scalar;

/// Declares [`Func`] from one table: variant, name as written, arity, doc.
macro_rules! funcs {
    ($($v:ident $name:literal $arity:literal $doc:literal;)*) => {
        /// A built-in function of the expression language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Func {
            $(#[doc = $doc] $v,)*
        }
        impl Func {
            /// The function names, as written in expressions.
            pub const NAMES: &'static [&'static str] = &[$($name),*];
            const ALL: &'static [Func] = &[$(Func::$v),*];
            const ARITY: &'static [usize] = &[$($arity),*];
        }
    };
}

funcs! {
    Sin "sin" 1 "`sin(a)`";
    Cos "cos" 1 "`cos(a)`";
    Tan "tan" 1 "`tan(a)`";
    Exp "exp" 1 "`exp(a)`";
    Ln "ln" 1 "`ln(a)`, the natural logarithm";
    Log10 "log10" 1 "`log10(a)`";
    Sqrt "sqrt" 1 "`sqrt(a)`";
    Abs "abs" 1 "`abs(a)`";
    Tanh "tanh" 1 "`tanh(a)`";
    Sinh "sinh" 1 "`sinh(a)`";
    Cosh "cosh" 1 "`cosh(a)`";
    Atan "atan" 1 "`atan(a)`";
    Asin "asin" 1 "`asin(a)`";
    Acos "acos" 1 "`acos(a)`";
    Sign "sign" 1 "`sign(a)`: −1, 0 or 1, as `torch.sign`";
    Atan2 "atan2" 2 "`atan2(y, x)`: the angle of `(x, y)` in (−π, π]";
    Min "min" 2 "`min(a, b)`";
    Max "max" 2 "`max(a, b)`";
    If "if" 3 "`if(c, a, b)`: `a` where `c ≠ 0`, else `b` (only the branch taken is differentiated)";
}

impl Func {
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

    /// How many arguments it takes.
    pub fn arity(self) -> usize {
        Func::ARITY[self as usize]
    }

    /// Applies it to its arguments (`args.len()` = its arity).
    #[inline]
    pub fn apply<S: Scalar>(self, args: &[S]) -> S {
        let a = args[0];
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
            Func::Sinh => a.sinh(),
            Func::Cosh => a.cosh(),
            Func::Atan => a.atan(),
            Func::Asin => a.asin(),
            Func::Acos => a.acos(),
            Func::Sign => a.sign(),
            Func::Atan2 => a.atan2(args[1]),
            Func::Min => a.min(args[1]),
            Func::Max => a.max(args[1]),
            Func::If => a.select(args[1], args[2]),
        }
    }
}

/// A comparison: 1 where it holds, else 0 (a constant: no derivative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Cmp {
    /// Its symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }

    /// 1 if `a ∘ b` holds, else 0 (IEEE comparisons: false with a NaN, except `!=`).
    pub fn holds(self, a: f64, b: f64) -> f64 {
        let t = match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        };
        f64::from(u8::from(t))
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
    /// `f(a, …)`, popping as many values as `f` takes.
    Call(Func),
    /// `a ∘ b` for a comparison `∘`: 1 or 0.
    Cmp(Cmp),
}

impl Instr {
    /// How many values it pops.
    pub fn arity(self) -> usize {
        match self {
            Instr::Const(_) | Instr::Var(_) => 0,
            Instr::Call(f) => f.arity(),
            Instr::Neg | Instr::PowI(_) | Instr::PowF(_) => 1,
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
            let k = sp - f.arity();
            st[k] = f.apply(&st[k..sp]);
            k + 1
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
                Instr::Cmp(c) => a.constant(c.holds(a.value(), b.value())),
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
