//! Fuzzes the config loaders: the bytes go through the same TOML parse as `downhill run`,
//! `downhill schedule`, `downhill train` (`[data]`, `[model]`, `[train]` with its distributed
//! keys) and `downhill compare` on a problem or on a dataset (tables, optimiser, wrappers,
//! `[schedule]` with nested `[[schedule.schedulers]]`, `[[optimizers]]`), and what parses is then exercised
//! briefly: the schedule driver for 64 steps and the optimiser (with its wrappers) for 4 steps
//! on a 3-parameter vector. Any panic is a bug; errors are expected.
#![no_main]

use downhill::optim::Optimizer;
use downhill::spec::{compare, run, train};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let _ = compare::parse("fuzz.toml", raw);
    let _ = compare::parse_training("fuzz.toml", raw);
    if let Ok(t) = train::parse("fuzz.toml", raw) {
        if let Some(s) = &t.schedule {
            let momentum = t.optimizer.build::<f64>().ok().and_then(|o| o.momentum());
            if let Ok(mut d) = s.driver(t.optimizer.lr(), momentum, Some(t.train.batch_size)) {
                for k in 0..16 {
                    let _ = d.lr(k);
                    let _ = d.momentum(k);
                    d.report(1.0 / (k as f64 + 1.0));
                }
            }
        }
    }
    let Ok(cfg) = run::parse("fuzz.toml", raw) else {
        return;
    };
    let Ok(opt) = cfg.optimizer.build::<f64>() else {
        return;
    };
    let Ok(mut opt) = cfg.wrappers.apply(opt) else {
        return;
    };
    if let Some(s) = &cfg.schedule {
        if let Ok(mut d) = s.driver(opt.lr(), opt.momentum(), cfg.run.batch_size) {
            for k in 0..64 {
                let _ = d.lr(k);
                let _ = d.momentum(k);
                d.report(1.0 / (k as f64 + 1.0));
            }
        }
    }
    let mut x = [1.0, -2.0, 0.5];
    for _ in 0..4 {
        let mut g = [2.0 * x[0], 2.0 * x[1], 2.0 * x[2]];
        let _ = opt.step(&mut x, &mut g);
    }
});
