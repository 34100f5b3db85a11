//! Builds the yearly LP one constraint family at a time and reads it back.
//!
//! The LP's structure (rows, columns, matrix) depends only on the
//! [`Network`]; every number that changes from year to year — capacities,
//! costs, demand steps, recycled supply, stock rules — is a column bound or a
//! column cost. That lets a [`MarketSession`] re-solve the next year from the
//! previous optimal basis.

use oreflow_core::{Commodity, Element, ELEMENTS, N_ELEMENTS};
use oreflow_lp::{Backend, Col, LpError, Problem, RowId, Sense, Session, Status};

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
    NotOptimal {
        year: i32,
        status: Status,
        hint: String,
    },
}

/// Which LP column or row each model quantity uses.
struct Vars {
    /// Output column per mine (bounded by capacity).
    mine_out: Vec<Col>,
    /// Feed column per separation plant (bounded by capacity).
    sep_feed: Vec<Col>,
    /// (mine, plant, col)
    conc: Vec<(usize, usize, Col)>,
    /// (element, from, to, col)
    oxide: Vec<(Element, usize, usize, Col)>,
    /// per magnet plant
    magnet_make: Vec<Col>,
    /// (from, to, col)
    magnet_trade: Vec<(usize, usize, Col)>,
    /// per curve: step columns
    steps: Vec<Vec<Col>>,
    /// (element, region, col)
    disposal: Vec<(Element, usize, Col)>,
    /// (element, region, col): recycled supply, fixed by its bounds
    recycled: Vec<(Element, usize, Col)>,
    /// (element, region, stock-in col, stock-out col)
    stock: Vec<(Element, usize, Col, Col)>,
    /// release column per strategic stockpile
    strategic: Vec<Col>,
    /// total column per cap group
    caps: Vec<Col>,
    /// [region][element]
    balance: Vec<[Option<RowId>; N_ELEMENTS]>,
    magnet_balance: Vec<Option<RowId>>,
}

fn check_shape(net: &Network, d: &YearData) -> Result<(), MarketError> {
    let n = net.regions.len();
    let steps_ok = d.steps.windows(2).all(|w| w[0].len() == w[1].len());
    let checks = [
        ("mine_capacity", d.mine_capacity.len(), net.mines.len()),
        ("mine_cost", d.mine_cost.len(), net.mines.len()),
        (
            "separation_capacity",
            d.separation_capacity.len(),
            net.separation_plants.len(),
        ),
        (
            "separation_cost",
            d.separation_cost.len(),
            net.separation_plants.len(),
        ),
        (
            "magnet_capacity",
            d.magnet_capacity.len(),
            net.magnet_plants.len(),
        ),
        ("magnet_cost", d.magnet_cost.len(), net.magnet_plants.len()),
        ("steps", d.steps.len(), net.curves.len()),
        ("baseline_demand", d.baseline_demand.len(), net.curves.len()),
        ("recycled", d.recycled.len(), n),
        (
            "stocks",
            if d.stocks.is_empty() {
                n
            } else {
                d.stocks.len()
            },
            n,
        ),
        ("concentrate_cost", net.concentrate_cost.len(), n),
        ("oxide_cost", net.oxide_cost.len(), n),
        ("magnet_cost matrix", net.magnet_cost.len(), n),
        (
            "steps per curve (all curves must have the same number)",
            usize::from(steps_ok),
            1,
        ),
    ];
    for (what, got, want) in checks {
        if got != want {
            return Err(MarketError::Shape {
                year: d.year,
                detail: format!("{what} has {got} entries, expected {want}"),
            });
        }
    }
    Ok(())
}

/// Builds and solves one year's market from scratch.
pub fn solve_year(
    net: &Network,
    d: &YearData,
    backend: &dyn Backend,
) -> Result<YearSolution, MarketError> {
    MarketSession::new(net, backend).solve(d)
}

/// Solves a sequence of years on one network, warm-starting each year from
/// the previous year's optimal basis when the backend supports it.
pub struct MarketSession<'a> {
    net: &'a Network,
    solver: &'static str,
    session: Box<dyn Session + 'a>,
}

impl<'a> MarketSession<'a> {
    /// A session on `net` with `backend`.
    pub fn new(net: &'a Network, backend: &'a dyn Backend) -> Self {
        MarketSession {
            net,
            solver: backend.name(),
            session: backend.session(),
        }
    }

    /// Builds and solves year `d`.
    pub fn solve(&mut self, d: &YearData) -> Result<YearSolution, MarketError> {
        let net = self.net;
        check_shape(net, d)?;
        let started = std::time::Instant::now();
        let (lp, vars) = build(net, d);
        let sol = self.session.solve(&lp).map_err(|source| MarketError::Lp {
            year: d.year,
            source,
        })?;
        if sol.status != Status::Optimal {
            let hint = match sol.status {
                Status::Infeasible => "no flows satisfy every balance and capacity row; check this year's capacities \
                    and policy bounds (every LP row and column is labelled with the facility, region and element it stands for)"
                    .to_string(),
                Status::Unbounded => {
                    "welfare can grow without limit: a demand step has infinite width or a cost is negative".to_string()
                }
                _ => "the solver stopped early".to_string(),
            };
            return Err(MarketError::NotOptimal {
                year: d.year,
                status: sol.status,
                hint,
            });
        }
        Ok(read(
            net,
            d,
            &lp,
            &vars,
            &sol,
            self.solver,
            started.elapsed(),
        ))
    }
}

/// Where each element has a market: a separation plant (all elements), a
/// magnet plant (recipe elements) or a direct-use curve. Depends on the
/// network only.
fn relevance(net: &Network) -> Vec<[bool; N_ELEMENTS]> {
    let mut relevant = vec![[false; N_ELEMENTS]; net.regions.len()];
    for p in &net.separation_plants {
        relevant[p.region.index()] = [true; N_ELEMENTS];
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
    relevant
}

fn build(net: &Network, d: &YearData) -> (Problem, Vars) {
    let n = net.regions.len();
    let mut lp = Problem::new(Sense::Maximise);
    let code = |r: usize| net.regions[r].as_str();
    let relevant = relevance(net);
    let inf = f64::INFINITY;

    // Rows: element balances `uses − supplies = 0` wherever an element has a market.
    let mut balance: Vec<[Option<RowId>; N_ELEMENTS]> = vec![[None; N_ELEMENTS]; n];
    for r in 0..n {
        for e in ELEMENTS {
            if relevant[r][e.index()] {
                balance[r][e.index()] =
                    Some(lp.add_row(0.0, 0.0, format!("balance of {e} oxide in {}", code(r))));
            }
        }
    }
    // Rows: magnet balances where magnets are made or used.
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
    let magnet_balance: Vec<Option<RowId>> = (0..n)
        .map(|r| {
            (mag_origin[r] || mag_dest[r])
                .then(|| lp.add_row(0.0, 0.0, format!("balance of magnets in {}", code(r))))
        })
        .collect();

    // Rows: caps on groups of trade flows (quotas, licences): Σ flows = total.
    let cap_rows: Vec<RowId> = net
        .caps
        .iter()
        .map(|g| lp.add_row(0.0, 0.0, format!("cap group {}", g.label)))
        .collect();
    let covers = |g: &crate::CapGroup, e: Element| g.elements.is_empty() || g.elements.contains(&e);
    let cap_coefs = |commodity: oreflow_core::Commodity,
                     e: Option<Element>,
                     content: &[f64; N_ELEMENTS],
                     i: usize,
                     j: usize| {
        net.caps
            .iter()
            .zip(&cap_rows)
            .filter(|(g, _)| {
                g.commodity == commodity
                    && g.from.index() == i
                    && g.to.iter().any(|t| t.index() == j)
                    && match e {
                        Some(e) => covers(g, e),
                        None => ELEMENTS
                            .iter()
                            .any(|&x| content[x.index()] > 0.0 && covers(g, x)),
                    }
            })
            .map(|(_, &row)| (row, 1.0))
            .collect::<Vec<_>>()
    };

    // Rows: guaranteed offtakes, Σ to the partner − share × Σ all ≥ 0 while active.
    let offtake_rows: Vec<RowId> = net
        .offtakes
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let lower = if d.offtakes.get(k).copied().unwrap_or(false) {
                0.0
            } else {
                f64::NEG_INFINITY
            };
            lp.add_row(
                lower,
                f64::INFINITY,
                format!(
                    "offtake of {} concentrate by {}",
                    code(o.from.index()),
                    code(o.to.index())
                ),
            )
        })
        .collect();

    // Mines: output column (capacity bound, mining cost) tied to its shipments.
    let mut mine_rows = Vec::new();
    let mut mine_out = Vec::new();
    for (m, mine) in net.mines.iter().enumerate() {
        let row = lp.add_row(
            0.0,
            0.0,
            format!("shipments of mine {} equal its output", mine.name),
        );
        mine_rows.push(row);
        mine_out.push(lp.add_col(
            -d.mine_cost[m],
            0.0,
            d.mine_capacity[m],
            &[(row, -1.0)],
            format!("output of mine {} (capacity bound)", mine.name),
        ));
    }
    // Separation plants: feed column (capacity bound, separation cost).
    let mut sep_rows = Vec::new();
    let mut sep_feed = Vec::new();
    for (s, plant) in net.separation_plants.iter().enumerate() {
        let row = lp.add_row(
            0.0,
            0.0,
            format!(
                "feed of separation plant {} equals its receipts",
                plant.name
            ),
        );
        sep_rows.push(row);
        sep_feed.push(lp.add_col(
            -d.separation_cost[s],
            0.0,
            d.separation_capacity[s],
            &[(row, -1.0)],
            format!("feed of separation plant {} (capacity bound)", plant.name),
        ));
    }

    // Concentrate from mine m to plant s carries the mine's element mix into
    // the plant's region (joint production stays linear).
    let mut conc = Vec::new();
    for (m, mine) in net.mines.iter().enumerate() {
        for (s, plant) in net.separation_plants.iter().enumerate() {
            let (rm, rs) = (mine.region.index(), plant.region.index());
            let mut coefs = vec![(mine_rows[m], 1.0), (sep_rows[s], 1.0)];
            for e in ELEMENTS {
                let a = mine.composition[e.index()];
                // Without a heavy circuit, the heavy fraction goes on as a
                // mixed by-product to the region that separates it.
                let at = match plant.heavy_to {
                    Some(h) if e.is_heavy() => h.index(),
                    _ => rs,
                };
                if a > 0.0 {
                    if let Some(row) = balance[at][e.index()] {
                        coefs.push((row, -a));
                    }
                }
            }
            coefs.extend(cap_coefs(
                Commodity::Concentrate,
                None,
                &mine.composition,
                rm,
                rs,
            ));
            for (o, &row) in net.offtakes.iter().zip(&offtake_rows) {
                if o.from.index() == rm {
                    let c = if o.to.index() == rs {
                        1.0 - o.share
                    } else {
                        -o.share
                    };
                    if c != 0.0 {
                        coefs.push((row, c));
                    }
                }
            }
            let term = d.trade.conc(rm, rs);
            let col = lp.add_col(
                -(net.concentrate_cost[rm][rs] + term.extra_cost),
                0.0,
                if term.closed { 0.0 } else { inf },
                &coefs,
                format!("concentrate {} -> {}", mine.name, plant.name),
            );
            conc.push((m, s, col));
        }
    }

    // Oxide trade, from regions that separate to regions with a market for it.
    let mut ox_origin = vec![false; n];
    for p in &net.separation_plants {
        ox_origin[p.region.index()] = true;
    }
    let mut oxide = Vec::new();
    for e in ELEMENTS {
        for i in (0..n).filter(|&i| ox_origin[i]) {
            for j in (0..n).filter(|&j| j != i) {
                let (Some(ri), Some(rj)) = (balance[i][e.index()], balance[j][e.index()]) else {
                    continue;
                };
                let mut coefs = vec![(ri, 1.0), (rj, -1.0)];
                coefs.extend(cap_coefs(
                    Commodity::Oxide,
                    Some(e),
                    &[0.0; N_ELEMENTS],
                    i,
                    j,
                ));
                let term = d.trade.ox(e, i, j);
                let col = lp.add_col(
                    -(net.oxide_cost[i][j] + term.extra_cost),
                    0.0,
                    if term.closed { 0.0 } else { inf },
                    &coefs,
                    format!("{e} oxide {} -> {}", code(i), code(j)),
                );
                oxide.push((e, i, j, col));
            }
        }
    }

    // Magnet making (capacity as a column bound; its reduced cost is the rent).
    let mut magnet_make = Vec::new();
    for (p, plant) in net.magnet_plants.iter().enumerate() {
        let r = plant.region.index();
        let mut coefs = Vec::new();
        if let Some(row) = magnet_balance[r] {
            coefs.push((row, -1.0));
        }
        for e in ELEMENTS {
            let b = d.recipe[e.index()];
            if b > 0.0 {
                if let Some(row) = balance[r][e.index()] {
                    coefs.push((row, b));
                }
            }
        }
        magnet_make.push(lp.add_col(
            -d.magnet_cost[p],
            0.0,
            d.magnet_capacity[p],
            &coefs,
            format!("magnets made by {} (capacity bound)", plant.name),
        ));
    }

    // Magnet trade.
    let mut magnet_trade = Vec::new();
    for i in (0..n).filter(|&i| mag_origin[i]) {
        for j in (0..n).filter(|&j| j != i && mag_dest[j]) {
            let (Some(ri), Some(rj)) = (magnet_balance[i], magnet_balance[j]) else {
                continue;
            };
            let mut coefs = vec![(ri, 1.0), (rj, -1.0)];
            coefs.extend(cap_coefs(Commodity::Magnet, None, &d.recipe, i, j));
            let term = d.trade.mag(i, j);
            let col = lp.add_col(
                -(net.magnet_cost[i][j] + term.extra_cost),
                0.0,
                if term.closed { 0.0 } else { inf },
                &coefs,
                format!("magnets {} -> {}", code(i), code(j)),
            );
            magnet_trade.push((i, j, col));
        }
    }

    // Demand steps.
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
                    lp.add_col(
                        st.value,
                        0.0,
                        st.width,
                        &[(row, 1.0)],
                        format!("demand {} step {k}", curve.label),
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        steps.push(cols);
    }

    // Disposal of surplus, recycled supply (fixed) and commercial stocks.
    let mut disposal = Vec::new();
    let mut recycled = Vec::new();
    let mut stock = Vec::new();
    for r in 0..n {
        for e in ELEMENTS {
            let Some(row) = balance[r][e.index()] else {
                continue;
            };
            disposal.push((
                e,
                r,
                lp.add_col(
                    -d.disposal_cost,
                    0.0,
                    inf,
                    &[(row, 1.0)],
                    format!("disposal of {e} in {}", code(r)),
                ),
            ));
            let q = d.recycled[r][e.index()].max(0.0);
            recycled.push((
                e,
                r,
                lp.add_col(
                    0.0,
                    q,
                    q,
                    &[(row, -1.0)],
                    format!("recycled {e} in {}", code(r)),
                ),
            ));
            if let Some(rule) = d.stocks.get(r).and_then(|s| s[e.index()]) {
                let buy = lp.add_col(
                    rule.buy_below,
                    0.0,
                    rule.room.max(0.0),
                    &[(row, 1.0)],
                    format!("stock build of {e} in {}", code(r)),
                );
                let sell = lp.add_col(
                    -rule.sell_above,
                    0.0,
                    rule.opening.max(0.0),
                    &[(row, -1.0)],
                    format!("stock release of {e} in {}", code(r)),
                );
                stock.push((e, r, buy, sell));
            }
        }
    }

    // Strategic stockpiles: release only, at or above a trigger price.
    let mut strategic = Vec::new();
    for (k, &(reg, e)) in net.strategic.iter().enumerate() {
        let rule = d.strategic[k];
        let row = balance[reg.index()][e.index()];
        let coefs: Vec<(RowId, f64)> = row.map(|r| vec![(r, -1.0)]).unwrap_or_default();
        let upper = if row.is_some() {
            rule.opening.max(0.0)
        } else {
            0.0
        };
        let label = format!(
            "strategic stockpile release of {e} in {}",
            code(reg.index())
        );
        strategic.push(lp.add_col(-rule.sell_above, 0.0, upper, &coefs, label));
    }
    // Cap totals: the column's bound is the year's cap.
    let caps: Vec<Col> = net
        .caps
        .iter()
        .enumerate()
        .map(|(k, g)| {
            lp.add_col(
                0.0,
                0.0,
                d.caps[k].max(0.0),
                &[(cap_rows[k], -1.0)],
                format!("total under cap {}", g.label),
            )
        })
        .collect();

    let vars = Vars {
        mine_out,
        sep_feed,
        conc,
        oxide,
        magnet_make,
        magnet_trade,
        steps,
        disposal,
        recycled,
        stock,
        strategic,
        caps,
        balance,
        magnet_balance,
    };
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
    let val = |c: Col| clean(sol.value(c)).max(0.0);
    let mine_output: Vec<f64> = v.mine_out.iter().map(|&c| val(c)).collect();
    let separation_feed: Vec<f64> = v.sep_feed.iter().map(|&c| val(c)).collect();
    let mut separated = vec![[0.0; N_ELEMENTS]; net.separation_plants.len()];
    let mut heavy_byproduct = vec![[0.0; N_ELEMENTS]; n];
    let mut concentrate = Vec::new();
    for &(m, s, col) in &v.conc {
        let x = val(col);
        if x > 0.0 {
            let plant = &net.separation_plants[s];
            for e in ELEMENTS {
                let t = x * net.mines[m].composition[e.index()];
                match plant.heavy_to {
                    Some(h) if e.is_heavy() => heavy_byproduct[h.index()][e.index()] += t,
                    _ => separated[s][e.index()] += t,
                }
            }
            concentrate.push(Flow {
                from: m,
                to: s,
                element: None,
                tonnes: x,
            });
        }
    }
    let oxide_trade = v
        .oxide
        .iter()
        .filter_map(|&(e, i, j, col)| {
            let x = val(col);
            (x > 0.0).then_some(Flow {
                from: i,
                to: j,
                element: Some(e),
                tonnes: x,
            })
        })
        .collect();
    let magnet_output: Vec<f64> = v.magnet_make.iter().map(|&c| val(c)).collect();
    let magnet_trade = v
        .magnet_trade
        .iter()
        .filter_map(|&(i, j, col)| {
            let x = val(col);
            (x > 0.0).then_some(Flow {
                from: i,
                to: j,
                element: None,
                tonnes: x,
            })
        })
        .collect();
    let consumption: Vec<f64> = v
        .steps
        .iter()
        .map(|cols| cols.iter().map(|&c| val(c)).sum())
        .collect();
    let per_region = |cols: &[(Element, usize, Col)]| {
        let mut out = vec![[0.0; N_ELEMENTS]; n];
        for &(e, r, col) in cols {
            out[r][e.index()] = val(col);
        }
        out
    };
    let disposal = per_region(&v.disposal);
    let recycled_used = per_region(&v.recycled);
    let mut stock_in = vec![[0.0; N_ELEMENTS]; n];
    let mut stock_out = vec![[0.0; N_ELEMENTS]; n];
    for &(e, r, buy, sell) in &v.stock {
        stock_in[r][e.index()] = val(buy);
        stock_out[r][e.index()] = val(sell);
    }
    let strategic_release: Vec<f64> = v.strategic.iter().map(|&c| val(c)).collect();
    for (k, &(reg, e)) in net.strategic.iter().enumerate() {
        stock_out[reg.index()][e.index()] += strategic_release[k];
    }
    let cap_flows: Vec<f64> = v.caps.iter().map(|&c| val(c)).collect();
    let prices: Vec<[Option<f64>; N_ELEMENTS]> = v
        .balance
        .iter()
        .map(|row| row.map(|r| r.map(|r| clean(sol.dual(r)))))
        .collect();
    let magnet_price: Vec<Option<f64>> = v
        .magnet_balance
        .iter()
        .map(|r| r.map(|r| clean(sol.dual(r))))
        .collect();
    let rent = |cols: &[Col]| {
        cols.iter()
            .map(|&c| clean(sol.reduced_cost(c)).max(0.0))
            .collect::<Vec<f64>>()
    };
    let gross_value = v
        .steps
        .iter()
        .zip(&d.steps)
        .map(|(cols, st)| cols.iter().zip(st).map(|(&c, s)| val(c) * s.value).sum())
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
        heavy_byproduct,
        magnet_output,
        concentrate,
        oxide_trade,
        magnet_trade,
        consumption,
        gross_value_kusd: gross_value,
        disposal,
        recycled_used,
        stock_in,
        stock_out,
        strategic_release,
        cap_flows,
        recipe: d.recipe,
        prices,
        magnet_price,
        mine_rent: rent(&v.mine_out),
        separation_rent: rent(&v.sep_feed),
        magnet_rent: rent(&v.magnet_make),
    }
}
