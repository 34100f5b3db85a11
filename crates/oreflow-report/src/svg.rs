//! Chart primitives: line charts, heat maps and Sankey diagrams as inline SVG
//! text. Every chart has a title, a subtitle (the scenario), units on its axes
//! and direct labels, so it reads without colour.

use std::fmt::Write;

/// Escapes text for HTML and SVG (element content and attribute values).
pub(crate) fn esc(s: &str) -> String {
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

/// A number for people: thousands separators above 1,000, three significant
/// digits or so below.
pub(crate) fn num(x: f64) -> String {
    let a = x.abs();
    if a >= 1000.0 {
        let s = format!("{:.0}", a);
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        if x < 0.0 {
            format!("−{out}")
        } else {
            out
        }
    } else {
        let s = if a >= 100.0 || a == 0.0 {
            format!("{a:.0}")
        } else if a >= 10.0 {
            format!("{a:.1}")
        } else {
            format!("{a:.2}")
        };
        if x < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
            format!("−{s}")
        } else {
            s
        }
    }
}

/// A share (0–1) as a percentage.
pub(crate) fn pct(x: f64) -> String {
    let v = 100.0 * x;
    if v < 0.0 && v.abs() >= 0.05 {
        format!("−{:.1}%", v.abs())
    } else {
        format!("{:.1}%", v.abs())
    }
}

fn nice_step(range: f64, target: f64) -> f64 {
    if range.is_nan() || range <= 0.0 {
        return 1.0;
    }
    let raw = range / target;
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let m = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 2.5 {
        2.5
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Point markers, so lines differ in shape as well as colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// One line of a line chart.
pub(crate) struct Line {
    /// Direct label at the line's end.
    pub label: String,
    pub values: Vec<Option<f64>>,
    /// Dashed with open markers: the comparison scenario.
    pub dashed: bool,
    pub color: &'static str,
    pub marker: Marker,
}

/// A shaded band between two series (an ensemble's P5–P95), hatched so it
/// reads without colour, with a direct label.
pub(crate) struct Band {
    pub label: String,
    pub lo: Vec<Option<f64>>,
    pub hi: Vec<Option<f64>>,
    pub color: &'static str,
}

/// A line chart over years.
pub(crate) struct LineChart<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// Unit of the y axis, e.g. `t REO`.
    pub y_unit: &'a str,
    pub years: &'a [i32],
    pub lines: &'a [Line],
    /// Bands drawn under the lines.
    pub bands: &'a [Band],
    /// Fixed y range (e.g. 0–1 for shares); otherwise from 0 (or the minimum) to the maximum.
    pub y_range: Option<(f64, f64)>,
    /// Tick labels as percentages of 1.
    pub percent: bool,
}

const FONT: &str = "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif\"";

fn open(o: &mut String, w: f64, h: f64, title: &str, subtitle: &str) {
    let _ = write!(
        o,
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" {FONT} font-size=\"12\"><title>{}</title>\
<rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\
<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"600\">{}</text>\
<text x=\"12\" y=\"40\" fill=\"#444\">{}</text>",
        esc(title),
        esc(title),
        esc(subtitle)
    );
}

fn marker(o: &mut String, m: Marker, x: f64, y: f64, color: &str, open: bool) {
    let fill = if open { "#fff" } else { color };
    match m {
        Marker::Circle => {
            let _ = write!(
                o,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.2\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\"/>"
            );
        }
        Marker::Square => {
            let _ = write!(
                o,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"6\" height=\"6\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\"/>",
                x - 3.0,
                y - 3.0
            );
        }
        Marker::Triangle => {
            let _ = write!(
                o,
                "<path d=\"M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\"/>",
                x,
                y - 4.0,
                x + 3.8,
                y + 3.0,
                x - 3.8,
                y + 3.0
            );
        }
        Marker::Diamond => {
            let _ = write!(
                o,
                "<path d=\"M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"1.5\"/>",
                y - 4.2,
                x + 4.2,
                y + 4.2,
                x - 4.2
            );
        }
    }
}

/// Spreads label positions apart by at least `gap`, within `[lo, hi]`.
fn spread(ys: &mut [(f64, usize)], gap: f64, lo: f64, hi: f64) {
    ys.sort_by(|a, b| a.0.total_cmp(&b.0));
    for i in 1..ys.len() {
        if ys[i].0 < ys[i - 1].0 + gap {
            ys[i].0 = ys[i - 1].0 + gap;
        }
    }
    if let Some(last) = ys.last() {
        let over = last.0 - hi;
        if over > 0.0 {
            for y in ys.iter_mut() {
                y.0 -= over;
            }
            for i in (0..ys.len().saturating_sub(1)).rev() {
                if ys[i].0 > ys[i + 1].0 - gap {
                    ys[i].0 = ys[i + 1].0 - gap;
                }
            }
        }
    }
    let _ = lo;
}

/// A line chart with labelled axes and lines labelled at their right end.
pub(crate) fn line_chart(c: &LineChart) -> String {
    let (w, h) = (700.0, 340.0);
    let (ml, mr, mt, mb) = (78.0, 190.0, 58.0, 46.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let mut o = String::new();
    open(&mut o, w, h, c.title, c.subtitle);
    let vals = c
        .lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .chain(
            c.bands
                .iter()
                .flat_map(|b| b.lo.iter().chain(&b.hi).flatten()),
        );
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for &v in vals {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let (lo, hi, step) = match c.y_range {
        Some((a, b)) => (a, b, nice_step(b - a, 5.0)),
        None => {
            let step = nice_step((hi - lo).max(1e-9), 5.0);
            let hi = (hi / step).ceil().max(1.0) * step;
            let lo = (lo / step).floor() * step;
            (lo, hi, step)
        }
    };
    let (y0, y1) = (
        *c.years.first().unwrap_or(&0),
        *c.years.last().unwrap_or(&0),
    );
    let xs = |y: i32| {
        if y1 > y0 {
            ml + pw * f64::from(y - y0) / f64::from(y1 - y0)
        } else {
            ml + pw / 2.0
        }
    };
    let ys = |v: f64| mt + ph * (1.0 - (v - lo) / (hi - lo));
    // Grid and y ticks.
    let mut t = lo;
    while t <= hi + step * 1e-6 {
        let y = ys(t);
        let label = if c.percent {
            // Enough decimals that neighbouring ticks differ.
            let digits = if 100.0 * step >= 1.0 {
                0
            } else if 100.0 * step >= 0.1 {
                1
            } else {
                2
            };
            format!("{:.*}%", digits, 100.0 * t)
        } else {
            num(t)
        };
        let _ = write!(
            o,
            "<line x1=\"{ml}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{label}</text>",
            ml + pw,
            ml - 6.0,
            y + 4.0
        );
        t += step;
    }
    // X ticks: every year if few, else every 2 or 5.
    let n = (y1 - y0).max(0);
    let every = if n <= 8 {
        1
    } else if n <= 16 {
        2
    } else {
        5
    };
    for y in c.years.iter().copied().filter(|y| (y - y0) % every == 0) {
        let x = xs(y);
        let _ = write!(
            o,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\
<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{y}</text>",
            mt + ph,
            mt + ph + 5.0,
            mt + ph + 18.0
        );
    }
    let _ = write!(
        o,
        "<line x1=\"{ml}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\
<line x1=\"{ml}\" x2=\"{ml}\" y1=\"{mt}\" y2=\"{:.1}\" stroke=\"#333\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">year</text>\
<text transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
        ml + pw,
        mt + ph,
        mt + ph,
        mt + ph,
        ml + pw / 2.0,
        h - 8.0,
        mt + ph / 2.0,
        esc(c.y_unit)
    );
    // Bands: the area between lo and hi where both are known, filled and
    // hatched; labelled at the last year.
    let mut ends = Vec::new();
    let mut labels: Vec<(String, &'static str, Option<Marker>)> = Vec::new();
    for (k, b) in c.bands.iter().enumerate() {
        let pts: Vec<(i32, f64, f64)> = c
            .years
            .iter()
            .enumerate()
            .filter_map(|(i, &y)| {
                match (
                    b.lo.get(i).copied().flatten(),
                    b.hi.get(i).copied().flatten(),
                ) {
                    (Some(l), Some(h)) => Some((y, l, h)),
                    _ => None,
                }
            })
            .collect();
        if pts.is_empty() {
            continue;
        }
        let id = format!(
            "hatch{}{k}",
            c.title
                .bytes()
                .fold(0u32, |h, x| h.wrapping_mul(31).wrapping_add(x as u32))
        );
        let mut d = String::new();
        for (i, (y, _, h)) in pts.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1} {:.1}",
                if i == 0 { "M" } else { "L" },
                xs(*y),
                ys(*h)
            );
        }
        for (y, l, _) in pts.iter().rev() {
            let _ = write!(d, "L{:.1} {:.1}", xs(*y), ys(*l));
        }
        d.push('Z');
        let _ = write!(
            o,
            "<defs><pattern id=\"{id}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{}\" stroke-width=\"1\" stroke-opacity=\"0.45\"/></pattern></defs>\
<path d=\"{d}\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\"/><path d=\"{d}\" fill=\"url(#{id})\" stroke=\"{}\" stroke-width=\"0.6\" stroke-opacity=\"0.6\"/>",
            b.color, b.color, b.color
        );
        let (y, l, h) = pts[pts.len() - 1];
        let mid = ys((l + h) / 2.0);
        ends.push((mid, labels.len(), xs(y), mid));
        labels.push((b.label.clone(), b.color, None));
    }
    // Lines.
    for (k, l) in c.lines.iter().enumerate() {
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in l.values.iter().enumerate() {
            match (v, c.years.get(i)) {
                (Some(v), Some(&y)) => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1}",
                        if pen { "L" } else { "M" },
                        xs(y),
                        ys(*v)
                    );
                    pen = true;
                }
                _ => pen = false,
            }
        }
        let dash = if l.dashed {
            " stroke-dasharray=\"7 4\""
        } else {
            ""
        };
        let _ = write!(
            o,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.2\"{dash}/>",
            l.color
        );
        for (i, v) in l.values.iter().enumerate() {
            if let (Some(v), Some(&y)) = (v, c.years.get(i)) {
                marker(&mut o, l.marker, xs(y), ys(*v), l.color, l.dashed);
            }
        }
        if let Some((i, v)) = l
            .values
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, v)| v.map(|v| (i, v)))
        {
            ends.push((ys(v), labels.len(), xs(c.years[i]), ys(v)));
        }
        let _ = k;
        labels.push((l.label.clone(), l.color, Some(l.marker)));
    }
    let mut pos: Vec<(f64, usize)> = ends.iter().map(|e| (e.0, e.1)).collect();
    spread(&mut pos, 14.0, mt, mt + ph + 30.0);
    for (y, k) in pos {
        let (_, _, px, py) = ends.iter().find(|e| e.1 == k).copied().unwrap_or_default();
        let (label, color, mark) = &labels[k];
        let dashed = c.lines.iter().any(|l| l.label == *label && l.dashed);
        let lx = ml + pw + 12.0;
        let _ = write!(
            o,
            "<line x1=\"{px:.1}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"0.8\"/>",
            lx - 2.0,
        );
        match mark {
            Some(m) => marker(&mut o, *m, lx + 4.0, y, color, dashed),
            None => {
                let _ = write!(
                    o,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{color}\" fill-opacity=\"0.35\" stroke=\"{color}\"/>",
                    lx,
                    y - 4.5
                );
            }
        }
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#222\">{}</text>",
            lx + 12.0,
            y + 4.0,
            esc(label)
        );
    }
    o.push_str("</svg>");
    o
}

/// Colour of a heat-map cell: white to red for net importers (0 to 1), white
/// to blue for net exporters (0 to −1 and below); and whether the text on it
/// should be white.
fn heat_color(v: f64) -> (String, bool) {
    let a = v.abs().min(1.0);
    let (r, g, b) = if v >= 0.0 {
        (178.0, 24.0, 43.0)
    } else {
        (33.0, 102.0, 172.0)
    };
    let mix = |c: f64| (255.0 + (c - 255.0) * a).round() as u8;
    (
        format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b)),
        a > 0.55,
    )
}

/// A heat map with the value printed in every cell (as a percentage).
pub(crate) fn heat_map(
    title: &str,
    subtitle: &str,
    rows: &[String],
    cols: &[String],
    values: &[Vec<Option<f64>>],
    legend: &str,
    note: &str,
) -> String {
    let (cw, chh, ml, mt) = (78.0, 24.0, 130.0, 84.0);
    let w = (ml + cw * cols.len() as f64 + 20.0).max(560.0);
    let h = mt + chh * rows.len() as f64 + 44.0;
    let mut o = String::new();
    open(&mut o, w, h, title, subtitle);
    for (j, c) in cols.iter().enumerate() {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"600\">{}</text>",
            ml + cw * (j as f64 + 0.5),
            mt - 8.0,
            esc(c)
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = mt + chh * i as f64;
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            ml - 8.0,
            y + chh / 2.0 + 4.0,
            esc(r)
        );
        for (j, v) in values[i].iter().enumerate() {
            let x = ml + cw * j as f64;
            match v {
                Some(v) => {
                    let (fill, white) = heat_color(*v);
                    let _ = write!(
                        o,
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cw}\" height=\"{chh}\" fill=\"{fill}\" stroke=\"#fff\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                        x + cw / 2.0,
                        y + chh / 2.0 + 4.0,
                        if white { "#fff" } else { "#111" },
                        pct(*v)
                    );
                }
                None => {
                    let _ = write!(
                        o,
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cw}\" height=\"{chh}\" fill=\"#f3f3f3\" stroke=\"#fff\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#777\">–</text>",
                        x + cw / 2.0,
                        y + chh / 2.0 + 4.0
                    );
                }
            }
        }
    }
    let _ = write!(
        o,
        "<text x=\"12\" y=\"{:.1}\" fill=\"#444\">{}</text><text x=\"12\" y=\"58\" fill=\"#444\">{}</text></svg>",
        h - 14.0,
        esc(note),
        esc(legend)
    );
    o
}

/// A Sankey diagram in columns: `nodes[c]` are the labelled nodes of column
/// `c`, `links` go from column `c` node `i` to column `c + 1` node `j`.
pub(crate) fn sankey(
    title: &str,
    subtitle: &str,
    columns: &[&str],
    nodes: &[Vec<(String, f64)>],
    links: &[(usize, usize, usize, f64)],
    unit: &str,
) -> String {
    let (w, h) = (
        760.0 + 220.0 * columns.len().saturating_sub(3) as f64,
        580.0,
    );
    let (mt, mb, nw, gap) = (100.0, 24.0, 14.0, 13.0);
    let colx: Vec<f64> = (0..columns.len())
        .map(|c| 110.0 + c as f64 * (w - 300.0) / (columns.len().max(2) - 1) as f64)
        .collect();
    let avail = h - mt - mb;
    let k = nodes
        .iter()
        .map(|col| {
            let tot: f64 = col.iter().map(|n| n.1).sum();
            let gaps = gap * col.len().saturating_sub(1) as f64;
            if tot > 0.0 {
                (avail - gaps).max(20.0) / tot
            } else {
                f64::INFINITY
            }
        })
        .fold(f64::INFINITY, f64::min);
    let k = if k.is_finite() { k } else { 1.0 };
    // Node positions.
    let mut top: Vec<Vec<f64>> = Vec::new();
    for col in nodes {
        let mut y = mt;
        let mut v = Vec::new();
        for n in col {
            v.push(y);
            y += (n.1 * k).max(1.5) + gap;
        }
        top.push(v);
    }
    let mut o = String::new();
    open(&mut o, w, h, title, subtitle);
    for (c, name) in columns.iter().enumerate() {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"600\">{}</text>",
            colx[c] + nw / 2.0,
            mt - 14.0,
            esc(name)
        );
    }
    // Links, stacked in order of the other end to reduce crossings.
    let mut out_off: Vec<Vec<f64>> = nodes.iter().map(|c| vec![0.0; c.len()]).collect();
    let mut in_off = out_off.clone();
    let mut order: Vec<usize> = (0..links.len()).collect();
    order.sort_by_key(|&l| (links[l].0, links[l].1, links[l].2));
    let mut y_out = vec![0.0; links.len()];
    for &l in &order {
        let (c, i, _, v) = links[l];
        y_out[l] = top[c][i] + out_off[c][i];
        out_off[c][i] += v * k;
    }
    order.sort_by_key(|&l| (links[l].0, links[l].2, links[l].1));
    let mut y_in = vec![0.0; links.len()];
    for &l in &order {
        let (c, _, j, v) = links[l];
        y_in[l] = top[c + 1][j] + in_off[c + 1][j];
        in_off[c + 1][j] += v * k;
    }
    for (l, &(c, i, j, v)) in links.iter().enumerate() {
        let t = v * k;
        let (x0, x1) = (colx[c] + nw, colx[c + 1]);
        let xm = (x0 + x1) / 2.0;
        let (a, b) = (y_out[l], y_in[l]);
        let _ = write!(
            o,
            "<path d=\"M{x0:.1} {a:.1}C{xm:.1} {a:.1} {xm:.1} {b:.1} {x1:.1} {b:.1}L{x1:.1} {:.1}C{xm:.1} {:.1} {xm:.1} {:.1} {x0:.1} {:.1}Z\" fill=\"{}\" fill-opacity=\"0.42\" stroke=\"#fff\" stroke-width=\"0.3\"><title>{} → {}: {} {}</title></path>",
            b + t,
            b + t,
            a + t,
            a + t,
            region_color(&nodes[c][i].0),
            esc(&nodes[c][i].0),
            esc(&nodes[c + 1][j].0),
            num(v),
            esc(unit)
        );
    }
    for (c, col) in nodes.iter().enumerate() {
        for (i, (name, v)) in col.iter().enumerate() {
            let (x, y, hh) = (colx[c], top[c][i], (v * k).max(1.5));
            let _ = write!(
                o,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{nw}\" height=\"{hh:.1}\" fill=\"{}\" stroke=\"#333\" stroke-width=\"0.6\"/>",
                region_color(name)
            );
            let (lx, anchor) = if c == 0 {
                (x - 6.0, "end")
            } else {
                (x + nw + 6.0, "start")
            };
            let _ = write!(
                o,
                "<text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{} {}</text>",
                y + hh / 2.0 + 4.0,
                esc(name),
                num(*v)
            );
        }
    }
    let _ = write!(
        o,
        "<text x=\"12\" y=\"58\" fill=\"#444\">{}; node labels: region and tonnes</text></svg>",
        esc(unit)
    );
    o
}

/// A stable colour per region code.
pub(crate) fn region_color(code: &str) -> &'static str {
    const PALETTE: [&str; 10] = [
        "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#e15759",
        "#bab0ac", "#ff9da7",
    ];
    if code == "CN" {
        return "#d62728";
    }
    let h = code
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[(h % PALETTE.len() as u32) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(1234567.4), "1,234,567");
        assert_eq!(num(-1234.0), "−1,234");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(0.0), "0");
        assert_eq!(pct(0.1234), "12.3%");
        assert_eq!(pct(-0.5), "−50.0%");
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(1.0, 5.0), 0.2);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
    }
}
