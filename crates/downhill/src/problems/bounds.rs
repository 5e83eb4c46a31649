//! Box constraints: one `[lo, hi]` pair per variable, ±∞ allowed (SciPy's `Bounds`).
//! First-order optimisers become projected methods with [`Bounds::project`]; solvers that
//! search inside a box take them through [`crate::optim::Solver::set_bounds`].

use serde::{Deserialize, Serialize};

use crate::{Error, Float, Result};

/// A box `lo ≤ x ≤ hi`, checked at construction: `lo ≤ hi`, no NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Vec<f64>>", into = "Vec<[f64; 2]>")]
pub struct Bounds {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl Bounds {
    /// Builds the box from `[lo, hi]` pairs; errors name `bounds` and the offending pair.
    pub fn new(pairs: &[[f64; 2]]) -> Result<Self> {
        for (i, &[lo, hi]) in pairs.iter().enumerate() {
            if lo.is_nan() || hi.is_nan() {
                return Err(Error::param(
                    &format!("bounds[{i}]"),
                    format!("[{lo}, {hi}]"),
                    "must not be NaN",
                ));
            }
            if lo > hi {
                return Err(Error::param(
                    &format!("bounds[{i}]"),
                    format!("[{lo}, {hi}]"),
                    "must have lo <= hi",
                ));
            }
        }
        Ok(Bounds {
            lo: pairs.iter().map(|p| p[0]).collect(),
            hi: pairs.iter().map(|p| p[1]).collect(),
        })
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.lo.len()
    }

    /// Whether the box has no variables.
    pub fn is_empty(&self) -> bool {
        self.lo.is_empty()
    }

    /// Lower bounds.
    pub fn lo(&self) -> &[f64] {
        &self.lo
    }

    /// Upper bounds.
    pub fn hi(&self) -> &[f64] {
        &self.hi
    }

    /// Errors (naming `bounds`) unless the box has `dim` pairs.
    pub fn check_dim(&self, dim: usize) -> Result<()> {
        if self.len() != dim {
            return Err(Error::param(
                "bounds",
                format!("{} pairs", self.len()),
                &format!("must have one [lo, hi] pair per variable ({dim})"),
            ));
        }
        Ok(())
    }

    /// Errors (naming `x0` and `bounds`) unless `x` lies inside the box.
    pub fn check_inside<T: Float>(&self, x: &[T]) -> Result<()> {
        self.check_dim(x.len())?;
        for (i, v) in x.iter().enumerate() {
            let v = v.f64();
            if !(self.lo[i] <= v && v <= self.hi[i]) {
                return Err(Error::param(
                    &format!("x0[{i}]"),
                    v,
                    &format!(
                        "must lie inside bounds[{i}] = [{}, {}]",
                        self.lo[i], self.hi[i]
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Clips `x` into the box, coordinate by coordinate (the projection onto it).
    pub fn project<T: Float>(&self, x: &mut [T]) {
        for ((v, &lo), &hi) in x.iter_mut().zip(&self.lo).zip(&self.hi) {
            let c = v.f64().clamp(lo, hi);
            if c != v.f64() {
                *v = T::of(c);
            }
        }
    }

    /// A finite search region for population methods (PSO, GA, CMA-ES): each coordinate's
    /// box, with an infinite side replaced by `fallback`'s side, or — when that would leave
    /// the coordinate's box empty — by the finite side moved by `fallback`'s width
    /// (`hi − w` for an infinite `lo`, `lo + w` for an infinite `hi`).
    pub fn search_region(&self, fallback: [f64; 2]) -> (Vec<f64>, Vec<f64>) {
        let w = fallback[1] - fallback[0];
        self.lo
            .iter()
            .zip(&self.hi)
            .map(|(&lo, &hi)| match (lo.is_finite(), hi.is_finite()) {
                (true, true) => (lo, hi),
                (true, false) => (lo, fallback[1].max(lo + w)),
                (false, true) => (fallback[0].min(hi - w), hi),
                (false, false) => (fallback[0], fallback[1]),
            })
            .unzip()
    }

    /// The search region of GA and CMA-ES around `x0`: per coordinate `[lo, hi]` with an
    /// infinite side (or every side, without a box) replaced by `x0ᵢ ∓ scale`.
    pub fn region_around(bounds: Option<&Bounds>, x0: &[f64], scale: f64) -> (Vec<f64>, Vec<f64>) {
        x0.iter()
            .enumerate()
            .map(|(i, &x)| {
                let (lo, hi) =
                    bounds.map_or((f64::NEG_INFINITY, f64::INFINITY), |b| (b.lo[i], b.hi[i]));
                (
                    if lo.is_finite() { lo } else { x - scale },
                    if hi.is_finite() { hi } else { x + scale },
                )
            })
            .unzip()
    }

    /// Whether `x` lies inside the box.
    pub fn contains<T: Float>(&self, x: &[T]) -> bool {
        x.len() == self.len()
            && x.iter()
                .zip(self.lo.iter().zip(&self.hi))
                .all(|(v, (&lo, &hi))| lo <= v.f64() && v.f64() <= hi)
    }
}

impl TryFrom<Vec<Vec<f64>>> for Bounds {
    type Error = Error;
    /// Each entry must be exactly a `[lo, hi]` pair (serde's fixed arrays let a longer one
    /// through in some formats).
    fn try_from(pairs: Vec<Vec<f64>>) -> Result<Self> {
        let mut out = Vec::with_capacity(pairs.len());
        for (i, p) in pairs.iter().enumerate() {
            match p.as_slice() {
                &[lo, hi] => out.push([lo, hi]),
                _ => {
                    return Err(Error::param(
                        &format!("bounds[{i}]"),
                        format!("{p:?}"),
                        "must be a [lo, hi] pair",
                    ))
                }
            }
        }
        Bounds::new(&out)
    }
}

impl From<Bounds> for Vec<[f64; 2]> {
    fn from(b: Bounds) -> Self {
        b.lo.into_iter().zip(b.hi).map(|(l, h)| [l, h]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_and_projects() {
        assert!(Bounds::new(&[[1.0, 0.0]]).is_err());
        assert!(Bounds::new(&[[f64::NAN, 0.0]]).is_err());
        let b = Bounds::new(&[[-1.0, 0.5], [f64::NEG_INFINITY, f64::INFINITY]]).unwrap();
        let mut x = [2.0f64, -1e300];
        b.project(&mut x);
        assert_eq!(x, [0.5, -1e300]);
        assert!(b.contains(&x));
        assert!(b.check_inside(&[0.0f64, 0.0]).is_ok());
        assert!(b.check_inside(&[0.6f64, 0.0]).is_err());
        assert!(b.check_dim(3).is_err());
        let e = serde_json::from_str::<Bounds>("[[0, 1], [0, 1, 2]]").unwrap_err();
        assert!(e.to_string().contains("bounds[1]"), "{e}");
        let ok: Bounds = serde_json::from_str("[[0, 1], [-1, 1]]").unwrap();
        assert_eq!(ok.lo(), &[0.0, -1.0]);
        let (lo, hi) = b.search_region([-5.0, 5.0]);
        assert_eq!((lo, hi), (vec![-1.0, -5.0], vec![0.5, 5.0]));
        let b = Bounds::new(&[[10.0, f64::INFINITY], [f64::NEG_INFINITY, -20.0]]).unwrap();
        let (lo, hi) = b.search_region([-5.0, 5.0]);
        assert_eq!((lo, hi), (vec![10.0, -30.0], vec![20.0, -20.0]));
    }
}
