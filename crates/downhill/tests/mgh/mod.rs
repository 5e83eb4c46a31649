//! Unconstrained test problems of Moré, Garbow & Hillstrom, "Testing unconstrained optimization
//! software", ACM TOMS 7 (1981) 17–41, with their standard starting points. Each is
//! `f(x) = Σᵢ rᵢ(x)²` written once over [`Scalar`], so `Ad` differentiates it (gradient,
//! Hessian, Hessian-vector products). `tests/reference/make_scipy_solver_refs.py` holds the
//! same formulas for SciPy (numbers in the paper's order; `mgh_id` is the paper's number).
//!
//! Self-contained: a test file uses it with `mod mgh;` and [`problems`] / [`by_name`].

#![allow(dead_code)] // not every test file uses every item

use downhill::diff::{Ad, Scalar, ScalarFn};

/// `atan` through [`Scalar::chain`] (the trait has no `atan`).
fn atan<S: Scalar>(u: S) -> S {
    let a = u.value();
    let d = 1.0 / (1.0 + a * a);
    u.chain(a.atan(), d, -2.0 * a * d * d)
}

// ---------------------------------------------------------------------------------------
// The residuals, each `fn(x) -> Vec<S>`.

fn rosenbrock<S: Scalar>(x: &[S]) -> Vec<S> {
    vec![(x[1] - x[0].square()) * 10.0, x[0].rsub(1.0)]
}

fn freudenstein_roth<S: Scalar>(x: &[S]) -> Vec<S> {
    let (a, b) = (x[0], x[1]);
    vec![
        a - 13.0 + ((b.rsub(5.0)) * b - 2.0) * b,
        a - 29.0 + ((b + 1.0) * b - 14.0) * b,
    ]
}

fn powell_badly_scaled<S: Scalar>(x: &[S]) -> Vec<S> {
    vec![
        x[0] * x[1] * 1e4 - 1.0,
        (-x[0]).exp() + (-x[1]).exp() - 1.0001,
    ]
}

fn brown_badly_scaled<S: Scalar>(x: &[S]) -> Vec<S> {
    vec![x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2.0]
}

fn beale<S: Scalar>(x: &[S]) -> Vec<S> {
    [1.5, 2.25, 2.625]
        .iter()
        .enumerate()
        .map(|(i, &y)| (x[0] * x[1].powi(i as i32 + 1).rsub(1.0)).rsub(y))
        .collect()
}

fn jennrich_sampson<S: Scalar>(x: &[S]) -> Vec<S> {
    (1..=10)
        .map(|i| {
            let t = f64::from(i);
            ((x[0] * t).exp() + (x[1] * t).exp()).rsub(2.0 + 2.0 * t)
        })
        .collect()
}

fn helical_valley<S: Scalar>(x: &[S]) -> Vec<S> {
    let two_pi = 2.0 * std::f64::consts::PI;
    let mut theta = atan(x[1] / x[0]) / two_pi;
    if x[0].value() < 0.0 {
        theta = theta + 0.5;
    }
    vec![
        (x[2] - theta * 10.0) * 10.0,
        ((x[0].square() + x[1].square()).sqrt() - 1.0) * 10.0,
        x[2],
    ]
}

const BARD_Y: [f64; 15] = [
    0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39,
];

fn bard<S: Scalar>(x: &[S]) -> Vec<S> {
    (1..=15)
        .map(|i| {
            let u = f64::from(i);
            let v = 16.0 - u;
            let w = u.min(v);
            (x[0] + (x[1] * v + x[2] * w).rdiv(u)).rsub(BARD_Y[i as usize - 1])
        })
        .collect()
}

const GAUSSIAN_Y: [f64; 15] = [
    0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540,
    0.0175, 0.0044, 0.0009,
];

fn gaussian<S: Scalar>(x: &[S]) -> Vec<S> {
    (1..=15)
        .map(|i| {
            let t = (8.0 - f64::from(i)) / 2.0;
            x[0] * (-(x[1] * (x[2].rsub(t)).square()) / 2.0).exp() - GAUSSIAN_Y[i as usize - 1]
        })
        .collect()
}

fn box3d<S: Scalar>(x: &[S]) -> Vec<S> {
    (1..=10)
        .map(|i| {
            let t = 0.1 * f64::from(i);
            (x[0] * -t).exp() - (x[1] * -t).exp() - x[2] * ((-t).exp() - (-10.0 * t).exp())
        })
        .collect()
}

fn powell_singular<S: Scalar>(x: &[S]) -> Vec<S> {
    vec![
        x[0] + x[1] * 10.0,
        (x[2] - x[3]) * 5f64.sqrt(),
        (x[1] - x[2] * 2.0).square(),
        (x[0] - x[3]).square() * 10f64.sqrt(),
    ]
}

fn wood<S: Scalar>(x: &[S]) -> Vec<S> {
    vec![
        (x[1] - x[0].square()) * 10.0,
        x[0].rsub(1.0),
        (x[3] - x[2].square()) * 90f64.sqrt(),
        x[2].rsub(1.0),
        (x[1] + x[3] - 2.0) * 10f64.sqrt(),
        (x[1] - x[3]) / 10f64.sqrt(),
    ]
}

const KOWALIK_Y: [f64; 11] = [
    0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246,
];
const KOWALIK_U: [f64; 11] = [
    4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625,
];

fn kowalik_osborne<S: Scalar>(x: &[S]) -> Vec<S> {
    (0..11)
        .map(|i| {
            let u = KOWALIK_U[i];
            let num = x[0] * (x[1] * u + u * u);
            let den = x[2] * u + x[3] + u * u;
            (num / den).rsub(KOWALIK_Y[i])
        })
        .collect()
}

fn brown_dennis<S: Scalar>(x: &[S]) -> Vec<S> {
    (1..=20)
        .map(|i| {
            let t = f64::from(i) / 5.0;
            (x[0] + x[1] * t - t.exp()).square() + (x[2] + x[3] * t.sin() - t.cos()).square()
        })
        .collect()
}

const OSBORNE1_Y: [f64; 33] = [
    0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685,
    0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448,
    0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406,
];

fn osborne1<S: Scalar>(x: &[S]) -> Vec<S> {
    (0..33)
        .map(|i| {
            let t = 10.0 * i as f64;
            (x[0] + x[1] * (x[3] * -t).exp() + x[2] * (x[4] * -t).exp()).rsub(OSBORNE1_Y[i])
        })
        .collect()
}

fn biggs_exp6<S: Scalar>(x: &[S]) -> Vec<S> {
    (1..=13)
        .map(|i| {
            let t = 0.1 * f64::from(i);
            let y = (-t).exp() - 5.0 * (-10.0 * t).exp() + 3.0 * (-4.0 * t).exp();
            x[2] * (x[0] * -t).exp() - x[3] * (x[1] * -t).exp() + x[5] * (x[4] * -t).exp() - y
        })
        .collect()
}

fn extended_rosenbrock<S: Scalar>(x: &[S]) -> Vec<S> {
    x.chunks(2)
        .flat_map(|p| [(p[1] - p[0].square()) * 10.0, p[0].rsub(1.0)])
        .collect()
}

fn penalty1<S: Scalar>(x: &[S]) -> Vec<S> {
    let a = 1e-5f64.sqrt();
    let mut r: Vec<S> = x.iter().map(|&v| (v - 1.0) * a).collect();
    let ss = x.iter().fold(x[0].constant(0.0), |s, &v| s + v.square());
    r.push(ss - 0.25);
    r
}

// ---------------------------------------------------------------------------------------

/// A problem's residual function, for any [`Scalar`].
pub trait Residuals {
    /// `r(x)`.
    fn r<S: Scalar>(&self, x: &[S]) -> Vec<S>;
}

/// One problem of the set.
#[derive(Debug, Clone, Copy)]
pub struct Problem {
    /// Name in the reference files.
    pub name: &'static str,
    /// MGH number.
    pub mgh_id: u32,
    /// Standard start.
    pub x0: &'static [f64],
    which: Which,
}

#[derive(Debug, Clone, Copy)]
enum Which {
    Rosenbrock,
    FreudensteinRoth,
    PowellBadlyScaled,
    BrownBadlyScaled,
    Beale,
    JennrichSampson,
    HelicalValley,
    Bard,
    Gaussian,
    Box3d,
    PowellSingular,
    Wood,
    KowalikOsborne,
    BrownDennis,
    Osborne1,
    BiggsExp6,
    ExtendedRosenbrock,
    Penalty1,
}

impl Residuals for Problem {
    fn r<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        use Which::*;
        match self.which {
            Rosenbrock => rosenbrock(x),
            FreudensteinRoth => freudenstein_roth(x),
            PowellBadlyScaled => powell_badly_scaled(x),
            BrownBadlyScaled => brown_badly_scaled(x),
            Beale => beale(x),
            JennrichSampson => jennrich_sampson(x),
            HelicalValley => helical_valley(x),
            Bard => bard(x),
            Gaussian => gaussian(x),
            Box3d => box3d(x),
            PowellSingular => powell_singular(x),
            Wood => wood(x),
            KowalikOsborne => kowalik_osborne(x),
            BrownDennis => brown_dennis(x),
            Osborne1 => osborne1(x),
            BiggsExp6 => biggs_exp6(x),
            ExtendedRosenbrock => extended_rosenbrock(x),
            Penalty1 => penalty1(x),
        }
    }
}

impl ScalarFn for Problem {
    fn dim(&self) -> Option<usize> {
        Some(self.x0.len())
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let r = self.r(x);
        let zero = r[0].constant(0.0);
        zero.sum_of(r.into_iter().map(|v| v.square()))
    }
}

const ROSEN10: [f64; 10] = [-1.2, 1.0, -1.2, 1.0, -1.2, 1.0, -1.2, 1.0, -1.2, 1.0];

/// Every problem, in the paper's order (extended Rosenbrock with `n = 10`, Penalty I with
/// `n = 4`).
pub fn problems() -> Vec<Problem> {
    use Which::*;
    let p = |name, mgh_id, x0: &'static [f64], which| Problem {
        name,
        mgh_id,
        x0,
        which,
    };
    vec![
        p("rosenbrock", 1, &[-1.2, 1.0], Rosenbrock),
        p("freudenstein_roth", 2, &[0.5, -2.0], FreudensteinRoth),
        p("powell_badly_scaled", 3, &[0.0, 1.0], PowellBadlyScaled),
        p("brown_badly_scaled", 4, &[1.0, 1.0], BrownBadlyScaled),
        p("beale", 5, &[1.0, 1.0], Beale),
        p("jennrich_sampson", 6, &[0.3, 0.4], JennrichSampson),
        p("helical_valley", 7, &[-1.0, 0.0, 0.0], HelicalValley),
        p("bard", 8, &[1.0, 1.0, 1.0], Bard),
        p("gaussian", 9, &[0.4, 1.0, 0.0], Gaussian),
        p("box3d", 12, &[0.0, 10.0, 20.0], Box3d),
        p(
            "powell_singular",
            13,
            &[3.0, -1.0, 0.0, 1.0],
            PowellSingular,
        ),
        p("wood", 14, &[-3.0, -1.0, -3.0, -1.0], Wood),
        p(
            "kowalik_osborne",
            15,
            &[0.25, 0.39, 0.415, 0.39],
            KowalikOsborne,
        ),
        p("brown_dennis", 16, &[25.0, 5.0, -5.0, -1.0], BrownDennis),
        p("osborne1", 17, &[0.5, 1.5, -1.0, 0.01, 0.02], Osborne1),
        p("biggs_exp6", 18, &[1.0, 2.0, 1.0, 1.0, 1.0, 1.0], BiggsExp6),
        p("extended_rosenbrock_10", 21, &ROSEN10, ExtendedRosenbrock),
        p("penalty1_4", 23, &[1.0, 2.0, 3.0, 4.0], Penalty1),
    ]
}

/// The problem called `name`, as an AD objective.
pub fn by_name(name: &str) -> Option<(Problem, Ad<Problem>)> {
    problems()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| (p, Ad::new(p)))
}
