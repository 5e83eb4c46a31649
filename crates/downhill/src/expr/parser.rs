//! Operator-precedence (Pratt / shunting-yard) parsing with an explicit operator stack — no
//! recursion, so nesting depth is bounded only by memory — straight into the flat postfix
//! code of [`super::eval`], folding constant subexpressions on the way.
//!
//! | operator | binding power | associativity |
//! |---|---|---|
//! | `< <= > >= == !=` | 1 | left (1 or 0) |
//! | `+ -` | 2 | left |
//! | `* /` | 3 | left |
//! | unary `-` (and `+`) | 4 | prefix |
//! | `^` | 5 | right |
//!
//! so `-x^2 = -(x^2)`, `2^-x = 2^(-x)`, `a^b^c = a^(b^c)`, `a-b-c = (a-b)-c`,
//! `x + 1 > y = (x + 1) > y`. Function arguments are separated by `,`.

use super::eval::{Cmp, Func, Instr, Origin};
use super::lexer::{lex, Tok, Token};
use super::ExprError;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Neg,
    Open,
    Call(Func),
    Cmp(Cmp),
}

impl Op {
    fn power(self) -> u8 {
        match self {
            Op::Cmp(_) => 1,
            Op::Add | Op::Sub => 2,
            Op::Mul | Op::Div => 3,
            Op::Neg => 4,
            Op::Pow => 5,
            Op::Open | Op::Call(_) => 0,
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Pow => "^",
            Op::Neg => "unary -",
            Op::Open => "(",
            Op::Call(f) => f.name(),
            Op::Cmp(c) => c.symbol(),
        }
    }
}

/// Postfix code under construction, with constant folding.
struct Emitter {
    code: Vec<Instr>,
    origins: Vec<Origin>,
}

impl Emitter {
    fn push(&mut self, i: Instr, o: Origin) {
        self.code.push(i);
        self.origins.push(o);
    }

    fn last_const(&self, back: usize) -> Option<f64> {
        let n = self.code.len();
        match n.checked_sub(back + 1).map(|k| &self.code[k]) {
            Some(Instr::Const(c)) => Some(*c),
            _ => None,
        }
    }

    fn pop_n(&mut self, n: usize) {
        let k = self.code.len() - n;
        self.code.truncate(k);
        self.origins.truncate(k);
    }

    fn emit(&mut self, op: Op, col: usize) {
        let o = Origin {
            col,
            op: op.symbol(),
        };
        let unary = |f: fn(f64) -> f64, me: &mut Self, i: Instr| match me.last_const(0) {
            Some(a) => {
                me.pop_n(1);
                me.push(Instr::Const(f(a)), o);
            }
            None => me.push(i, o),
        };
        match op {
            Op::Neg => unary(|a| -a, self, Instr::Neg),
            Op::Call(f) => {
                let n = f.arity();
                if (0..n).all(|k| self.last_const(k).is_some()) {
                    let args: Vec<f64> = (0..n).rev().filter_map(|k| self.last_const(k)).collect();
                    self.pop_n(n);
                    self.push(Instr::Const(f.apply(&args)), o);
                } else {
                    self.push(Instr::Call(f), o);
                }
            }
            Op::Cmp(c) => match (self.last_const(1), self.last_const(0)) {
                (Some(a), Some(b)) => {
                    self.pop_n(2);
                    self.push(Instr::Const(c.holds(a, b)), o);
                }
                _ => self.push(Instr::Cmp(c), o),
            },
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow => {
                if let (Some(a), Some(b)) = (self.last_const(1), self.last_const(0)) {
                    self.pop_n(2);
                    let v = match op {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        Op::Div => a / b,
                        _ => a.powf(b),
                    };
                    self.push(Instr::Const(v), o);
                } else if let (Op::Pow, Some(p)) = (op, self.last_const(0)) {
                    self.pop_n(1);
                    let i = if p.fract() == 0.0 && p.abs() <= 1024.0 {
                        Instr::PowI(p as i32)
                    } else {
                        Instr::PowF(p)
                    };
                    self.push(i, o);
                } else {
                    let i = match op {
                        Op::Add => Instr::Add,
                        Op::Sub => Instr::Sub,
                        Op::Mul => Instr::Mul,
                        Op::Div => Instr::Div,
                        _ => Instr::Pow,
                    };
                    self.push(i, o);
                }
            }
            Op::Open => {}
        }
    }
}

/// Parses `src` over the variables `vars` into postfix code and the origin of each instruction.
pub(crate) fn parse(src: &str, vars: &[String]) -> Result<(Vec<Instr>, Vec<Origin>), ExprError> {
    let tokens = lex(src)?;
    let end_col = src.chars().count() + 1;
    if tokens.is_empty() {
        return Err(ExprError::new(src, 1, "empty expression".into()));
    }
    let mut out = Emitter {
        code: Vec::with_capacity(tokens.len()),
        origins: Vec::with_capacity(tokens.len()),
    };
    let mut ops: Vec<(Op, usize)> = Vec::new();
    // Per open parenthesis: the commas seen in it so far.
    let mut commas: Vec<usize> = Vec::new();
    let mut expect_operand = true;
    let mut k = 0;
    let err = |col: usize, msg: String| ExprError::new(src, col, msg);
    while k < tokens.len() {
        let Token { tok, col } = &tokens[k];
        let col = *col;
        if expect_operand {
            match tok {
                Tok::Num(v) => {
                    out.push(Instr::Const(*v), Origin { col, op: "number" });
                    expect_operand = false;
                }
                Tok::Ident(name) => {
                    let paren = match tokens.get(k + 1) {
                        Some(Token {
                            tok: Tok::LParen,
                            col,
                        }) => Some(*col),
                        _ => None,
                    };
                    match (Func::by_name(name), paren) {
                        (Some(f), Some(pcol)) => {
                            ops.push((Op::Call(f), col));
                            ops.push((Op::Open, pcol));
                            commas.push(0);
                            k += 1;
                        }
                        (Some(f), None) => {
                            return Err(err(
                                col,
                                format!(
                                    "function `{}` needs its argument in parentheses",
                                    f.name()
                                ),
                            ))
                        }
                        (None, Some(_)) => {
                            return Err(err(
                                col,
                                format!(
                                    "unknown function `{name}`; known: {}",
                                    Func::NAMES.join(", ")
                                ),
                            ))
                        }
                        (None, None) => match vars.iter().position(|v| v == name) {
                            Some(i) => {
                                out.push(
                                    Instr::Var(i),
                                    Origin {
                                        col,
                                        op: "variable",
                                    },
                                );
                                expect_operand = false;
                            }
                            None => {
                                return Err(err(
                                    col,
                                    format!(
                                        "unknown variable `{name}` (variables: {})",
                                        vars.join(", ")
                                    ),
                                ))
                            }
                        },
                    }
                }
                Tok::Minus => ops.push((Op::Neg, col)),
                Tok::Plus => {}
                Tok::LParen => {
                    ops.push((Op::Open, col));
                    commas.push(0);
                }
                t => {
                    return Err(err(
                        col,
                        format!(
                            "expected a number, variable, function or `(`, found {}",
                            t.describe()
                        ),
                    ))
                }
            }
        } else {
            let binary = match tok {
                Tok::Plus => Some(Op::Add),
                Tok::Minus => Some(Op::Sub),
                Tok::Star => Some(Op::Mul),
                Tok::Slash => Some(Op::Div),
                Tok::Caret => Some(Op::Pow),
                Tok::Cmp(c) => Some(Op::Cmp(*c)),
                _ => None,
            };
            if let Some(op) = binary {
                let right_assoc = op == Op::Pow;
                while let Some(&(top, tcol)) = ops.last() {
                    let p = top.power();
                    if p == 0 || p < op.power() || (p == op.power() && right_assoc) {
                        break;
                    }
                    ops.pop();
                    out.emit(top, tcol);
                }
                ops.push((op, col));
                expect_operand = true;
            } else if *tok == Tok::Comma {
                while let Some(&(top, tcol)) = ops.last() {
                    if top == Op::Open {
                        break;
                    }
                    ops.pop();
                    out.emit(top, tcol);
                }
                let in_call = ops.len() >= 2 && matches!(ops[ops.len() - 2].0, Op::Call(_));
                match commas.last_mut() {
                    Some(n) if in_call => *n += 1,
                    _ => return Err(err(col, "`,` outside a function's argument list".into())),
                }
                expect_operand = true;
            } else if *tok == Tok::RParen {
                loop {
                    match ops.pop() {
                        Some((Op::Open, _)) => break,
                        Some((op, c)) => out.emit(op, c),
                        None => return Err(err(col, "unmatched `)`".into())),
                    }
                }
                let args = commas.pop().unwrap_or(0) + 1;
                if let Some(&(Op::Call(f), c)) = ops.last() {
                    if args != f.arity() {
                        let s = if f.arity() == 1 { "" } else { "s" };
                        return Err(err(
                            c,
                            format!(
                                "`{}` takes {} argument{s}, found {args}",
                                f.name(),
                                f.arity()
                            ),
                        ));
                    }
                    ops.pop();
                    out.emit(Op::Call(f), c);
                }
            } else {
                return Err(err(
                    col,
                    format!("expected an operator or `)`, found {}", tok.describe()),
                ));
            }
        }
        k += 1;
    }
    if expect_operand {
        return Err(err(end_col, "unexpected end of expression".into()));
    }
    while let Some((op, col)) = ops.pop() {
        if op == Op::Open {
            return Err(err(col, "unclosed `(`".into()));
        }
        out.emit(op, col);
    }
    Ok((out.code, out.origins))
}
