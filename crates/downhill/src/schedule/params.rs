//! How a schedule's parameters are declared: `schedule_config!` writes, from one line per
//! parameter (name, type, default, typed valid range, doc), the config struct (PyTorch's
//! names, `deny_unknown_fields`), its serde form, `new`/setters, the range checks
//! (`check`), and its entry in the [catalogue].
//!
//! [catalogue]: super::catalog

use serde::Serialize;

use super::valid::{Check, Valid};

/// One parameter of a schedule, as the [catalogue](super::catalog) lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamInfo {
    /// The config key (PyTorch's name, snake_case).
    pub name: &'static str,
    /// Its Rust type (`usize`, `f64`, `Vec<usize>`, `Option<usize>`, an enum, …).
    #[serde(rename = "type")]
    pub ty: &'static str,
    /// The default (`None`: the key is required).
    pub default: Option<serde_json::Value>,
    /// The values accepted, in words (`>= 1`, `[0, 1]`, `finite`, …), from the typed
    /// [`Valid`](super::Valid) of its declaration.
    pub range: String,
    /// What it does.
    pub doc: String,
    /// A setting to start from where the default does not serve (a required key, or a
    /// default too short for a 1000-step picture): what the lab pre-fills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
}

impl ParamInfo {
    /// A parameter line; `docs` are the lines of its doc comment.
    pub fn new(
        name: &'static str,
        ty: &'static str,
        default: Option<serde_json::Value>,
        range: impl Into<String>,
        docs: &[&str],
    ) -> Self {
        let doc = docs.iter().map(|d| d.trim()).collect::<Vec<_>>().join(" ");
        ParamInfo {
            name,
            ty,
            default,
            range: range.into(),
            doc,
            example: None,
        }
    }

    /// The same parameter with an example setting.
    pub fn with_example(mut self, example: impl Into<serde_json::Value>) -> Self {
        self.example = Some(example.into());
        self
    }

    /// The catalogue's words for a parameter of type `T` declared `valid`, and its `note` (the
    /// rule between parameters its schedule checks by hand).
    pub fn range_words<T: Check>(valid: Valid, note: Option<&str>) -> String {
        let words = T::words(&valid);
        match note {
            Some(n) => format!("{words}; {n}"),
            None => words,
        }
    }
}

/// Whether a parameter is left out when a config is written back (only absent options are).
pub trait Omit {
    /// `true` for an absent `Option`.
    fn omit(&self) -> bool {
        false
    }
}

impl<T> Omit for Option<T> {
    fn omit(&self) -> bool {
        self.is_none()
    }
}

/// The plain value types of schedule parameters: never omitted, never per group; the numbers
/// are checked against their range ([`Check`] in `valid.rs`), the others by serde or when
/// parsed (flags, names, formulas).
macro_rules! plain_values {
    (numbers: $($n:ty),*; others: $($t:ty),*) => {
        $(
            impl $crate::schedule::params::Omit for $n {}
            impl $crate::schedule::Pick for $n {}
        )*
        $(
            impl $crate::schedule::params::Omit for $t {}
            impl $crate::schedule::Pick for $t {}
            impl $crate::schedule::Check for $t {}
        )*
    };
}
pub(crate) use plain_values;
plain_values!(
    numbers: usize, i64, f64;
    others: bool,
    String,
    super::CyclicMode,
    super::ScaleMode,
    super::AnnealStrategy,
    super::PlateauMode,
    super::ThresholdMode
);
impl<T> Omit for Vec<T> {}
impl<T> Omit for super::GroupArg<T> {}

/// Declares a schedule's config struct. `required` keys have no default; each `optional` key's
/// default is written once, here, and serves deserialisation, [`new`](#method.new) and the
/// catalogue. The struct also carries the [`Common`](super::Common) keys (flat in the table).
///
/// After the type (and default) comes the valid range, typed: a [`Range`](crate::hyper::Range)
/// (`AtLeast(1.0)`, `Closed(0.0, 1.0)`, `Any` for any finite real, …) or a
/// [`Valid`](super::Valid) (`Both(Above(0.0), AtMost(1.0))`, `Increasing`, `NonEmpty`,
/// `OneOf(&[..])`, `Formula("epoch")`, `EITHER`); the generated `check` tests every value
/// against it, naming the key, and the catalogue shows it in words. `, also "…"` adds the
/// words of a rule between parameters, which the schedule's `validate` checks by hand.
/// A parameter line may end in `, example = VALUE` (anything `Into<serde_json::Value>`): the
/// catalogue's starting value for it (every required key must have one: a test checks).
macro_rules! schedule_config {
    (
        $(#[doc = $sdoc:literal])*
        $name:ident { required {} optional { $($body:tt)* } }
    ) => {
        $crate::schedule::params::schedule_config!(@main $(#[doc = $sdoc])* $name {
            required {} optional { $($body)* }
        });
        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }
    };
    (
        $(#[doc = $sdoc:literal])*
        $name:ident { $($body:tt)* }
    ) => {
        $crate::schedule::params::schedule_config!(@main $(#[doc = $sdoc])* $name { $($body)* });
    };
    (
        @main
        $(#[doc = $sdoc:literal])*
        $name:ident {
            required { $( $(#[doc = $rdoc:literal])* $r:ident : $rt:ty, $rrange:expr $(, also $rnote:literal)? $(, example = $rex:expr)?; )* }
            optional { $( $(#[doc = $odoc:literal])* $o:ident : $ot:ty = $odef:expr, $orange:expr $(, also $onote:literal)? $(, example = $oex:expr)?; )* }
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(from = "Raw")]
        pub struct $name {
            $(
                $(#[doc = $rdoc])*
                #[doc = concat!("\n\nRequired; valid: `", stringify!($rrange), "`", $("; ", $rnote,)? ".")]
                pub $r: $rt,
            )*
            $(
                $(#[doc = $odoc])*
                #[doc = concat!("\n\nDefault `", stringify!($odef), "`; valid: `", stringify!($orange), "`", $("; ", $onote,)? ".")]
                #[serde(skip_serializing_if = "crate::schedule::params::Omit::omit")]
                pub $o: $ot,
            )*
            /// The keys allowed on any (top-level) schedule.
            #[serde(flatten)]
            pub common: $crate::schedule::Common,
        }

        /// The table as written: optional keys may be absent; unknown keys are errors.
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            $( $r: $rt, )*
            $( #[serde(default)] $o: Option<$ot>, )*
            #[serde(default)] warmup_steps: Option<usize>,
            #[serde(default)] warmup_start_factor: Option<f64>,
            #[serde(default)] retune_momentum: Option<bool>,
            #[serde(default)] scale_rule: Option<$crate::schedule::ScaleRule>,
            #[serde(default)] base_batch_size: Option<usize>,
            #[serde(default)] unit: Option<$crate::schedule::Unit>,
            #[serde(default)] last_epoch: Option<i64>,
            #[serde(default)] initial_lr: Option<$crate::schedule::GroupArg<f64>>,
        }

        impl From<Raw> for $name {
            fn from(r: Raw) -> Self {
                let d = $crate::schedule::Common::default();
                $name {
                    $( $r: r.$r, )*
                    $( $o: r.$o.unwrap_or_else(|| $odef), )*
                    common: $crate::schedule::Common {
                        warmup_steps: r.warmup_steps.unwrap_or(d.warmup_steps),
                        warmup_start_factor: r.warmup_start_factor.unwrap_or(d.warmup_start_factor),
                        retune_momentum: r.retune_momentum.unwrap_or(d.retune_momentum),
                        scale_rule: r.scale_rule.or(d.scale_rule),
                        base_batch_size: r.base_batch_size.or(d.base_batch_size),
                        unit: r.unit.unwrap_or(d.unit),
                        last_epoch: r.last_epoch.unwrap_or(d.last_epoch),
                        initial_lr: r.initial_lr.or(d.initial_lr),
                    },
                }
            }
        }

        impl $name {
            /// The config with the required keys given and every other key at its default.
            pub fn new($($r: $rt),*) -> Self {
                $name {
                    $( $r, )*
                    $( $o: $odef, )*
                    common: $crate::schedule::Common::default(),
                }
            }
            $(
                #[doc = concat!("Sets `", stringify!($o), "`.")]
                pub fn $o(mut self, $o: $ot) -> Self {
                    self.$o = $o;
                    self
                }
            )*
            /// Keeps the values of parameter group `g` of `groups` (see
            /// [`GroupArg`](crate::schedule::GroupArg)): every per-group list becomes its
            /// `g`-th value; a list of another length than `groups` is an error naming its key.
            pub fn pick_group(&mut self, g: usize, groups: usize) -> $crate::Result<()> {
                use $crate::schedule::Pick;
                $( self.$r.pick(stringify!($r), g, groups)?; )*
                $( self.$o.pick(stringify!($o), g, groups)?; )*
                self.common.initial_lr.pick("initial_lr", g, groups)
            }
            /// Checks every parameter against the valid range of its declaration, in
            /// declaration order, naming the first bad key (rules between parameters are the
            /// schedule's `validate`).
            pub fn check(&self) -> $crate::Result<()> {
                use $crate::schedule::valid::Check;
                $( self.$r.check(stringify!($r), &$crate::schedule::params::valid!($rrange))?; )*
                $( self.$o.check(stringify!($o), &$crate::schedule::params::valid!($orange))?; )*
                Ok(())
            }
            /// Every parameter: name, type, default, valid range and doc.
            pub fn params() -> Vec<$crate::schedule::params::ParamInfo> {
                use $crate::schedule::params::ParamInfo;
                vec![
                    $(
                        ParamInfo::new(
                            stringify!($r),
                            stringify!($rt),
                            None,
                            ParamInfo::range_words::<$rt>(
                                $crate::schedule::params::valid!($rrange),
                                None $(.or(Some($rnote)))?,
                            ),
                            &[$($rdoc),*],
                        )$(.with_example($rex))?,
                    )*
                    $(
                        ParamInfo::new(
                            stringify!($o),
                            stringify!($ot),
                            Some(serde_json::to_value::<$ot>($odef).unwrap_or(serde_json::Value::Null)),
                            ParamInfo::range_words::<$ot>(
                                $crate::schedule::params::valid!($orange),
                                None $(.or(Some($onote)))?,
                            ),
                            &[$($odoc),*],
                        )$(.with_example($oex))?,
                    )*
                ]
            }
        }
    };
}
pub(crate) use schedule_config;

/// A declaration's valid range as a [`Valid`], with the names of [`Range`](crate::hyper::Range)
/// and [`Valid`] in scope (`AtLeast(1.0)`, `Increasing`, `EITHER`).
macro_rules! valid {
    ($v:expr) => {{
        #[allow(unused_imports)]
        use $crate::hyper::Range::*;
        #[allow(unused_imports)]
        use $crate::schedule::valid::{Valid::*, EITHER};
        $crate::schedule::valid::Valid::from($v)
    }};
}
pub(crate) use valid;

/// Implements [`Configure`](super::Configure) and `build` for a PyTorch scheduler `$s` holding
/// its config in `c` (and its `Epochs` in `e`); with `custom`, `$s` has its own
/// `fn from_config($cfg) -> Result<$s>`, which takes the parameters over without checking them;
/// with `lambda`, `$s` holds `c`, `lambda` (the parsed `lr_lambda`) and `e`; with
/// `multiplier`, `$s` is [`Multiplied<$cfg>`](super::Multiplied) (`$cfg` a
/// [`Multiplier`](super::Multiplier)).
macro_rules! pytorch_scheduler {
    ($cfg:ident => $s:ident) => {
        impl $s {
            fn from_config(c: $cfg) -> $crate::Result<Self> {
                Ok($s {
                    c,
                    e: $crate::schedule::Epochs::default(),
                })
            }
        }
        $crate::schedule::params::pytorch_scheduler!($cfg => $s, custom);
    };
    ($cfg:ident => $s:ident, lambda) => {
        impl $s {
            fn from_config(c: $cfg) -> $crate::Result<Self> {
                Ok($s {
                    lambda: $crate::schedule::lambda_lr::Lambda::Formula(
                        $crate::schedule::lambda_lr::parse_lambda(
                            &c.lr_lambda.of_group("lr_lambda", 0, 1)?,
                        )?,
                    ),
                    c,
                    e: $crate::schedule::Epochs::default(),
                })
            }
        }
        $crate::schedule::params::pytorch_scheduler!($cfg => $s, custom);
    };
    ($cfg:ident => $s:ident, multiplier) => {
        impl $s {
            fn from_config(c: $cfg) -> $crate::Result<Self> {
                Ok($crate::schedule::Multiplied::new(c))
            }
        }
        $crate::schedule::params::pytorch_scheduler!($cfg => $s, custom);
    };
    ($cfg:ident => $s:ident, custom) => {
        impl $s {
            /// The parameters.
            pub fn config(&self) -> &$cfg {
                &self.c
            }
        }

        impl $cfg {
            #[doc = concat!("Validates (PyTorch's constructor checks) and builds the [`", stringify!($s), "`].")]
            pub fn build(&self) -> $crate::Result<$s> {
                self.check()?;
                let s = $s::from_config(self.clone())?;
                $crate::schedule::Scheduler::validate(&s)?;
                Ok(s)
            }
        }

        impl $crate::schedule::Configure for $cfg {
            fn common(&self) -> &$crate::schedule::Common {
                &self.common
            }
            fn make(&self, _base_lr: f64) -> $crate::Result<$crate::schedule::Made> {
                self.check()?;
                Ok($crate::schedule::Made::Scheduler(Box::new($s::from_config(
                    self.clone(),
                )?)))
            }
            fn pick_group(&mut self, g: usize, groups: usize) -> $crate::Result<()> {
                $cfg::pick_group(self, g, groups)
            }
        }
    };
}
pub(crate) use pytorch_scheduler;
