//! Parameter groups that share one state: the learning-rate-free rules (`prodigy`,
//! `dadapt_adam`, `dadapt_sgd`), whose packages keep ONE d for all their `param_groups`.
//!
//! `prodigyopt.Prodigy`, `dadaptation.DAdaptAdam` and `DAdaptSGD` step all their parameter
//! groups at once: d's numerator and denominator are summed over every group's parameters
//! (with each group's own values of what the package reads per group, e.g. `weight_decay`
//! and `eps`; `betas`, `d_coef`, `growth_rate`, … come from `param_groups[0]`), d is computed
//! once and stored in every group, and then each group is updated. Their lr is
//! `max(group["lr"] for group in param_groups)`; a group whose lr is neither that nor 0 is an
//! error ("Setting different lr values in different parameter groups is only supported for
//! values of 0"), and a group at lr 0 is left out of the sums.
//!
//! A [`SharedRule`] steps its groups so ([`SharedRule::step_groups`]), and [`Shared`] is the
//! one [`Optimizer`] over the groups' tensors concatenated in group order, with one state and
//! each group's config and scheduled [`Hyper`]. [`super::Grouped`] builds one for the groups
//! of such a rule ([`super::OptimizerConfig::build_shared`]); the Python binding too.
//!
//! Its checkpoint is the rule's state (over the concatenation) with group 0's `lr` and
//! momentum as [`Optim`](super::Optim) writes them, `groups` (their number), and
//! `groups.<g>.lr` (and the momentum key) of each later group. A state without `groups`
//! (one state per group, written before the groups shared d) is refused, naming it.

use super::rule::scalar;
use super::{Hyper, Optimizer, OptimizerState, Rule, Shape, StepOutcome};
use crate::{Error, Float, Result};

/// One parameter group of a [`SharedRule::step_groups`]: its config, its scheduled
/// hyperparameters and its tensors' layout (in `params`, the groups follow each other).
#[derive(Debug, Clone, Copy)]
pub struct Member<'a, R> {
    /// The group's hyperparameters.
    pub cfg: &'a R,
    /// Its scheduled lr and momentum.
    pub hyper: Hyper,
    /// Its tensors, in order.
    pub shapes: &'a [Shape],
}

impl<R> Member<'_, R> {
    /// Number of parameters of the group.
    pub fn len(&self) -> usize {
        self.shapes.iter().map(Shape::len).sum()
    }

    /// Whether the group has no parameters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A rule whose reference keeps one state for all its parameter groups (see the
/// [module docs](self)).
pub trait SharedRule: Rule {
    /// One step of every group of `groups` (in order, their tensors concatenated in `params`
    /// and `grad`), sharing `state` (group 0's [`Rule::init`]). With one group it is
    /// [`Rule::step`], bit for bit.
    fn step_groups<T: Float>(
        state: &mut Self::State<T>,
        groups: &[Member<'_, Self>],
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome;
}

/// [`Rule::step`] of a [`SharedRule`]: [`SharedRule::step_groups`] with `cfg` as the one
/// group.
pub fn step_one<R: SharedRule, T: Float>(
    cfg: &R,
    state: &mut R::State<T>,
    hyper: Hyper,
    params: &mut [T],
    grad: &mut [T],
    shapes: &[Shape],
) -> StepOutcome {
    let me = Member { cfg, hyper, shapes };
    R::step_groups(state, &[me], params, grad)
}

/// The packages' lr: the largest of the groups' (Python's `max`, the first of equal ones).
pub fn shared_lr<'a>(mut lrs: impl Iterator<Item = &'a f64>) -> f64 {
    let first = lrs.next().copied().unwrap_or(0.0);
    lrs.fold(first, |a, &b| if b > a { b } else { a })
}

/// Checks the packages' rule on the groups' lrs (`(key, lr)` each, in order): every lr is
/// the largest or 0; the first that is not is an [`Error::InvalidParameter`] naming its key.
pub fn check_shared_lrs(name: &str, lrs: &[(String, f64)]) -> Result<()> {
    check_lrs(name, lrs.iter().map(|(_, lr)| lr), |k| &lrs[k].0)
}

/// [`check_shared_lrs`] over the lrs `lrs`, group `k`'s key `key(k)` (asked only for the
/// group that breaks the rule, so a check before every step gathers no keys).
fn check_lrs<'a, 'k>(
    name: &str,
    lrs: impl Iterator<Item = &'a f64> + Clone,
    key: impl Fn(usize) -> &'k str,
) -> Result<()> {
    let top = shared_lr(lrs.clone());
    match lrs.enumerate().find(|&(_, &lr)| lr != top && lr != 0.0) {
        Some((k, lr)) => Err(Error::param(
            key(k),
            lr,
            &format!(
                "the parameter groups of `{name}` share one d, so each group's lr must be the \
                 largest ({top}) or 0 (as the package: \"Setting different lr values in \
                 different parameter groups is only supported for values of 0\")"
            ),
        )),
        None => Ok(()),
    }
}

/// Whether the rule of `cfg` keeps one state for all its parameter groups (a
/// [`SharedRule`]: [`super::OptimizerConfig::build_shared`] builds one [`Shared`] for them).
pub fn shares_groups(cfg: &super::OptimizerConfig) -> bool {
    let g = || SharedGroup {
        cfg,
        shapes: Vec::new(),
        lr: 1.0,
        lr_key: String::new(),
    };
    matches!(
        super::OptimizerConfig::build_shared::<f64>(&[g(), g()]),
        Ok(Some(_))
    )
}

/// One group of a [`Shared`] to build: its config, its tensors, its lr (the config's, or
/// one set since, as a schedule or Python's `param_groups[k]["lr"]` sets it; 0 freezes the
/// group) and the key naming that lr in errors (`param_groups[k].lr`).
#[derive(Debug, Clone)]
pub struct SharedGroup<'a, C> {
    /// The group's hyperparameters.
    pub cfg: &'a C,
    /// Its tensors, in order.
    pub shapes: Vec<Shape>,
    /// Its lr.
    pub lr: f64,
    /// The key of its lr.
    pub lr_key: String,
}

/// The [`Optimizer`] of a [`SharedRule`] over several parameter groups with one state (see
/// the [module docs](self)): `params` is the groups' tensors concatenated in group order.
/// [`Optimizer::hyper`] and `set_hyper` act on each group. When the groups' lrs break the
/// packages' rule (a schedule drove them apart), [`Optimizer::check_hyper`] says so (the
/// training loop then ends the run) and a step taken anyway changes nothing and counts as
/// skipped.
#[derive(Debug, Clone)]
pub struct Shared<R: SharedRule, T: Float> {
    groups: Vec<(R, Hyper, Vec<Shape>)>,
    keys: Vec<String>,
    state: R::State<T>,
    skipped: usize,
}

impl<R: SharedRule, T: Float> Shared<R, T> {
    /// Validates each group's config, checks their lrs ([`check_shared_lrs`]) and builds the
    /// optimiser (the state from group 0's config).
    pub fn new(groups: &[SharedGroup<'_, R>]) -> Result<Self> {
        let Some(first) = groups.first() else {
            return Err(Error::Invalid(format!(
                "`{}`: no parameter group to step",
                R::NAME
            )));
        };
        let mut out = Vec::with_capacity(groups.len());
        for g in groups {
            g.cfg.validate()?;
            let hyper = Hyper {
                lr: g.lr,
                momentum: g.cfg.momentum(),
            };
            out.push((g.cfg.clone(), hyper, g.shapes.clone()));
        }
        let keys: Vec<String> = groups.iter().map(|g| g.lr_key.clone()).collect();
        let s = Shared {
            state: first.cfg.init(),
            groups: out,
            keys,
            skipped: 0,
        };
        s.check()?;
        Ok(s)
    }

    /// [`Shared::new`], boxed (what [`super::Entry::build_shared`] returns).
    pub fn boxed(groups: &[SharedGroup<'_, R>]) -> Result<Option<Box<dyn Optimizer<T>>>> {
        Ok(Some(Box::new(Self::new(groups)?)))
    }

    /// The shared state.
    pub fn rule_state(&self) -> &R::State<T> {
        &self.state
    }

    /// [`check_shared_lrs`] on the current lrs (asked before every step; allocates nothing
    /// unless the rule is broken).
    pub fn check(&self) -> Result<()> {
        let key = |k: usize| self.keys.get(k).map_or("lr", String::as_str);
        check_lrs(R::NAME, self.groups.iter().map(|g| &g.1.lr), key)
    }

    /// The checkpoint key of group `g`'s scalar `key` (group 0's are `Optim`'s).
    fn key(g: usize, key: &str) -> String {
        if g == 0 {
            key.to_string()
        } else {
            format!("groups.{g}.{key}")
        }
    }
}

impl<R: SharedRule, T: Float> Optimizer<T> for Shared<R, T> {
    fn name(&self) -> &'static str {
        R::NAME
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let members: Vec<Member<'_, R>> = self
            .groups
            .iter()
            .map(|(cfg, hyper, shapes)| Member {
                cfg,
                hyper: *hyper,
                shapes,
            })
            .collect();
        let n: usize = members.iter().map(Member::len).sum();
        if n != params.len() || self.check().is_err() {
            self.skipped += 1;
            return StepOutcome::Skipped;
        }
        let outcome = R::step_groups(&mut self.state, &members, params, grad);
        if outcome == StepOutcome::Skipped {
            self.skipped += 1;
        }
        outcome
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    /// Group `g`'s (NaN lr and no momentum for a group that does not exist).
    fn hyper(&self, g: usize) -> Hyper {
        self.groups.get(g).map_or(Hyper::ABSENT, |x| x.1)
    }

    fn set_hyper(&mut self, g: usize, hyper: Hyper) {
        if let Some((_, h, _)) = self.groups.get_mut(g) {
            h.lr = hyper.lr;
            if let (Some(_), Some(m)) = (h.momentum, hyper.momentum) {
                h.momentum = Some(m);
            }
        }
    }

    fn skipped(&self) -> usize {
        self.skipped
    }
    fn check_hyper(&self) -> Result<()> {
        self.check()
    }

    /// Accepts the layout it was built with, or one of as many tensors of the same total
    /// length (split among the groups as their tensor counts).
    fn set_shapes(&mut self, shapes: &[Shape]) -> Result<()> {
        let count: usize = self.groups.iter().map(|g| g.2.len()).sum();
        let len: usize = self.groups.iter().flat_map(|g| &g.2).map(Shape::len).sum();
        if shapes.len() != count || shapes.iter().map(Shape::len).sum::<usize>() != len {
            return Err(Error::Invalid(format!(
                "`{}` steps {} parameter groups of {count} tensors ({len} parameters) as one; \
                 the layout {shapes:?} does not fit",
                R::NAME,
                self.groups.len()
            )));
        }
        let mut at = 0;
        for (cfg, _, own) in &mut self.groups {
            let mine = &shapes[at..at + own.len()];
            cfg.check_shapes(mine)?;
            *own = mine.to_vec();
            at += own.len();
        }
        Ok(())
    }

    fn state(&self) -> OptimizerState {
        let mut s = OptimizerState::new(R::NAME);
        s.scalars.insert("groups".into(), self.groups.len() as f64);
        for (g, (_, h, _)) in self.groups.iter().enumerate() {
            s.scalars.insert(Self::key(g, "lr"), h.lr);
            if let (Some(key), Some(m)) = (R::MOMENTUM_KEY, h.momentum) {
                s.scalars.insert(Self::key(g, key), m);
            }
        }
        s.insert(&self.state);
        s
    }

    /// Checks the name and the number of groups (a state without `groups`, one per group from
    /// before the groups shared d, is refused), then reads the state and each group's lr and
    /// momentum.
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect_name(R::NAME)?;
        let n = self.groups.len();
        if state.scalars.get("groups") != Some(&(n as f64)) {
            return Err(Error::Invalid(format!(
                "optimizer state `{}`: `groups` is {:?}, but its {n} parameter groups share one \
                 state (one d, as the package keeps); a state with one d per group (written \
                 before the groups shared d) cannot be resumed",
                R::NAME,
                state.scalars.get("groups")
            )));
        }
        let mut merged = self.state();
        merged.scalars.extend(state.scalars.clone());
        merged.buffers = state.buffers.clone();
        let mut loaded: R::State<T> = merged.extract()?;
        let mut hypers = Vec::with_capacity(n);
        for g in 0..n {
            let lr = scalar(&merged, &Self::key(g, "lr"))?;
            let momentum = match R::MOMENTUM_KEY {
                Some(key) => Some(scalar(&merged, &Self::key(g, key))?),
                None => None,
            };
            hypers.push(Hyper { lr, momentum });
        }
        self.groups[0].0.after_load(&mut loaded);
        self.state = loaded;
        for (g, h) in self.groups.iter_mut().zip(hypers) {
            g.1 = h;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{OptimizerConfig, ProdigyConfig};

    fn lrs(v: &[f64]) -> Vec<(String, f64)> {
        (v.iter().enumerate())
            .map(|(k, &lr)| (format!("param_groups[{k}].lr"), lr))
            .collect()
    }

    /// The packages' rule: the lr is the largest, every group's is it or 0; the first other
    /// is named.
    #[test]
    fn lrs_must_be_the_largest_or_0() {
        assert_eq!(shared_lr([0.0, 1.0, 1.0].iter()), 1.0);
        assert!(check_shared_lrs("prodigy", &lrs(&[1.0, 0.0, 1.0])).is_ok());
        let e = check_shared_lrs("prodigy", &lrs(&[1.0, 0.5, 0.25]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("param_groups[1].lr") && e.contains("0.5"), "{e}");
        assert!(shares_groups(&OptimizerConfig::Prodigy(
            ProdigyConfig::default()
        )));
        let adam = OptimizerConfig::from_named("adam", serde_json::json!({})).unwrap();
        assert!(!shares_groups(&adam));
    }

    /// One group of a `Shared` steps as the rule's own optimiser, bit for bit.
    #[test]
    fn one_group_is_the_rule() {
        let cfg = ProdigyConfig {
            d0: 1e-3,
            ..Default::default()
        };
        let shapes = vec![Shape::Vector(2), Shape::Vector(1)];
        let g = SharedGroup {
            cfg: &cfg,
            shapes: shapes.clone(),
            lr: 1.0,
            lr_key: "lr".into(),
        };
        let mut a = Shared::<ProdigyConfig, f64>::new(&[g]).unwrap();
        let mut b = crate::optim::Prodigy::<f64>::new(cfg.clone()).unwrap();
        b.set_shapes(&shapes).unwrap();
        let (mut x, mut y) = ([1.0, -2.0, 0.5], [1.0, -2.0, 0.5]);
        for _ in 0..10 {
            let (mut gx, mut gy) = (x.map(|v| 2.0 * v), y.map(|v| 2.0 * v));
            a.step(&mut x, &mut gx);
            b.step(&mut y, &mut gy);
        }
        assert_eq!(x, y);
        assert_eq!(a.rule_state().d, b.rule_state().d);
    }
}
