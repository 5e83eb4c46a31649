//! # Downhill
//!
//! Gradient descent done right and visibly: optimisers with PyTorch's semantics, learning-rate
//! schedules, exact and numerical gradients, test functions and a training loop.
//!
//! ```
//! use downhill::optim::{Optimizer, Sgd};
//! use downhill::problems::Sphere;
//! use downhill::Objective;
//!
//! // Seed 004: gradient descent on x0² + x1² from (−3, 4) with lr = 0.1.
//! let f = Sphere;
//! let mut opt = Sgd::with_lr(0.1)?;
//! let mut x = vec![-3.0_f64, 4.0];
//! let mut g = vec![0.0; 2];
//! for _ in 0..100 {
//!     f.gradient(&x, &mut g);
//!     opt.step(&mut x, &mut g);
//! }
//! assert!(f.value(&x) < 1e-17);
//! # Ok::<(), downhill::Error>(())
//! ```

pub mod data;
pub mod diff;
pub mod error;
pub mod expr;
pub mod float;
pub mod kernels;
pub mod model;
pub mod objective;
pub mod optim;
pub mod problems;
pub mod run;
pub mod schedule;
pub mod train;

pub use error::{Error, Result};
pub use float::Float;
pub use objective::{Objective, SampledObjective};
