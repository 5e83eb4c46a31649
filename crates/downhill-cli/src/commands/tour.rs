//! `downhill tour`: the seed experiments. For now: the gradient-descent tables of seeds 004
//! and 001, printed; the HTML report comes with the plotting crate.

use downhill::diff::{numerical_gradient, Difference, Numeric};
use downhill::optim::Sgd;
use downhill::problems::Sphere;
use downhill::run::{minimize, RunOptions};
use downhill::Objective;

use crate::cli::TourArgs;
use crate::exit::CliResult;

/// Entry point of `downhill tour`.
pub fn cmd(_args: &TourArgs) -> CliResult {
    println!("Seed 004 — partial derivatives by central differences (h = 1e-4)");
    let mut x = [3.0];
    let mut g = [0.0];
    numerical_gradient(
        |p: &[f64]| p[0] * p[0] + 16.0,
        &mut x,
        &mut g,
        1e-4,
        Difference::Central,
    );
    println!(
        "  d/dx0 (x0² + 4²) at 3    = {:.15}   (seed: 6.00000000000378)",
        g[0]
    );
    let mut x = [4.0];
    numerical_gradient(
        |p: &[f64]| 9.0 + p[0] * p[0],
        &mut x,
        &mut g,
        1e-4,
        Difference::Central,
    );
    println!(
        "  d/dx1 (3² + x1²) at 4    = {:.15}   (seed: 7.999999999999119)",
        g[0]
    );
    for p in [[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]] {
        let mut x = p;
        let mut g = [0.0; 2];
        numerical_gradient(
            |v: &[f64]| Sphere.value(v),
            &mut x,
            &mut g,
            1e-4,
            Difference::Central,
        );
        println!("  numerical_gradient at {p:?} = [{:.6}, {:.6}]", g[0], g[1]);
    }
    println!(
        "\nSeed 004 — gradient descent on x0² + x1² from (−3, 4), 100 steps, numerical gradient"
    );
    let expected = [
        (0.1, "(-6.11110793e-10, 8.14814391e-10)"),
        (0.005, "(-1.09809702, 1.46412937)"),
        (10.0, "(2.80292473e+12, -2.76020044e+12)"),
    ];
    for (lr, seed) in expected {
        let mut opt = Sgd::new(lr);
        let opts = RunOptions {
            steps: 100,
            tolerance: None,
        };
        let r = minimize(
            &Numeric::new(Sphere),
            &mut opt,
            &[-3.0, 4.0],
            &opts,
            |_, _| {},
        );
        println!(
            "  lr = {lr:<6} → ({:.8e}, {:.8e})   seed: {seed}",
            r.x[0], r.x[1]
        );
        for n in &r.notes {
            println!("      note: {n}");
        }
    }
    println!("\nSeed 001 — f(x) = x² from x = 10, 10 steps");
    for (eta, seed) in [
        (0.2, "0.0605"),
        (0.05, "3.487"),
        (0.9, "1.074"),
        (1.1, "61.9"),
    ] {
        let mut opt = Sgd::new(eta);
        let opts = RunOptions {
            steps: 10,
            tolerance: None,
        };
        let r = minimize(&Sphere, &mut opt, &[10.0], &opts, |_, _| {});
        println!("  η = {eta:<4} → x = {:<10.4}  seed: {seed}", r.x[0]);
    }
    Ok(0)
}
