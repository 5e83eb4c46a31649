//! Trains `examples/train.toml` (seed 001's linear regression) with nothing but the library: the
//! config text goes through `downhill::spec`, as `downhill train examples/train.toml` does.
//!
//! ```sh
//! cargo run -p downhill --example train_config
//! ```
//!
//! Two ways in: the one call `spec::execute`, which returns the JSON object that
//! `downhill train FILE --json` prints, and the typed path beneath it (parse and validate, set up
//! data, model and optimiser, train with a progress callback, read the result).

use downhill::spec::{self, exec};
use downhill::train::{Progress, TrainStatus};

/// The config, as a newcomer finds it in the repository.
const CONFIG: &str = include_str!("../../../examples/train.toml");

fn main() -> Result<(), downhill::Error> {
    // One call: the object `downhill train examples/train.toml --json` prints.
    let json = spec::execute("train", CONFIG, "examples/train.toml")?;
    println!(
        "execute: status {}, {} epochs, final training loss {}",
        json["status"], json["epochs"], json["final_train_loss"]
    );

    // The typed path: every table parsed and validated first (errors name file:line:col:key) ...
    let cfg = spec::train::parse("examples/train.toml", CONFIG)?;
    // ... then trained, with the trainer's progress reported as it goes.
    let mut epochs = Vec::new();
    let (res, same_json) = exec::train::fit_with(&cfg, None, &mut |p, _n_train| {
        if let Progress::Epoch {
            epoch, train_loss, ..
        } = p
        {
            epochs.push((*epoch, *train_loss));
        }
    })?;
    for (epoch, loss) in &epochs {
        println!("  epoch {epoch}: training loss {loss:.6e}");
    }
    println!("  lr at each logged point: {:?}", res.lr);

    // Same seed, same bits: both ways give the same result.
    assert_eq!(json, same_json, "execute and the typed path differ");
    assert_eq!(res.status, TrainStatus::Completed);
    assert_eq!(epochs.len(), cfg.train.epochs);
    // The schedule (`multi_step_lr`, milestone 2, per epoch) cut the lr to a tenth.
    let (first, last) = (res.lr[0], res.lr[res.lr.len() - 1]);
    assert!(
        (last - 0.1 * first).abs() <= 1e-12 * first,
        "{first} → {last}"
    );
    // The line is fitted: the loss fell below a thousandth of where the first epoch left it.
    let (after_first, last_loss) = (epochs[0].1, res.final_train_loss);
    assert!(last_loss < after_first, "{after_first} → {last_loss}");
    assert!(last_loss < 1e-3, "{last_loss}");
    Ok(())
}
