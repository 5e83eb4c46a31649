//! Gradients: numerical differences ([`numeric`]) and the gradient checker ([`check`]).

pub mod check;
pub mod numeric;

pub use check::{check_gradient, GradientCheck};
pub use numeric::{numerical_gradient, numerical_hessian, Difference, Numeric};
