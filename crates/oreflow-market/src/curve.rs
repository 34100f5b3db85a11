//! Piecewise-linear (stepped) demand curves.

/// One step of a demand curve: up to `width` tonnes are worth `value` USD/kg each.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub width: f64,
    pub value: f64,
}

/// How a constant-elasticity curve is cut into steps.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveParams {
    /// Price ratio between neighbouring steps near the reference point.
    pub fine_ratio: f64,
    /// Number of fine steps on each side of the reference step.
    pub fine_steps: u32,
    /// Price ratio between steps further out.
    pub coarse_ratio: f64,
    /// Highest price, as a multiple of the reference price (the choke price:
    /// demand below the quantity it implies is valued at this price).
    pub max_multiple: f64,
    /// Lowest price step, as a multiple of the reference price: beyond the
    /// quantity it implies, nobody buys.
    pub min_multiple: f64,
}

impl Default for CurveParams {
    fn default() -> Self {
        CurveParams {
            fine_ratio: 1.05,
            fine_steps: 3,
            coarse_ratio: 1.6,
            max_multiple: 20.0,
            min_multiple: 0.05,
        }
    }
}

/// Steps of the constant-elasticity curve `q(p) = q_ref (p / p_ref)^elasticity`
/// through the reference point `(q_ref, p_ref)`.
///
/// Steps are spaced geometrically in price (finely near the reference, coarsely
/// further out); step `k` at price `p_k` covers the quantities between
/// `q(p_k·√r)` and `q(p_k/√r)`. The reference step is centred on `q_ref` with
/// value exactly `p_ref`, so a market that clears at `q_ref` prices at `p_ref`.
/// The first step runs from zero at the choke price `max_multiple × p_ref`.
///
/// The number of steps depends on `params` only, so curves of any size share
/// one LP structure; a curve with no demand (`q_ref = 0`, or no price) has
/// steps of zero width.
pub fn constant_elasticity_steps(
    q_ref: f64,
    p_ref: f64,
    elasticity: f64,
    params: &CurveParams,
) -> Vec<Step> {
    let valid = q_ref > 0.0 && p_ref > 0.0 && elasticity < 0.0;
    let (q_ref, p_ref) = if valid {
        (q_ref, p_ref)
    } else {
        (0.0, p_ref.max(0.0))
    };
    let q = |p: f64| {
        if valid {
            q_ref * (p / p_ref).powf(elasticity)
        } else {
            0.0
        }
    };
    // Price levels, highest first, as multiples of the reference price: the
    // number of steps depends on `params` only, never on the size of the
    // numbers (a reference price of 1e308 must not make the loop run on),
    // and at most `MAX_STEPS` on each side whatever the ratios.
    const MAX_STEPS: usize = 64;
    let mut levels: Vec<(f64, f64)> = Vec::new(); // (price, half-ratio)
    let mut above = Vec::new();
    let mut m = 1.0;
    for _ in 0..params.fine_steps.min(MAX_STEPS as u32) {
        m *= params.fine_ratio;
        above.push((m, params.fine_ratio));
    }
    while above.len() < MAX_STEPS && m * params.coarse_ratio <= params.max_multiple {
        m *= params.coarse_ratio;
        above.push((m, params.coarse_ratio));
    }
    above.reverse();
    levels.extend(above);
    levels.push((1.0, params.fine_ratio));
    let mut m = 1.0;
    let mut below = 0;
    for _ in 0..params.fine_steps.min(MAX_STEPS as u32) {
        m /= params.fine_ratio;
        levels.push((m, params.fine_ratio));
    }
    while below < MAX_STEPS && m / params.coarse_ratio >= params.min_multiple {
        m /= params.coarse_ratio;
        levels.push((m, params.coarse_ratio));
        below += 1;
    }
    for l in &mut levels {
        l.0 *= p_ref;
    }
    // Boundaries between levels: geometric mean of neighbouring prices.
    let mut steps = Vec::with_capacity(levels.len());
    let mut q_prev = 0.0;
    for (i, &(price, ratio)) in levels.iter().enumerate() {
        let lower_price = match levels.get(i + 1) {
            Some(&(next, _)) => (price * next).sqrt(),
            None => price / ratio.sqrt(),
        };
        let q_hi = q(lower_price).max(q_prev);
        steps.push(Step {
            width: q_hi - q_prev,
            value: price,
        });
        q_prev = q_hi;
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_step_is_centred_on_the_reference_point() {
        for el in [-0.2, -0.5, -1.2] {
            let s = constant_elasticity_steps(1000.0, 56.0, el, &CurveParams::default());
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
            let floor = s.last().unwrap().value / 1.6f64.sqrt();
            assert!((total - 1000.0 * (floor / 56.0).powf(el)).abs() < 1e-6 * total);
            // Top step is at most the choke price.
            assert!(s[0].value <= 56.0 * 20.0 + 1e-9);
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
        assert_eq!(constant_elasticity_steps(3.0, 812.0, -1.5, &p).len(), n);
        let empty = constant_elasticity_steps(0.0, 1.0, -0.5, &p);
        assert_eq!(empty.len(), n);
        assert!(empty.iter().all(|s| s.width == 0.0));
        assert!(constant_elasticity_steps(1.0, 1.0, 0.5, &p)
            .iter()
            .all(|s| s.width == 0.0));
    }
}
