//! Builds the yearly LP one constraint family at a time and reads it back.

use oreflow_core::{Element, ELEMENTS, N_ELEMENTS};
use oreflow_lp::{Backend, Col, LpError, Problem, RowId, Sense, Status};

use crate::solution::{Flow, YearSolution};
use crate::{Good, Network, YearData};

/// Why a year could not be solved.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MarketError {
    #[error("year {year}: the input does not match the network: {detail}")]
    Shape { year: i32, detail: String },
    #[error("year {year}: {source}")]
    Lp { year: i32, source: LpError },
    #[error("year {year}: the market LP is {status:?}; {hint}")]
    NotOptimal { year: i32, status: Status, hint: String },
}

/// Which LP column or row each model quantity uses.
struct Vars {
    /// (mine, plant, col)
    conc: Vec<(usize, usize, Col)>,
    /// (element, from, to, col)
    oxide: Vec<(Element, usize, usize, Col)>,
    /// (plant, col)
    magnet_make: Vec<Col>,
    /// (from, to, col)
    magnet_trade: Vec<(usize, usize, Col)>,
    /// per curve: step columns
    steps: Vec<Vec<Col>>,
    /// (element, region, col)
    disposal: Vec<(Element, usize, Col)>,
    mine_cap: Vec<RowId>,
    sep_cap: Vec<RowId>,
    /// [region][element]
    balance: Vec<[Option<RowId>; N_ELEMENTS]>,
    magnet_balance: Vec<Option<RowId>>,
}

fn check_shape(net: &Network, d: &YearData) -> Result<(), MarketError> {
    let n = net.regions.len();
    let checks = [
        ("mine_capacity", d.mine_capacity.len(), net.mines.len()),
        ("mine_cost", d.mine_cost.len(), net.mines.len()),
        ("separation_capacity", d.separation_capacity.len(), net.separation_plants.len()),
        ("separation_cost", d.separation_cost.len(), net.separation_plants.len()),
        ("magnet_capacity", d.magnet_capacity.len(), net.magnet_plants.len()),
        ("magnet_cost", d.magnet_cost.len(), net.magnet_plants.len()),
        ("steps", d.steps.len(), net.curves.len()),
        ("baseline_demand", d.baseline_demand.len(), net.curves.len()),
        ("recycled", d.recycled.len(), n),
        ("concentrate_cost", net.concentrate_cost.len(), n),
        ("oxide_cost", net.oxide_cost.len(), n),
        ("magnet_cost matrix", net.magnet_cost.len(), n),
    ];
    for (what, got, want) in checks {
        if got != want {
            return Err(MarketError::Shape { year: d.year, detail: format!("{what} has {got} entries, expected {want}") });
        }
    }
    Ok(())
}

/// Builds and solves one year's market.
pub fn solve_year(net: &Network, d: &YearData, backend: &dyn Backend) -> Result<YearSolution, MarketError> {
    check_shape(net, d)?;
    let started = std::time::Instant::now();
    let (lp, vars) = build(net, d);
    let sol = backend.solve(&lp).map_err(|source| MarketError::Lp { year: d.year, source })?;
    if sol.status != Status::Optimal {
        let hint = match sol.status {
            Status::Infeasible => "no flows satisfy every balance and capacity row; check capacities and \
                policy bounds for this year (every row is labelled: see `oreflow run --verbose`)"
                .to_string(),
            Status::Unbounded => "welfare can grow without limit: a demand step has infinite width or a cost is negative"
                .to_string(),
            _ => "the solver stopped early".to_string(),
        };
        return Err(MarketError::NotOptimal { year: d.year, status: sol.status, hint });
    }
    Ok(read(net, d, &lp, &vars, &sol, backend.name(), started.elapsed()))
}

/// Regions that can ship oxide (they separate or recycle) and that use it.
fn oxide_regions(net: &Network, d: &YearData) -> (Vec<bool>, Vec<bool>) {
    let n = net.regions.len();
    let mut origin = vec![false; n];
    let mut dest = vec![false; n];
    for p in &net.separation_plants {
        origin[p.region.index()] = true;
    }
    for (r, rec) in d.recycled.iter().enumerate() {
        if rec.iter().any(|&x| x > 0.0) {
            origin[r] = true;
        }
    }
    for p in &net.magnet_plants {
        dest[p.region.index()] = true;
    }
    for c in &net.curves {
        if let Good::Oxide(_) = c.good {
            dest[c.region.index()] = true;
        }
    }
    (origin, dest)
}

fn build(net: &Network, d: &YearData) -> (Problem, Vars) {
    let n = net.regions.len();
    let mut lp = Problem::new(Sense::Maximise);
    let code = |r: usize| net.regions[r].as_str();

    // Which elements have any use at all (others are only disposed of).
    let mut used = [false; N_ELEMENTS];
    for c in &net.curves {
        match c.good {
            Good::Oxide(e) => used[e.index()] = true,
            Good::Magnet => {
                for e in ELEMENTS {
                    used[e.index()] |= net.recipe[e.index()] > 0.0;
                }
            }
        }
    }
    let (ox_origin, ox_dest) = oxide_regions(net, d);

    // Rows: capacities.
    let mine_cap: Vec<RowId> = net
        .mines
        .iter()
        .enumerate()
        .map(|(m, spec)| lp.add_row(f64::NEG_INFINITY, d.mine_capacity[m], format!("capacity of mine {}", spec.name)))
        .collect();
    let sep_cap: Vec<RowId> = net
        .separation_plants
        .iter()
        .enumerate()
        .map(|(s, spec)| {
            lp.add_row(f64::NEG_INFINITY, d.separation_capacity[s], format!("feed capacity of separation plant {}", spec.name))
        })
        .collect();

    // Rows: element balances `uses − supplies = recycled`, for every region
    // and element with a market there: local separation or recycling, a
    // direct use, or magnet making that needs the element.
    let mut relevant = vec![[false; N_ELEMENTS]; n];
    for p in &net.separation_plants {
        relevant[p.region.index()] = [true; N_ELEMENTS];
    }
    for (r, rec) in d.recycled.iter().enumerate() {
        for e in ELEMENTS {
            relevant[r][e.index()] |= rec[e.index()] > 0.0;
        }
    }
    for p in &net.magnet_plants {
        for e in ELEMENTS {
            relevant[p.region.index()][e.index()] |= net.recipe[e.index()] > 0.0;
        }
    }
    for c in &net.curves {
        if let Good::Oxide(e) = c.good {
            relevant[c.region.index()][e.index()] = true;
        }
    }
    let mut balance: Vec<[Option<RowId>; N_ELEMENTS]> = vec![[None; N_ELEMENTS]; n];
    for r in 0..n {
        for e in ELEMENTS {
            if relevant[r][e.index()] {
                let rec = d.recycled[r][e.index()];
                balance[r][e.index()] = Some(lp.add_row(rec, rec, format!("balance of {e} oxide in {}", code(r))));
            }
        }
    }
    // Rows: magnet balances where magnets are made or used.
    let mut magnet_balance: Vec<Option<RowId>> = vec![None; n];
    let mut mag_origin = vec![false; n];
    let mut mag_dest = vec![false; n];
    for p in &net.magnet_plants {
        mag_origin[p.region.index()] = true;
    }
    for c in &net.curves {
        if c.good == Good::Magnet {
            mag_dest[c.region.index()] = true;
        }
    }
    for r in 0..n {
        if mag_origin[r] || mag_dest[r] {
            magnet_balance[r] = Some(lp.add_row(0.0, 0.0, format!("balance of magnets in {}", code(r))));
        }
    }

    // Columns: concentrate from mine m to plant s, carrying its element mix.
    let mut conc = Vec::new();
    for (m, mine) in net.mines.iter().enumerate() {
        for (s, plant) in net.separation_plants.iter().enumerate() {
            let (rm, rs) = (mine.region.index(), plant.region.index());
            let cost = d.mine_cost[m] + d.separation_cost[s] + net.concentrate_cost[rm][rs];
            let mut coefs = vec![(mine_cap[m], 1.0), (sep_cap[s], 1.0)];
            for e in ELEMENTS {
                let a = mine.composition[e.index()];
                if a > 0.0 {
                    if let Some(row) = balance[rs][e.index()] {
                        coefs.push((row, -a));
                    }
                }
            }
            let col = lp.add_col(-cost, 0.0, f64::INFINITY, &coefs, format!("concentrate {} -> {}", mine.name, plant.name));
            conc.push((m, s, col));
        }
    }

    // Columns: oxide trade.
    let mut oxide = Vec::new();
    for e in ELEMENTS.iter().copied().filter(|e| used[e.index()]) {
        for i in (0..n).filter(|&i| ox_origin[i]) {
            for j in (0..n).filter(|&j| j != i && ox_dest[j]) {
                let (Some(ri), Some(rj)) = (balance[i][e.index()], balance[j][e.index()]) else { continue };
                let col = lp.add_col(
                    -net.oxide_cost[i][j],
                    0.0,
                    f64::INFINITY,
                    &[(ri, 1.0), (rj, -1.0)],
                    format!("{e} oxide {} -> {}", code(i), code(j)),
                );
                oxide.push((e, i, j, col));
            }
        }
    }

    // Columns: magnet making (capacity as a column bound; its reduced cost is the rent).
    let mut magnet_make = Vec::new();
    for (p, plant) in net.magnet_plants.iter().enumerate() {
        let r = plant.region.index();
        let mut coefs = Vec::new();
        if let Some(row) = magnet_balance[r] {
            coefs.push((row, -1.0));
        }
        for e in ELEMENTS {
            let b = net.recipe[e.index()];
            if b > 0.0 {
                if let Some(row) = balance[r][e.index()] {
                    coefs.push((row, b));
                }
            }
        }
        let col = lp.add_col(-d.magnet_cost[p], 0.0, d.magnet_capacity[p], &coefs, format!("magnets made by {}", plant.name));
        magnet_make.push(col);
    }

    // Columns: magnet trade.
    let mut magnet_trade = Vec::new();
    for i in (0..n).filter(|&i| mag_origin[i]) {
        for j in (0..n).filter(|&j| j != i && mag_dest[j]) {
            let (Some(ri), Some(rj)) = (magnet_balance[i], magnet_balance[j]) else { continue };
            let col = lp.add_col(
                -net.magnet_cost[i][j],
                0.0,
                f64::INFINITY,
                &[(ri, 1.0), (rj, -1.0)],
                format!("magnets {} -> {}", code(i), code(j)),
            );
            magnet_trade.push((i, j, col));
        }
    }

    // Columns: demand steps.
    let mut steps = Vec::with_capacity(net.curves.len());
    for (c, curve) in net.curves.iter().enumerate() {
        let r = curve.region.index();
        let row = match curve.good {
            Good::Magnet => magnet_balance[r],
            Good::Oxide(e) => balance[r][e.index()],
        };
        let cols = match row {
            Some(row) => d.steps[c]
                .iter()
                .enumerate()
                .map(|(k, st)| {
                    lp.add_col(st.value, 0.0, st.width, &[(row, 1.0)], format!("demand {} step {k} at {:.4} USD/kg", curve.label, st.value))
                })
                .collect(),
            None => Vec::new(),
        };
        steps.push(cols);
    }

    // Columns: disposal of surplus elements.
    let mut disposal = Vec::new();
    for r in 0..n {
        for e in ELEMENTS {
            if let Some(row) = balance[r][e.index()] {
                let col = lp.add_col(-d.disposal_cost, 0.0, f64::INFINITY, &[(row, 1.0)], format!("disposal of {e} in {}", code(r)));
                disposal.push((e, r, col));
            }
        }
    }

    let vars = Vars { conc, oxide, magnet_make, magnet_trade, steps, disposal, mine_cap, sep_cap, balance, magnet_balance };
    (lp, vars)
}

fn read(
    net: &Network,
    d: &YearData,
    lp: &Problem,
    v: &Vars,
    sol: &oreflow_lp::Solution,
    solver: &'static str,
    elapsed: std::time::Duration,
) -> YearSolution {
    let n = net.regions.len();
    let clean = |x: f64| if x.abs() < 1e-9 { 0.0 } else { x };
    let mut mine_output = vec![0.0; net.mines.len()];
    let mut separation_feed = vec![0.0; net.separation_plants.len()];
    let mut separated = vec![[0.0; N_ELEMENTS]; net.separation_plants.len()];
    let mut concentrate = Vec::new();
    for &(m, s, col) in &v.conc {
        let x = clean(sol.value(col)).max(0.0);
        if x > 0.0 {
            mine_output[m] += x;
            separation_feed[s] += x;
            for e in ELEMENTS {
                separated[s][e.index()] += x * net.mines[m].composition[e.index()];
            }
            concentrate.push(Flow { from: m, to: s, element: None, tonnes: x });
        }
    }
    let oxide_trade = v
        .oxide
        .iter()
        .filter_map(|&(e, i, j, col)| {
            let x = clean(sol.value(col)).max(0.0);
            (x > 0.0).then_some(Flow { from: i, to: j, element: Some(e), tonnes: x })
        })
        .collect();
    let magnet_output: Vec<f64> = v.magnet_make.iter().map(|&c| clean(sol.value(c)).max(0.0)).collect();
    let magnet_trade = v
        .magnet_trade
        .iter()
        .filter_map(|&(i, j, col)| {
            let x = clean(sol.value(col)).max(0.0);
            (x > 0.0).then_some(Flow { from: i, to: j, element: None, tonnes: x })
        })
        .collect();
    let consumption: Vec<f64> =
        v.steps.iter().map(|cols| cols.iter().map(|&c| clean(sol.value(c)).max(0.0)).sum()).collect();
    let mut disposal = vec![[0.0; N_ELEMENTS]; n];
    for &(e, r, col) in &v.disposal {
        disposal[r][e.index()] = clean(sol.value(col)).max(0.0);
    }
    let prices: Vec<[Option<f64>; N_ELEMENTS]> =
        v.balance.iter().map(|row| row.map(|r| r.map(|r| clean(sol.dual(r))))).collect();
    let magnet_price: Vec<Option<f64>> = v.magnet_balance.iter().map(|r| r.map(|r| clean(sol.dual(r)))).collect();
    let mine_rent = v.mine_cap.iter().map(|&r| clean(sol.dual(r)).max(0.0)).collect();
    let separation_rent = v.sep_cap.iter().map(|&r| clean(sol.dual(r)).max(0.0)).collect();
    let magnet_rent = v.magnet_make.iter().map(|&c| clean(sol.reduced_cost(c)).max(0.0)).collect();
    // Gross consumer value (area under the demand steps used), per curve.
    let gross_value = v
        .steps
        .iter()
        .zip(&d.steps)
        .map(|(cols, st)| cols.iter().zip(st).map(|(&c, s)| clean(sol.value(c)).max(0.0) * s.value).sum())
        .collect();
    YearSolution {
        year: d.year,
        solver,
        welfare_kusd: sol.objective,
        iterations: sol.iterations,
        lp_rows: lp.num_rows(),
        lp_cols: lp.num_cols(),
        solve_seconds: elapsed.as_secs_f64(),
        mine_output,
        separation_feed,
        separated,
        magnet_output,
        concentrate,
        oxide_trade,
        magnet_trade,
        consumption,
        gross_value_kusd: gross_value,
        disposal,
        prices,
        magnet_price,
        mine_rent,
        separation_rent,
        magnet_rent,
    }
}
