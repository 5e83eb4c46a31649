//! Gradients: numerical differences ([`numeric`]), the gradient checker ([`check`]), and
//! exact derivatives by automatic differentiation — a function written once over [`Scalar`]
//! ([`scalar`]) is differentiated in one backward pass on a tape ([`reverse`]), its Hessian
//! comes from hyper-dual numbers ([`dual`]), and [`Ad`] ([`ad`]) makes it an `Objective`.

pub mod ad;
pub mod check;
pub mod dual;
pub mod numeric;
pub mod reverse;
pub mod scalar;
pub mod vector;

pub use ad::{Ad, ScalarFn};
pub use check::{check_gradient, GradientCheck};
pub use dual::{directional, hessian, hessian_vector, HyperDual};
pub use numeric::{numerical_gradient, numerical_hessian, Difference, Numeric};
pub use reverse::{gradient, gradient_with, Tape, Var, Workspace};
pub use scalar::{Partials2, Scalar};
pub use vector::{VectorAd, VectorFn};
