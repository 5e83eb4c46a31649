//! Search: where gradient descent stops, other methods go on. Seed 004's answers to its limits:
//! population methods on Rastrigin and L-BFGS-B in a box (`race`), quasi-Newton and Newton
//! methods on Rosenbrock (`solvers`), and Levenberg–Marquardt fitting a curve (`fit`).

mod fit;
mod race;
mod solvers;

use super::Experiment;

/// Seed 004's search experiments, in the tour's order.
pub(super) fn experiments() -> Vec<Experiment> {
    let mut out = race::experiments();
    out.extend(solvers::experiments());
    out.extend(fit::experiments());
    out
}
