//! The basis inverse in product form: `B⁻¹ = E_k ⋯ E_1`, each `E` an
//! elementary matrix that differs from the identity in one column (an
//! "eta"). A refactorisation pivots the basis' columns in one at a time
//! (logicals first, then structurals by increasing length, each on the free
//! row where its transformed column is largest); each simplex update appends
//! one eta. Vectors are dense (the LPs have a few hundred rows).

/// One eta: pivot row `row`, pivot value `pivot`, the other entries of the
/// transformed column in `idx[start..end]`, `val[start..end]`.
#[derive(Clone, Copy, Debug)]
struct Eta {
    row: u32,
    pivot: f64,
    start: u32,
    end: u32,
}

/// Entries smaller than this are dropped from an eta.
const DROP: f64 = 1e-14;

#[derive(Clone, Debug, Default)]
pub(crate) struct Factor {
    etas: Vec<Eta>,
    idx: Vec<u32>,
    val: Vec<f64>,
    /// Etas appended since the last refactorisation.
    pub(crate) updates: usize,
}

impl Factor {
    pub(crate) fn clear(&mut self) {
        self.etas.clear();
        self.idx.clear();
        self.val.clear();
        self.updates = 0;
    }

    /// Non-zeros held (for statistics).
    pub(crate) fn nonzeros(&self) -> usize {
        self.idx.len() + self.etas.len()
    }

    /// Appends the eta of the transformed column `col` pivoting on `row`.
    pub(crate) fn push(&mut self, row: usize, col: &[f64]) {
        let start = self.idx.len() as u32;
        for (i, &v) in col.iter().enumerate() {
            if i != row && v.abs() > DROP {
                self.idx.push(i as u32);
                self.val.push(v);
            }
        }
        self.etas.push(Eta {
            row: row as u32,
            pivot: col[row],
            start,
            end: self.idx.len() as u32,
        });
    }

    /// `x := B⁻¹ x`.
    pub(crate) fn ftran(&self, x: &mut [f64]) {
        for e in &self.etas {
            let r = e.row as usize;
            if x[r] == 0.0 {
                continue;
            }
            let xr = x[r] / e.pivot;
            x[r] = xr;
            let (s, t) = (e.start as usize, e.end as usize);
            for (&i, &v) in self.idx[s..t].iter().zip(&self.val[s..t]) {
                x[i as usize] -= v * xr;
            }
        }
    }

    /// `y := B⁻ᵀ y`.
    pub(crate) fn btran(&self, y: &mut [f64]) {
        for e in self.etas.iter().rev() {
            let r = e.row as usize;
            let (s, t) = (e.start as usize, e.end as usize);
            let mut sum = y[r];
            for (&i, &v) in self.idx[s..t].iter().zip(&self.val[s..t]) {
                sum -= v * y[i as usize];
            }
            y[r] = sum / e.pivot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftran_and_btran_invert_a_small_basis() {
        // B = [[2, 1], [1, 3]]: pivot column 0 on row 0, then column 1.
        let mut f = Factor::default();
        let mut c0 = vec![2.0, 1.0];
        f.ftran(&mut c0);
        f.push(0, &c0);
        let mut c1 = vec![1.0, 3.0];
        f.ftran(&mut c1);
        f.push(1, &c1);
        // B x = b with b = (5, 10): x = (1, 3).
        let mut x = vec![5.0, 10.0];
        f.ftran(&mut x);
        assert!(
            (x[0] - 1.0).abs() < 1e-12 && (x[1] - 3.0).abs() < 1e-12,
            "{x:?}"
        );
        // Bᵀ y = c with c = (4, 7): y = (1, 2).
        let mut y = vec![4.0, 7.0];
        f.btran(&mut y);
        assert!(
            (y[0] - 1.0).abs() < 1e-12 && (y[1] - 2.0).abs() < 1e-12,
            "{y:?}"
        );
    }
}
