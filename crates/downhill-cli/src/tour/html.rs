//! The tour's `index.html`: one self-contained page, no remote resources, all text escaped.
//! A summary table and a table of contents first, then the seeds' sections in seed order
//! 000–004; every string comes from the language's table ([`super::i18n`]).

use super::i18n::{ExperimentText, Table};
use super::presets::Preset;
use serde_json::Value;

use super::{Experiment, Verdict};

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

/// The seeds in the page's order.
const SEEDS: [&str; 5] = ["000", "001", "002", "003", "004"];

const STYLE: &str = "body{font-family:system-ui,-apple-system,'DejaVu Sans','Noto Sans CJK SC',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}\
section.exp{border:1px solid #ddd;border-radius:6px;padding:.8em 1em;margin:1em 0}\
.ok{color:#009E73;font-weight:bold}.fail{color:#D55E00;font-weight:bold}.reported{color:#666;font-weight:bold}\
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
td.checked{color:#009E73}td.reported{color:#666;font-style:italic}.cite{color:#555;font-size:.9em;margin:.2em 0}\
figure{display:inline-block;margin:.5em}img{max-width:100%;height:auto;border:1px solid #eee}.check{color:#555;font-size:.85em}";

/// An experiment's strings in the page's language: title, text, check.
struct Texts<'a> {
    title: &'a str,
    text: &'a str,
    check: String,
    section: Option<&'a str>,
}

fn texts<'a>(e: &'a Experiment, t: &'a Table) -> Texts<'a> {
    let own: Option<&ExperimentText> = t.experiments.get(&e.id);
    let check = match own.and_then(|x| x.check.as_deref()) {
        Some(c) if e.state() == Verdict::Failed => {
            format!(
                "{c} {}",
                t.fill("check_failed_detail", &[("detail", e.check.clone())])
            )
        }
        Some(c) => c.to_string(),
        None => e.check.clone(),
    };
    Texts {
        title: own.and_then(|x| x.title.as_deref()).unwrap_or(&e.title),
        text: own.and_then(|x| x.text.as_deref()).unwrap_or(&e.text),
        check,
        section: own.map(|x| x.section.as_str()),
    }
}

/// The verdict's CSS class and its words in the page's language.
fn verdict(v: Verdict, t: &Table) -> (&'static str, &str) {
    match v {
        Verdict::Ok => ("ok", t.text("verdict_ok")),
        Verdict::Failed => ("fail", t.text("verdict_failed")),
        Verdict::NotChecked => ("reported", t.text("verdict_not_checked")),
    }
}

/// The value that sums an experiment up: the first checked one, or else the first reported.
fn key_number(e: &Experiment) -> Option<(&str, &Value)> {
    e.checked_values
        .iter()
        .find_map(|k| e.values.get(k).map(|v| (k.as_str(), v)))
        .or_else(|| e.values.iter().next().map(|(k, v)| (k.as_str(), v)))
}

/// Builds the report page in `t`'s language; experiments with a preset get an "open in the
/// lab" link.
pub fn page(exps: &[Experiment], presets: &[Preset], t: &Table) -> String {
    let count = |v: Verdict| exps.iter().filter(|e| e.state() == v).count().to_string();
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">",
        escape(&t.html_lang)
    ));
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str(&format!(
        "<title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        escape(t.text("page_title")),
        escape(t.text("heading"))
    ));
    let intro = t.fill(
        "intro",
        &[
            ("n", exps.len().to_string()),
            ("ok", count(Verdict::Ok)),
            ("failed", count(Verdict::Failed)),
            ("not_checked", count(Verdict::NotChecked)),
        ],
    );
    h.push_str(&format!(
        "<p>{}</p>\n<p>{}</p>\n",
        escape(&intro).replace("tour.json", "<a href=\"tour.json\">tour.json</a>"),
        escape(t.text("legend"))
    ));
    toc(&mut h, exps, t);
    summary(&mut h, exps, t);
    for seed in SEEDS {
        let mine: Vec<&Experiment> = exps.iter().filter(|e| e.seed == seed).collect();
        let Some(s) = t.seeds.get(seed) else { continue };
        if mine.is_empty() {
            continue;
        }
        h.push_str(&format!(
            "<h2 id=\"seed{seed}\">{}</h2>\n<p class=\"cite\">{}</p>\n<p>{}</p>\n",
            escape(&t.fill(
                "seed_heading",
                &[("seed", seed.to_string()), ("title", s.title.clone())]
            )),
            escape(&s.article),
            escape(&s.blurb)
        ));
        for e in mine {
            let preset = presets.iter().find(|p| p.id == e.id);
            experiment(&mut h, e, preset, t);
        }
    }
    h.push_str("</body></html>\n");
    h
}

/// The table of contents: the seed sections in order, with their experiment counts.
fn toc(h: &mut String, exps: &[Experiment], t: &Table) {
    h.push_str(&format!(
        "<nav id=\"contents\"><h2>{}</h2><ol>\n",
        escape(t.text("contents"))
    ));
    h.push_str(&format!(
        "<li><a href=\"#summary\">{}</a></li>\n",
        escape(t.text("summary"))
    ));
    for seed in SEEDS {
        let n = exps.iter().filter(|e| e.seed == seed).count();
        if let (Some(s), true) = (t.seeds.get(seed), n > 0) {
            let title = t.fill(
                "seed_heading",
                &[("seed", seed.to_string()), ("title", s.title.clone())],
            );
            let count = t.fill("experiment_count", &[("n", n.to_string())]);
            h.push_str(&format!(
                "<li><a href=\"#seed{seed}\">{}</a> {}</li>\n",
                escape(&title),
                escape(&count)
            ));
        }
    }
    h.push_str("</ol></nav>\n");
}

/// The summary table: every experiment in the page's order, its verdict and key number.
fn summary(h: &mut String, exps: &[Experiment], t: &Table) {
    h.push_str(&format!(
        "<h2 id=\"summary\">{}</h2>\n<table class=\"summary\" data-testid=\"tour-summary\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        escape(t.text("summary")),
        escape(t.text("col_seed")),
        escape(t.text("col_experiment")),
        escape(t.text("col_verdict")),
        escape(t.text("col_key_number")),
    ));
    for seed in SEEDS {
        for e in exps.iter().filter(|e| e.seed == seed) {
            let (cls, words) = verdict(e.state(), t);
            let key = key_number(e)
                .map(|(k, v)| format!("{} = {}", t.label(k), t.value(v)))
                .unwrap_or_default();
            h.push_str(&format!(
                "<tr><td>{seed}</td><td><a href=\"#{}\">{}</a></td><td class=\"{cls}\">{}</td><td>{}</td></tr>\n",
                escape(&e.id),
                escape(texts(e, t).title),
                escape(words),
                escape(&key)
            ));
        }
    }
    h.push_str("</table>\n");
}

fn experiment(h: &mut String, e: &Experiment, preset: Option<&Preset>, t: &Table) {
    let (cls, words) = verdict(e.state(), t);
    let x = texts(e, t);
    h.push_str(&format!(
        "<section class=\"exp\" id=\"{}\"><h3>{} <span class=\"{cls}\">{}</span></h3>\n",
        escape(&e.id),
        escape(x.title),
        escape(words)
    ));
    if let Some(section) = x.section {
        h.push_str(&format!(
            "<p class=\"cite\">{}</p>\n",
            escape(&t.fill(
                "cites",
                &[
                    ("seed", e.seed.to_string()),
                    ("section", section.to_string())
                ]
            ))
        ));
    }
    h.push_str(&format!("<p class=\"text\">{}</p>\n", escape(x.text)));
    if let Some(p) = preset {
        h.push_str(&format!(
            "<p class=\"lab\"><a href=\"{}\" data-testid=\"open-in-lab\">{}</a> {}</p>\n",
            escape(&p.url()),
            escape(t.text("open_in_lab")),
            escape(t.text("needs_lab"))
        ));
    }
    values_table(h, e, t);
    h.push_str(&format!(
        "<p class=\"check\">{}</p>\n",
        escape(&t.fill("check", &[("check", x.check)]))
    ));
    for f in &e.figures {
        // Each image at its native size (the GIF is smaller than the SVGs' 800 × 600).
        let (w, h_px) = if f.ends_with(".gif") {
            downhill_plot::AnimationOptions::default().size
        } else {
            (800, 600)
        };
        h.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"{}\" width=\"{w}\" height=\"{h_px}\"></figure>\n",
            escape(f),
            escape(x.title)
        ));
    }
    h.push_str("</section>\n");
}

/// ` title="key"` where the page shows a translated label for the `tour.json` key `k`.
fn key_title(k: &str, t: &Table) -> String {
    if t.label(k) == k {
        String::new()
    } else {
        format!(" title=\"{}\"", escape(k))
    }
}

/// The numbers: measured, expected, and whether a check compares them.
fn values_table(h: &mut String, e: &Experiment, t: &Table) {
    h.push_str(&format!(
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        escape(t.text("col_quantity")),
        escape(t.text("col_downhill")),
        escape(t.text("col_expected")),
        escape(t.text("col_status")),
    ));
    let status = |k: &str| {
        if e.checked_values.iter().any(|c| c == k) {
            ("checked", t.text("status_checked"))
        } else {
            ("reported", t.text("status_reported"))
        }
    };
    for (k, v) in &e.values {
        let exp = e.expected.get(k).map(|v| t.value(v)).unwrap_or_default();
        let (cls, words) = status(k);
        h.push_str(&format!(
            "<tr><td{}>{}</td><td>{}</td><td>{}</td><td class=\"{cls}\">{}</td></tr>\n",
            key_title(k, t),
            escape(t.label(k)),
            escape(&t.value(v)),
            escape(&exp),
            escape(words)
        ));
    }
    for (k, v) in e
        .expected
        .iter()
        .filter(|(k, _)| !e.values.contains_key(*k))
    {
        h.push_str(&format!(
            "<tr><td{}>{}</td><td></td><td>{}</td><td class=\"reported\">{}</td></tr>\n",
            key_title(k, t),
            escape(t.label(k)),
            escape(&t.value(v)),
            escape(t.text("status_reference"))
        ));
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::super::i18n::{table, Lang};
    use super::*;

    #[test]
    fn the_lead_checked_value_is_the_key_number() {
        let mut e = Experiment::new("001", "x", "Title", "Text.");
        e.value("baseline", 1.0)
            .value("method", 2.0)
            .checks(&["baseline", "method"]);
        assert_eq!(key_number(&e).map(|(k, _)| k), Some("baseline"));
        e.lead("method").lead("not a checked value");
        assert_eq!(key_number(&e).map(|(k, _)| k), Some("method"));
        assert_eq!(e.checked_values, ["method", "baseline"]);
    }

    #[test]
    fn an_experiment_without_a_check_is_reported_not_ok() {
        let mut e = Experiment::new("001", "x", "Title", "Text.");
        e.value("a", 1.0).value("b", 2.0);
        assert_eq!(e.state(), Verdict::NotChecked);
        assert!(!e.ok && !e.checked);
        let mut f = Experiment::new("001", "y", "Checked", "Text.");
        f.value("a", 1.0).value("b", 2.0).checks(&["a"]);
        f.require(true, "closed form: a = 1");
        assert_eq!(f.state(), Verdict::Ok);
        let t = table(Lang::En);
        let h = page(&[e, f], &[], &t);
        let first = h.find("id=\"seed001-x\"").expect("its section");
        let second = h.find("id=\"seed001-y\"").expect("its section");
        let unchecked = &h[first..second];
        assert!(unchecked.contains("<span class=\"reported\">reported, not checked</span>"));
        assert!(!unchecked.contains("class=\"ok\""));
        assert_eq!(
            unchecked
                .matches("<td class=\"reported\">reported</td>")
                .count(),
            2
        );
        let checked = &h[second..];
        assert!(checked.contains("<span class=\"ok\">ok</span>"));
        assert_eq!(
            checked
                .matches("<td class=\"checked\">checked</td>")
                .count(),
            1
        );
        assert_eq!(
            checked
                .matches("<td class=\"reported\">reported</td>")
                .count(),
            1
        );
        assert!(h.contains("2 experiments, of which 1 pass their checks, 0 fail a check and 1 report numbers without checking them"));
    }

    #[test]
    fn a_failed_check_stays_failed() {
        let mut e = Experiment::new("002", "z", "T", "X.");
        e.require(false, "theory: a < 1").require(true, "b");
        assert_eq!(e.state(), Verdict::Failed);
        assert_eq!(e.verdict, "failed");
        assert!(e.check.contains("[FAILED]"));
        let h = page(&[e], &[], &table(Lang::Zh));
        assert!(h.contains("<span class=\"fail\">未通过</span>"));
        assert!(h.contains("<html lang=\"zh-Hans\">"));
    }
}
