//! Hyperparameter declarations, shared by optimisers and schedules: each declares its
//! parameters once, as a `const PARAMS: &[ParamSpec]` beside its config struct. From that one
//! table come both the range checks of its validation ([`check`]) and its entry in the
//! machine-readable catalogue ([`crate::optim::catalog`]): name, type, default, valid range,
//! doc. (`crate::optim::params` is this module, under its earlier name.)

use serde::Serialize;
use serde_json::Value;

use crate::{Error, Result};
pub use Range::*;

/// The type of a hyperparameter, as the catalogue reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "choices")]
pub enum Kind {
    /// A real number (`f64`).
    Float,
    /// A non-negative integer.
    Int,
    /// `true` / `false`.
    Bool,
    /// A pair of reals `[a, b]` (PyTorch's tuples such as `betas`); the range applies to each.
    Pair,
    /// A triple of reals (Muon's `ns_coefficients`); the range applies to each.
    Triple,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
}

/// The valid values of a numeric hyperparameter (of each element of a pair). NaN is never
/// valid; the error text is the one PyTorch-style checks have always printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// No constraint (booleans, choices, seeds).
    Any,
    /// `lo ≤ x < ∞` (x finite).
    AtLeast(f64),
    /// `lo < x < ∞` (x finite).
    Above(f64),
    /// `−∞ < x ≤ hi` (x finite).
    AtMost(f64),
    /// `lo ≤ x < hi`.
    HalfOpen(f64, f64),
    /// `lo < x < hi`.
    Open(f64, f64),
    /// `lo ≤ x ≤ hi`.
    Closed(f64, f64),
    /// Each element of a pair: the first in the first range, the second in the second.
    PerElement(&'static Range, &'static Range),
}

impl Range {
    /// Checks `x` against the range; `Err(allowed)` describes what would be accepted.
    fn check(&self, x: f64) -> std::result::Result<(), String> {
        let ok = match *self {
            Range::Any | Range::PerElement(..) => true,
            Range::AtLeast(lo) => x >= lo,
            Range::Above(lo) => x > lo,
            Range::AtMost(hi) => x <= hi,
            Range::HalfOpen(lo, hi) => x >= lo && x < hi,
            Range::Open(lo, hi) => x > lo && x < hi,
            Range::Closed(lo, hi) => x >= lo && x <= hi,
        };
        match *self {
            Range::AtLeast(lo) if ok && x.is_infinite() => {
                Err(format!("must be finite and >= {lo}"))
            }
            Range::Above(lo) if ok && x.is_infinite() => Err(format!("must be finite and > {lo}")),
            Range::AtMost(hi) if ok && x.is_infinite() => {
                Err(format!("must be finite and <= {hi}"))
            }
            _ if ok => Ok(()),
            Range::AtLeast(lo) => Err(format!("must be >= {lo}")),
            Range::Above(lo) => Err(format!("must be > {lo}")),
            Range::AtMost(hi) => Err(format!("must be <= {hi}")),
            Range::HalfOpen(lo, hi) => Err(format!("must be in [{lo}, {hi})")),
            Range::Open(lo, hi) => Err(format!("must be in ({lo}, {hi})")),
            Range::Closed(lo, hi) => Err(format!("must be in [{lo}, {hi}]")),
            Range::Any | Range::PerElement(..) => Ok(()),
        }
    }

    /// The range of element `i` of a pair.
    fn element(&self, i: usize) -> &Range {
        match self {
            Range::PerElement(a, b) => [*a, *b][i.min(1)],
            r => r,
        }
    }
}

/// One hyperparameter: its config key, type, valid range and a one-line doc.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Config key (PyTorch's name).
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Its valid values.
    pub range: Range,
    /// What it does.
    pub doc: &'static str,
}

/// Shorthand for a [`ParamSpec`] in a `PARAMS` table.
pub const fn spec(name: &'static str, kind: Kind, range: Range, doc: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        kind,
        range,
        doc,
    }
}

/// A real parameter.
pub const fn float(name: &'static str, range: Range, doc: &'static str) -> ParamSpec {
    spec(name, Kind::Float, range, doc)
}
/// An integer parameter.
pub const fn int(name: &'static str, range: Range, doc: &'static str) -> ParamSpec {
    spec(name, Kind::Int, range, doc)
}
/// A pair parameter (the range applies to each element).
pub const fn pair(name: &'static str, range: Range, doc: &'static str) -> ParamSpec {
    spec(name, Kind::Pair, range, doc)
}
/// A boolean parameter.
pub const fn flag(name: &'static str, doc: &'static str) -> ParamSpec {
    spec(name, Kind::Bool, Range::Any, doc)
}
/// A parameter taking one of `choices`.
pub const fn choice(
    name: &'static str,
    choices: &'static [&'static str],
    doc: &'static str,
) -> ParamSpec {
    spec(name, Kind::Choice(choices), Range::Any, doc)
}

/// `lr ≥ 0`, as every PyTorch optimiser checks it.
pub const LR: ParamSpec = float("lr", AtLeast(0.0), "learning rate");
/// `eps ≥ 0`, added to a denominator.
pub const EPS: ParamSpec = float("eps", AtLeast(0.0), "added to the denominator");
/// `weight_decay ≥ 0`.
pub const WEIGHT_DECAY: ParamSpec = float("weight_decay", AtLeast(0.0), "weight decay");
/// `maximize`: gradient ascent.
pub const MAXIMIZE: ParamSpec = flag("maximize", "maximise instead of minimise");
/// `decoupled_weight_decay`: decay the weights directly (AdamW's form).
pub const DECOUPLED_WEIGHT_DECAY: ParamSpec = flag(
    "decoupled_weight_decay",
    "decay the weights directly (AdamW's form)",
);

/// Checks every numeric parameter of `config` against its range in `specs`, in table order,
/// returning [`Error::InvalidParameter`] naming the first bad key (`betas[1]` for an element
/// of a pair).
pub fn check<C: Serialize>(config: &C, specs: &[ParamSpec]) -> Result<()> {
    let v = serde_json::to_value(config).map_err(|e| Error::Invalid(e.to_string()))?;
    for s in specs {
        match v.get(s.name) {
            Some(Value::Number(n)) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                s.range
                    .check(x)
                    .map_err(|allowed| Error::param(s.name, x, &allowed))?;
            }
            // serde_json writes a non-finite f64 as `null`.
            Some(Value::Null) if matches!(s.kind, Kind::Float) => {
                return Err(Error::param(
                    s.name,
                    "NaN or ±inf",
                    "must be a finite number",
                ));
            }
            Some(Value::Array(xs)) => {
                for (i, x) in xs.iter().enumerate() {
                    let x = x.as_f64().unwrap_or(f64::NAN);
                    let key = format!("{}[{i}]", s.name);
                    s.range
                        .element(i)
                        .check(x)
                        .map_err(|allowed| Error::param(&key, x, &allowed))?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A parameter's valid range in the catalogue: bounds and whether each is included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeInfo {
    /// Lower bound, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Whether `min` itself is valid.
    pub min_inclusive: bool,
    /// Upper bound, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Whether `max` itself is valid.
    pub max_inclusive: bool,
}

impl RangeInfo {
    fn of(r: &Range) -> Option<RangeInfo> {
        let (min, min_inclusive, max, max_inclusive) = match *r {
            Range::Any => return None,
            Range::AtLeast(lo) => (Some(lo), true, None, false),
            Range::Above(lo) => (Some(lo), false, None, false),
            Range::AtMost(hi) => (None, false, Some(hi), true),
            Range::HalfOpen(lo, hi) => (Some(lo), true, Some(hi), false),
            Range::Open(lo, hi) => (Some(lo), false, Some(hi), false),
            Range::Closed(lo, hi) => (Some(lo), true, Some(hi), true),
            Range::PerElement(..) => return None,
        };
        Some(RangeInfo {
            min,
            min_inclusive,
            max,
            max_inclusive,
        })
    }
}

/// One parameter in the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamInfo {
    /// Config key.
    pub name: &'static str,
    /// Its type (and the choices of a `choice`).
    #[serde(flatten)]
    pub kind: Kind,
    /// The default (`null` when absent by default, e.g. L-BFGS's `max_eval`).
    pub default: Value,
    /// Valid range of a number (of each element of a pair, or per element in `ranges`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<RangeInfo>,
    /// Per-element ranges of a pair whose elements differ (Rprop's `etas`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<RangeInfo>,
    /// What it does.
    pub doc: &'static str,
}

/// The catalogue rows of one config type: `specs` with defaults read from `default`.
pub(crate) fn describe<C: Serialize>(default: &C, specs: &[ParamSpec]) -> Vec<ParamInfo> {
    let v = serde_json::to_value(default).unwrap_or(Value::Null);
    specs
        .iter()
        .map(|s| ParamInfo {
            name: s.name,
            kind: s.kind,
            default: v.get(s.name).cloned().unwrap_or(Value::Null),
            range: RangeInfo::of(&s.range),
            ranges: match s.range {
                Range::PerElement(a, b) => [a, b].iter().filter_map(|r| RangeInfo::of(r)).collect(),
                _ => Vec::new(),
            },
            doc: s.doc,
        })
        .collect()
}

/// The range in words, as the catalogues and error messages print it: `>= 0`, `> 0`, `<= 1`,
/// `[0, 1)`, `(0, 1)`, `[0, 1]`; an open side at ±∞ reads as one bound (`Open(-∞, 1)` is
/// `< 1`); `Any` is `any`.
impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Range::Any => f.write_str("any"),
            Range::AtLeast(lo) => write!(f, ">= {lo}"),
            Range::Above(lo) => write!(f, "> {lo}"),
            Range::AtMost(hi) => write!(f, "<= {hi}"),
            Range::Open(lo, hi) if lo == f64::NEG_INFINITY => write!(f, "< {hi}"),
            Range::Open(lo, hi) if hi == f64::INFINITY => write!(f, "> {lo}"),
            Range::HalfOpen(lo, hi) => write!(f, "[{lo}, {hi})"),
            Range::Open(lo, hi) => write!(f, "({lo}, {hi})"),
            Range::Closed(lo, hi) => write!(f, "[{lo}, {hi}]"),
            Range::PerElement(a, b) => write!(f, "{a} and {b}"),
        }
    }
}

impl Range {
    /// Whether `x` is in the range: NaN is in no range but `Any`, and ±∞ in no one-sided
    /// range (`AtLeast`, `Above`, `AtMost`).
    pub fn admits(&self, x: f64) -> bool {
        self.check(x).is_ok()
    }
}

impl ParamSpec {
    /// The same spec under the key `name` (the macro [`hyperparameters!`] names every row
    /// after its field).
    pub const fn named(self, name: &'static str) -> ParamSpec {
        ParamSpec { name, ..self }
    }
}

/// Declares a config struct whose hyperparameters are each written once: key (the field),
/// type, default, typed range and doc. It writes the serde struct (`deny_unknown_fields`,
/// `default`), its `Default`, and its table `HYPER: &[ParamSpec]` (what an
/// [`Entry`](crate::optim::Entry)'s `PARAMS` is, so what [`check`] validates and the catalogue
/// lists); every field's rustdoc gets its default appended.
///
/// A row is `field: Type = default, [Kind, Range, "doc"]`, or `field: Type = default, [SPEC]`
/// for a shared [`ParamSpec`] constant (renamed to the field); attributes (`///` docs,
/// `#[serde(...)]`) go before it.
///
/// ```
/// use downhill::hyper::*;
///
/// downhill::hyperparameters! {
///     /// A toy rule's hyperparameters.
///     pub struct ToyConfig {
///         /// Learning rate γ.
///         lr: f64 = 0.1, [LR],
///         /// Momentum μ.
///         momentum: f64 = 0.9, [Kind::Float, Closed(0.0, 1.0), "momentum factor"],
///     }
/// }
/// let c: ToyConfig = serde_json::from_str(r#"{"momentum": 0.5}"#).unwrap();
/// assert_eq!((c.lr, c.momentum), (0.1, 0.5));
/// assert_eq!(ToyConfig::HYPER[1].name, "momentum");
/// assert!(check(&ToyConfig { momentum: 2.0, ..c }, ToyConfig::HYPER).is_err());
/// assert!(serde_json::from_str::<ToyConfig>(r#"{"mu": 0.5}"#).is_err());
/// ```
#[macro_export]
macro_rules! hyperparameters {
    (
        $(#[$sm:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fm:meta])*
                $field:ident : $ty:ty = $default:expr, [$($spec:tt)+]
            ),* $(,)?
        }
    ) => {
        $(#[$sm])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        $vis struct $name {
            $(
                $(#[$fm])*
                #[doc = concat!("\n\nDefault: `", stringify!($default), "`.")]
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $($field: $default,)*
                }
            }
        }

        impl $name {
            /// Every hyperparameter, once, in declaration order: key, type, range, doc.
            pub const HYPER: &'static [$crate::hyper::ParamSpec] = &[
                $($crate::hyperparameters!(@spec $field, $($spec)+),)*
            ];
        }
    };
    (@spec $field:ident, $kind:expr, $range:expr, $doc:literal) => {
        $crate::hyper::spec(stringify!($field), $kind, $range, $doc)
    };
    (@spec $field:ident, $shared:expr) => {
        $shared.named(stringify!($field))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_range() {
        assert_eq!(Range::AtLeast(0.0).check(-0.1).unwrap_err(), "must be >= 0");
        assert_eq!(
            Range::AtLeast(0.0).check(f64::INFINITY).unwrap_err(),
            "must be finite and >= 0"
        );
        assert_eq!(
            Range::HalfOpen(0.0, 1.0).check(1.0).unwrap_err(),
            "must be in [0, 1)"
        );
        assert!(Range::Closed(0.0, 1.0).check(1.0).is_ok());
        assert!(Range::Open(0.0, 1.0).check(f64::NAN).is_err());
        assert!(Range::Above(1.0).check(1.0).is_err());
        assert_eq!(Range::AtMost(0.0).check(0.5).unwrap_err(), "must be <= 0");
        assert!(Range::AtMost(0.0).check(-0.8).is_ok());
        assert!(Range::AtMost(0.0).check(f64::NEG_INFINITY).is_err());
    }
}
