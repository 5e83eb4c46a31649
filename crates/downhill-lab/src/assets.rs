//! The page, embedded in the binary: the only files the server ever sends.

/// `(URL path, content type, body)` of every static file.
pub const FILES: &[(&str, &str, &str)] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../web/index.html"),
    ),
    (
        "/index.html",
        "text/html; charset=utf-8",
        include_str!("../web/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../web/app.js"),
    ),
    (
        "/plots.js",
        "text/javascript; charset=utf-8",
        include_str!("../web/plots.js"),
    ),
    (
        "/util.js",
        "text/javascript; charset=utf-8",
        include_str!("../web/util.js"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_str!("../web/style.css"),
    ),
];

/// The embedded file at exactly `path` (no decoding, no normalisation: anything else is 404).
pub fn lookup(path: &str) -> Option<(&'static str, &'static str)> {
    FILES.iter().find(|f| f.0 == path).map(|f| (f.1, f.2))
}
