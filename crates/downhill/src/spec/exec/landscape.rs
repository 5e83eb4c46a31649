//! `downhill landscape`: the loss landscape of a `downhill train` config
//! (`crate::landscape`).
//!
//! The run is set up by [`Setup`] (the one setup of `train`, `compare` and the lab), trained
//! with a [`Snapshots`] callback added (it only reads the parameters, so the run is the one
//! `downhill train` makes), and its `downhill train --json` object is the output's `train` key.
//! Between saved models nothing is trained and `train` is null.

use serde_json::{json, Value};

use crate::landscape::{self, DirectionKind, Landscape, Snapshots};
use crate::model::{ModelSpec, SavedModel, Scalar};
use crate::spec::exec::train::{optimizer, result_json, Setup};
use crate::spec::landscape::LandscapeFile;
use crate::spec::{input, InPrecision};
use crate::train::TrainStatus;
use crate::Error;

/// Where the landscape's endpoints come from.
#[derive(Debug, Clone, Copy)]
pub enum Endpoints<'a> {
    /// Train the config: from its initialisation to its solution.
    Train,
    /// From the initialisation to a saved model (named for messages).
    Model(&'a str, &'a SavedModel),
    /// Between two saved models (each named for messages).
    Between([(&'a str, &'a SavedModel); 2]),
}

/// What the command computed.
pub struct Computed {
    /// The landscape.
    pub landscape: Landscape,
    /// `downhill train --json`'s object of the run (`Value::Null` when nothing was trained).
    pub train: Value,
    /// Whether the run diverged (exit 3).
    pub diverged: bool,
}

impl Computed {
    /// The `--json` object: `interpolation`, `surface`, `sharpness`, `train`.
    pub fn json(&self) -> Value {
        json!({
            "interpolation": self.landscape.interpolation,
            "surface": self.landscape.surface,
            "sharpness": self.landscape.sharpness,
            "train": self.train,
        })
    }
}

/// Trains (or loads) and computes the landscape of config `cfg` (named `file` in messages).
pub fn compute(file: &str, cfg: &LandscapeFile, ends: Endpoints<'_>) -> Result<Computed, Error> {
    if cfg.landscape.directions == DirectionKind::Pca && !matches!(ends, Endpoints::Train) {
        return Err(input(format!(
            "{file}: [landscape] key `directions`: \"pca\" needs the trajectory of a training \
             run; it cannot be used with --model or --between"
        )));
    }
    cfg.run.data.precision.dispatch(Compute(cfg, ends))
}

struct Compute<'a>(&'a LandscapeFile, Endpoints<'a>);

impl InPrecision for Compute<'_> {
    type Output = Result<Computed, Error>;
    fn run<T: Scalar>(self) -> Self::Output {
        let Compute(cfg, ends) = self;
        let run = &cfg.run;
        let setup = Setup::<T>::load(run)?;
        let init = || setup.net.init(run.train.seed);
        let (theta0, theta1, snaps, train, diverged) = match ends {
            Endpoints::Between([(na, a), (nb, b)]) => (
                load_params(na, a, &setup.spec)?,
                load_params(nb, b, &setup.spec)?,
                None,
                Value::Null,
                false,
            ),
            Endpoints::Model(name, m) => (
                init(),
                load_params(name, m, &setup.spec)?,
                None,
                Value::Null,
                false,
            ),
            Endpoints::Train => {
                let snaps = Snapshots::<T>::new();
                let mut opt = optimizer::<T>(run, &setup.net)?;
                let mut trainer = setup.trainer(run, run.train.clone(), opt.as_ref())?;
                trainer.callbacks.push(Box::new(snaps.clone()));
                let res = trainer.run(opt.as_mut(), &init(), None)?;
                drop(trainer);
                let theta1 = res.params.iter().map(|&v| T::of(v)).collect();
                let diverged = res.status == TrainStatus::Diverged;
                (
                    init(),
                    theta1,
                    Some(snaps.taken()),
                    result_json(&setup.net, &res),
                    diverged,
                )
            }
        };
        let landscape = landscape::compute(
            &setup.net,
            &setup.train,
            Some(&setup.val),
            &theta0,
            &theta1,
            snaps.as_deref(),
            &cfg.landscape,
        )?;
        Ok(Computed {
            landscape,
            train,
            diverged,
        })
    }
}

/// The parameters of a saved model (called `name` in messages), checked against the config's
/// model.
fn load_params<T: Scalar>(
    name: &str,
    saved: &SavedModel,
    spec: &ModelSpec,
) -> Result<Vec<T>, Error> {
    saved
        .network::<T>()
        .map_err(|e| input(format!("{name}: {e}")))?;
    if &saved.spec != spec {
        return Err(input(format!(
            "{name}: the saved model ({} → {:?} → {}, {:?}) is not the config's [model] ({} → {:?} → {}, {:?})",
            saved.spec.inputs,
            saved.spec.hidden,
            saved.spec.outputs,
            saved.spec.kind,
            spec.inputs,
            spec.hidden,
            spec.outputs,
            spec.kind
        )));
    }
    Ok(saved.params.iter().map(|&v| T::of(v)).collect())
}
