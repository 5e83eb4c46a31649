//! Seed 002's lr range test: `downhill lr-find` on seed 001's data, then a `cyclic_lr` run with
//! the bounds it suggests.

use crate::tour::figure::{Chart, Figure, Series};
use crate::tour::fmt_num;
use crate::tour::Experiment;
use downhill::spec::exec::lr_find::range_test;
use downhill::spec::lr_find;

/// Seed 001's data and linear model, batch 50, as the range test and the cyclic run use it.
const SEED001: &str = "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"linear\"\n\
                       [optimizer]\nname = \"sgd\"\nlr = 0.01\n[train]\nbatch_size = 50\nepochs = 5\n";
/// Half a cycle of `cyclic_lr`, in steps (20 steps make an epoch).
const HALF_CYCLE: usize = 10;

/// Seed 002: the lr range test, then a `cyclic_lr` run with its bounds.
pub fn lr_range_test() -> Experiment {
    let mut e = Experiment::new(
        "002",
        "lr-range-test",
        "The lr range test, then cyclic_lr with its bounds",
        "Smith's range test (fastai's lr_find): 100 mini-batches of 50 of seed 001's regression \
         with the lr growing exponentially from 1e-4 to 10, the loss smoothed (β = 0.98, bias \
         corrected) and the test stopped once it exceeds 4× its best. The suggestion is fastai's \
         valley: two thirds down the longest descent of the smoothed loss; cyclic_lr then \
         cycles between a quarter of it and it.",
    );
    let raw = format!("{SEED001}[lr_find]\nstart_lr = 1e-4\nend_lr = 10.0\nnum_it = 100\n");
    let found = lr_find::parse("lr-range-test.toml", &raw)
        .and_then(|(cfg, lf)| range_test(&cfg, &lf).map(|t| (cfg, t)));
    let (_, t) = match found {
        Ok(v) => v,
        Err(err) => {
            e.require(false, &format!("the range test ran ({})", err));
            return e;
        }
    };
    let (base_lr, max_lr) = t.cyclic();
    let last_lr = t.lr.last().copied().unwrap_or(f64::NAN);
    e.value("suggested_lr", t.suggested_lr)
        .value("base_lr", base_lr)
        .value("max_lr", max_lr)
        .value("steps_recorded", t.lr.len() as u64)
        .value("stopped", t.stopped)
        .value("lr_at_stop", last_lr);
    e.require(
        t.stopped != "num_it",
        "the test found the divergence edge (stopped by the 4× rule or a non-finite loss before 10)",
    );
    e.require(
        t.suggested_lr < last_lr,
        "the suggestion lies below the lr at which the test stopped",
    );
    e.checks(&["suggested_lr", "stopped", "lr_at_stop"]);
    let sched = format!(
        "[schedule]\nname = \"cyclic_lr\"\nbase_lr = {base_lr:?}\nmax_lr = {max_lr:?}\n\
         step_size_up = {HALF_CYCLE}\ncycle_momentum = false\n"
    );
    let trained = downhill::spec::train::parse("cyclic.toml", &format!("{SEED001}{sched}"))
        .and_then(|c| downhill::spec::exec::train::fit(&c));
    let cyc = match trained {
        Ok(r) => r,
        Err(err) => {
            e.require(false, &format!("the cyclic_lr run trained ({})", err));
            return e;
        }
    };
    let initial = cyc.train_loss.first().copied().unwrap_or(f64::NAN);
    e.value("cyclic_status", format!("{:?}", cyc.status).to_lowercase())
        .value("cyclic_initial_loss", initial)
        .value("cyclic_final_loss", cyc.final_train_loss);
    e.require(
        cyc.status == downhill::train::TrainStatus::Completed
            && cyc.final_train_loss < 0.01 * initial,
        "the cyclic_lr run with the suggested bounds completes without diverging and ends \
         below 1 % of its initial loss",
    );
    e.checks(&["cyclic_status", "cyclic_initial_loss", "cyclic_final_loss"]);
    let x: Vec<f64> = t.lr.iter().map(|v| v.log10()).collect();
    e.figure(Figure::Chart(Chart {
        title: format!(
            "lr range test: suggested lr {} (cyclic_lr {} … {})",
            fmt_num(t.suggested_lr),
            fmt_num(base_lr),
            fmt_num(max_lr)
        ),
        x_label: "log₁₀ lr".into(),
        y_label: "loss".into(),
        log_y: true,
        vlines: vec![(
            format!("suggested lr {}", fmt_num(t.suggested_lr)),
            t.suggested_lr.log10(),
        )],
        series: vec![
            Series {
                label: "batch loss".into(),
                xs: x.clone(),
                ys: t.batch_loss.clone(),
            },
            Series {
                label: "smoothed loss".into(),
                xs: x,
                ys: t.loss.clone(),
            },
        ],
        ..Chart::default()
    }));
    e.figure(Figure::Curves {
        title: "cyclic_lr with the suggested bounds: training loss".into(),
        x_label: "samples seen".into(),
        y_label: "loss".into(),
        log_y: true,
        series: vec![Series {
            label: "cyclic_lr".into(),
            xs: cyc.log_samples.iter().map(|&s| s as f64).collect(),
            ys: cyc.train_loss.clone(),
        }],
    });
    e
}
