//! Issue 26 items 6 and 10: the tour page — a summary table and contents first, the seeds in
//! order 000–004, checked numbers told apart from reported ones — in English and in Chinese
//! (`downhill tour --lang zh`), with every string of both languages present.

mod common;

use std::path::PathBuf;

use downhill_cli::i18n::{table, Lang};
use serde_json::Value;

/// Runs the tour once with `--lang lang` into a fresh directory; returns (tour.json, index.html).
fn run_tour(lang: &str) -> (Value, String) {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("downhill-tour-{lang}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = common::downhill(&[
        "tour",
        "--lang",
        lang,
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("checked and ok") && stdout.contains("reported only (not checked)"),
        "the summary line counts checked and reported experiments: {stdout}"
    );
    let json = std::fs::read_to_string(dir.join("tour.json")).expect("tour.json");
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    let _ = std::fs::remove_dir_all(&dir);
    (serde_json::from_str(&json).expect("tour.json parses"), html)
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The text of the first element `<tag class="class">…</tag>` in `s`.
fn element<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)? + start;
    Some(&s[start..end])
}

/// The `<section class="exp" id="…">` blocks of the page, with their ids.
fn sections(html: &str) -> Vec<(&str, &str)> {
    html.split("<section class=\"exp\" id=\"")
        .skip(1)
        .map(|s| {
            let id = s.split('"').next().expect("an id");
            let body = s.split("</section>").next().expect("a closed section");
            (id, body)
        })
        .collect()
}

/// What every language's page shares: the summary and contents before the seeds, the seeds in
/// order 000–004, one summary row and one section per experiment, tour.json's verdicts.
fn check_structure(json: &Value, html: &str, lang: Lang) {
    let t = table(lang);
    let exps = json["experiments"].as_array().expect("experiments");
    assert!(exps.len() >= 30, "only {} experiments", exps.len());
    assert!(html.contains(&format!("<html lang=\"{}\">", t.html_lang)));
    let summary = html
        .find("data-testid=\"tour-summary\"")
        .expect("summary table");
    let contents = html.find("<nav id=\"contents\">").expect("contents");
    let seeds: Vec<usize> = ["000", "001", "002", "003", "004"]
        .iter()
        .map(|s| {
            html.find(&format!("<h2 id=\"seed{s}\">"))
                .unwrap_or_else(|| panic!("seed {s} section"))
        })
        .collect();
    assert!(contents < summary && summary < seeds[0]);
    assert!(
        seeds.windows(2).all(|w| w[0] < w[1]),
        "seeds in order 000–004"
    );
    let secs = sections(html);
    assert_eq!(secs.len(), exps.len(), "one section per experiment");
    let mut failed = 0;
    for e in exps {
        let id = e["id"].as_str().expect("id");
        let checked = e["checked"].as_bool().expect("checked");
        let ok = e["ok"].as_bool().expect("ok");
        let verdict = e["verdict"].as_str().expect("verdict");
        match (checked, ok) {
            (false, _) => assert!(!ok && verdict == "not checked", "{id}: unchecked is not ok"),
            (true, true) => assert_eq!(verdict, "ok", "{id}"),
            (true, false) => {
                assert_eq!(verdict, "failed", "{id}");
                failed += 1;
            }
        }
        let values = e["values"].as_object().expect("values");
        for k in e["checked_values"].as_array().expect("checked_values") {
            let k = k.as_str().expect("a key");
            assert!(
                values.contains_key(k),
                "{id}: checked value {k:?} is not a value"
            );
        }
        assert!(
            html.contains(&format!("<td><a href=\"#{id}\">")),
            "{id}: a summary row links to it"
        );
        let (_, body) = secs
            .iter()
            .find(|(s, _)| *s == id)
            .unwrap_or_else(|| panic!("{id}: its section"));
        let words = match verdict {
            "ok" => t.text("verdict_ok"),
            "failed" => t.text("verdict_failed"),
            _ => t.text("verdict_not_checked"),
        };
        let h3 = element(body, "<h3>", "</h3>").expect("a heading");
        assert!(
            h3.contains(words),
            "{id}: heading shows the verdict {words:?}"
        );
        // a checked value reads "checked", every other one "reported"
        let n_checked = body.matches("<td class=\"checked\">").count();
        let n_reported = body.matches("<td class=\"reported\">").count();
        let listed = e["checked_values"].as_array().map_or(0, Vec::len);
        assert_eq!(n_checked, listed, "{id}: checked rows");
        assert!(
            n_checked + n_reported >= values.len(),
            "{id}: every value row has a status"
        );
        if checked {
            assert!(
                listed > 0,
                "{id}: a checked experiment names what it checks"
            );
        }
        let section = &t.experiments[id].section;
        assert!(
            body.contains(section.as_str()),
            "{id}: cites its seed section {section:?}"
        );
    }
    assert_eq!(json["failed"].as_u64(), Some(failed));
    assert_eq!(json["all_ok"].as_bool(), Some(failed == 0));
    // every placeholder was filled
    for (k, v) in &t.chrome {
        for p in downhill_cli::i18n::placeholders(v) {
            assert!(
                !html.contains(&format!("{{{p}}}")),
                "chrome.{k}: {{{p}}} left"
            );
        }
    }
}

/// The tables cover exactly the experiments the tour runs, in every language; the Chinese one
/// has a title, text and check for each.
fn check_tables_cover(json: &Value) {
    let ids: Vec<&str> = json["experiments"]
        .as_array()
        .expect("experiments")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    for lang in Lang::ALL {
        let t = table(lang);
        for id in &ids {
            assert!(t.experiments.contains_key(*id), "{lang:?}: {id} is missing");
        }
        for id in t.experiments.keys() {
            assert!(
                ids.contains(&id.as_str()),
                "{lang:?}: {id} is not an experiment"
            );
        }
    }
    let zh = table(Lang::Zh);
    // every quantity has a Chinese label, every English reference string a translation
    for e in json["experiments"].as_array().expect("experiments") {
        for part in ["values", "expected"] {
            for (k, v) in e[part].as_object().expect("an object") {
                assert!(zh.labels.contains_key(k), "zh: no label for {k:?}");
                if let (Some(s), "expected") = (v.as_str(), part) {
                    assert!(zh.refs.contains_key(s), "zh: no translation of {s:?}");
                }
            }
        }
    }
    for (id, x) in &zh.experiments {
        for (what, s) in [("title", &x.title), ("text", &x.text), ("check", &x.check)] {
            let s = s
                .as_deref()
                .unwrap_or_else(|| panic!("zh: {id} has no {what}"));
            assert!(has_cjk(s), "zh: {id}.{what} is not Chinese: {s}");
        }
    }
}

#[test]
fn tour_page_in_english_and_chinese() {
    // both runs at once: each is mostly one core
    let zh_run = std::thread::spawn(|| run_tour("zh"));
    let (json, en) = run_tour("en");
    let (json_zh, zh) = zh_run.join().expect("the zh run");
    check_tables_cover(&json);
    check_structure(&json, &en, Lang::En);
    assert!(en.contains("open in the lab"));

    assert_eq!(
        json["experiments"].as_array().map(Vec::len),
        json_zh["experiments"].as_array().map(Vec::len),
        "the language changes the page only"
    );
    check_structure(&json_zh, &zh, Lang::Zh);
    let t = table(Lang::Zh);
    for (id, body) in sections(&zh) {
        let text = element(body, "<p class=\"text\">", "</p>").expect("a text");
        assert!(has_cjk(text), "{id}: the text is not Chinese: {text}");
        let check = element(body, "<p class=\"check\">", "</p>").expect("a check");
        assert!(has_cjk(check), "{id}: the check is not Chinese: {check}");
        let h3 = element(body, "<h3>", "</h3>").expect("a heading");
        assert!(has_cjk(h3), "{id}: the heading is not Chinese: {h3}");
        let x = &t.experiments[id];
        assert!(text.contains(&downhill_cli_escape(x.text.as_deref().unwrap_or_default())));
    }
    // every chrome string that does not depend on a failure or an unchecked experiment
    let conditional = [
        "check_failed_detail",
        "verdict_failed",
        "verdict_not_checked",
        "status_reference",
    ];
    for (_, v) in t
        .chrome
        .iter()
        .filter(|(k, _)| !conditional.contains(&k.as_str()))
    {
        let fixed = v.split('{').next().unwrap_or_default();
        assert!(
            zh.contains(&downhill_cli_escape(fixed)),
            "chrome text {fixed:?} is not on the page"
        );
    }
    for english in [
        "open in the lab",
        "Contents",
        "Summary",
        "quantity",
        "check:",
    ] {
        assert!(
            !zh.contains(english),
            "English chrome {english:?} left on the zh page"
        );
    }
}

/// HTML escaping as the page does it (the texts here contain `"` and `<`).
fn downhill_cli_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
