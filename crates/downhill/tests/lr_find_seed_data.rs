//! `lr-find` on the synthetic regression (`synthetic_linreg`, a linear model and plain SGD) at
//! batch 10 and batch 1, with fastai's defaults (`start_lr = 1e-7`, `end_lr = 10`, `num_it =
//! 100`): the suggestion lies where the smoothed loss falls, and training with it for 5 epochs
//! reaches a loss below 1e-3. (`steep` suggested 1.35e-6 at batch 10, where nothing is learned.)

#![allow(clippy::unwrap_used)] // a failure is a test failure

use downhill::spec::exec::lr_find::range_test;
use downhill::spec::exec::train::fit;
use downhill::spec::{lr_find, train};

fn config(batch: usize, lr: f64) -> String {
    format!(
        "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"linear\"\n[optimizer]\n\
         name = \"sgd\"\nlr = {lr:?}\n[train]\nbatch_size = {batch}\nepochs = 5\n"
    )
}

fn check(batch: usize) {
    let (cfg, lf) = lr_find::parse("lr_find.toml", &config(batch, 0.01)).unwrap();
    let t = range_test(&cfg, &lf).unwrap();
    let k = t.lr.iter().position(|&v| v == t.suggested_lr).unwrap();
    // In the falling region: the smoothed loss falls over the ten points before the suggestion
    // and over the ten after it.
    let after = (k + 10).min(t.loss.len() - 1);
    assert!(
        t.loss[k.saturating_sub(10)] > t.loss[k] && t.loss[k] > t.loss[after],
        "batch {batch}: the loss is not falling at the suggestion (point {k})"
    );
    let trained = fit(&train::parse("t.toml", &config(batch, t.suggested_lr)).unwrap()).unwrap();
    assert!(
        trained.final_train_loss < 1e-3,
        "batch {batch}: lr {} ends at {}",
        t.suggested_lr,
        trained.final_train_loss
    );
}

#[test]
fn valley_suggestion_trains_below_1e_3_at_batch_10() {
    check(10);
}

#[test]
fn valley_suggestion_trains_below_1e_3_at_batch_1() {
    check(1);
}
