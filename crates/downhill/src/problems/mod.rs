//! Built-in test functions with analytic gradients, named as in the CLI's `[problem] function`.
//! Each is also written once over [`crate::diff::Scalar`] (`generic.rs`), which gives it an AD
//! gradient and Hessian: [`ad_by_name`]; and once against the vector tape (`vector.rs`), whose
//! AD gradient costs a few values at any dimension: [`vector_ad_by_name`].
//!
//! | name | definition | minimum |
//! |---|---|---|
//! | `sphere` | Σ xᵢ² | 0 at 0 |
//! | `ill_conditioned` | 0.1·x₀² + 2·x₁² | 0 at 0 |
//! | `rosenbrock` | Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² | 0 at (1, …, 1) |
//! | `beale` | (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)² | 0 at (3, 0.5) |
//! | `booth` | (x + 2y − 7)² + (2x + y − 5)² | 0 at (1, 3) |
//! | `himmelblau` | (x² + y − 11)² + (x + y² − 7)² | 0 at (3, 2) and three more |
//! | `saddle` | x₀² − x₁² | saddle at 0, unbounded below |
//! | `monkey_saddle` | x₀³ − 3x₀x₁² | degenerate saddle at 0 |
//! | `rastrigin` | 10n + Σ (xᵢ² − 10 cos 2πxᵢ) | 0 at 0 |
//! | `ackley` | −20 exp(−0.2 √(Σxᵢ²/n)) − exp(Σ cos(2πxᵢ)/n) + 20 + e | 0 at 0 |
//! | `styblinski_tang` | ½ Σ (xᵢ⁴ − 16xᵢ² + 5xᵢ) | −39.16617·n at xᵢ = −2.903534 |
//! | `six_hump_camel` | (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y² | −1.0316285 at (±0.0898, ∓0.7126) |
//! | `double_well` | Σ (xᵢ² − 1)² | 0 at xᵢ = ±1 (two minima: escapes by noise) |

mod bounds;
mod functions;
mod generic;
mod vector;

pub use bounds::Bounds;
pub use functions::*;
pub use generic::ad_by_name;
pub use vector::vector_ad_by_name;

use crate::{Error, Float, Objective, Result};

/// Every built-in function name, in the order of the table above.
pub const NAMES: &[&str] = &[
    "sphere",
    "ill_conditioned",
    "rosenbrock",
    "beale",
    "booth",
    "himmelblau",
    "saddle",
    "monkey_saddle",
    "rastrigin",
    "ackley",
    "styblinski_tang",
    "six_hump_camel",
    "double_well",
];

/// The built-in function called `$name`, each one passed through the constructor `$wrap`
/// (e.g. `Ad::new`) and boxed, or [`Error::Unknown`] listing [`NAMES`]: the one list of
/// built-ins behind [`by_name`], `ad_by_name` and `vector_ad_by_name`.
macro_rules! builtin_by_name {
    ($name:expr, $wrap:expr) => {
        Ok(match $name {
            "sphere" => Box::new($wrap(Sphere)),
            "ill_conditioned" => Box::new($wrap(IllConditioned)),
            "rosenbrock" => Box::new($wrap(Rosenbrock)),
            "beale" => Box::new($wrap(Beale)),
            "booth" => Box::new($wrap(Booth)),
            "himmelblau" => Box::new($wrap(Himmelblau)),
            "saddle" => Box::new($wrap(Saddle)),
            "monkey_saddle" => Box::new($wrap(MonkeySaddle)),
            "rastrigin" => Box::new($wrap(Rastrigin)),
            "ackley" => Box::new($wrap(Ackley)),
            "styblinski_tang" => Box::new($wrap(StyblinskiTang)),
            "six_hump_camel" => Box::new($wrap(SixHumpCamel)),
            "double_well" => Box::new($wrap(DoubleWell)),
            other => {
                return Err(Error::Unknown {
                    kind: "function".into(),
                    name: other.into(),
                    known: NAMES.join(", "),
                })
            }
        })
    };
}
pub(crate) use builtin_by_name;

/// The built-in function called `name`.
pub fn by_name<T: Float>(name: &str) -> Result<Box<dyn Objective<T> + Send + Sync>> {
    builtin_by_name!(name, std::convert::identity)
}

/// Checks that `x` has a length the function accepts (its fixed dimension, or ≥ `min`).
pub fn check_dim<T: Float>(f: &dyn Objective<T>, name: &str, len: usize) -> Result<()> {
    let min = if name == "rosenbrock" { 2 } else { 1 };
    match f.dim() {
        Some(d) if d != len => Err(Error::Dimension {
            what: "x0".into(),
            got: len,
            expected: format!("{d} ({name} is {d}-dimensional)"),
        }),
        None if len < min => Err(Error::Dimension {
            what: "x0".into(),
            got: len,
            expected: format!("at least {min}"),
        }),
        _ => Ok(()),
    }
}
