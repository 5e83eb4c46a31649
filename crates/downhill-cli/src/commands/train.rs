//! `downhill train FILE.toml [--json] [--resume CKPT] [--save MODEL.json]`.

use std::io::IsTerminal;

use downhill::model::Scalar;
use downhill::spec::exec::train::{optimizer, Setup};
use downhill::spec::train::{parse, TrainFile};
use downhill::spec::InPrecision;
use downhill::train::checkpoint::fnv1a64;
use downhill::train::{Checkpoint, Progress};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::TrainArgs;
use crate::exit::CliResult;
use crate::input::read_file;
use crate::present::train::{loss_figure, report};

/// Reads and parses the config of `downhill train`; returns it with the fingerprint its
/// checkpoints carry.
pub fn load(args: &TrainArgs) -> CliResult<(TrainFile, String)> {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let cfg = parse(&file, &raw)?;
    let fingerprint = format!("{:016x}", fnv1a64(raw.as_bytes()));
    Ok((cfg, fingerprint))
}

/// Entry point of `downhill train` in one process (the config read by [`load`]).
pub fn cmd(cfg: &TrainFile, args: &TrainArgs, fingerprint: String) -> CliResult {
    cfg.data.precision.dispatch(Train {
        cfg,
        args,
        fingerprint,
    })
}

struct Train<'a> {
    cfg: &'a TrainFile,
    args: &'a TrainArgs,
    fingerprint: String,
}

impl InPrecision for Train<'_> {
    type Output = CliResult;
    fn run<T: Scalar>(self) -> CliResult {
        run::<T>(self.cfg, self.args, self.fingerprint)
    }
}

fn run<T: Scalar>(cfg: &TrainFile, args: &TrainArgs, fingerprint: String) -> CliResult {
    let setup = Setup::<T>::load(cfg)?;
    let mut opt = optimizer::<T>(cfg, &setup.net)?;
    let resume = args.resume.as_deref().map(Checkpoint::load).transpose()?;
    let show_bar = !args.json && std::io::stdout().is_terminal();
    let bar = show_bar.then(|| {
        let b = ProgressBar::new(cfg.train.epochs as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let mut trainer = setup.trainer(cfg, cfg.train.clone(), opt.as_ref())?;
    trainer.fingerprint = fingerprint;
    if let Some(b) = bar.clone() {
        trainer.progress = Some(Box::new(move |p: &Progress| {
            if let Progress::Epoch {
                epoch, train_loss, ..
            } = p
            {
                b.set_position(*epoch as u64);
                b.set_message(format!("loss {train_loss:.4e}"));
            }
        }));
    }
    let res = trainer.run(opt.as_mut(), &setup.net.init(cfg.train.seed), resume)?;
    if let Some(out) = &args.plot {
        crate::present::plotting::write(&loss_figure(&res)?, out)?;
    }
    drop(trainer);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report(cfg, args, &setup, &res, serde_json::Map::new())
}
