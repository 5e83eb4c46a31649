//! Tokens of an expression, each with its 1-based character column.

use super::eval::Cmp;
use super::ExprError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A number literal (`2`, `0.5`, `.5`, `1e-3`, `2.5E+4`).
    Num(f64),
    /// A name: a variable or a function (`[A-Za-z_][A-Za-z0-9_]*`).
    Ident(String),
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `^`
    Caret,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `<`, `<=`, `>`, `>=`, `==` or `!=`
    Cmp(Cmp),
}

/// A token and the column of its first character.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub col: usize,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("number {v}"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Star => "`*`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Caret => "`^`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Cmp(c) => format!("`{}`", c.symbol()),
        }
    }
}

/// Splits `src` into tokens (whitespace separates, and is otherwise ignored).
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let single = match c {
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '^' => Some(Tok::Caret),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        let eq_next = chars.get(i + 1) == Some(&'=');
        let cmp = match (c, eq_next) {
            ('<', true) => Some((Cmp::Le, 2)),
            ('<', false) => Some((Cmp::Lt, 1)),
            ('>', true) => Some((Cmp::Ge, 2)),
            ('>', false) => Some((Cmp::Gt, 1)),
            ('=', true) => Some((Cmp::Eq, 2)),
            ('!', true) => Some((Cmp::Ne, 2)),
            _ => None,
        };
        if let Some((c, len)) = cmp {
            out.push(Token {
                tok: Tok::Cmp(c),
                col,
            });
            i += len;
        } else if c == '=' || c == '!' {
            return Err(ExprError::new(
                src,
                col,
                format!("unexpected character `{c}` (comparisons are < <= > >= == !=)"),
            ));
        } else if let Some(tok) = single {
            out.push(Token { tok, col });
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let v: f64 = text
                .parse()
                .map_err(|_| ExprError::new(src, col, format!("invalid number `{text}`")))?;
            out.push(Token {
                tok: Tok::Num(v),
                col,
            });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                col,
            });
        } else {
            return Err(ExprError::new(
                src,
                col,
                format!("unexpected character `{c}`"),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_operators_and_columns() {
        let t = lex(" 1e-3*x_1 +.5^ 2.5E+4 (y)").unwrap();
        let toks: Vec<(Tok, usize)> = t.into_iter().map(|t| (t.tok, t.col)).collect();
        assert_eq!(
            toks,
            vec![
                (Tok::Num(1e-3), 2),
                (Tok::Star, 6),
                (Tok::Ident("x_1".into()), 7),
                (Tok::Plus, 11),
                (Tok::Num(0.5), 12),
                (Tok::Caret, 14),
                (Tok::Num(2.5e4), 16),
                (Tok::LParen, 23),
                (Tok::Ident("y".into()), 24),
                (Tok::RParen, 25),
            ]
        );
    }

    #[test]
    fn bad_characters_and_numbers_have_columns() {
        let e = lex("x + 2 $ 3").unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (7, "unexpected character `$`")
        );
        let e = lex("1.2.3 + x").unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (1, "invalid number `1.2.3`")
        );
        // `2e` without exponent digits is the number 2 followed by the name `e`.
        let t = lex("2ex").unwrap();
        assert_eq!(t[1].tok, Tok::Ident("ex".into()));
    }
}
