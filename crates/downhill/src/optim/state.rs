//! Optimiser state: [`OptimizerState`] (what checkpoints hold), the per-parameter buffer type
//! [`StateBuf`] (full precision or bfloat16), and the generic conversion between an
//! optimiser's own `#[derive(Serialize, Deserialize)]` state struct and [`OptimizerState`]
//! ([`OptimizerState::insert`] / [`OptimizerState::extract`], which [`super::Optim`] uses).
//!
//! The checkpoint shape is unchanged since v1: `{"name", "scalars": {..}, "buffers": {..}}`,
//! every number an `f64`. A state struct's field names *are* those keys: numbers go to
//! `scalars`, sequences to `buffers`; on load both maps are merged back into one object. So a
//! state struct is all an optimiser writes, and v1 checkpoints load as they always did.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use super::StatePrecision;
use crate::{Error, Float, Result};

/// Serializable optimiser state, for checkpoints. Buffers are stored as `f64` (exact for `f32`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OptimizerState {
    /// The optimiser's name, checked on load.
    pub name: String,
    /// Named scalars (step count, current lr, …).
    pub scalars: BTreeMap<String, f64>,
    /// Named per-parameter buffers (momentum, exp_avg, …).
    pub buffers: BTreeMap<String, Vec<f64>>,
}

impl OptimizerState {
    /// A new, empty state for optimiser `name`.
    pub fn new(name: &str) -> Self {
        OptimizerState {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Errors unless the state was saved by optimiser `name`.
    pub fn expect_name(&self, name: &str) -> Result<()> {
        if self.name != name {
            return Err(Error::Invalid(format!(
                "optimizer state is for `{}`, not `{name}`",
                self.name
            )));
        }
        Ok(())
    }

    /// Adds the fields of `s` (a state struct): numbers to `scalars`, sequences to `buffers`.
    /// Wrappers add theirs to their inner optimiser's this way (keys prefixed with their name).
    pub fn insert<S: Serialize>(&mut self, s: &S) {
        let Ok(Value::Object(fields)) = serde_json::to_value(s) else {
            return;
        };
        for (k, v) in fields {
            match v {
                Value::Array(xs) => {
                    // serde_json has no NaN: a non-finite element arrives as `null`.
                    let b = xs.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect();
                    self.buffers.insert(k, b);
                }
                Value::Number(n) => {
                    self.scalars.insert(k, n.as_f64().unwrap_or(f64::NAN));
                }
                Value::Null => {
                    self.scalars.insert(k, f64::NAN);
                }
                _ => {}
            }
        }
    }

    /// The state struct `S` read back from the merged scalars and buffers. An integral scalar
    /// (a step count, stored as `3.0`) reads as an integer, so counters deserialise into `u64`.
    pub fn extract<S: DeserializeOwned>(&self) -> Result<S> {
        let mut m = Map::new();
        for (k, &x) in &self.scalars {
            m.insert(k.clone(), number(x));
        }
        for (k, b) in &self.buffers {
            m.insert(
                k.clone(),
                Value::Array(b.iter().map(|&x| number(x)).collect()),
            );
        }
        serde_json::from_value(Value::Object(m))
            .map_err(|e| Error::Invalid(format!("optimizer state `{}`: {e}", self.name)))
    }
}

/// `x` as a JSON number: an integer when `x` is integral (so that it also reads as a count),
/// else the float itself (`-0.0` and fractions stay floats; non-finite values become `null`).
fn number(x: f64) -> Value {
    let integral = x.fract() == 0.0 && x.abs() < 9.0e15 && !(x == 0.0 && x.is_sign_negative());
    if integral {
        Value::Number(Number::from(x as i64))
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// One per-parameter state buffer, in the parameters' type or as bfloat16
/// ([`StatePrecision`]). Empty until the first step allocates it (never reallocated after).
/// Serialised as a sequence of `f64` (bfloat16 widened exactly); deserialised in full
/// precision, then `StateBuf::store_as` narrows it again where the config says `bf16`.
#[derive(Debug, Clone, PartialEq)]
pub enum StateBuf<T> {
    /// The parameters' own type.
    Full(Vec<T>),
    /// bfloat16 bits, written with stochastic rounding by the kernels.
    Bf16(Vec<u16>),
}

impl<T> Default for StateBuf<T> {
    fn default() -> Self {
        StateBuf::Full(Vec::new())
    }
}

impl<T: Float> StateBuf<T> {
    /// Number of elements (0 before the first step).
    pub fn len(&self) -> usize {
        match self {
            StateBuf::Full(v) => v.len(),
            StateBuf::Bf16(v) => v.len(),
        }
    }
    /// Whether it is not yet allocated.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Allocates `n` copies of `fill` (zeros for bf16) in precision `p` unless it already
    /// holds `n` elements in that precision (the first step).
    pub(crate) fn ensure(&mut self, n: usize, fill: T, p: StatePrecision) {
        match (p.is_bf16(), &mut *self) {
            (false, StateBuf::Full(v)) => super::ensure_len(v, n, fill),
            (true, StateBuf::Bf16(v)) => super::ensure_len(v, n, 0),
            (false, _) => *self = StateBuf::Full(crate::data::pages::filled(n, fill)),
            (true, _) => *self = StateBuf::Bf16(crate::data::pages::filled(n, 0)),
        }
    }
    /// The full-precision elements, allocated as `n` copies of `fill` on first use.
    pub(crate) fn full_of(&mut self, n: usize, fill: T) -> &mut [T] {
        self.ensure(n, fill, StatePrecision::Full);
        self.full()
    }
    /// The full-precision elements (allocate with [`StateBuf::ensure`] first).
    pub(crate) fn full(&mut self) -> &mut [T] {
        match self {
            StateBuf::Full(v) => v,
            StateBuf::Bf16(_) => &mut [],
        }
    }
    /// Read-only full-precision elements.
    pub(crate) fn full_ref(&self) -> &[T] {
        match self {
            StateBuf::Full(v) => v,
            StateBuf::Bf16(_) => &[],
        }
    }
    /// Stores the buffer in precision `p` (a loaded bf16 buffer arrives in full precision and
    /// is narrowed, round to nearest even, as v1 did).
    pub(crate) fn store_as(&mut self, p: StatePrecision) {
        if let (true, StateBuf::Full(v)) = (p.is_bf16(), &*self) {
            let narrowed = v
                .iter()
                .map(|&x| crate::kernels::bf16::from_f32_nearest(x.f64() as f32))
                .collect();
            *self = StateBuf::Bf16(narrowed);
        }
    }
    fn to_f64(&self) -> Vec<f64> {
        match self {
            StateBuf::Full(v) => v.iter().map(|x| x.f64()).collect(),
            StateBuf::Bf16(v) => v
                .iter()
                .map(|&b| crate::kernels::bf16::to_f32(b) as f64)
                .collect(),
        }
    }
}

impl<T: Float> Serialize for StateBuf<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_f64().serialize(s)
    }
}

impl<'de, T: Float> Deserialize<'de> for StateBuf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Vec::<Option<f64>>::deserialize(d)?;
        Ok(StateBuf::Full(
            v.into_iter()
                .map(|x| T::of(x.unwrap_or(f64::NAN)))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct S {
        lr: f64,
        step: u64,
        buf: StateBuf<f32>,
    }

    #[test]
    fn round_trips_through_the_v1_shape() {
        let s = S {
            lr: 0.5,
            step: 3,
            buf: StateBuf::Full(vec![1.5, -0.0, 2.0]),
        };
        let mut st = OptimizerState::new("x");
        st.insert(&s);
        assert_eq!(st.scalars["step"], 3.0);
        assert_eq!(st.buffers["buf"], vec![1.5, -0.0, 2.0]);
        let back: S = st.extract().unwrap();
        assert_eq!(back, s);
        assert!(back.buf.full_ref()[1].is_sign_negative());
        st.scalars.insert("step".into(), 2.5);
        assert!(st.extract::<S>().is_err());
    }
}
