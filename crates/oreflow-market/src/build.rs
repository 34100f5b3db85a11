//! Builds the yearly LP one constraint family at a time and reads it back.
//!
//! The LP's structure (rows, columns, matrix) depends only on the
//! [`Network`]; every number that changes from year to year — capacities,
//! costs, demand steps, recycled supply, stock rules — is a column bound or a
//! column cost. That lets a [`MarketSession`] re-solve the next year from the
//! previous optimal basis.

use oreflow_core::{Commodity, Element, ELEMENTS, N_ELEMENTS};
use oreflow_lp::{Backend, Basis, Col, LpError, Problem, RowId, Sense, Session, Status};

use crate::solution::{Flow, YearSolution};
use crate::{Good, Network, Step, YearData};

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
    /// (shipping group of [`Layout`], plant, col)
    conc: Vec<(usize, usize, Col)>,
    /// (element, from, to, col)
    oxide: Vec<(Element, usize, usize, Col)>,
    /// per magnet plant
    magnet_make: Vec<Col>,
    /// (from, to, col)
    magnet_trade: Vec<(usize, usize, Col)>,
    /// Demand curves (and stockholders' demand) that share step columns
    /// (see `build`).
    demand: Vec<DemandGroup>,
    /// (element, region, col)
    disposal: Vec<(Element, usize, Col)>,
    /// (element, region, col): recycled supply, fixed by its bounds
    recycled: Vec<(Element, usize, Col)>,
    /// (element, region, opening-stock col): the stock held at the start of
    /// the year, supplied to the market (fixed by its bounds)
    stock: Vec<(Element, usize, Col)>,
    /// (region, opening-stock col) for magnets
    magnet_stock: Vec<(usize, Col)>,
    /// (element, region, col): negative unattributed residual, a fixed supply
    unattributed_supply: Vec<(Element, usize, Col)>,
    /// mine output columns' production-cap rows are in `production_caps`
    production_caps: Vec<RowId>,
    /// leak column per cap group
    cap_leaks: Vec<Col>,
    /// release column per strategic stockpile
    strategic: Vec<Col>,
    /// total column per cap group
    caps: Vec<Col>,
    /// [region][element]
    balance: Vec<[Option<RowId>; N_ELEMENTS]>,
    /// [region][element]: something can supply or use the element there.
    priced: Vec<[bool; N_ELEMENTS]>,
    magnet_balance: Vec<Option<RowId>>,
}

/// Demand curves (and the other members below) on one balance row with
/// steps at the same prices, and the step columns they share.
struct DemandGroup {
    row: RowId,
    members: Vec<Member>,
    cols: Vec<Col>,
}

/// What shares a group's step columns.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Member {
    /// A demand curve (index into `Network::curves`).
    Curve(usize),
    /// Stockholders' demand for closing stock of an element in a region.
    Stock(usize, Element),
    /// An unattributed use (the top step only: absorbed first).
    Unattributed(usize, Element),
    /// Stockholders' demand for closing stock of magnets in a region.
    MagnetStock(usize),
}

impl Member {
    /// Width of step `k` of this member this year.
    fn width(self, d: &YearData, k: usize) -> f64 {
        match self {
            Member::Curve(c) => d.steps[c][k].width,
            Member::Stock(r, e) => d.stocks[r][e.index()]
                .as_ref()
                .and_then(|h| h.steps.get(k))
                .map(|s| s.width)
                .unwrap_or(0.0),
            Member::Unattributed(r, e) if k == 0 => d
                .unattributed_use
                .get(r)
                .map(|u| u[e.index()])
                .unwrap_or(0.0)
                .max(0.0),
            Member::Unattributed(..) => 0.0,
            Member::MagnetStock(r) => d
                .magnet_stocks
                .get(r)
                .and_then(|h| h.as_ref())
                .and_then(|h| h.steps.get(k))
                .map(|s| s.width)
                .unwrap_or(0.0),
        }
    }
}

/// Where [`build`] writes: a fresh [`Problem`] (rows, columns, matrix and
/// labels), or a problem built before whose numbers it rewrites in place —
/// bounds, costs and coefficient values — without formatting a label. An
/// update that meets a different shape (a coefficient that became zero, a
/// different number of columns) marks itself broken and the caller builds
/// afresh.
struct Writer<'p> {
    lp: &'p mut Problem,
    fresh: bool,
    next_row: u32,
    next_col: u32,
    broken: bool,
    /// Degeneracy breaks (see [`Network::cost_break`] and
    /// [`Network::bound_break`]): relative perturbations of costs and of
    /// upper bounds.
    cost_break: f64,
    bound_break: f64,
}

/// A cost times `1 + eps × u(key)`: a fixed relative perturbation.
fn perturbed_cost(x: f64, eps: f64, key: [usize; 4]) -> f64 {
    if eps == 0.0 || x == 0.0 || !x.is_finite() {
        x
    } else {
        x * (1.0 + eps * tie(key))
    }
}

/// A positive finite upper bound above its lower bound, times
/// `1 − eps × u(key)`: a fixed relative perturbation that only ever
/// tightens (a capacity, a quota, a stockpile or a demand step is never
/// exceeded because of it). Lower bounds and fixed values are left as
/// they are.
fn perturbed_upper(lower: f64, upper: f64, eps: f64, key: [usize; 4]) -> f64 {
    if eps == 0.0 || !(upper > 0.0 && upper.is_finite() && upper > lower) {
        upper
    } else {
        (upper * (1.0 - eps * tie(key))).max(lower)
    }
}

impl<'p> Writer<'p> {
    /// A writer that creates the problem, with `net`'s degeneracy breaks.
    fn fresh(lp: &'p mut Problem, net: &Network) -> Self {
        Writer {
            lp,
            fresh: true,
            next_row: 0,
            next_col: 0,
            broken: false,
            cost_break: net.cost_break,
            bound_break: net.bound_break,
        }
    }

    /// A writer that rewrites the numbers of a problem built before.
    fn update(lp: &'p mut Problem, net: &Network) -> Self {
        Writer {
            fresh: false,
            ..Writer::fresh(lp, net)
        }
    }

    fn row(&mut self, lower: f64, upper: f64, label: impl FnOnce() -> String) -> RowId {
        let i = if self.fresh {
            self.lp.num_rows()
        } else {
            self.next_row as usize
        };
        let upper = perturbed_upper(lower, upper, self.bound_break, [3, i, 0, 0]);
        if self.fresh {
            return self.lp.add_row(lower, upper, label());
        }
        self.next_row += 1;
        if i < self.lp.num_rows() {
            self.lp.set_row_bounds(RowId(i as u32), lower, upper);
        } else {
            self.broken = true;
        }
        RowId(i as u32)
    }

    fn col(
        &mut self,
        cost: f64,
        lower: f64,
        upper: f64,
        coefs: &[(RowId, f64)],
        label: impl FnOnce() -> String,
    ) -> Col {
        let j = self.next_col_index();
        let cost = perturbed_cost(cost, self.cost_break, [1, j, 0, 0]);
        let upper = perturbed_upper(lower, upper, self.bound_break, [2, j, 0, 0]);
        self.col_exact(cost, lower, upper, coefs, label)
    }

    /// Index the next column will have.
    fn next_col_index(&self) -> usize {
        if self.fresh {
            self.lp.num_cols()
        } else {
            self.next_col as usize
        }
    }

    /// A column with its numbers as given: the caller has applied the
    /// degeneracy breaks (demand steps: see [`step_costs`]).
    fn col_exact(
        &mut self,
        cost: f64,
        lower: f64,
        upper: f64,
        coefs: &[(RowId, f64)],
        label: impl FnOnce() -> String,
    ) -> Col {
        let j = self.next_col_index();
        if self.fresh {
            return self.lp.add_col(cost, lower, upper, coefs, label());
        }
        self.next_col += 1;
        let c = Col(j as u32);
        if j < self.lp.num_cols() && self.lp.set_col_entries(c, coefs) {
            self.lp.set_col_bounds(c, lower, upper);
            self.lp.set_col_cost(c, cost);
        } else {
            self.broken = true;
        }
        c
    }

    /// Whether an update rewrote exactly the problem's rows and columns.
    fn complete(&self) -> bool {
        self.fresh
            || (!self.broken
                && self.next_row as usize == self.lp.num_rows()
                && self.next_col as usize == self.lp.num_cols())
    }
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
///
/// The LP is built (with its labels) for the first year only; later years
/// rewrite its bounds, costs and coefficient values in place, and the
/// backend session sends only the numbers that changed.
pub struct MarketSession<'a> {
    net: &'a Network,
    layout: Layout,
    solver: &'static str,
    session: Box<dyn Session + 'a>,
    lp: Option<Problem>,
    /// The columns of each row of `lp` (its shape is fixed once built).
    rows: Vec<Vec<Col>>,
}

impl<'a> MarketSession<'a> {
    /// A session on `net` with `backend`.
    pub fn new(net: &'a Network, backend: &'a dyn Backend) -> Self {
        MarketSession {
            net,
            layout: Layout::new(net),
            solver: backend.name(),
            session: backend.session(),
            lp: None,
            rows: Vec::new(),
        }
    }

    /// A session that reuses `problem`, built by an earlier session on a
    /// network of the same shape (see [`MarketSession::into_problem`]): its
    /// labels are kept and every number is rewritten by the first solve. The
    /// backend session is new, so nothing else carries over.
    pub fn reusing(net: &'a Network, backend: &'a dyn Backend, problem: Option<Problem>) -> Self {
        MarketSession {
            lp: problem,
            ..MarketSession::new(net, backend)
        }
    }

    /// The LP of the last year solved, to reuse with [`MarketSession::reusing`].
    pub fn into_problem(self) -> Option<Problem> {
        self.lp
    }

    /// Starts the next solve from `basis` (say, the optimal basis of the
    /// same year in a reference run) instead of the previous year's.
    pub fn start_from(&mut self, basis: &Basis) {
        self.session.start_from(basis);
    }

    /// The optimal basis of the last year solved, if the backend has one.
    pub fn basis(&self) -> Option<Basis> {
        self.session.basis()
    }

    /// Builds (or updates) and solves year `d`.
    pub fn solve(&mut self, d: &YearData) -> Result<YearSolution, MarketError> {
        let net = self.net;
        check_shape(net, d)?;
        let started = std::time::Instant::now();
        let updated = self.lp.as_mut().and_then(|lp| {
            let mut w = Writer::update(lp, net);
            let vars = build(&mut w, net, &self.layout, d);
            w.complete().then_some(vars)
        });
        let vars = match updated {
            Some(vars) => vars,
            None => {
                let mut lp = Problem::new(Sense::Maximise);
                let vars = build(&mut Writer::fresh(&mut lp, net), net, &self.layout, d);
                self.lp = Some(lp);
                self.rows.clear();
                vars
            }
        };
        let lp = self.lp.as_ref().expect("built above");
        if self.rows.len() != lp.num_rows() {
            self.rows = lp.row_pattern();
        }
        let sol = self.session.solve(lp).map_err(|source| MarketError::Lp {
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
        Ok(read(self, d, &vars, &sol, started.elapsed()))
    }
}

/// Which (region, element) pairs can have a market, a supply or a use.
/// Depends on the network only, so the LP's shape does too.
struct Reach {
    /// A balance row exists: a separation plant (all elements), a magnet
    /// plant (recipe elements) or a direct-use curve.
    market: Vec<[bool; N_ELEMENTS]>,
    /// Something can supply the element there: a separation plant that
    /// separates it (or receives it as heavy by-product), recycling or
    /// stocks (both where it is used), a strategic stockpile.
    supply: Vec<[bool; N_ELEMENTS]>,
    /// Some curve there uses the element (directly or in magnets).
    used: Vec<[bool; N_ELEMENTS]>,
}

fn reach(net: &Network) -> Reach {
    let n = net.regions.len();
    let mut market = vec![[false; N_ELEMENTS]; n];
    let mut supply = vec![[false; N_ELEMENTS]; n];
    let mut used = vec![[false; N_ELEMENTS]; n];
    for p in &net.separation_plants {
        let r = p.region.index();
        market[r] = [true; N_ELEMENTS];
        for e in ELEMENTS {
            match p.heavy_to {
                Some(h) if e.is_heavy() => supply[h.index()][e.index()] = true,
                _ => supply[r][e.index()] = true,
            }
        }
    }
    for p in &net.magnet_plants {
        for e in ELEMENTS {
            market[p.region.index()][e.index()] |= net.recipe[e.index()] > 0.0;
        }
    }
    for c in &net.curves {
        let r = c.region.index();
        match c.good {
            Good::Oxide(e) => used[r][e.index()] = true,
            Good::Magnet => {
                for e in ELEMENTS.into_iter().filter(|e| net.recipe[e.index()] > 0.0) {
                    used[r][e.index()] = true;
                }
            }
        }
        if let Good::Oxide(e) = c.good {
            market[r][e.index()] = true;
        }
    }
    for &(r, e) in &net.strategic {
        supply[r.index()][e.index()] = true;
    }
    for r in 0..n {
        for e in 0..N_ELEMENTS {
            supply[r][e] = market[r][e] && (supply[r][e] || used[r][e]);
        }
    }
    Reach {
        market,
        supply,
        used,
    }
}

/// A fixed pseudo-random number in [0, 1) for arc `key`: the routing
/// tie-break of [`Network::tie_break`].
fn tie(key: [usize; 4]) -> f64 {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for k in key {
        x ^= k as u64;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 29;
    }
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Costs of one demand group's step columns: the step values (USD/kg,
/// highest first) with the cost break of [`Network::cost_break`] keyed by
/// the fixed price lattice, not by column, so that it does not depend on
/// where the fine band was centred: a fine step's key is its lattice index
/// (`lattice`, see [`crate::Step::lattice`]) and the group's first column
/// (`first`); a coarse step keeps the key of its column. Step widths carry
/// no bound break: they are the curve exactly (cumulative demand at every
/// lattice boundary is then the same whatever the centre), and the
/// capacities, quotas and stocks they meet carry theirs.
fn step_costs(values: &[f64], lattice: &[Option<i32>], first: usize, eps: f64) -> Vec<f64> {
    values
        .iter()
        .enumerate()
        .map(|(k, &v)| match lattice.get(k).copied().flatten() {
            // A lattice index as a key part (it may be negative).
            Some(j) => perturbed_cost(v, eps, [7, first, (j as i64 + (1 << 31)) as usize, 0]),
            None => perturbed_cost(v, eps, [1, first + k, 0, 0]),
        })
        .collect()
}

/// The price a balance row reports: its dual, except where nothing flows
/// through the row (nobody there buys, sells, stores or disposes of the
/// good this year), so that no flow pins the dual down and the solver may
/// return any point between export and import parity (say, Tb oxide in the
/// UK before its magnet plant runs). There the price is the **import
/// parity** — the price at which the cheapest source could deliver: the
/// top of the row's dual range (`Problem::idle_row_dual_range`); where no
/// source can deliver, the bottom (what the best outlet would pay). Both
/// ends depend on other rows' prices and on costs only, not on the
/// solver's path.
fn price_of(lp: &Problem, rows: &[Vec<Col>], sol: &oreflow_lp::Solution, row: RowId) -> f64 {
    let y = sol.dual(row);
    let Some(cols) = rows.get(row.0 as usize) else {
        return y;
    };
    match lp.idle_row_dual_range(row, cols, sol, 1e-9) {
        Some((lo, hi)) if hi.is_finite() && hi >= lo => hi,
        Some((lo, hi)) if hi.is_infinite() && lo.is_finite() => lo,
        _ => y,
    }
}

/// Items grouped by key, groups in order of their first item.
fn group_by<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (i, key) in keys.enumerate() {
        let k = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[k].push(i);
    }
    groups
}

/// The bits of a composition, to compare compositions exactly.
fn composition_bits(c: &[f64; N_ELEMENTS]) -> [u64; N_ELEMENTS] {
    std::array::from_fn(|e| c[e].to_bits())
}

/// How mines reach the plants: derived from the network alone, so computed
/// once per session, not per solve.
struct Layout {
    /// Shipping groups: mines of one region and one composition (bit for
    /// bit), in order of their first mine. Every coefficient of a
    /// concentrate column depends on its mine only through these two
    /// (freight, trade terms, cap groups and offtakes are per region;
    /// element content per composition), so one column per group and plant
    /// is exact. Production quotas act on the mines' output columns.
    groups: Vec<Vec<usize>>,
    group_of: Vec<usize>,
    /// Pools: shipping groups of one composition (several regions), where
    /// there are at least two, feeding each plant through one column.
    pools: Vec<Vec<usize>>,
    pool_of: Vec<Option<usize>>,
    /// The production quotas (indices into `Network::production_caps`)
    /// covering each mine.
    caps_of: Vec<Vec<usize>>,
}

impl Layout {
    fn new(net: &Network) -> Layout {
        let groups = group_by(
            net.mines
                .iter()
                .map(|m| (m.region.index(), composition_bits(&m.composition))),
        );
        let mut group_of = vec![0; net.mines.len()];
        for (k, g) in groups.iter().enumerate() {
            for &m in g {
                group_of[m] = k;
            }
        }
        let mut pools = group_by(
            groups
                .iter()
                .map(|g| composition_bits(&net.mines[g[0]].composition)),
        );
        pools.retain(|p| p.len() > 1);
        let mut pool_of = vec![None; groups.len()];
        for (p, members) in pools.iter().enumerate() {
            for &k in members {
                pool_of[k] = Some(p);
            }
        }
        let mut caps_of: Vec<Vec<usize>> = vec![Vec::new(); net.mines.len()];
        for (q, cap) in net.production_caps.iter().enumerate() {
            for &m in &cap.mines {
                if let Some(c) = caps_of.get_mut(m) {
                    if !c.contains(&q) {
                        c.push(q);
                    }
                }
            }
        }
        Layout {
            groups,
            group_of,
            pools,
            pool_of,
            caps_of,
        }
    }
}

/// Writes the year's LP through `w`: a fresh problem, or the numbers of one
/// built before (see [`Writer`]).
fn build(w: &mut Writer, net: &Network, layout: &Layout, d: &YearData) -> Vars {
    let n = net.regions.len();
    let code = |r: usize| net.regions[r].as_str();
    let reach = reach(net);
    let relevant = &reach.market;
    let mut priced: Vec<[bool; N_ELEMENTS]> = (0..n)
        .map(|r| std::array::from_fn(|e| reach.supply[r][e] || reach.used[r][e]))
        .collect();
    for p in &net.magnet_plants {
        for e in ELEMENTS {
            priced[p.region.index()][e.index()] |= net.recipe[e.index()] > 0.0;
        }
    }
    // Shipping cost with the routing tie-break (see `Network::tie_break`).
    let ship = |cost: f64, key: [usize; 4]| cost * (1.0 + net.tie_break * tie(key));
    let inf = f64::INFINITY;

    // Rows: element balances `uses − supplies = 0` wherever an element has a market.
    let mut balance: Vec<[Option<RowId>; N_ELEMENTS]> = vec![[None; N_ELEMENTS]; n];
    for r in 0..n {
        for e in ELEMENTS {
            if relevant[r][e.index()] {
                balance[r][e.index()] =
                    Some(w.row(0.0, 0.0, || format!("balance of {e} oxide in {}", code(r))));
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
                .then(|| w.row(0.0, 0.0, || format!("balance of magnets in {}", code(r))))
        })
        .collect();

    // Rows: caps on groups of trade flows (quotas, licences): Σ flows = total.
    let cap_rows: Vec<RowId> = net
        .caps
        .iter()
        .map(|g| w.row(0.0, 0.0, || format!("cap group {}", g.label)))
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
            w.row(lower, f64::INFINITY, || {
                format!(
                    "offtake of {} concentrate by {}",
                    code(o.from.index()),
                    code(o.to.index())
                )
            })
        })
        .collect();

    // Rows: production quotas, Σ output of the covered mines ≤ the year's cap.
    let production_caps: Vec<RowId> = net
        .production_caps
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let cap = d.production_caps.get(k).copied().unwrap_or(inf).max(0.0);
            w.row(f64::NEG_INFINITY, cap, || {
                format!("production quota {}", g.label)
            })
        })
        .collect();

    // Mines: output column (capacity bound, mining cost) tied to shipments.
    // Mines that would ship on identical terms (one region, one composition)
    // share one shipment row and one concentrate column per plant: the LP
    // only sees their summed output, so its size grows with the number of
    // mines, not mines × plants (the same optimum; the split of a group's
    // shipments between its mines, which no cost distinguishes, is
    // reported pro rata to output, see `read`).
    let groups = &layout.groups;
    let mut group_rows = Vec::with_capacity(groups.len());
    for g in groups {
        let first = &net.mines[g[0]];
        group_rows.push(w.row(0.0, 0.0, || {
            if g.len() == 1 {
                format!("shipments of mine {} equal its output", first.name)
            } else {
                format!(
                    "shipments of the {} mines like {} in {} equal their output",
                    g.len(),
                    first.name,
                    code(first.region.index())
                )
            }
        }));
    }
    let mut mine_out = Vec::new();
    for (m, mine) in net.mines.iter().enumerate() {
        let mut coefs = vec![(group_rows[layout.group_of[m]], -1.0)];
        coefs.extend(layout.caps_of[m].iter().map(|&q| (production_caps[q], 1.0)));
        mine_out.push(w.col(-d.mine_cost[m], 0.0, d.mine_capacity[m], &coefs, || {
            format!("output of mine {} (capacity bound)", mine.name)
        }));
    }
    // Separation plants: feed column (capacity bound, separation cost).
    let mut sep_rows = Vec::new();
    let mut sep_feed = Vec::new();
    for (s, plant) in net.separation_plants.iter().enumerate() {
        let row = w.row(0.0, 0.0, || {
            format!(
                "feed of separation plant {} equals its receipts",
                plant.name
            )
        });
        sep_rows.push(row);
        sep_feed.push(w.col(
            -d.separation_cost[s],
            0.0,
            d.separation_capacity[s],
            &[(row, -1.0)],
            || format!("feed of separation plant {} (capacity bound)", plant.name),
        ));
    }

    // Concentrate from mine m to plant s carries the mine's element mix into
    // the plant's region (joint production stays linear). Without a heavy
    // circuit, the heavy fraction goes on as a mixed by-product to the
    // region that separates it.
    let element_coefs =
        |comp: &[f64; N_ELEMENTS], plant: &crate::PlantSpec, out: &mut Vec<(RowId, f64)>| {
            let rs = plant.region.index();
            for e in ELEMENTS {
                let a = comp[e.index()];
                let at = match plant.heavy_to {
                    Some(h) if e.is_heavy() => h.index(),
                    _ => rs,
                };
                if a > 0.0 {
                    if let Some(row) = balance[at][e.index()] {
                        out.push((row, -a));
                    }
                }
            }
        };
    // Groups with the same composition (one ore type, several regions)
    // reach each plant through one pooled feed: their concentrate columns
    // carry only the tonnage into the pool, and one column per (ore type,
    // plant) carries the elements. The same LP with far fewer non-zeros.
    let (pools, pool_of) = (&layout.pools, &layout.pool_of);
    let pool_rows: Vec<Vec<RowId>> = pools
        .iter()
        .map(|g| {
            net.separation_plants
                .iter()
                .map(|plant| {
                    w.row(0.0, 0.0, || {
                        format!(
                            "pooled feed of ore like {} into plant {}",
                            net.mines[groups[g[0]][0]].name, plant.name
                        )
                    })
                })
                .collect()
        })
        .collect();
    let mut conc = Vec::new();
    let mut coefs: Vec<(RowId, f64)> = Vec::new();
    for (k, g) in groups.iter().enumerate() {
        // The group's first mine stands for it (its name, and the key of
        // the routing tie-break, so a one-mine group is the mine itself).
        let m = g[0];
        let mine = &net.mines[m];
        for (s, plant) in net.separation_plants.iter().enumerate() {
            let (rm, rs) = (mine.region.index(), plant.region.index());
            coefs.clear();
            coefs.push((group_rows[k], 1.0));
            match pool_of[k] {
                Some(p) => coefs.push((pool_rows[p][s], 1.0)),
                None => {
                    coefs.push((sep_rows[s], 1.0));
                    element_coefs(&mine.composition, plant, &mut coefs);
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
            let col = w.col(
                -(ship(net.concentrate_cost[rm][rs], [0, m, s, 0]) + term.extra_cost),
                0.0,
                if term.closed { 0.0 } else { inf },
                &coefs,
                || {
                    if g.len() == 1 {
                        format!("concentrate {} -> {}", mine.name, plant.name)
                    } else {
                        format!(
                            "concentrate of the {} mines like {} in {} -> {}",
                            g.len(),
                            mine.name,
                            code(rm),
                            plant.name
                        )
                    }
                },
            );
            conc.push((k, s, col));
        }
    }
    for (p, members) in pools.iter().enumerate() {
        let first = &net.mines[groups[members[0]][0]];
        for (s, plant) in net.separation_plants.iter().enumerate() {
            coefs.clear();
            coefs.push((pool_rows[p][s], -1.0));
            coefs.push((sep_rows[s], 1.0));
            element_coefs(&first.composition, plant, &mut coefs);
            w.col(0.0, 0.0, inf, &coefs, || {
                format!(
                    "pooled feed of ore like {} separated by {}",
                    first.name, plant.name
                )
            });
        }
    }

    // Oxide trade, from regions that separate to regions with a market for
    // it. (Arcs out of a region that cannot supply the element carry
    // nothing, but they keep its price at the world price less freight
    // instead of leaving it undetermined, so they stay.)
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
                let col = w.col(
                    -(ship(net.oxide_cost[i][j], [1, e.index(), i, j]) + term.extra_cost),
                    0.0,
                    if term.closed { 0.0 } else { inf },
                    &coefs,
                    || format!("{e} oxide {} -> {}", code(i), code(j)),
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
        magnet_make.push(
            w.col(-d.magnet_cost[p], 0.0, d.magnet_capacity[p], &coefs, || {
                format!("magnets made by {} (capacity bound)", plant.name)
            }),
        );
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
            let col = w.col(
                -(ship(net.magnet_cost[i][j], [2, i, j, 0]) + term.extra_cost),
                0.0,
                if term.closed { 0.0 } else { inf },
                &coefs,
                || format!("magnets {} -> {}", code(i), code(j)),
            );
            magnet_trade.push((i, j, col));
        }
    }

    // Demand steps. Curves on the same balance row whose steps sit at the
    // same prices (all end uses of one good in one region: their steps
    // depend on the regional reference price only) share one column per
    // step, as wide as their steps together. That is the same LP — the
    // split of a partly filled step between such curves is arbitrary — with
    // far fewer columns; `read` splits each step pro rata to the widths.
    let mut demand: Vec<DemandGroup> = Vec::new();
    for (c, curve) in net.curves.iter().enumerate() {
        let r = curve.region.index();
        let row = match curve.good {
            Good::Magnet => magnet_balance[r],
            Good::Oxide(e) => balance[r][e.index()],
        };
        let Some(row) = row else { continue };
        let same_prices = |g: &DemandGroup| {
            let Member::Curve(first) = g.members[0] else {
                return false;
            };
            g.row == row
                && d.steps[first]
                    .iter()
                    .zip(&d.steps[c])
                    .all(|(a, b)| a.value.to_bits() == b.value.to_bits())
        };
        match demand.iter_mut().find(|g| same_prices(g)) {
            Some(g) => g.members.push(Member::Curve(c)),
            None => demand.push(DemandGroup {
                row,
                members: vec![Member::Curve(c)],
                cols: Vec::new(),
            }),
        }
    }
    // Stockholders' demand for closing stock joins the group of its region
    // and element when its steps sit at the same prices (they are built so),
    // else it gets columns of its own.
    // The steps of a group's first member (all its members' steps sit at
    // the same prices); none for an unattributed use.
    let first_steps = |g: &DemandGroup| -> &[Step] {
        let steps = match g.members[0] {
            Member::Curve(c) => Some(&d.steps[c]),
            Member::Stock(r, e) => d.stocks[r][e.index()].as_ref().map(|h| &h.steps),
            Member::Unattributed(..) => None,
            Member::MagnetStock(r) => d
                .magnet_stocks
                .get(r)
                .and_then(|h| h.as_ref())
                .map(|h| &h.steps),
        };
        steps.map_or(&[], |s| s.as_slice())
    };
    // Whether two step lists sit at the same prices (bit for bit).
    let same_values = |a: &[Step], b: &[Step]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.value.to_bits() == y.value.to_bits())
    };
    let join = |demand: &mut Vec<DemandGroup>, row: RowId, steps: &[Step], m: Member| {
        // The row first: most groups are on other rows (no value compared).
        let same = |g: &DemandGroup| g.row == row && same_values(first_steps(g), steps);
        match demand.iter().position(same) {
            Some(i) => demand[i].members.push(m),
            None => demand.push(DemandGroup {
                row,
                members: vec![m],
                cols: Vec::new(),
            }),
        }
    };
    for r in 0..n {
        for e in ELEMENTS {
            let (Some(row), Some(h)) = (
                balance[r][e.index()],
                d.stocks.get(r).and_then(|s| s[e.index()].as_ref()),
            ) else {
                continue;
            };
            join(&mut demand, row, &h.steps, Member::Stock(r, e));
        }
        if let (Some(row), Some(Some(h))) = (magnet_balance[r], d.magnet_stocks.get(r)) {
            join(&mut demand, row, &h.steps, Member::MagnetStock(r));
        }
    }
    // An unattributed use joins the first group on its row, at its top step.
    for (r, u) in d.unattributed_use.iter().enumerate() {
        for e in ELEMENTS {
            if u[e.index()] <= 0.0 {
                continue;
            }
            let Some(row) = balance[r][e.index()] else {
                continue;
            };
            if let Some(g) = demand.iter_mut().find(|g| g.row == row) {
                g.members.push(Member::Unattributed(r, e));
            }
        }
    }
    // Scratch space for each group's step numbers, reused across groups.
    let (mut values, mut lattice, mut widths) = (Vec::new(), Vec::new(), Vec::new());
    for gi in 0..demand.len() {
        let g = &demand[gi];
        let steps = first_steps(g);
        values.clear();
        values.extend(steps.iter().map(|s| s.value));
        lattice.clear();
        lattice.extend(steps.iter().map(|s| s.lattice));
        widths.clear();
        widths.extend(
            (0..values.len()).map(|k| g.members.iter().map(|m| m.width(d, k)).sum::<f64>()),
        );
        let first = w.next_col_index();
        let costs = step_costs(&values, &lattice, first, w.cost_break);
        // Labels are made only when the LP is first built.
        let label = |k: usize| {
            let what = |m: &Member| match *m {
                Member::Curve(c) => net.curves[c].label.clone(),
                Member::Stock(r, e) => format!("{} {e} stockholders", code(r)),
                Member::Unattributed(r, e) => format!("{} {e} unattributed use", code(r)),
                Member::MagnetStock(r) => format!("{} magnet stockholders", code(r)),
            };
            let (good, region) = match g.members[0] {
                Member::Curve(c) => (
                    match net.curves[c].good {
                        Good::Magnet => "magnets".to_string(),
                        Good::Oxide(e) => format!("{e} oxide"),
                    },
                    net.curves[c].region.index(),
                ),
                Member::Stock(r, e) | Member::Unattributed(r, e) => (format!("{e} oxide"), r),
                Member::MagnetStock(r) => ("magnets".to_string(), r),
            };
            format!(
                "demand for {good} in {} ({} members: {}) step {k}",
                code(region),
                g.members.len(),
                g.members.iter().map(what).collect::<Vec<_>>().join(", ")
            )
        };
        let mut cols = Vec::with_capacity(values.len());
        for (k, (&cost, &width)) in costs.iter().zip(&widths).enumerate() {
            cols.push(w.col_exact(cost, 0.0, width, &[(g.row, 1.0)], || label(k)));
        }
        demand[gi].cols = cols;
    }

    // Disposal of surplus (where there can be a supply), recycled supply
    // (fixed; where the element is used, so where it can come back from)
    // and commercial stocks.
    let mut disposal = Vec::new();
    let mut recycled = Vec::new();
    let mut stock = Vec::new();
    let mut unattributed_supply = Vec::new();
    for r in 0..n {
        for e in ELEMENTS {
            let Some(row) = balance[r][e.index()] else {
                continue;
            };
            {
                disposal.push((
                    e,
                    r,
                    w.col(-d.disposal_cost, 0.0, inf, &[(row, 1.0)], || {
                        format!("disposal of {e} in {}", code(r))
                    }),
                ));
            }
            if reach.used[r][e.index()] {
                let q = d.recycled[r][e.index()].max(0.0);
                recycled.push((
                    e,
                    r,
                    w.col(0.0, q, q, &[(row, -1.0)], || {
                        format!("recycled {e} in {}", code(r))
                    }),
                ));
            }
            if let Some(h) = d.stocks.get(r).and_then(|s| s[e.index()].as_ref()) {
                let q = h.opening.max(0.0);
                let open = w.col(0.0, q, q, &[(row, -1.0)], || {
                    format!("opening stock of {e} in {} (fixed)", code(r))
                });
                stock.push((e, r, open));
            }
            let q = d
                .unattributed_supply
                .get(r)
                .map(|u| u[e.index()])
                .unwrap_or(0.0);
            if q > 0.0 {
                let col = w.col(0.0, q, q, &[(row, -1.0)], || {
                    format!("unattributed supply of {e} in {} (fixed)", code(r))
                });
                unattributed_supply.push((e, r, col));
            }
        }
    }

    // Magnet stocks held at the start of the year (fixed supply).
    let mut magnet_stock = Vec::new();
    for r in 0..n {
        if let (Some(row), Some(Some(h))) = (magnet_balance[r], d.magnet_stocks.get(r)) {
            let q = h.opening.max(0.0);
            magnet_stock.push((
                r,
                w.col(0.0, q, q, &[(row, -1.0)], || {
                    format!("opening stock of magnets in {} (fixed)", code(r))
                }),
            ));
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
        let label = || {
            format!(
                "strategic stockpile release of {e} in {}",
                code(reg.index())
            )
        };
        strategic.push(w.col(-rule.sell_above, 0.0, upper, &coefs, label));
    }
    // Cap totals: the column's bound is the year's cap.
    let caps: Vec<Col> = net
        .caps
        .iter()
        .enumerate()
        .map(|(k, g)| {
            w.col(0.0, 0.0, d.caps[k].max(0.0), &[(cap_rows[k], -1.0)], || {
                format!("total under cap {}", g.label)
            })
        })
        .collect();

    // Leaks past each cap (smuggling): up to the year's tonnage, at a cost.
    let cap_leaks: Vec<Col> = net
        .caps
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let (t, cost) = d.cap_leaks.get(k).copied().unwrap_or((0.0, 0.0));
            w.col(
                -cost.max(0.0),
                0.0,
                t.max(0.0),
                &[(cap_rows[k], -1.0)],
                || format!("leak past cap {}", g.label),
            )
        })
        .collect();

    Vars {
        mine_out,
        sep_feed,
        conc,
        oxide,
        magnet_make,
        magnet_trade,
        demand,
        disposal,
        recycled,
        stock,
        magnet_stock,
        unattributed_supply,
        production_caps,
        cap_leaks,
        strategic,
        caps,
        balance,
        priced,
        magnet_balance,
    }
}

/// The year's solution from the LP's (the session's last problem).
fn read(
    session: &MarketSession,
    d: &YearData,
    v: &Vars,
    sol: &oreflow_lp::Solution,
    elapsed: std::time::Duration,
) -> YearSolution {
    let (net, layout, solver) = (session.net, &session.layout, session.solver);
    let lp = session.lp.as_ref().expect("read after a build");
    let n = net.regions.len();
    let clean = |x: f64| if x.abs() < 1e-9 { 0.0 } else { x };
    let val = |c: Col| clean(sol.value(c)).max(0.0);
    let mine_output: Vec<f64> = v.mine_out.iter().map(|&c| val(c)).collect();
    let separation_feed: Vec<f64> = v.sep_feed.iter().map(|&c| val(c)).collect();
    let mut separated = vec![[0.0; N_ELEMENTS]; net.separation_plants.len()];
    let mut heavy_byproduct = vec![[0.0; N_ELEMENTS]; n];
    let mut concentrate = Vec::new();
    // A group's output, to split its shipments between its mines.
    let group_output: Vec<f64> = layout
        .groups
        .iter()
        .map(|g| g.iter().map(|&m| mine_output[m]).sum())
        .collect();
    for &(k, s, col) in &v.conc {
        let x = val(col);
        if x > 0.0 {
            let group = &layout.groups[k];
            let plant = &net.separation_plants[s];
            for e in ELEMENTS {
                let t = x * net.mines[group[0]].composition[e.index()];
                match plant.heavy_to {
                    Some(h) if e.is_heavy() => heavy_byproduct[h.index()][e.index()] += t,
                    _ => separated[s][e.index()] += t,
                }
            }
            // The shipments of a group of mines are split pro rata to the
            // mines' output (every split is optimal; this one keeps each
            // mine's shipments equal to its output).
            for &m in group {
                let tonnes = if group.len() == 1 {
                    x
                } else if group_output[k] > 0.0 {
                    x * mine_output[m] / group_output[k]
                } else {
                    0.0
                };
                if tonnes > 0.0 {
                    concentrate.push(Flow {
                        from: m,
                        to: s,
                        element: None,
                        tonnes,
                    });
                }
            }
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
    // Each shared step is split between its members pro rata to their widths.
    let mut consumption = vec![0.0; net.curves.len()];
    let mut gross_value = vec![0.0; net.curves.len()];
    let mut stock_close = vec![[0.0; N_ELEMENTS]; n];
    let mut magnet_stock_close = vec![0.0; n];
    let mut unattributed_supply = vec![[0.0; N_ELEMENTS]; n];
    let mut unattributed_use = vec![[0.0; N_ELEMENTS]; n];
    // An unattributed use is served first (any split of a shared step
    // between its members is optimal; this one makes the residual the
    // quantity it stands for whenever the step holds it).
    for g in &v.demand {
        for (k, &col) in g.cols.iter().enumerate() {
            let mut x = val(col);
            for &m in &g.members {
                if let Member::Unattributed(r, e) = m {
                    let q = x.min(m.width(d, k));
                    unattributed_use[r][e.index()] += q;
                    x -= q;
                }
            }
            let width: f64 = g
                .members
                .iter()
                .filter(|m| !matches!(m, Member::Unattributed(..)))
                .map(|m| m.width(d, k))
                .sum();
            if x <= 0.0 || width <= 0.0 {
                continue;
            }
            for &m in &g.members {
                let q = x * m.width(d, k) / width;
                match m {
                    Member::Curve(c) => {
                        consumption[c] += q;
                        gross_value[c] += q * d.steps[c][k].value;
                    }
                    Member::Stock(r, e) => stock_close[r][e.index()] += q,
                    Member::Unattributed(..) => {}
                    Member::MagnetStock(r) => magnet_stock_close[r] += q,
                }
            }
        }
    }
    for &(e, r, col) in &v.unattributed_supply {
        unattributed_supply[r][e.index()] += val(col);
    }
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
    let mut magnet_stock_open = vec![0.0; n];
    for &(r, col) in &v.magnet_stock {
        magnet_stock_open[r] = val(col);
    }
    let mut stock_open = vec![[0.0; N_ELEMENTS]; n];
    for &(e, r, open) in &v.stock {
        let (o, c) = (val(open), stock_close[r][e.index()]);
        stock_open[r][e.index()] = o;
        stock_in[r][e.index()] = (c - o).max(0.0);
        stock_out[r][e.index()] = (o - c).max(0.0);
    }
    let strategic_release: Vec<f64> = v.strategic.iter().map(|&c| val(c)).collect();
    for (k, &(reg, e)) in net.strategic.iter().enumerate() {
        stock_out[reg.index()][e.index()] += strategic_release[k];
    }
    let cap_flows: Vec<f64> = v.caps.iter().map(|&c| val(c)).collect();
    let cap_leaks: Vec<f64> = v.cap_leaks.iter().map(|&c| val(c)).collect();
    let production_quota_rent: Vec<f64> = v
        .production_caps
        .iter()
        .map(|&r| clean(sol.dual(r)).abs())
        .collect();
    // A balance row with nothing that can supply or use the element (say,
    // heavy rare earths where only a light-only separation plant stands)
    // has no price: its dual is not pinned down by anything.
    let prices: Vec<[Option<f64>; N_ELEMENTS]> = v
        .balance
        .iter()
        .zip(&v.priced)
        .map(|(row, priced)| {
            let mut p = [None; N_ELEMENTS];
            for e in 0..N_ELEMENTS {
                p[e] = row[e]
                    .filter(|_| priced[e])
                    .map(|r| clean(price_of(lp, &session.rows, sol, r)));
            }
            p
        })
        .collect();
    let magnet_price: Vec<Option<f64>> = v
        .magnet_balance
        .iter()
        .map(|r| r.map(|r| clean(price_of(lp, &session.rows, sol, r))))
        .collect();
    let rent = |cols: &[Col]| {
        cols.iter()
            .map(|&c| clean(sol.reduced_cost(c)).max(0.0))
            .collect::<Vec<f64>>()
    };
    let margin = |cols: &[Col]| {
        cols.iter()
            .map(|&c| clean(sol.reduced_cost(c)))
            .collect::<Vec<f64>>()
    };
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
        magnet_stock_open,
        magnet_stock_close,
        stock_open,
        stock_close,
        unattributed_use,
        unattributed_supply,
        cap_flows,
        cap_leaks,
        production_quota_rent,
        recipe: d.recipe,
        prices,
        magnet_price,
        mine_rent: rent(&v.mine_out),
        separation_rent: rent(&v.sep_feed),
        magnet_rent: rent(&v.magnet_make),
        mine_margin: margin(&v.mine_out),
        separation_margin: margin(&v.sep_feed),
        magnet_margin: margin(&v.magnet_make),
    }
}
