//! Piecewise-linear (stepped) demand curves with a fine band that follows
//! the price.
//!
//! A stepped curve prices the market at a step's value (or between two
//! neighbouring values when supply ends exactly on a step boundary), so
//! prices can only be as fine as the steps. Fine steps everywhere would make
//! the LP several times larger; coarse steps put prices on a lattice. The
//! curves here have a **fine band** of `2 × fine_steps + 1` steps of ratio
//! `fine_ratio` around a **centre** price (the price expected this year),
//! and a fixed number of coarse steps outside it, up to the choke price and
//! down to the floor, narrow next to the band and widening outward (so a
//! price that leaves the band lands close to where the smooth curve has it). The caller re-centres the band on the solved price
//! and solves again when a price falls outside it (see `oreflow-sim`), so
//! every reported price sits on a fine step. The number of steps depends on
//! the parameters only, so every curve of every year shares one LP shape.
//!
//! The fine steps lie on a **fixed lattice** `p_ref × fine_ratio^j`: a
//! centre is snapped to its nearest lattice point, so two bands that both
//! contain a price cut the curve at the same prices there, and a fine step
//! carries its lattice index `j` ([`Step::lattice`]) for the market LP to
//! key its degeneracy breaks by. A year whose prices all lie inside their
//! bands therefore has the same equilibrium whatever the centres were.

/// One step of a demand curve: up to `width` tonnes are worth `value` USD/kg each.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub width: f64,
    pub value: f64,
    /// For a step of the fine band: its index `j` on the curve's fixed
    /// price lattice, `value = p_ref × fine_ratio^j`, whatever the centre.
    /// The market LP keys the step's degeneracy breaks by it, so a price
    /// inside the band does not depend on where the band was centred.
    /// `None` for coarse steps (and hand-made steps).
    pub lattice: Option<i32>,
}

impl Step {
    /// A step with no lattice index.
    pub fn new(width: f64, value: f64) -> Step {
        Step {
            width,
            value,
            lattice: None,
        }
    }
}

/// How a constant-elasticity curve is cut into steps.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveParams {
    /// Price ratio between neighbouring steps of the fine band.
    pub fine_ratio: f64,
    /// Number of fine steps on each side of the centre step.
    pub fine_steps: u32,
    /// Number of coarse steps outside the band (above and below together).
    pub coarse_steps: u32,
    /// Highest price, as a multiple of the reference price (the choke price:
    /// demand below the quantity it implies is valued at this price).
    pub max_multiple: f64,
    /// Lowest price, as a multiple of the reference price: beyond the
    /// quantity it implies, nobody buys.
    pub min_multiple: f64,
}

impl Default for CurveParams {
    /// 1 % fine steps over ±17 % around the centre, 10 coarse steps (the
    /// two next to the band 4 fine steps wide, then widening: see
    /// `graded`), prices from 0.05 to 50 times the reference. The resolution is checked by
    /// the convergence test in `oreflow-sim` (doubling it moves no baseline
    /// price by more than 2 %); the band's width and the coarse steps were
    /// chosen by measured cost (fewer re-solves against a larger LP: docs/model.md);
    /// the range covers the 2010–11 spikes (light rare earths outside China
    /// rose more than tenfold).
    fn default() -> Self {
        CurveParams {
            fine_ratio: 1.01,
            fine_steps: 16,
            coarse_steps: 10,
            max_multiple: 50.0,
            min_multiple: 0.05,
        }
    }
}

impl CurveParams {
    /// Steps per curve.
    pub fn len(&self) -> usize {
        (2 * self.fine_steps + 1 + self.coarse_steps) as usize
    }

    /// Always false: a curve has at least its centre step.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The same curve at twice the resolution: half the log-step in the
    /// band (same band width) and twice the coarse steps.
    pub fn doubled(&self) -> CurveParams {
        CurveParams {
            fine_ratio: self.fine_ratio.sqrt(),
            fine_steps: 2 * self.fine_steps,
            coarse_steps: 2 * self.coarse_steps,
            ..self.clone()
        }
    }

    /// The centre actually used for a wanted centre: a point of the
    /// curve's fixed lattice `p_ref × fine_ratio^j` (the nearest to the
    /// wanted centre), clamped so that the band and at least one coarse
    /// step on each side fit between the floor and the choke price. Prices
    /// at or below zero keep the band at the floor.
    pub fn clamp_centre(&self, p_ref: f64, wanted: f64) -> f64 {
        p_ref * self.fine_ratio.powi(self.centre_index(p_ref, wanted))
    }

    /// The lattice index `j` of [`CurveParams::clamp_centre`].
    pub fn centre_index(&self, p_ref: f64, wanted: f64) -> i32 {
        let ln_r = self.fine_ratio.ln();
        if !(ln_r > 0.0 && ln_r.is_finite()) {
            return 0;
        }
        // The band's half-width plus one coarse step's worth of room.
        let half = self.fine_steps as f64 + 1.5;
        let lo = (self.min_multiple.ln() / ln_r + half).ceil();
        let hi = (self.max_multiple.ln() / ln_r - half).floor();
        if lo > hi {
            return ((lo + hi) / 2.0).floor() as i32;
        }
        let ratio = wanted / p_ref;
        if !(ratio.is_finite() && ratio > 0.0) {
            return lo as i32;
        }
        (ratio.ln() / ln_r).round().clamp(lo, hi) as i32
    }

    /// Whether `price` lies inside the fine band around `centre` (within
    /// half a fine step of its outermost fine step).
    pub fn in_band(&self, centre: f64, price: f64) -> bool {
        let edge = self.fine_ratio.powf(self.fine_steps as f64 + 0.5);
        price >= centre / edge && price <= centre * edge
    }

    /// Price boundaries of the steps, highest first, and each step's value:
    /// `(upper boundary, lower boundary, value, lattice index)`, for the
    /// band centred on lattice index `jc` ([`CurveParams::centre_index`]);
    /// the top step's upper boundary is infinite (it starts at zero
    /// quantity).
    fn cells(&self, p_ref: f64, jc: i32) -> Vec<(f64, f64, f64, Option<i32>)> {
        let r = self.fine_ratio;
        let k = self.fine_steps as i32;
        let c = p_ref * r.powi(jc);
        let p_max = p_ref * self.max_multiple;
        let p_min = p_ref * self.min_multiple;
        let top = c * r.powf(k as f64 + 0.5);
        let bottom = c / r.powf(k as f64 + 0.5);
        let (l_up, l_dn) = ((p_max / top).ln(), (bottom / p_min).ln());
        let n = self.coarse_steps.max(2) as f64;
        let n_up = ((n * l_up / (l_up + l_dn)).round()).clamp(1.0, n - 1.0) as u32;
        let n_dn = self.coarse_steps.max(2) - n_up;
        let mut cells = Vec::with_capacity(self.len());
        // Coarse steps above the band, graded (see `graded`); the top one is
        // valued at the choke price.
        let first = GRADED_FIRST_STEPS * r.ln();
        let up = graded(l_up, n_up, first);
        for i in (0..n_up as usize).rev() {
            let (lo, hi) = (top * up[i].exp(), top * up[i + 1].exp());
            if i + 1 == n_up as usize {
                cells.push((f64::INFINITY, lo, p_max, None));
            } else {
                cells.push((hi, lo, (lo * hi).sqrt(), None));
            }
        }
        // The fine band, on the fixed lattice.
        for j in (jc - k..=jc + k).rev() {
            let v = p_ref * r.powi(j);
            cells.push((v * r.sqrt(), v / r.sqrt(), v, Some(j)));
        }
        // Coarse steps below the band, graded, down to the floor.
        let dn = graded(l_dn, n_dn, first);
        for i in 0..n_dn as usize {
            let (hi, lo) = (bottom / dn[i].exp(), bottom / dn[i + 1].exp());
            cells.push((hi, lo, (lo * hi).sqrt(), None));
        }
        cells
    }
}

/// Width of the coarse steps next to the fine band, in fine steps: a price
/// that leaves the band lands on a step this narrow, close to the smooth
/// curve's price, so one re-centring usually finds it.
const GRADED_FIRST_STEPS: f64 = 4.0;

/// Boundaries of `n` coarse steps over a log-price distance `l` from the
/// band's edge, as log distances `d_0 = 0 < d_1 < … < d_n = l`: the first
/// step `first` wide and each next one `g` times the last, with `g ≥ 1`
/// solved so that they end at `l` (equal steps when `n × first ≥ l`).
fn graded(l: f64, n: u32, first: f64) -> Vec<f64> {
    let n = n.max(1);
    let l = if l.is_finite() && l > 0.0 { l } else { 0.0 };
    let span = |g: f64| {
        if (g - 1.0).abs() < 1e-12 {
            first * n as f64
        } else {
            first * (g.powi(n as i32) - 1.0) / (g - 1.0)
        }
    };
    if first.is_nan() || first <= 0.0 || span(1.0) >= l {
        return (0..=n).map(|i| l * i as f64 / n as f64).collect();
    }
    // span(g) = l for g > 1: span grows and is convex in g, and
    // span(g) ≥ first × g^(n−1), so the root lies below (l / first)^(1/(n−1)).
    // Newton's method from that side converges monotonically (a handful of
    // steps; this runs for every curve at every re-centring, so it is hot).
    let slope = |g: f64| {
        let m = n as f64;
        first * ((m - 1.0) * g.powi(n as i32) - m * g.powi(n as i32 - 1) + 1.0)
            / ((g - 1.0) * (g - 1.0))
    };
    let mut g = if n > 1 {
        (l / first).powf(1.0 / (n - 1) as f64).max(1.0 + 1e-9)
    } else {
        1.0
    };
    for _ in 0..100 {
        let (f, df) = (span(g) - l, slope(g));
        if !(f > 0.0 && df > 0.0) {
            break;
        }
        let next = (g - f / df).max(1.0 + 1e-12);
        let converged = g - next <= 1e-15 * g;
        g = next;
        if converged {
            break;
        }
    }
    let mut d = Vec::with_capacity(n as usize + 1);
    let (mut x, mut w) = (0.0, first);
    for _ in 0..n {
        d.push(x);
        x += w;
        w *= g;
    }
    d.push(l);
    d
}

/// Steps of the constant-elasticity curve `q(p) = q_ref (p / p_ref)^elasticity`
/// through the reference point `(q_ref, p_ref)`, with the fine band centred
/// on `centre` (USD/kg; see [`CurveParams::clamp_centre`]).
///
/// Each step covers the quantities between `q` at its upper and at its
/// lower price boundary; fine steps are valued at `p_ref × fine_ratio^j`
/// for the `j` within `fine_steps` of the centre's lattice index, so the
/// step `j = 0` has value exactly `p_ref` and is centred (in log terms) on
/// `q_ref`. The first step
/// runs from zero quantity at the choke price.
///
/// The number of steps depends on `params` only, so curves of any size share
/// one LP structure; a curve with no demand (`q_ref = 0`, or no price) has
/// steps of zero width.
pub fn centred_steps(
    q_ref: f64,
    p_ref: f64,
    elasticity: f64,
    centre: f64,
    params: &CurveParams,
) -> Vec<Step> {
    Shape::new(p_ref, centre, params).steps(q_ref, elasticity)
}

/// Steps of any demand `q(p)` (non-increasing in price) on the price lattice
/// of a curve with reference price `p_ref` and band centre `centre`: the
/// same step values as [`centred_steps`] with those arguments, so such
/// steps can share a balance row's step columns with the curves there.
pub fn steps_for(
    q: impl Fn(f64) -> f64,
    p_ref: f64,
    centre: f64,
    params: &CurveParams,
) -> Vec<Step> {
    Shape::new(p_ref, centre, params).steps_for(q)
}

/// One cell of a cut curve: its lower price boundary, its value and, in
/// the fine band, its lattice index.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cell {
    lower: f64,
    value: f64,
    lattice: Option<i32>,
}

/// The price cells of one band position, ready to be filled with a demand:
/// what cutting a curve costs (the grading of the coarse steps, powers and
/// logarithms; it is done for every curve at every solve) depends on the
/// reference price and the centre's lattice index only, and the curves of
/// one good in one region share both. A caller that cuts curves of the same
/// lattice at the same band position (several end uses of one market, a
/// later year, a re-solve) keeps the `Shape`: [`Shape::steps`] gives the
/// numbers of [`centred_steps`] and [`Shape::steps_for`] those of
/// [`steps_for`], bit for bit.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    p_ref: f64,
    centre_index: i32,
    cells: Vec<Cell>,
}

impl Shape {
    /// The cells of a curve with reference price `p_ref` (USD/kg), band
    /// centred on `centre` (see [`CurveParams::clamp_centre`]).
    pub fn new(p_ref: f64, centre: f64, params: &CurveParams) -> Shape {
        Shape::at(p_ref, Shape::index(p_ref, centre, params), params)
    }

    /// The band position a centre gives: the lattice index of
    /// [`CurveParams::centre_index`] on this shape's lattice. Shapes of one
    /// reference price and index are equal.
    pub fn index(p_ref: f64, centre: f64, params: &CurveParams) -> i32 {
        params.centre_index(Self::lattice_ref(p_ref), centre)
    }

    /// The cells of band position `index` (from [`Shape::index`]).
    pub fn at(p_ref: f64, index: i32, params: &CurveParams) -> Shape {
        let cells = params
            .cells(Self::lattice_ref(p_ref), index)
            .into_iter()
            .map(|(_, lower, value, lattice)| Cell {
                lower,
                value,
                lattice,
            })
            .collect();
        Shape {
            p_ref,
            centre_index: index,
            cells,
        }
    }

    /// Whether this is the shape [`Shape::at`] gives for `p_ref` and
    /// `index` (with the `params` it was made with).
    pub fn is_at(&self, p_ref: f64, index: i32) -> bool {
        self.p_ref.to_bits() == p_ref.to_bits() && self.centre_index == index
    }

    /// The reference price the lattice is built on (1 where `p_ref` is not
    /// a positive finite price).
    fn lattice_ref(p_ref: f64) -> f64 {
        if p_ref > 0.0 && p_ref.is_finite() {
            p_ref
        } else {
            1.0
        }
    }

    /// The steps of the constant-elasticity curve through `(q_ref, p_ref)`:
    /// [`centred_steps`] with this shape's reference price and centre.
    pub fn steps(&self, q_ref: f64, elasticity: f64) -> Vec<Step> {
        let p_ref = self.p_ref;
        let valid = q_ref > 0.0 && q_ref.is_finite() && p_ref > 0.0 && elasticity < 0.0;
        if !valid {
            return self.steps_for(|_| 0.0);
        }
        self.steps_for(|p| {
            if p.is_finite() {
                q_ref * (p / p_ref).powf(elasticity)
            } else {
                0.0
            }
        })
    }

    /// The steps of any demand `q(p)` (non-increasing in price) on this
    /// shape's cells: [`steps_for`] with its reference price and centre.
    /// The cumulative quantity at a cell with lower boundary `lower` is
    /// `q(lower)`, kept non-decreasing.
    pub fn steps_for(&self, q: impl Fn(f64) -> f64) -> Vec<Step> {
        let mut steps = Vec::with_capacity(self.cells.len());
        let mut q_prev = 0.0;
        for c in &self.cells {
            let x = q(c.lower);
            let q_hi = if x.is_finite() { x.max(q_prev) } else { q_prev };
            steps.push(Step {
                width: q_hi - q_prev,
                value: c.value,
                lattice: c.lattice,
            });
            q_prev = q_hi;
        }
        steps
    }
}

/// [`centred_steps`] with the band centred on the reference price.
pub fn constant_elasticity_steps(
    q_ref: f64,
    p_ref: f64,
    elasticity: f64,
    params: &CurveParams,
) -> Vec<Step> {
    centred_steps(q_ref, p_ref, elasticity, p_ref, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_step_is_centred_on_the_reference_point() {
        let params = CurveParams::default();
        for el in [-0.2, -0.5, -1.2] {
            let s = constant_elasticity_steps(1000.0, 56.0, el, &params);
            let mut q = 0.0;
            let mut found = false;
            for st in &s {
                if (st.value - 56.0).abs() < 1e-9 {
                    assert!(
                        q < 1000.0 && q + st.width > 1000.0,
                        "reference step must contain q_ref"
                    );
                    found = true;
                }
                q += st.width;
            }
            assert!(found);
            // Values decrease, widths are positive.
            assert!(s.windows(2).all(|w| w[0].value > w[1].value));
            assert!(s.iter().all(|st| st.width > 0.0));
            // The total is the demand at the floor price.
            let total: f64 = s.iter().map(|st| st.width).sum();
            assert!((total - 1000.0 * (params.min_multiple).powf(el)).abs() < 1e-6 * total);
            // Top step is the choke price.
            assert!((s[0].value - 56.0 * params.max_multiple).abs() < 1e-9);
        }
    }

    #[test]
    fn the_number_of_steps_does_not_depend_on_the_size_of_the_numbers() {
        // issue 10: a reference price of 1e308 made this loop allocate
        // gigabytes (p × ratio stays infinite and below the infinite choke).
        let p = CurveParams::default();
        let n = constant_elasticity_steps(1000.0, 56.0, -0.3, &p).len();
        for p_ref in [1e308, f64::MAX, 1e-310, f64::INFINITY] {
            assert_eq!(
                constant_elasticity_steps(1.0, p_ref, -0.3, &p).len(),
                n,
                "{p_ref}"
            );
        }
    }

    #[test]
    fn every_curve_has_the_same_number_of_steps() {
        let p = CurveParams::default();
        let n = constant_elasticity_steps(1000.0, 56.0, -0.3, &p).len();
        assert_eq!(n, p.len());
        assert_eq!(constant_elasticity_steps(3.0, 812.0, -1.5, &p).len(), n);
        for centre in [0.0, 1e-9, 3.0, 56.0, 700.0, 1e9, f64::NAN] {
            assert_eq!(centred_steps(10.0, 56.0, -0.4, centre, &p).len(), n);
        }
        let empty = constant_elasticity_steps(0.0, 1.0, -0.5, &p);
        assert_eq!(empty.len(), n);
        assert!(empty.iter().all(|s| s.width == 0.0));
        assert!(constant_elasticity_steps(1.0, 1.0, 0.5, &p)
            .iter()
            .all(|s| s.width == 0.0));
        assert_eq!(p.doubled().len(), 2 * p.len() - 1);
    }

    #[test]
    fn the_band_follows_its_centre() {
        let p = CurveParams::default();
        for centre in [20.0, 56.0, 300.0, 2000.0] {
            let s = centred_steps(1000.0, 56.0, -0.3, centre, &p);
            let c = p.clamp_centre(56.0, centre);
            // The fine steps around the centre are fine_ratio apart.
            let mid = s
                .iter()
                .position(|st| (st.value - c).abs() < 1e-9 * c)
                .expect("a step at the centre");
            for w in s[mid - 16..=mid + 16].windows(2) {
                assert!((w[0].value / w[1].value - 1.01).abs() < 1e-9);
            }
            assert!(p.in_band(c, c * 1.17) && !p.in_band(c, c * 1.2));
            // Whatever the centre, the curve is the same function of price:
            // demand at a price between steps does not depend on the centre.
            let at = |steps: &[Step], price: f64| -> f64 {
                steps
                    .iter()
                    .filter(|st| st.value >= price)
                    .map(|st| st.width)
                    .sum()
            };
            let q_exact = 1000.0 * (c / 56.0f64).powf(-0.3);
            let q_band = at(&s, c);
            assert!(
                (q_band - q_exact).abs() < 0.01 * q_exact,
                "{q_band} vs {q_exact}"
            );
        }
    }

    #[test]
    fn coarse_steps_widen_from_the_band_outward() {
        let d = graded(3.0, 5, 0.04);
        assert_eq!(d.len(), 6);
        assert_eq!(d[0], 0.0);
        assert!((d[1] - 0.04).abs() < 1e-12);
        assert!((d[5] - 3.0).abs() < 1e-12);
        let w: Vec<f64> = d.windows(2).map(|p| p[1] - p[0]).collect();
        assert!(w.windows(2).all(|p| p[1] > p[0]), "{w:?}");
        // Too short a range for widening: equal steps.
        let e = graded(0.1, 5, 0.04);
        assert!(e.windows(2).all(|p| (p[1] - p[0] - 0.02).abs() < 1e-12));
        // Degenerate lengths give zero-width steps, never NaN.
        assert!(graded(f64::NAN, 3, 0.04).iter().all(|&x| x == 0.0));
        // On a curve: the coarse steps next to the band are 4 fine steps wide.
        let p = CurveParams::default();
        let cells = p.cells(56.0, p.centre_index(56.0, 56.0));
        let top = cells.iter().position(|c| c.3.is_some()).expect("fine band");
        let (hi, lo) = (cells[top - 1].0, cells[top - 1].1);
        assert!((hi / lo - 1.01f64.powi(4)).abs() < 1e-9, "{}", hi / lo);
        let bottom = cells
            .iter()
            .rposition(|c| c.3.is_some())
            .expect("fine band");
        let (hi, lo) = (cells[bottom + 1].0, cells[bottom + 1].1);
        assert!((hi / lo - 1.01f64.powi(4)).abs() < 1e-9, "{}", hi / lo);
        // Boundaries meet: each step's lower boundary is the next one's upper.
        for w in cells.windows(2) {
            assert!((w[0].1 - w[1].0).abs() <= 1e-9 * w[0].1, "{w:?}");
        }
    }

    #[test]
    fn a_kept_shape_cuts_the_curve_as_a_fresh_cut_does() {
        let p = CurveParams::default();
        // A reference implementation of the cut: demand at each cell's
        // lower boundary, accumulated (what `centred_steps` has to give).
        let direct = |q_ref: f64, p_ref: f64, el: f64, centre: f64| -> Vec<Step> {
            let mut prev = 0.0;
            p.cells(p_ref, p.centre_index(p_ref, centre))
                .into_iter()
                .map(|(_, lower, value, lattice)| {
                    let x = q_ref * (lower / p_ref).powf(el);
                    let hi = x.max(prev);
                    let s = Step {
                        width: hi - prev,
                        value,
                        lattice,
                    };
                    prev = hi;
                    s
                })
                .collect()
        };
        for (p_ref, el) in [(56.0, -0.3), (812.0, -1.5), (0.9, -0.05)] {
            for centre in [p_ref, p_ref * 1.3, p_ref / 4.0] {
                let shape = Shape::new(p_ref, centre, &p);
                for q in [1000.0, 3.5, 1e-6, 250_000.0] {
                    for el in [el, el * 0.5] {
                        assert_eq!(shape.steps(q, el), direct(q, p_ref, el, centre));
                        assert_eq!(shape.steps(q, el), centred_steps(q, p_ref, el, centre, &p));
                    }
                }
                let stock = |x: f64| (40.0 * (x / 60.0).powf(-0.8)).min(90.0);
                assert_eq!(shape.steps_for(stock), steps_for(stock, p_ref, centre, &p));
                // A centre on the same lattice point is the same shape;
                // the next lattice point or another reference price is not.
                let at = |p_ref: f64, centre: f64| Shape::index(p_ref, centre, &p);
                assert!(shape.is_at(p_ref, at(p_ref, centre * 1.001)));
                assert!(!shape.is_at(p_ref, at(p_ref, centre * 1.0101)));
                assert!(!shape.is_at(p_ref * 1.0001, at(p_ref, centre)));
                assert_eq!(Shape::at(p_ref, at(p_ref, centre * 1.001), &p), shape);
            }
        }
        // No demand whatever the quantity where the curve has none.
        for (p_ref, el, q) in [(56.0, 0.2, 10.0), (0.0, -0.3, 10.0), (56.0, -0.3, f64::NAN)] {
            let s = Shape::new(p_ref, 56.0, &p).steps(q, el);
            assert_eq!(s.len(), p.len());
            assert!(s.iter().all(|st| st.width == 0.0), "{p_ref} {el} {q}");
        }
    }

    #[test]
    fn centres_are_clamped_inside_the_range() {
        let p = CurveParams::default();
        let lo = p.clamp_centre(10.0, 0.0);
        let hi = p.clamp_centre(10.0, 1e12);
        assert!(lo > 10.0 * p.min_multiple && lo < 10.0);
        assert!(hi < 10.0 * p.max_multiple && hi > 10.0);
        // Centres snap to the lattice 10 × 1.01^j: 12 is nearest j = 18.
        assert!((p.clamp_centre(10.0, 12.0) - 10.0 * 1.01f64.powi(18)).abs() < 1e-12);
        assert_eq!(p.centre_index(10.0, 12.0), 18);
        assert_eq!(p.clamp_centre(10.0, 10.0), 10.0);
        assert_eq!(p.clamp_centre(10.0, f64::NAN), lo);
    }
}
