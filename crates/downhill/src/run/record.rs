//! What a run keeps of its path: [`Record`] chooses, [`Trajectory`] holds the points in one
//! flat buffer.

use std::ops::Index;

use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::Float;

/// What a run records besides its final point and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Record {
    /// Every point, and f, lr and momentum at every step (what `downhill run --json` prints).
    #[default]
    All,
    /// The points after steps 0, k, 2k, … and after the last step; f, lr and momentum at every
    /// step. `Every(1)` is [`Record::All`]; `Every(0)` is refused.
    Every(usize),
    /// f, lr and momentum at every step; no points.
    Values,
    /// Nothing: only the final point, value and counts.
    Nothing,
}

impl Record {
    /// Every how many steps a point is kept (`None`: no points).
    pub(crate) fn stride(self) -> Option<usize> {
        match self {
            Record::All => Some(1),
            Record::Every(k) => Some(k),
            Record::Values | Record::Nothing => None,
        }
    }
    /// Whether f, lr and momentum are kept at every step.
    pub(crate) fn values(self) -> bool {
        !matches!(self, Record::Nothing)
    }
}

/// The points of a run in one flat buffer: point `i` is `dim` numbers, the parameters after
/// step [`Trajectory::step`]`(i)`. Serialised as a list of lists (`[[x, y], …]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trajectory {
    dim: usize,
    stride: usize,
    len: usize,
    last_step: usize,
    data: Vec<f64>,
}

impl Trajectory {
    /// An empty trajectory of `dim`-dimensional points kept every `stride` steps.
    pub fn new(dim: usize, stride: usize) -> Self {
        Trajectory {
            dim,
            stride: stride.max(1),
            len: 0,
            last_step: 0,
            data: Vec::new(),
        }
    }
    /// Appends the point after step `step` (converted to `f64`).
    pub fn push<T: Float>(&mut self, step: usize, x: &[T]) {
        debug_assert_eq!(x.len(), self.dim);
        self.data.extend(x.iter().map(|v| v.f64()));
        self.len += 1;
        self.last_step = step;
    }
    /// The number of points.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The dimension of a point.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Every how many steps a point was kept (the last step's point is kept as well).
    pub fn stride(&self) -> usize {
        self.stride
    }
    /// The step after which point `i` was taken (0: the start).
    pub fn step(&self, i: usize) -> usize {
        (i * self.stride).min(self.last_step)
    }
    /// Point `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<&[f64]> {
        (i < self.len).then(|| &self.data[i * self.dim..(i + 1) * self.dim])
    }
    /// The last point.
    pub fn last(&self) -> Option<&[f64]> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }
    /// The points in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[f64]> + '_ {
        (0..self.len).map(|i| &self.data[i * self.dim..(i + 1) * self.dim])
    }
    /// All coordinates, point after point (`len() × dim()` numbers).
    pub fn as_flat(&self) -> &[f64] {
        &self.data
    }
    /// The points as separate vectors (for callers that need owned rows).
    pub fn to_vecs(&self) -> Vec<Vec<f64>> {
        self.iter().map(<[f64]>::to_vec).collect()
    }
    /// The first `n` points as a new trajectory with the same dimension and stride.
    pub fn prefix(&self, n: usize) -> Trajectory {
        let n = n.min(self.len);
        Trajectory {
            dim: self.dim,
            stride: self.stride,
            len: n,
            last_step: self.step(n.saturating_sub(1)),
            data: self.data[..n * self.dim].to_vec(),
        }
    }
}

impl Index<usize> for Trajectory {
    type Output = [f64];
    /// Point `i`; panics past the end, as a slice index does.
    fn index(&self, i: usize) -> &[f64] {
        assert!(i < self.len, "point {i} of a trajectory of {}", self.len);
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

impl<'t> IntoIterator for &'t Trajectory {
    type Item = &'t [f64];
    type IntoIter = Box<dyn ExactSizeIterator<Item = &'t [f64]> + 't>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl Serialize for Trajectory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len))?;
        for p in self.iter() {
            seq.serialize_element(p)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_slices_of_one_buffer_and_serialise_as_lists() {
        let mut t = Trajectory::new(2, 1);
        t.push(0, &[1.0f64, 2.0]);
        t.push(1, &[3.0f32, 4.5]);
        assert_eq!((t.len(), t.dim()), (2, 2));
        assert_eq!(&t[1], &[3.0, 4.5]);
        assert_eq!(t.as_flat(), &[1.0, 2.0, 3.0, 4.5]);
        assert_eq!(t.last(), Some(&[3.0, 4.5][..]));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            serde_json::to_string(&vec![vec![1.0, 2.0], vec![3.0, 4.5]]).unwrap()
        );
        assert_eq!(t.to_vecs(), vec![vec![1.0, 2.0], vec![3.0, 4.5]]);
        assert_eq!(t.prefix(1).to_vecs(), vec![vec![1.0, 2.0]]);
    }

    #[test]
    fn a_strided_trajectory_knows_the_step_of_each_point() {
        let mut t = Trajectory::new(1, 3);
        for s in [0, 3, 6, 7] {
            t.push(s, &[s as f64]);
        }
        let steps: Vec<usize> = (0..t.len()).map(|i| t.step(i)).collect();
        assert_eq!(steps, vec![0, 3, 6, 7]);
    }

    #[test]
    fn zero_dimensional_points_do_not_panic() {
        let mut t = Trajectory::new(0, 1);
        t.push::<f64>(0, &[]);
        t.push::<f64>(1, &[]);
        assert_eq!(t.len(), 2);
        assert!(t.iter().all(<[f64]>::is_empty));
        assert_eq!(serde_json::to_string(&t).unwrap(), "[[],[]]");
    }
}
