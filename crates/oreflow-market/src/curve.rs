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
//! down to the floor. The caller re-centres the band on the solved price
//! and solves again when a price falls outside it (see `oreflow-sim`), so
//! every reported price sits on a fine step. The number of steps depends on
//! the parameters only, so every curve of every year shares one LP shape.

/// One step of a demand curve: up to `width` tonnes are worth `value` USD/kg each.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub width: f64,
    pub value: f64,
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
    /// 1 % fine steps over ±17 % around the centre, 10 coarse steps, prices
    /// from 0.05 to 50 times the reference. The resolution is checked by
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

    /// The centre actually used for a wanted centre: clamped so that the
    /// band and at least one coarse step on each side fit between the floor
    /// and the choke price. Prices at or below zero keep the band at the floor.
    pub fn clamp_centre(&self, p_ref: f64, wanted: f64) -> f64 {
        let r = self.fine_ratio;
        let half = r.powf(self.fine_steps as f64 + 1.5);
        let lo = p_ref * self.min_multiple * half;
        let hi = p_ref * self.max_multiple / half;
        if !(wanted.is_finite() && wanted > 0.0) || lo >= hi {
            return lo.min(hi).max(f64::MIN_POSITIVE);
        }
        wanted.clamp(lo, hi)
    }

    /// Whether `price` lies inside the fine band around `centre` (within
    /// half a fine step of its outermost fine step).
    pub fn in_band(&self, centre: f64, price: f64) -> bool {
        let edge = self.fine_ratio.powf(self.fine_steps as f64 + 0.5);
        price >= centre / edge && price <= centre * edge
    }

    /// Price boundaries of the steps, highest first, and each step's value:
    /// `(upper boundary, lower boundary, value)`; the top step's upper
    /// boundary is infinite (it starts at zero quantity).
    fn cells(&self, p_ref: f64, centre: f64) -> Vec<(f64, f64, f64)> {
        let r = self.fine_ratio;
        let k = self.fine_steps as i32;
        let c = self.clamp_centre(p_ref, centre);
        let p_max = p_ref * self.max_multiple;
        let p_min = p_ref * self.min_multiple;
        let top = c * r.powf(k as f64 + 0.5);
        let bottom = c / r.powf(k as f64 + 0.5);
        let (l_up, l_dn) = ((p_max / top).ln(), (bottom / p_min).ln());
        let n = self.coarse_steps.max(2) as f64;
        let n_up = ((n * l_up / (l_up + l_dn)).round()).clamp(1.0, n - 1.0) as u32;
        let n_dn = self.coarse_steps.max(2) - n_up;
        let mut cells = Vec::with_capacity(self.len());
        // Coarse steps above the band; the top one is valued at the choke price.
        let ratio_up = (p_max / top).powf(1.0 / n_up as f64);
        for i in (0..n_up).rev() {
            let lo = top * ratio_up.powi(i as i32);
            let hi = lo * ratio_up;
            let value = if i == n_up - 1 {
                p_max
            } else {
                (lo * hi).sqrt()
            };
            let upper = if i == n_up - 1 { f64::INFINITY } else { hi };
            cells.push((upper, lo, value));
        }
        // The fine band.
        for j in (-k..=k).rev() {
            let v = c * r.powi(j);
            cells.push((v * r.sqrt(), v / r.sqrt(), v));
        }
        // Coarse steps below the band, down to the floor.
        let ratio_dn = (bottom / p_min).powf(1.0 / n_dn as f64);
        for i in 0..n_dn {
            let hi = bottom / ratio_dn.powi(i as i32);
            let lo = hi / ratio_dn;
            cells.push((hi, lo, (lo * hi).sqrt()));
        }
        cells
    }
}

/// Steps of the constant-elasticity curve `q(p) = q_ref (p / p_ref)^elasticity`
/// through the reference point `(q_ref, p_ref)`, with the fine band centred
/// on `centre` (USD/kg; see [`CurveParams::clamp_centre`]).
///
/// Each step covers the quantities between `q` at its upper and at its
/// lower price boundary; fine steps are valued at `centre × fine_ratio^j`,
/// so with the centre at the reference price the centre step has value
/// exactly `p_ref` and is centred (in log terms) on `q_ref`. The first step
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
    let valid = q_ref > 0.0 && q_ref.is_finite() && p_ref > 0.0 && elasticity < 0.0;
    steps_for(
        |p| {
            if valid && p.is_finite() {
                q_ref * (p / p_ref).powf(elasticity)
            } else {
                0.0
            }
        },
        p_ref,
        centre,
        params,
    )
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
    let p_ref = if p_ref > 0.0 && p_ref.is_finite() {
        p_ref
    } else {
        1.0
    };
    let mut steps = Vec::with_capacity(params.len());
    let mut q_prev = 0.0;
    for (_, lower, value) in params.cells(p_ref, centre) {
        let x = q(lower);
        let q_hi = if x.is_finite() { x.max(q_prev) } else { q_prev };
        steps.push(Step {
            width: q_hi - q_prev,
            value,
        });
        q_prev = q_hi;
    }
    steps
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
    fn centres_are_clamped_inside_the_range() {
        let p = CurveParams::default();
        let lo = p.clamp_centre(10.0, 0.0);
        let hi = p.clamp_centre(10.0, 1e12);
        assert!(lo > 10.0 * p.min_multiple && lo < 10.0);
        assert!(hi < 10.0 * p.max_multiple && hi > 10.0);
        assert_eq!(p.clamp_centre(10.0, 12.0), 12.0);
        assert_eq!(p.clamp_centre(10.0, f64::NAN), lo);
    }
}
