//! The tour's `index.html`: one self-contained page, no remote resources, all text escaped.

use super::presets::Preset;
use super::{fmt_value, Experiment};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const SEEDS: [(&str, &str, &str); 5] = [
    ("001", "Gradient descent and SGD", "1-D and n-D gradient descent, the learning rate, and mini-batch SGD on seed 001's linear regression."),
    ("004", "Partial derivatives and the numerical gradient", "Central differences with h = 1e-4, the field of negative gradients, and gradient descent from (−3, 4)."),
    ("002", "Loss surfaces, saddles and schedules", "Learning rates on one surface, saddle points, local minima, cyclical and cosine schedules, early stopping, weight averaging."),
    ("003", "Optimisation as dynamics", "Momentum as a leapfrog integrator, Nesterov variants, β retuning, batch-size growth, and SGD as a Langevin process."),
    ("000", "Large batches", "SGD as Monte-Carlo estimation of the gradient; large batches need a scaled learning rate and warm-up."),
];

const STYLE: &str = "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}\
section.exp{border:1px solid #ddd;border-radius:6px;padding:.8em 1em;margin:1em 0}\
.ok{color:#009E73;font-weight:bold}.fail{color:#D55E00;font-weight:bold}\
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
figure{display:inline-block;margin:.5em}img{max-width:100%;height:auto;border:1px solid #eee}.check{color:#555;font-size:.85em}";

/// Builds the report page; experiments with a preset get an "open in the lab" link.
pub fn page(exps: &[Experiment], presets: &[Preset]) -> String {
    let ok = exps.iter().filter(|e| e.ok).count();
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str("<title>Downhill tour</title><style>");
    h.push_str(STYLE);
    h.push_str("</style></head><body>\n<h1>Downhill — a tour of gradient descent</h1>\n");
    h.push_str(&format!(
        "<p>Every experiment of the five seed articles, rerun by Downhill. {ok} of {} experiments agree with the seeds' numbers. All numbers are in <a href=\"tour.json\">tour.json</a>.</p>\n",
        exps.len()
    ));
    for (seed, title, blurb) in SEEDS {
        let mine: Vec<&Experiment> = exps.iter().filter(|e| e.seed == seed).collect();
        if mine.is_empty() {
            continue;
        }
        h.push_str(&format!(
            "<h2 id=\"seed{seed}\">Seed {seed}: {}</h2>\n<p>{}</p>\n",
            escape(title),
            escape(blurb)
        ));
        for e in mine {
            let preset = presets.iter().find(|p| p.id == e.id);
            experiment(&mut h, e, preset);
        }
    }
    h.push_str("</body></html>\n");
    h
}

fn experiment(h: &mut String, e: &Experiment, preset: Option<&Preset>) {
    let (cls, verdict) = if e.ok {
        ("ok", "ok")
    } else {
        ("fail", "differs")
    };
    h.push_str(&format!(
        "<section class=\"exp\" id=\"{}\"><h3>{} <span class=\"{cls}\">{verdict}</span></h3>\n<p>{}</p>\n",
        escape(&e.id),
        escape(&e.title),
        escape(&e.text)
    ));
    if let Some(p) = preset {
        h.push_str(&format!(
            "<p class=\"lab\"><a href=\"{}\" data-testid=\"open-in-lab\">open in the lab</a> (needs <code>downhill lab</code> running)</p>\n",
            escape(&p.url())
        ));
    }
    h.push_str("<table><tr><th>quantity</th><th>Downhill</th><th>seed / theory</th></tr>\n");
    for (k, v) in &e.values {
        let exp = e.expected.get(k).map(fmt_value).unwrap_or_default();
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(k),
            escape(&fmt_value(v)),
            escape(&exp)
        ));
    }
    for (k, v) in e
        .expected
        .iter()
        .filter(|(k, _)| !e.values.contains_key(*k))
    {
        h.push_str(&format!(
            "<tr><td>{}</td><td></td><td>{}</td></tr>\n",
            escape(k),
            escape(&fmt_value(v))
        ));
    }
    h.push_str("</table>\n");
    h.push_str(&format!(
        "<p class=\"check\">check: {}</p>\n",
        escape(&e.check)
    ));
    for f in &e.figures {
        h.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"{}\" width=\"800\" height=\"600\"></figure>\n",
            escape(f),
            escape(&e.title)
        ));
    }
    h.push_str("</section>\n");
}
