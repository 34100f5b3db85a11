//! Percentiles and probabilities over the runs of an ensemble, per metric
//! and year. Everything here is computed from the runs table in run order,
//! so one run, two threads or merged shards give the same bytes.

/// Statistics of one metric in one year across runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// Runs with a value (NaN — no market — is left out).
    pub runs: usize,
    pub mean: f64,
    pub min: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

/// The `q`-quantile of sorted values, linear between order statistics
/// (Hyndman & Fan type 7, the default of numpy, R and pandas): position
/// `(n − 1)·q`.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Statistics of `values` (in run order; the mean is summed in that order).
pub fn stats(values: &[f64]) -> Option<Stats> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.sort_by(f64::total_cmp);
    Some(Stats {
        runs: v.len(),
        mean,
        min: v[0],
        p5: quantile_sorted(&v, 0.05),
        p50: quantile_sorted(&v, 0.5),
        p95: quantile_sorted(&v, 0.95),
        max: v[v.len() - 1],
    })
}

/// Share of `values` strictly above `threshold` (NaN left out).
pub fn share_above(values: &[f64], threshold: f64) -> Option<(usize, f64)> {
    let n = values.iter().filter(|x| !x.is_nan()).count();
    (n > 0).then(|| {
        let above = values.iter().filter(|&&x| x > threshold).count();
        (n, above as f64 / n as f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_quantiles_match_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile_sorted(&v, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 0.5), 3.0);
        assert!((quantile_sorted(&v, 0.95) - 8.8).abs() < 1e-12);
        let s = stats(&[10.0, f64::NAN, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.runs, s.min, s.max, s.mean), (5, 1.0, 10.0, 4.0));
        assert!(stats(&[f64::NAN]).is_none());
        assert_eq!(share_above(&[0.0, 0.1, 0.2, 0.3], 0.1), Some((4, 0.5)));
    }

    #[test]
    fn with_101_values_the_percentiles_are_order_statistics() {
        let v: Vec<f64> = (0..101).map(|i| (i * i) as f64).collect();
        assert_eq!(quantile_sorted(&v, 0.05), 25.0);
        assert_eq!(quantile_sorted(&v, 0.95), 9025.0);
    }
}
