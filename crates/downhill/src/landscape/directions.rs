//! Directions in parameter space: seeded random directions with Li et al.'s filter
//! normalisation, and the principal directions of a training trajectory.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::optim::Shape;
use crate::Float;

/// A random direction `δ ~ N(0, I)` (ChaCha8 seeded by `seed`, stream `stream`, so the two
/// directions of a surface are independent and each depends only on `(seed, stream)`), filter
/// normalised to `theta` as in Li et al. 2018 (tomgoldstein/loss-landscape,
/// `create_random_direction(dir_type='weights', norm='filter')`):
///
/// - each row `r` of a weight matrix `W` (neuron `r`'s incoming weights, torch's "filter" of a
///   `nn.Linear`) is rescaled to `δ_r ← δ_r · ‖θ_r‖ / ‖δ_r‖` (the reference adds 10⁻¹⁰ to the
///   denominator against a zero row; here a zero row stays zero, so every row's norm is
///   exactly, to rounding, that of θ's row);
/// - each bias vector is zeroed when `ignore_bias` (the reference's `ignore='biasbn'`, its
///   default), else set to the bias of `theta` itself (`d.copy_(w)` there).
///
/// `shapes` lay out `theta` (`Network::shapes`); their lengths must sum to `theta.len()`.
pub fn random_direction<T: Float>(
    shapes: &[Shape],
    theta: &[T],
    seed: u64,
    stream: u64,
    ignore_bias: bool,
) -> Vec<T> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let mut d: Vec<T> = (0..theta.len())
        .map(|_| T::of(StandardNormal.sample(&mut rng)))
        .collect();
    filter_normalize(shapes, theta, &mut d, ignore_bias);
    d
}

/// Li et al.'s `normalize_directions_for_weights(norm='filter')` in place; see
/// [`random_direction`].
pub fn filter_normalize<T: Float>(shapes: &[Shape], theta: &[T], d: &mut [T], ignore_bias: bool) {
    let mut at = 0;
    for s in shapes {
        let (t, dir) = (&theta[at..at + s.len()], &mut d[at..at + s.len()]);
        match *s {
            Shape::Matrix { cols, .. } => {
                for (tr, dr) in t.chunks(cols.max(1)).zip(dir.chunks_mut(cols.max(1))) {
                    let nd = norm(dr);
                    let scale = if nd > 0.0 { norm(tr) / nd } else { 0.0 };
                    dr.iter_mut().for_each(|v| *v = T::of(v.f64() * scale));
                }
            }
            Shape::Vector(_) if ignore_bias => dir.iter_mut().for_each(|v| *v = T::zero()),
            Shape::Vector(_) => dir.copy_from_slice(t),
        }
        at += s.len();
    }
}

/// Zeroes the bias entries of `d` (the reference's `ignore_biasbn`).
pub fn zero_biases<T: Float>(shapes: &[Shape], d: &mut [T]) {
    let mut at = 0;
    for s in shapes {
        if let Shape::Vector(n) = *s {
            d[at..at + n].iter_mut().for_each(|v| *v = T::zero());
        }
        at += s.len();
    }
}

/// Euclidean norm accumulated in `f64`.
pub fn norm<T: Float>(v: &[T]) -> f64 {
    v.iter().map(|x| x.f64() * x.f64()).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The two principal directions of a trajectory (Li et al. §6, the reference's
/// `setup_PCA_directions`): the rows `θᵢ − θ_end` (biases zeroed when `ignore_bias`) are
/// centred, as scikit-learn's `PCA` does, and their first two principal axes returned as
/// unit vectors with the fraction of variance each explains. Each axis's sign is fixed so
/// that its largest-magnitude entry is positive. The axes come from the eigenvectors of the
/// small Gram matrix of the rows (cyclic Jacobi), so the cost is linear in the parameter count.
pub struct Pca {
    /// The two unit directions.
    pub axes: [Vec<f64>; 2],
    /// Fraction of the variance along each.
    pub explained_variance_ratio: [f64; 2],
}

/// See [`Pca`]; `None` with fewer than three snapshots or no variance.
pub fn pca<T: Float>(
    shapes: &[Shape],
    snapshots: &[Vec<T>],
    end: &[T],
    ignore_bias: bool,
) -> Option<Pca> {
    let s = snapshots.len();
    if s < 3 {
        return None;
    }
    let mut rows: Vec<Vec<f64>> = snapshots
        .iter()
        .map(|p| {
            let mut d: Vec<f64> = p.iter().zip(end).map(|(a, b)| a.f64() - b.f64()).collect();
            if ignore_bias {
                zero_biases(shapes, &mut d);
            }
            d
        })
        .collect();
    let n = end.len();
    let mean: Vec<f64> = (0..n)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / s as f64)
        .collect();
    for r in &mut rows {
        r.iter_mut().zip(&mean).for_each(|(v, m)| *v -= m);
    }
    let mut gram = vec![0.0; s * s];
    for i in 0..s {
        for j in 0..=i {
            let g = dot(&rows[i], &rows[j]);
            (gram[i * s + j], gram[j * s + i]) = (g, g);
        }
    }
    let (vals, vecs) = jacobi_eigen(gram, s);
    let mut order: Vec<usize> = (0..s).collect();
    order.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]));
    let total: f64 = vals.iter().map(|v| v.max(0.0)).sum();
    if total <= 0.0 || vals[order[1]] <= 0.0 {
        return None;
    }
    let axis = |k: usize| {
        let mut a = vec![0.0; n];
        for (i, r) in rows.iter().enumerate() {
            let c = vecs[i * s + order[k]];
            a.iter_mut().zip(r).for_each(|(v, x)| *v += c * x);
        }
        let len = dot(&a, &a).sqrt();
        let big = a
            .iter()
            .copied()
            .fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        a.iter_mut().for_each(|v| *v *= sign / len);
        a
    };
    Some(Pca {
        axes: [axis(0), axis(1)],
        explained_variance_ratio: [vals[order[0]] / total, vals[order[1]] / total],
    })
}

/// Li et al.'s `project_trajectory` (`proj_method='cos'`): the coordinates
/// `((θᵢ − θ_end)·a / ‖a‖, (θᵢ − θ_end)·b / ‖b‖)` of each snapshot.
pub fn project<T: Float>(snapshots: &[Vec<T>], end: &[T], a: &[f64], b: &[f64]) -> Vec<[f64; 2]> {
    let (na, nb) = (dot(a, a).sqrt(), dot(b, b).sqrt());
    snapshots
        .iter()
        .map(|p| {
            let d: Vec<f64> = p.iter().zip(end).map(|(x, y)| x.f64() - y.f64()).collect();
            [dot(&d, a) / na, dot(&d, b) / nb]
        })
        .collect()
}

/// Eigenvalues and eigenvectors (columns of the row-major `n × n` result) of a symmetric
/// matrix by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    (0..n).for_each(|i| v[i * n + i] = 1.0);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        crate::optim::dense::jacobi_sweep(&mut a, &mut v, n);
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> Vec<Shape> {
        vec![
            Shape::Matrix { rows: 3, cols: 4 },
            Shape::Vector(3),
            Shape::Matrix { rows: 2, cols: 3 },
            Shape::Vector(2),
        ]
    }

    fn theta() -> Vec<f64> {
        (0..23).map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.3).collect()
    }

    #[test]
    fn each_w_row_of_a_direction_has_that_rows_norm_in_theta() {
        let (sh, t) = (shapes(), theta());
        for ignore in [true, false] {
            let d = random_direction(&sh, &t, 7, 0, ignore);
            let mut at = 0;
            for s in &sh {
                let n = s.len();
                match *s {
                    Shape::Matrix { cols, .. } => {
                        for (tr, dr) in t[at..at + n].chunks(cols).zip(d[at..at + n].chunks(cols)) {
                            let (a, b) = (norm(dr), norm(tr));
                            assert!((a - b).abs() <= 1e-12 * b, "row norm {a} vs {b}");
                        }
                    }
                    Shape::Vector(_) if ignore => assert!(d[at..at + n].iter().all(|&v| v == 0.0)),
                    Shape::Vector(_) => assert_eq!(&d[at..at + n], &t[at..at + n]),
                }
                at += n;
            }
        }
    }

    #[test]
    fn directions_depend_on_seed_and_stream_only() {
        let (sh, t) = (shapes(), theta());
        let a = random_direction(&sh, &t, 3, 0, true);
        assert_eq!(a, random_direction(&sh, &t, 3, 0, true));
        assert_ne!(a, random_direction(&sh, &t, 3, 1, true));
        assert_ne!(a, random_direction(&sh, &t, 4, 0, true));
    }

    #[test]
    fn pca_finds_the_axes_a_planar_trajectory_spans() {
        // Snapshots θᵢ = end + uᵢ·e₀ + vᵢ·e₅, u and v centred and uncorrelated, more spread
        // along e₀.
        let end = vec![0.5f64; 8];
        let coords = [
            (2.0, 0.3),
            (1.0, -0.3),
            (0.0, 0.0),
            (-1.0, -0.3),
            (-2.0, 0.3),
        ];
        let snaps: Vec<Vec<f64>> = coords
            .iter()
            .map(|&(u, v)| {
                let mut p = end.clone();
                (p[0], p[5]) = (p[0] + u, p[5] + v);
                p
            })
            .collect();
        let sh = [Shape::Vector(8)];
        let p = pca(&sh, &snaps, &end, false).unwrap();
        assert!((p.axes[0][0] - 1.0).abs() < 1e-12 && (p.axes[1][5].abs() - 1.0).abs() < 1e-12);
        let r = p.explained_variance_ratio;
        assert!(r[0] > r[1] && (r[0] + r[1] - 1.0).abs() < 1e-12);
        let xy = project(&snaps, &end, &p.axes[0], &p.axes[1]);
        for (q, &(u, v)) in xy.iter().zip(&coords) {
            assert!((q[0] - u).abs() < 1e-12 && (q[1].abs() - f64::abs(v)).abs() < 1e-12);
        }
    }
}
