//! `POST /api/contour`: the background of the Functions view, an SVG drawn by
//! `downhill-plot`, with the data → pixel frame the page draws its paths in, and the
//! curvature of a quadratic (for the stable lr marks).

use downhill::diff::Ad;
use downhill::expr::Expr;
use downhill::problems;
use downhill::Objective;
use serde_json::{json, Value};

use crate::backend::ApiError;
use crate::limits::MAX_EXPRESSION_CHARS;

/// A function's view: name, x range, y range, starting point.
pub type View = (&'static str, [f64; 2], [f64; 2], [f64; 2]);

/// The view box and a starting point of each 2-D built-in function, for the page.
pub const VIEWS: &[View] = &[
    ("sphere", [-4.0, 4.0], [-4.0, 4.0], [-3.0, 3.5]),
    ("ill_conditioned", [-4.0, 4.0], [-4.0, 4.0], [-3.5, 3.0]),
    ("rosenbrock", [-2.0, 2.0], [-1.0, 3.0], [-1.5, 2.0]),
    ("beale", [-4.5, 4.5], [-4.5, 4.5], [1.0, 1.5]),
    ("booth", [-10.0, 10.0], [-10.0, 10.0], [-8.0, 8.0]),
    ("himmelblau", [-5.0, 5.0], [-5.0, 5.0], [0.5, 0.5]),
    ("saddle", [-2.0, 2.0], [-2.0, 2.0], [1.5, 0.01]),
    ("monkey_saddle", [-2.0, 2.0], [-2.0, 2.0], [1.5, 0.5]),
    ("rastrigin", [-5.12, 5.12], [-5.12, 5.12], [3.2, 2.7]),
    ("ackley", [-5.0, 5.0], [-5.0, 5.0], [3.0, 3.5]),
    ("styblinski_tang", [-5.0, 5.0], [-5.0, 5.0], [0.5, 4.5]),
    ("six_hump_camel", [-3.0, 3.0], [-2.0, 2.0], [-2.0, 1.5]),
    ("double_well", [-2.0, 2.0], [-2.0, 2.0], [0.2, 1.5]),
];

/// The view of `name` (a default box for anything else).
pub fn view(name: &str) -> ([f64; 2], [f64; 2], [f64; 2]) {
    VIEWS
        .iter()
        .find(|v| v.0 == name)
        .map_or(([-4.0, 4.0], [-4.0, 4.0], [-3.0, 3.0]), |v| (v.1, v.2, v.3))
}

/// The known minima of a 2-D built-in function (the table of `downhill::problems`), marked on
/// the page's map; none for a formula or a function without one (the saddles).
pub fn minima(name: &str) -> &'static [[f64; 2]] {
    match name {
        "sphere" | "ill_conditioned" | "rastrigin" | "ackley" => &[[0.0, 0.0]],
        "rosenbrock" => &[[1.0, 1.0]],
        "beale" => &[[3.0, 0.5]],
        "booth" => &[[1.0, 3.0]],
        "himmelblau" => &[
            [3.0, 2.0],
            [-2.805118, 3.131312],
            [-3.779310, -3.283186],
            [3.584428, -1.848126],
        ],
        "styblinski_tang" => &[[-2.903534, -2.903534]],
        "six_hump_camel" => &[[0.0898, -0.7126], [-0.0898, 0.7126]],
        "double_well" => &[[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]],
        _ => &[],
    }
}

fn range(body: &Value, key: &str, default: [f64; 2]) -> Result<[f64; 2], ApiError> {
    let Some(v) = body.get(key) else {
        return Ok(default);
    };
    let r: Option<[f64; 2]> = v
        .as_array()
        .filter(|a| a.len() == 2)
        .and_then(|a| Some([a[0].as_f64()?, a[1].as_f64()?]));
    match r {
        Some([a, b]) if a.is_finite() && b.is_finite() && a < b && b - a < 1e12 => Ok([a, b]),
        _ => Err(ApiError::bad_request(format!(
            "`{key}` must be [low, high] with finite low < high"
        ))),
    }
}

/// The function a contour request names (`function`, or `expression` with two `vars`),
/// with its default view.
/// A function to draw, its label and its default view (x range, y range, x0).
type Drawn = (Box<dyn Objective<f64>>, String, [[f64; 2]; 3]);

fn objective(body: &Value) -> Result<Drawn, ApiError> {
    let s = |k: &str| body.get(k).and_then(Value::as_str);
    if let Some(name) = s("function") {
        let f = problems::by_name::<f64>(name).map_err(ApiError::bad_request)?;
        problems::check_dim(f.as_ref(), name, 2).map_err(ApiError::bad_request)?;
        let (x, y, x0) = view(name);
        return Ok((Box::new(f), name.to_string(), [x, y, x0]));
    }
    let Some(src) = s("expression") else {
        return Err(ApiError::bad_request(
            "one of `function` (a built-in name) or `expression` (with `vars`) is required",
        ));
    };
    if src.chars().count() > MAX_EXPRESSION_CHARS {
        return Err(ApiError::bad_request(format!(
            "`expression`: at most {MAX_EXPRESSION_CHARS} characters"
        )));
    }
    let vars: Vec<String> = body
        .get("vars")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_else(|| vec!["x".into(), "y".into()]);
    if vars.len() != 2 {
        return Err(ApiError::bad_request(
            "`vars`: the contour needs exactly two variables",
        ));
    }
    let e =
        Expr::parse(src, &vars).map_err(|e| ApiError::bad_request(format!("expression: {e}")))?;
    let (x, y, x0) = view("");
    Ok((Box::new(Ad::new(e)), src.to_string(), [x, y, x0]))
}

/// Largest and smallest eigenvalue of the Hessian when `f` is a quadratic (the same
/// Hessian at three points), else `None`.
fn quadratic(f: &dyn Objective<f64>) -> Option<(f64, f64)> {
    let pts = [[0.3, -0.7], [1.9, 2.3], [-2.1, 0.4]];
    let mut hs = Vec::new();
    for p in pts {
        let mut h = [0.0; 4];
        if !f.hessian(&p, &mut h) || !h.iter().all(|v| v.is_finite()) {
            return None;
        }
        hs.push(h);
    }
    let same = |a: &[f64; 4], b: &[f64; 4]| {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-9 * (1.0 + x.abs()))
    };
    if !hs.windows(2).all(|w| same(&w[0], &w[1])) {
        return None;
    }
    let [a, b, c, d] = hs[0];
    let off = 0.5 * (b + c);
    let mid = 0.5 * (a + d);
    let rad = (0.25 * (a - d) * (a - d) + off * off).sqrt();
    Some((mid + rad, mid - rad))
}

/// Renders the contour for a request body: `function` or `expression` + `vars`, optional
/// `x_range`, `y_range`, `width`, `height`. The answer carries the SVG, its data → pixel
/// `frame`, and the heat map's `colour_key` (band colours, lowest first, and ticks at positions
/// `t ∈ [0, 1]`) for the page's colour scale.
pub fn render(body: &Value) -> Result<Value, ApiError> {
    let (f, label, [dx, dy, x0]) = objective(body)?;
    let xr = range(body, "x_range", dx)?;
    let yr = range(body, "y_range", dy)?;
    let size = |k: &str, d: u64| {
        body.get(k)
            .and_then(Value::as_u64)
            .unwrap_or(d)
            .clamp(200, 1600)
    };
    let (w, h) = (size("width", 640) as u32, size("height", 560) as u32);
    let g = |x: f64, y: f64| f.value(&[x, y]);
    let log_levels = downhill_plot::suggest_log_levels(&g, (xr[0], xr[1]), (yr[0], yr[1]));
    let opts = downhill_plot::ContourOptions {
        labels: downhill_plot::Labels::new("", "x₀", "x₁"),
        log_levels,
        legend: downhill_plot::LegendPosition::Hidden,
        ..Default::default()
    };
    let fig = downhill_plot::contour(&g, (xr[0], xr[1]), (yr[0], yr[1]), &[], &opts)
        .map_err(ApiError::bad_request)?
        .with_size(w, h);
    let frame = fig
        .contour_frame()
        .map_err(|e| ApiError::new(500, e))?
        .ok_or_else(|| ApiError::new(500, "contour figure without a frame"))?;
    let svg = fig.to_svg().map_err(|e| ApiError::new(500, e))?;
    let key = fig.contour_key().map(|k| {
        json!({
            "range": [k.range.0, k.range.1],
            "log": k.log,
            "colours": k.colours,
            "ticks": k.ticks.iter().map(|(t, label)| json!({ "t": t, "label": label })).collect::<Vec<_>>(),
        })
    });
    let quad = quadratic(f.as_ref()).map(|(l, mu)| json!({ "l": l, "mu": mu }));
    Ok(json!({
        "label": label,
        "svg": svg,
        "width": w,
        "height": h,
        "x_range": xr,
        "y_range": yr,
        "x0": x0,
        "log_levels": log_levels,
        "frame": {
            "x_range": [frame.x_range.0, frame.x_range.1],
            "y_range": [frame.y_range.0, frame.y_range.1],
            "left": frame.left, "right": frame.right, "top": frame.top, "bottom": frame.bottom,
        },
        "quadratic": quad,
        "colour_key": key,
        "minima": body.get("function").and_then(Value::as_str).map_or(&[][..], minima),
    }))
}

#[cfg(test)]
mod tests {
    /// Every marked minimum is a stationary point of its function (to the digits it is given).
    #[test]
    fn the_marked_minima_are_stationary() {
        for v in super::VIEWS {
            for m in super::minima(v.0) {
                let f = downhill::problems::by_name::<f64>(v.0).unwrap();
                let mut g = [0.0; 2];
                f.gradient(m, &mut g);
                let norm = g[0].hypot(g[1]);
                assert!(norm < 2e-2, "{} at {m:?}: |∇f| = {norm}", v.0);
            }
        }
    }
}
