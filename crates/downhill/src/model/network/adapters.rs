//! The objective adapters: a [`Network`] bound to a dataset ([`Fit`]) and one fixed batch
//! of it ([`OnBatch`]).

use super::Network;
use crate::data::Dataset;
use crate::model::Scalar;
use crate::SampledObjective;

/// A [`Network`] bound to a dataset: the training objective `L(θ) = mean_i ℓ(θ; xᵢ, yᵢ)`.
#[derive(Debug, Clone, Copy)]
pub struct Fit<'a, T: Scalar> {
    /// The model.
    pub net: &'a Network<T>,
    /// The data.
    pub data: &'a Dataset<T>,
}

impl<T: Scalar> SampledObjective<T> for Fit<'_, T> {
    fn n_samples(&self) -> usize {
        self.data.n()
    }
    fn n_params(&self) -> usize {
        self.net.n_params()
    }
    fn batch_value(&self, params: &[T], batch: &[usize]) -> T {
        self.net.loss(params, self.data, batch, None)
    }
    fn batch_gradient(&self, params: &[T], batch: &[usize], g: &mut [T]) -> T {
        self.net.loss(params, self.data, batch, Some(g))
    }
}

/// A batch of a [`Fit`] as a plain [`crate::Objective`] (for gradient checks).
#[derive(Debug, Clone)]
pub struct OnBatch<'a, T: Scalar> {
    /// The objective.
    pub fit: Fit<'a, T>,
    /// The fixed batch.
    pub batch: Vec<usize>,
}

impl<T: Scalar> crate::Objective<T> for OnBatch<'_, T> {
    fn dim(&self) -> Option<usize> {
        Some(self.fit.n_params())
    }
    fn value(&self, x: &[T]) -> T {
        self.fit.batch_value(x, &self.batch)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        self.fit.batch_gradient(x, &self.batch, g)
    }
}
