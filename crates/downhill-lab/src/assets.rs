//! The page, embedded in the binary: the only files the server ever sends. The scripts are
//! native ES modules (no build step), served as `text/javascript`.

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// `(URL path, content type, body)` of every static file.
pub const FILES: &[(&str, &str, &str)] = &[
    ("/", HTML, include_str!("../web/index.html")),
    ("/index.html", HTML, include_str!("../web/index.html")),
    ("/style.css", CSS, include_str!("../web/style.css")),
    ("/main.js", JS, include_str!("../web/main.js")),
    ("/api.js", JS, include_str!("../web/api.js")),
    ("/state.js", JS, include_str!("../web/state.js")),
    ("/i18n.js", JS, include_str!("../web/i18n.js")),
    ("/i18n/en.js", JS, include_str!("../web/i18n/en.js")),
    ("/i18n/zh.js", JS, include_str!("../web/i18n/zh.js")),
    ("/format.js", JS, include_str!("../web/format.js")),
    ("/validate.js", JS, include_str!("../web/validate.js")),
    ("/diverge.js", JS, include_str!("../web/diverge.js")),
    ("/plots.js", JS, include_str!("../web/plots.js")),
    ("/functions.js", JS, include_str!("../web/functions.js")),
    ("/lanes.js", JS, include_str!("../web/lanes.js")),
    ("/training.js", JS, include_str!("../web/training.js")),
    ("/schedules.js", JS, include_str!("../web/schedules.js")),
];

/// The embedded file at exactly `path` (no decoding, no normalisation: anything else is 404).
pub fn lookup(path: &str) -> Option<(&'static str, &'static str)> {
    FILES.iter().find(|f| f.0 == path).map(|f| (f.1, f.2))
}

#[cfg(test)]
mod tests {
    /// Every module a served script imports is served too, as JavaScript.
    #[test]
    fn every_imported_module_is_served() {
        for (path, ctype, body) in super::FILES {
            if !path.ends_with(".js") {
                continue;
            }
            assert!(ctype.starts_with("text/javascript"), "{path}");
            for line in body.lines().filter(|l| l.contains(" from '")) {
                let Some(spec) = line
                    .split(" from '")
                    .nth(1)
                    .and_then(|s| s.split('\'').next())
                else {
                    continue;
                };
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                let target = format!("{dir}/{}", spec.trim_start_matches("./"));
                assert!(super::lookup(&target).is_some(), "{path} imports {target}");
            }
        }
    }
}
