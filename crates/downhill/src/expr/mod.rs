//! Expressions: `(1 - x)^2 + 100*(y - x^2)^2` over named variables, parsed once
//! (`parser.rs`, a non-recursive operator-precedence parser over `lexer.rs` tokens) into a flat
//! postfix instruction list ([`eval`]) that is evaluated over any [`Scalar`] — so the same
//! compiled expression runs as `f64` and on the AD tape (`Ad<Expr>` has the exact gradient).
//!
//! Syntax: numbers (`2`, `0.5`, `.5`, `1e-3`), variables, `+ - * / ^` (`^` right-associative
//! and binding tighter than unary minus: `-x^2 = -(x^2)`), unary minus, parentheses, the
//! comparisons `< <= > >= == !=` (binding loosest; 1 where they hold, else 0), and the
//! functions `sin cos tan exp ln log10 sqrt abs tanh sinh cosh atan asin acos sign` (one
//! argument), `atan2(y, x) min(a, b) max(a, b)` and the conditional `if(c, a, b)` (`a` where
//! `c ≠ 0`, else `b`: `if(x > 0, x, -x)`), arguments in parentheses separated by `,`. Every
//! function has exact first and second derivatives (`if`, `min`, `max` those of the branch
//! taken; `sign` and comparisons 0). Errors carry the 1-based column and print the expression
//! with a caret under it.
//!
//! ```
//! use downhill::expr::Expr;
//! use downhill::diff::Ad;
//! use downhill::Objective;
//!
//! let e = Expr::parse("(1 - x)^2 + 100*(y - x^2)^2", &["x", "y"]).unwrap();
//! assert_eq!(e.value(&[1.0, 1.0]), 0.0);
//! let f = Ad::new(e);
//! let mut g = [0.0; 2];
//! f.gradient(&[0.0_f64, 0.0], &mut g);
//! assert_eq!(g, [-2.0, 0.0]);
//! let err = Expr::parse("(1 - x))", &["x"]).unwrap_err();
//! assert_eq!(err.column, 8);
//! ```

pub mod eval;
mod lexer;
mod parser;

use std::fmt;

use crate::diff::{Scalar, ScalarFn};

pub use eval::{Func, Instr, Origin};

/// Characters of the expression shown either side of the caret in an error.
const WINDOW: usize = 40;

/// A syntax error (or unknown name) in an expression, at a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// 1-based character column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The expression (or a window of it around the column, with `…`).
    pub excerpt: String,
    /// Character offset of the caret in `excerpt`.
    pub caret: usize,
}

impl ExprError {
    pub(crate) fn new(src: &str, column: usize, message: String) -> Self {
        let chars: Vec<char> = src.chars().collect();
        let at = column.saturating_sub(1).min(chars.len());
        let lo = at.saturating_sub(WINDOW);
        let hi = (at + WINDOW).min(chars.len());
        let mut excerpt = String::new();
        let mut caret = at - lo;
        if lo > 0 {
            excerpt.push('…');
            caret += 1;
        }
        excerpt.extend(&chars[lo..hi]);
        if hi < chars.len() {
            excerpt.push('…');
        }
        ExprError {
            column,
            message,
            excerpt,
            caret,
        }
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "column {}: {}\n  {}\n  {}^",
            self.column,
            self.message,
            self.excerpt,
            " ".repeat(self.caret)
        )
    }
}

impl std::error::Error for ExprError {}

impl From<ExprError> for crate::Error {
    fn from(e: ExprError) -> Self {
        crate::Error::Invalid(format!("expression: {e}"))
    }
}

/// A compiled expression over `vars.len()` variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    source: String,
    vars: Vec<String>,
    code: Vec<Instr>,
    origins: Vec<Origin>,
    depth: usize,
}

/// Stack height up to which evaluation uses an array on the call stack (no allocation).
const INLINE_STACK: usize = 32;

impl Expr {
    /// Parses and compiles `source` over the variables `vars` (at least one, distinct names;
    /// surrounding whitespace is ignored).
    pub fn parse<V: AsRef<str>>(source: &str, vars: &[V]) -> Result<Expr, ExprError> {
        let vars: Vec<String> = vars.iter().map(|v| v.as_ref().trim().to_string()).collect();
        if vars.is_empty() {
            return Err(ExprError::new(source, 1, "no variables given".into()));
        }
        for (i, v) in vars.iter().enumerate() {
            let valid = v
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid || Func::by_name(v).is_some() || vars[..i].contains(v) {
                return Err(ExprError::new(
                    source,
                    1,
                    format!("invalid, duplicate or reserved variable name `{v}`"),
                ));
            }
        }
        let (code, origins) = parser::parse(source, &vars)?;
        let depth = eval::max_depth(&code);
        Ok(Expr {
            source: source.to_string(),
            vars,
            code,
            origins,
            depth,
        })
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The variable names, in the order of `x`.
    pub fn vars(&self) -> &[String] {
        &self.vars
    }

    /// The compiled postfix code.
    pub fn code(&self) -> &[Instr] {
        &self.code
    }

    /// Evaluates at `x` (`x.len()` = number of variables) over any scalar.
    pub fn eval_at<S: Scalar>(&self, x: &[S]) -> S {
        assert_eq!(
            x.len(),
            self.vars.len(),
            "expression: wrong number of values"
        );
        if self.depth <= INLINE_STACK {
            let mut st = [x[0]; INLINE_STACK];
            eval::run(&self.code, x, &mut st)
        } else {
            let mut st = vec![x[0]; self.depth];
            eval::run(&self.code, x, &mut st)
        }
    }

    /// Evaluates at `x` as `f64`.
    pub fn value(&self, x: &[f64]) -> f64 {
        self.eval_at(x)
    }

    /// If the expression is not finite at `x`, which operation first makes it so: e.g.
    /// "`ln` at column 1 of its argument -1 gives NaN".
    pub fn explain_non_finite(&self, x: &[f64]) -> Option<String> {
        let (k, args, r) = eval::first_non_finite(&self.code, x)?;
        let o = self.origins[k];
        let what = match self.code[k] {
            Instr::Const(_) => format!(
                "the constant subexpression ending with `{}` at column {} is {r}",
                o.op, o.col
            ),
            Instr::Var(i) => format!("variable `{}` is {r}", self.vars[i]),
            Instr::Call(f) if f.arity() == 1 => format!(
                "`{}` at column {} of {} gives {r}",
                o.op,
                o.col,
                fmt_num(args[0])
            ),
            _ => format!(
                "`{}` at column {} on {} gives {r}",
                o.op,
                o.col,
                args.iter()
                    .map(|&a| fmt_num(a))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        };
        Some(what)
    }
}

fn fmt_num(v: f64) -> String {
    format!("{v}")
}

impl ScalarFn for Expr {
    fn dim(&self) -> Option<usize> {
        Some(self.vars.len())
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        self.eval_at(x)
    }
}

#[cfg(test)]
mod tests;
