//! Charts for the results views, drawn as SVG on the server.
//!
//! No JavaScript chart library: a chart is a few `<rect>`s or a `<polyline>` written
//! here, so it renders with scripts off, prints, and passes a strict Content Security
//! Policy. Each chart carries a `<title>` and `<desc>` for screen readers, and the page
//! shows the same numbers in a table beside it (the caller renders the table from the
//! same [`Bar`]s or [`Point`]s). Colours come from the theme's CSS through classes
//! (`chart-bar`, `chart-line`, `chart-axis`), so dark mode and print styles apply.
//!
//! Every label is escaped; output is deterministic (numbers are rounded to one decimal
//! place), so charts can be snapshot-tested.

use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 40.0;
const TOP: f64 = 16.0;

/// One bar of a histogram: a bucket's label and how many fell in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bar {
    pub label: String,
    pub count: u64,
}

/// One point of a trend line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Point {
    pub label: String,
    pub value: f64,
}

/// Counts `values` into buckets of `width` starting at `start`; the last bucket also
/// takes values at or beyond its upper edge (a score of 100 lands in 90–100), values
/// below `start` go into the first. `label` names a bucket from its lower and upper
/// edge.
pub fn histogram(
    values: impl IntoIterator<Item = f64>,
    start: f64,
    width: f64,
    buckets: usize,
    label: impl Fn(f64, f64) -> String,
) -> Vec<Bar> {
    let mut counts = vec![0u64; buckets.max(1)];
    let last = counts.len() - 1;
    for value in values.into_iter().filter(|v| v.is_finite()) {
        let index = ((value - start) / width).floor().max(0.0) as usize;
        counts[index.min(last)] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| {
            let low = start + width * i as f64;
            Bar {
                label: label(low, low + width),
                count,
            }
        })
        .collect()
}

/// A bar chart of `bars` titled `title` (also its accessible name; `id` makes the
/// title's id unique on the page).
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let mut svg = open(id, title, &summary(bars));
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    axes(&mut svg, max);
    let slot = (WIDTH - LEFT) / bars.len().max(1) as f64;
    for (i, bar) in bars.iter().enumerate() {
        let height = (HEIGHT - TOP - BOTTOM) * bar.count as f64 / max;
        let x = LEFT + slot * i as f64 + slot * 0.1;
        let y = HEIGHT - BOTTOM - height;
        let _ = write!(
            svg,
            r#"<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}：{}</title></rect>"#,
            round(x),
            round(y),
            round(slot * 0.8),
            round(height),
            escape(&bar.label),
            bar.count
        );
        label_below(&mut svg, x + slot * 0.4, &bar.label);
    }
    close(svg)
}

/// A line chart of `points` (values from 0 to `max`, e.g. a pass rate in percent).
pub fn line_chart(id: &str, title: &str, points: &[Point], max: f64) -> String {
    let described: Vec<String> = points
        .iter()
        .map(|p| format!("{} {}", p.label, round(p.value)))
        .collect();
    let mut svg = open(id, title, &described.join("；"));
    let max = if max > 0.0 { max } else { 1.0 };
    axes(&mut svg, max);
    let step = (WIDTH - LEFT) / points.len().max(1) as f64;
    let coordinates: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = LEFT + step * (i as f64 + 0.5);
            let share = (p.value / max).clamp(0.0, 1.0);
            (x, HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * share)
        })
        .collect();
    let path: Vec<String> = coordinates
        .iter()
        .map(|(x, y)| format!("{},{}", round(*x), round(*y)))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline class="chart-line" fill="none" points="{}"/>"#,
        path.join(" ")
    );
    // At most about twelve labels under the axis; every point keeps its tooltip.
    let every = points.len().div_ceil(12).max(1);
    for (i, ((x, y), point)) in coordinates.iter().zip(points).enumerate() {
        let _ = write!(
            svg,
            r#"<circle class="chart-point" cx="{}" cy="{}" r="3"><title>{}：{}</title></circle>"#,
            round(*x),
            round(*y),
            escape(&point.label),
            round(point.value)
        );
        if i % every == 0 {
            label_below(&mut svg, *x, &point.label);
        }
    }
    close(svg)
}

fn open(id: &str, title: &str, description: &str) -> String {
    let id = escape(id);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    )
}

fn close(mut svg: String) -> String {
    svg.push_str("</svg>");
    svg
}

/// The y axis with its top value, and the x axis.
fn axes(svg: &mut String, max: f64) {
    let bottom = HEIGHT - BOTTOM;
    let _ = write!(
        svg,
        r#"<g class="chart-axis"><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/><line x1="{LEFT}" y1="{bottom}" x2="{WIDTH}" y2="{bottom}"/><text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{bottom}" text-anchor="end">0</text></g>"#,
        LEFT - 4.0,
        TOP + 4.0,
        round(max),
        LEFT - 4.0,
    );
}

fn label_below(svg: &mut String, x: f64, label: &str) {
    let _ = write!(
        svg,
        r#"<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        round(x),
        HEIGHT - BOTTOM + 16.0,
        escape(label)
    );
}

fn summary(bars: &[Bar]) -> String {
    let parts: Vec<String> = bars
        .iter()
        .map(|b| format!("{} {}", b.label, b.count))
        .collect();
    parts.join("；")
}

/// One decimal place, without a trailing `.0`.
fn round(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// Escapes text for SVG content and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score_label(low: f64, high: f64) -> String {
        format!("{low}–{high}")
    }

    #[test]
    fn histogram_buckets_take_their_edges_and_the_last_takes_the_maximum() {
        let scores = [0.0, 9.9, 10.0, 55.0, 90.0, 100.0, -5.0, f64::NAN];
        let bars = histogram(scores, 0.0, 10.0, 10, score_label);
        let counts: Vec<u64> = bars.iter().map(|b| b.count).collect();
        // -5 joins 0 and 9.9 in the first bucket; 100 joins 90 in the last; NaN is
        // left out.
        assert_eq!(counts, [3, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(bars[9].label, "90–100");
    }

    #[test]
    fn bar_chart_is_accessible_and_scaled_to_the_tallest_bar() {
        let bars = vec![
            Bar {
                label: "0–50".into(),
                count: 2,
            },
            Bar {
                label: "50–100".into(),
                count: 4,
            },
        ];
        let svg = bar_chart("scores", "得分分布", &bars);
        insta::assert_snapshot!(svg);
        assert!(svg.contains(r#"role="img" aria-labelledby="scores-title scores-desc""#));
        assert!(svg.contains("<desc id=\"scores-desc\">0–50 2；50–100 4</desc>"));
    }

    #[test]
    fn labels_and_titles_are_escaped() {
        let bars = vec![Bar {
            label: "<script>alert(1)</script>".into(),
            count: 1,
        }];
        let svg = bar_chart("x\"", "<b>组</b>", &bars);
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;") && svg.contains("id=\"x&quot;-title\""));
        let points = vec![Point {
            label: "\"><img src=x onerror=alert(1)>".into(),
            value: 1.0,
        }];
        assert!(!line_chart("t", "t", &points, 1.0).contains("<img"));
    }

    #[test]
    fn empty_data_still_draws_axes_and_a_trend_line_is_clamped() {
        let svg = bar_chart("empty", "暂无数据", &[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<rect"));
        let points = vec![
            Point {
                label: "第 1 周".into(),
                value: 50.0,
            },
            Point {
                label: "第 2 周".into(),
                value: 150.0,
            },
        ];
        let svg = line_chart("trend", "通过率", &points, 100.0);
        // 150 % is drawn at the top (y = 16), 50 % halfway (16 + 184 / 2 = 108).
        assert!(svg.contains(r#"points="193,108 491,16""#), "{svg}");
    }
}
