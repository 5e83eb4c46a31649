//! Parameter groups (torch's `optimizer.param_groups`): named tensors of the flat parameter
//! slice assigned to groups by glob patterns, each group with its own optimiser and
//! hyperparameters.
//!
//! A model's parameters are one flat slice with named index ranges ([`Tensor`]: `w`, `b`;
//! `layers.0.W`, `layers.0.b`, …). [`assign`] matches each group's `params` globs (`*` = any
//! run of characters) against the names: a tensor matched by two groups is an error naming
//! both (torch: "some parameters appear in more than one parameter group"), and so is a group
//! that matches nothing; unmatched tensors stay in the default group (group 0, the top-level
//! optimiser). [`Grouped`] is then one [`Optimizer`] over the whole slice: each step gathers
//! every group's ranges (in place when a group is one contiguous range), runs the group's
//! optimiser on them and scatters the result back, so every group follows its own optimiser's
//! update exactly as torch steps each `param_group`. The groups of a rule whose package keeps
//! one state for all its param groups (prodigy and D-Adaptation's one d, [`super::shared`])
//! are stepped as one optimiser, as the package steps them.
//!
//! ```
//! use downhill::optim::{Grouped, Optimizer, OptimizerConfig, ParamGroupConfig, Shape, Tensor};
//!
//! // AdamW with weight decay 0.1, except the bias, which gets lr 0.05 and no decay.
//! let tensors = vec![
//!     Tensor::new("w", 0..2, Shape::Matrix { rows: 1, cols: 2 }),
//!     Tensor::new("b", 2..3, Shape::Vector(1)),
//! ];
//! let base: OptimizerConfig = serde_json::from_value(
//!     serde_json::json!({"name": "adamw", "lr": 0.01, "weight_decay": 0.1}),
//! ).unwrap();
//! let bias: OptimizerConfig = serde_json::from_value(
//!     serde_json::json!({"name": "adamw", "lr": 0.05, "weight_decay": 0.0}),
//! ).unwrap();
//! let groups = vec![ParamGroupConfig { params: vec!["b".into()], optimizer: bias }];
//! let mut opt = Grouped::<f64>::new(&tensors, &base, &groups)?;
//! assert_eq!((opt.groups(), opt.hyper(0).lr, opt.hyper(1).lr), (2, 0.01, 0.05));
//! let (mut x, mut g) = (vec![1.0, 1.0, 1.0], vec![1.0, 1.0, 1.0]);
//! opt.step(&mut x, &mut g);
//! // Adam's first step moves every coordinate by its lr (plus decay on w).
//! assert!((x[2] - 0.95).abs() < 1e-9 && (x[0] - (1.0 - 0.001 - 0.01)).abs() < 1e-9);
//! # Ok::<(), downhill::Error>(())
//! ```

use std::cell::RefCell;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::shared::SharedGroup;
use super::{Hyper, Optimizer, OptimizerConfig, OptimizerState, Shape, StepOutcome};
use crate::{Error, Float, Result};

/// One named tensor of a flat parameter slice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tensor {
    /// Its dotted name (`layers.0.W`).
    pub name: String,
    /// Its index range in the flat slice.
    pub range: Range<usize>,
    /// Its shape (a weight matrix or a vector).
    pub shape: Shape,
}

impl Tensor {
    /// A tensor `name` at `range` with `shape`.
    pub fn new(name: &str, range: Range<usize>, shape: Shape) -> Self {
        Tensor {
            name: name.to_string(),
            range,
            shape,
        }
    }
}

/// One `[[optimizer.param_groups]]` entry: the globs it takes and its (complete) optimiser
/// config, i.e. the top-level optimiser with the group's overrides, or the optimiser the group
/// names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamGroupConfig {
    /// Glob patterns over the parameter names (`*` matches any run of characters).
    pub params: Vec<String>,
    /// The group's optimiser.
    pub optimizer: OptimizerConfig,
}

/// Whether `name` matches `pattern`, where `*` matches any run of characters (dots included)
/// and every other character itself.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Iterative matching with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && p[i] != '*' && p[i] == n[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < p.len() && p[i] == '*' {
            (star, mark, i) = (Some(i), j, i + 1);
        } else if let Some(s) = star {
            (i, mark) = (s + 1, mark + 1);
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// The tensors (indices into `names`) of each group: entry 0 is the default group (the
/// unmatched tensors), entry `k + 1` group `k`. Errors, naming `param_groups[k].params`, on a
/// tensor matched by two groups and on a group that matches nothing.
pub fn assign(names: &[&str], groups: &[ParamGroupConfig]) -> Result<Vec<Vec<usize>>> {
    let mut owner: Vec<Option<usize>> = vec![None; names.len()];
    let mut out = vec![Vec::new(); groups.len() + 1];
    for (k, g) in groups.iter().enumerate() {
        let key = format!("param_groups[{k}].params");
        if g.params.is_empty() {
            return Err(Error::param(
                &key,
                "[]",
                "a group needs at least one pattern",
            ));
        }
        for (t, name) in names.iter().enumerate() {
            if !g.params.iter().any(|p| glob_match(p, name)) {
                continue;
            }
            if let Some(first) = owner[t] {
                return Err(Error::param(
                    &key,
                    format!("{:?}", g.params),
                    &format!(
                        "parameter `{name}` is already in param_groups[{first}] ({:?}); a \
                         parameter may be in one group only",
                        groups[first].params
                    ),
                ));
            }
            owner[t] = Some(k);
            out[k + 1].push(t);
        }
        if out[k + 1].is_empty() {
            return Err(Error::param(
                &key,
                format!("{:?}", g.params),
                &format!(
                    "matches no parameter; the parameters are {}",
                    names.join(", ")
                ),
            ));
        }
    }
    out[0] = (0..names.len()).filter(|&t| owner[t].is_none()).collect();
    Ok(out)
}

/// One part: its index ranges in the flat slice and its optimiser (one group's, or, for a
/// rule whose groups share one state, several groups' in order).
struct Part<T: Float> {
    ranges: Vec<Range<usize>>,
    len: usize,
    opt: Box<dyn Optimizer<T>>,
    /// The index of its first group (its state's key prefix).
    first: usize,
}

impl<T: Float> Part<T> {
    /// Copies the group's elements of `full` into `out` (its first `len` elements).
    fn gather(&self, full: &[T], out: &mut [T]) {
        let mut at = 0;
        for r in &self.ranges {
            out[at..at + r.len()].copy_from_slice(&full[r.clone()]);
            at += r.len();
        }
    }

    /// The inverse of [`Part::gather`].
    fn scatter(&self, part: &[T], full: &mut [T]) {
        let mut at = 0;
        for r in &self.ranges {
            full[r.clone()].copy_from_slice(&part[at..at + r.len()]);
            at += r.len();
        }
    }
}

/// Several optimisers over disjoint groups of one flat parameter slice (see the
/// [module docs](self)). Group 0 is the default group (possibly empty: then it is left out);
/// [`Optimizer::hyper`] and `set_hyper` act on each group (`lr()` and `set_lr()` on the first).
///
/// The groups of a rule whose reference keeps one state for all its param groups (prodigy,
/// dadapt_adam, dadapt_sgd: one d, see [`super::shared`]) are stepped as one [`super::Shared`]
/// optimiser over their tensors in group order; their lrs must then be equal or 0 (an error
/// naming `param_groups[k].lr`, or `optimizer.lr` for the default group). Group g's optimiser draws its
/// random numbers from stream g ([`Optimizer::set_stream`]: sgld's groups draw independent
/// noise; group 0 the stream of an ungrouped run).
pub struct Grouped<T: Float> {
    parts: Vec<Part<T>>,
    /// Per group (in order, empty ones left out): its part and its index among the part's.
    slots: Vec<(usize, usize)>,
    name: &'static str,
    /// Gather buffers for non-contiguous groups (parameters, gradient).
    buf: [Vec<T>; 2],
    /// The same for [`Optimizer::gradient_point`] (which takes `&self`).
    point: RefCell<[Vec<T>; 2]>,
}

/// The ranges of tensors `idx` of `tensors`, adjacent ones merged, appended to `ranges`.
fn push_ranges(ranges: &mut Vec<Range<usize>>, tensors: &[Tensor], idx: &[usize]) {
    for &t in idx {
        let r = tensors[t].range.clone();
        match ranges.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => ranges.push(r),
        }
    }
}

impl<T: Float> Grouped<T> {
    /// Builds the groups of `tensors`: `default` for the unmatched ones, each of `groups` for
    /// the tensors its globs match ([`assign`]); every group's optimiser is told the shapes
    /// of its tensors ([`Optimizer::set_shapes`]) and its stream ([`Optimizer::set_stream`]);
    /// the groups of a rule that shares one state across groups get one optimiser.
    pub fn new(
        tensors: &[Tensor],
        default: &OptimizerConfig,
        groups: &[ParamGroupConfig],
    ) -> Result<Self> {
        let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
        let members = assign(&names, groups)?;
        let configs: Vec<&OptimizerConfig> = std::iter::once(default)
            .chain(groups.iter().map(|g| &g.optimizer))
            .collect();
        // The non-empty groups, in order: (index into `members`/`configs`).
        let live: Vec<usize> = (0..members.len())
            .filter(|&k| !members[k].is_empty())
            .collect();
        let lr_key = |k: usize| match k {
            0 => "optimizer.lr".to_string(),
            k => format!("param_groups[{}].lr", k - 1),
        };
        let mut slots = vec![(0, 0); live.len()];
        let mut done = vec![false; live.len()];
        let (mut parts, mut widest) = (Vec::new(), 0);
        for g in 0..live.len() {
            if done[g] {
                continue;
            }
            let name = configs[live[g]].name();
            let same: Vec<usize> = (g..live.len())
                .filter(|&h| !done[h] && configs[live[h]].name() == name)
                .collect();
            let shared = if same.len() > 1 {
                let sg: Vec<SharedGroup<'_, OptimizerConfig>> = same
                    .iter()
                    .map(|&h| SharedGroup {
                        cfg: configs[live[h]],
                        shapes: members[live[h]].iter().map(|&t| tensors[t].shape).collect(),
                        lr: configs[live[h]].lr(),
                        lr_key: lr_key(live[h]),
                    })
                    .collect();
                OptimizerConfig::build_shared::<T>(&sg)?
            } else {
                None
            };
            let (opt, mine) = match shared {
                Some(opt) => (opt, same),
                None => {
                    let mut opt = configs[live[g]].build::<T>()?;
                    let named: Vec<(String, Shape)> = members[live[g]]
                        .iter()
                        .map(|&t| (tensors[t].name.clone(), tensors[t].shape))
                        .collect();
                    super::set_named_shapes(opt.as_mut(), &named)?;
                    opt.set_stream(g as u64);
                    (opt, vec![g])
                }
            };
            let mut ranges: Vec<Range<usize>> = Vec::new();
            for (i, &h) in mine.iter().enumerate() {
                push_ranges(&mut ranges, tensors, &members[live[h]]);
                (slots[h], done[h]) = ((parts.len(), i), true);
            }
            let len = ranges.iter().map(|r| r.len()).sum();
            if ranges.len() > 1 {
                widest = widest.max(len);
            }
            parts.push(Part {
                ranges,
                len,
                opt,
                first: g,
            });
        }
        let name = parts.first().map_or("sgd", |p| p.opt.name());
        let buf = std::array::from_fn(|_| vec![T::zero(); widest]);
        let point = RefCell::new(std::array::from_fn(|_| vec![T::zero(); widest]));
        Ok(Grouped {
            parts,
            slots,
            name,
            buf,
            point,
        })
    }

    /// A point of each group (its optimiser's [`Optimizer::gradient_point`] or
    /// [`Optimizer::eval_point`], `point`), `params` itself for the groups without one;
    /// whether any group had one.
    fn each_point(
        &self,
        params: &[T],
        out: &mut [T],
        point: impl Fn(&dyn Optimizer<T>, &[T], &mut [T]) -> bool,
    ) -> bool {
        out.copy_from_slice(params);
        let mut any = false;
        let mut bufs = self.point.borrow_mut();
        let [p, q] = &mut *bufs;
        for part in &self.parts {
            if let [r] = part.ranges.as_slice() {
                any |= point(part.opt.as_ref(), &params[r.clone()], &mut out[r.clone()]);
            } else {
                let (p, q) = (&mut p[..part.len], &mut q[..part.len]);
                part.gather(params, p);
                if point(part.opt.as_ref(), p, q) {
                    part.scatter(q, out);
                    any = true;
                }
            }
        }
        any
    }

    /// The key prefix of group `g`'s state in a checkpoint.
    fn prefix(g: usize) -> String {
        format!("param_groups.{g}.")
    }
}

impl<T: Float> Optimizer<T> for Grouped<T> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let mut outcome = StepOutcome::Skipped;
        let [pb, gb] = &mut self.buf;
        for part in &mut self.parts {
            let o = if let [r] = part.ranges.as_slice() {
                part.opt.step(&mut params[r.clone()], &mut grad[r.clone()])
            } else {
                let (p, g) = (&mut pb[..part.len], &mut gb[..part.len]);
                part.gather(params, p);
                part.gather(grad, g);
                let o = part.opt.step(p, g);
                part.scatter(p, params);
                o
            };
            if outcome != StepOutcome::Applied {
                outcome = o;
            }
        }
        outcome
    }
    fn gradient_point(&self, params: &[T], out: &mut [T]) -> bool {
        self.each_point(params, out, |o, p, q| o.gradient_point(p, q))
    }
    fn eval_point(&self, params: &[T], out: &mut [T]) -> bool {
        self.each_point(params, out, |o, p, q| o.eval_point(p, q))
    }
    fn skipped(&self) -> usize {
        self.parts
            .iter()
            .map(|p| p.opt.skipped())
            .max()
            .unwrap_or(0)
    }
    fn check_hyper(&self) -> Result<()> {
        self.parts.iter().try_for_each(|p| p.opt.check_hyper())
    }
    /// Every group's optimiser gets the (whole model's) loss.
    fn set_loss(&mut self, loss: f64) {
        for part in &mut self.parts {
            part.opt.set_loss(loss);
        }
    }
    fn set_shapes(&mut self, _shapes: &[Shape]) -> Result<()> {
        // Each group's optimiser was given its tensors' shapes at construction.
        Ok(())
    }
    fn groups(&self) -> usize {
        self.slots.len()
    }
    /// Group `g`'s (NaN lr and no momentum for a group that does not exist).
    fn hyper(&self, g: usize) -> Hyper {
        self.slots
            .get(g)
            .map_or(Hyper::ABSENT, |&(p, i)| self.parts[p].opt.hyper(i))
    }
    fn set_hyper(&mut self, g: usize, hyper: Hyper) {
        if let Some(&(p, i)) = self.slots.get(g) {
            self.parts[p].opt.set_hyper(i, hyper);
        }
    }
    /// Every part's state, its keys prefixed with `param_groups.<g>.`, g its first group
    /// (each group's, or, for groups that share one state, their first's).
    fn state(&self) -> OptimizerState {
        let mut s = OptimizerState::new("param_groups");
        for part in &self.parts {
            let inner = part.opt.state();
            let pre = Self::prefix(part.first);
            for (k, v) in inner.scalars {
                s.scalars.insert(format!("{pre}{k}"), v);
            }
            for (k, v) in inner.buffers {
                s.buffers.insert(format!("{pre}{k}"), v);
            }
        }
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect_name("param_groups")?;
        for part in &mut self.parts {
            let pre = Self::prefix(part.first);
            let mut inner = OptimizerState::new(part.opt.name());
            for (k, &v) in &state.scalars {
                if let Some(rest) = k.strip_prefix(&pre) {
                    inner.scalars.insert(rest.to_string(), v);
                }
            }
            for (k, v) in &state.buffers {
                if let Some(rest) = k.strip_prefix(&pre) {
                    inner.buffers.insert(rest.to_string(), v.clone());
                }
            }
            part.opt.load_state(&inner)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(v: serde_json::Value) -> OptimizerConfig {
        serde_json::from_value(v).unwrap()
    }

    fn mlp() -> Vec<Tensor> {
        let m = |r, c| Shape::Matrix { rows: r, cols: c };
        vec![
            Tensor::new("layers.0.W", 0..6, m(3, 2)),
            Tensor::new("layers.0.b", 6..9, Shape::Vector(3)),
            Tensor::new("layers.1.W", 9..12, m(1, 3)),
            Tensor::new("layers.1.b", 12..13, Shape::Vector(1)),
        ]
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.b", "layers.0.b"));
        assert!(glob_match("*", "w"));
        assert!(glob_match("layers.*.W", "layers.10.W"));
        assert!(!glob_match("*.b", "layers.0.W"));
        assert!(!glob_match("b", "layers.0.b"));
        assert!(glob_match("l*s.0.*", "layers.0.b"));
        assert!(glob_match("**b", "b"));
    }

    #[test]
    fn overlap_and_empty_groups_are_errors_naming_the_groups() {
        let names = ["layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"];
        let sgd = cfg(serde_json::json!({"name": "sgd"}));
        let g = |p: &[&str]| ParamGroupConfig {
            params: p.iter().map(|s| s.to_string()).collect(),
            optimizer: sgd.clone(),
        };
        let e = assign(&names, &[g(&["*.b"]), g(&["layers.1.*"])]).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("param_groups[1].params") && m.contains("param_groups[0]"),
            "{m}"
        );
        assert!(m.contains("layers.1.b"), "{m}");
        let e = assign(&names, &[g(&["*.x"])]).unwrap_err().to_string();
        assert!(
            e.contains("matches no parameter") && e.contains("layers.0.W"),
            "{e}"
        );
        let a = assign(&names, &[g(&["*.b"])]).unwrap();
        assert_eq!(a, vec![vec![0, 2], vec![1, 3]]);
    }

    #[test]
    fn each_group_steps_as_its_own_optimiser_and_the_state_round_trips() {
        let t = mlp();
        let base = cfg(serde_json::json!({"name": "sgd", "lr": 0.1, "momentum": 0.9}));
        let bias = cfg(serde_json::json!({"name": "adam", "lr": 0.01}));
        let groups = [ParamGroupConfig {
            params: vec!["*.b".into()],
            optimizer: bias.clone(),
        }];
        let mut g = Grouped::<f64>::new(&t, &base, &groups).unwrap();
        let (mut sgd, mut adam) = (base.build::<f64>().unwrap(), bias.build::<f64>().unwrap());
        let mut x: Vec<f64> = (0..13).map(|i| (i as f64 * 0.7).sin()).collect();
        let (mut xw, mut xb): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        for i in [0, 1, 2, 3, 4, 5, 9, 10, 11] {
            xw.push(x[i]);
        }
        for i in [6, 7, 8, 12] {
            xb.push(x[i]);
        }
        let grad = |x: &[f64]| x.iter().map(|v| 2.0 * v + 0.3).collect::<Vec<f64>>();
        for _ in 0..5 {
            let mut gr = grad(&x);
            g.step(&mut x, &mut gr);
            let (mut gw, mut gb) = (grad(&xw), grad(&xb));
            sgd.step(&mut xw, &mut gw);
            adam.step(&mut xb, &mut gb);
        }
        let w: Vec<f64> = [0, 1, 2, 3, 4, 5, 9, 10, 11]
            .iter()
            .map(|&i| x[i])
            .collect();
        let b: Vec<f64> = [6, 7, 8, 12].iter().map(|&i| x[i]).collect();
        assert_eq!((w, b), (xw, xb));
        // Resume: a fresh Grouped with the saved state continues identically.
        let mut h = Grouped::<f64>::new(&t, &base, &groups).unwrap();
        h.load_state(&g.state()).unwrap();
        let mut y = x.clone();
        let (mut g1, mut g2) = (grad(&x), grad(&y));
        g.step(&mut x, &mut g1);
        h.step(&mut y, &mut g2);
        assert_eq!(x, y);
        assert_eq!(h.state(), g.state());
        assert_eq!(
            (h.groups(), h.hyper(1).lr, h.hyper(0).momentum),
            (2, 0.01, Some(0.9))
        );
    }
}
