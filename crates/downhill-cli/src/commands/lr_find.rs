//! `downhill lr-find FILE.toml [--json] [--plot F]`: the learning-rate range test of
//! `downhill::spec::exec::lr_find` (Smith 2017; fastai's `Learner.lr_find`), printed or drawn.

use downhill::spec::exec::lr_find::{range_test, RangeTest};
use downhill::spec::lr_find::parse;

use crate::cli::LrFindArgs;
use crate::exit::{CliError, CliResult};
use crate::input::read_file;

/// Entry point of `downhill lr-find`.
pub fn cmd(a: &LrFindArgs) -> CliResult {
    let file = a.file.display().to_string();
    let raw = read_file(&a.file)?;
    let (cfg, lf) = parse(&file, &raw)?;
    let t = range_test(&cfg, &lf)?;
    if let Some(out) = &a.plot {
        crate::present::plotting::write(&figure(&t)?, out)?;
    }
    if a.json {
        println!("{}", t.to_json());
    } else {
        let (base, max) = t.cyclic();
        println!(
            "lr range test: {} steps from lr {:e} (stopped: {})",
            t.lr.len(),
            lf.start_lr,
            t.stopped
        );
        let rule = match t.suggest {
            downhill::spec::lr_find::Suggest::Valley => "two thirds down the longest valley",
            downhill::spec::lr_find::Suggest::Steep => "steepest descent of the smoothed loss",
        };
        println!("  suggested lr ({rule}): {:.4e}", t.suggested_lr);
        if let Some(w) = &t.warning {
            println!("  warning: {w}");
        }
        println!("  cyclic_lr: base_lr = {base:.4e}, max_lr = {max:.4e}");
    }
    Ok(0)
}

/// Smoothed and raw batch loss against log₁₀ lr, the suggestion marked.
pub fn figure(t: &RangeTest) -> Result<downhill_plot::Figure, CliError> {
    use downhill_plot::{line_chart, Labels, LineOptions, Series};
    let x: Vec<f64> = t.lr.iter().map(|v| v.log10()).collect();
    let at = t.lr.iter().position(|&v| v == t.suggested_lr).unwrap_or(0);
    let marks: Vec<f64> = (0..x.len())
        .map(|i| if i == at { t.loss[i] } else { f64::NAN })
        .collect();
    let series = vec![
        Series::new("batch loss", x.clone(), t.batch_loss.clone()),
        Series::new("smoothed loss (β = 0.98)", x.clone(), t.loss.clone()),
        Series::new(format!("suggested lr {:.3e}", t.suggested_lr), x, marks),
    ];
    let positive = t
        .batch_loss
        .iter()
        .chain(&t.loss)
        .filter(|v| v.is_finite())
        .all(|&v| v > 0.0);
    let opts = LineOptions {
        labels: Labels::new("lr range test", "log₁₀ lr", "loss"),
        log_y: positive,
        ..LineOptions::default()
    };
    line_chart(&series, &opts).map_err(CliError::failure)
}
