//! What carries a year's prices into the next year's market (docs/model.md,
//! "Dynamics"): demand that adjusts from its short-run to its long-run
//! response, Dy/Tb thrifting in magnets, commercial stocks that buy when
//! prices are low against what holders expect and sell when they are high,
//! and facilities that start earlier, slip or restart with their rents.
//!
//! Everything here is a pure function of the model, the state and the
//! year's solution.

use oreflow_core::{
    Commodity, Dataset, Element, Stage, Status, StockItem, Year, ELEMENTS, N_ELEMENTS,
};
use oreflow_market::{Good, Shape, Step, YearSolution};

use crate::{Model, State};

/// Commercial stocks of one element in one region, in tonnes (from
/// `stocks.csv` × the region's reference-year use of the element).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StockSpec {
    /// Index of the price group (the region's direct-use curves of the
    /// element) whose step columns the stockholders share.
    pub group: usize,
    /// Stock held at normal prices, t REO.
    pub normal_t: f64,
    /// Stock at the start of the reference year, t REO.
    pub opening_t: f64,
    /// Most that can be held, t REO.
    pub max_t: f64,
    /// Elasticity of the stock held to the price against the expected price.
    pub elasticity: f64,
    /// Extra stock wanted while an export control toward the region is
    /// announced or starts, t REO.
    pub precaution_t: f64,
}

/// Stockholders' target (t) and expected price (USD/kg; `None` before any
/// price has been seen) for one region and element.
pub(crate) type StockTarget = Option<(f64, Option<f64>)>;

/// Default of `parameters.csv` keys the dataset does not set.
pub(crate) fn parameter(ds: &Dataset, key: &str) -> f64 {
    ds.parameter(key).unwrap_or(match key {
        "normal_price_years" => 3.0,
        "supply_sustain_years" => 2.0,
        "supply_max_new_share" => 0.05,
        _ => 0.0,
    })
}

/// Stock specs per region and element: where `stocks.csv` has a row for the
/// region (and the element, or `*`), the element has a direct-use curve
/// there, and the region used some of it in the reference year.
pub(crate) fn stock_specs(
    ds: &Dataset,
    regional_use: &[[(f64, f64); N_ELEMENTS]],
    oxide_group: &[[Option<usize>; N_ELEMENTS]],
    scale: f64,
) -> Vec<[Option<StockSpec>; N_ELEMENTS]> {
    let n = ds.regions.len();
    let mut out = vec![[None; N_ELEMENTS]; n];
    if scale <= 0.0 {
        return out;
    }
    for r in 0..n {
        for e in ELEMENTS {
            let row = stock_row(ds, r, StockItem::Element(e))
                .or_else(|| stock_row(ds, r, StockItem::AllElements));
            let (Some(row), Some(group)) = (row, oxide_group[r][e.index()]) else {
                continue;
            };
            let use_t = regional_use[r][e.index()].0;
            if use_t <= 0.0 {
                continue;
            }
            out[r][e.index()] = Some(spec(row, group, scale * use_t));
        }
    }
    out
}

fn stock_row(ds: &Dataset, r: usize, item: StockItem) -> Option<&oreflow_core::StockRow> {
    ds.stocks
        .iter()
        .find(|s| s.region.index() == r && s.item == item)
}

fn spec(row: &oreflow_core::StockRow, group: usize, use_t: f64) -> StockSpec {
    StockSpec {
        group,
        normal_t: row.normal_years * use_t,
        opening_t: row.opening_years * use_t,
        max_t: row.max_years * use_t,
        elasticity: row.elasticity,
        precaution_t: row.precaution_years * use_t,
    }
}

/// Magnet stock specs per region: where `stocks.csv` has a `magnet` row and
/// the region uses magnets (its magnet price group).
pub(crate) fn magnet_stock_specs(
    ds: &Dataset,
    magnet_use: &[f64],
    magnet_group: &[Option<usize>],
    scale: f64,
) -> Vec<Option<StockSpec>> {
    (0..ds.regions.len())
        .map(|r| {
            let row = stock_row(ds, r, StockItem::Magnets)?;
            let group = magnet_group[r]?;
            (scale > 0.0 && magnet_use[r] > 0.0).then(|| spec(row, group, scale * magnet_use[r]))
        })
        .collect()
}

/// Stockholders' demand for closing stock on the price lattice of their
/// group: `min(target × (p / expected)^elasticity, max)`. Without an
/// expected price (the first year of a run: no price has been seen yet)
/// they hold the target whatever the price.
pub(crate) fn stock_steps(
    spec: &StockSpec,
    target_t: f64,
    expected: Option<f64>,
    shape: &Shape,
) -> Vec<Step> {
    let Some(expected) = expected.filter(|&e| e > 0.0) else {
        let mut steps = shape.steps_for(|_| 0.0);
        if let Some(top) = steps.first_mut() {
            top.width = target_t.min(spec.max_t);
        }
        return steps;
    };
    shape.steps_for(|p| {
        if p <= 0.0 {
            spec.max_t
        } else {
            (target_t * (p / expected).powf(spec.elasticity)).min(spec.max_t)
        }
    })
}

/// One step of a partial adjustment toward `target`, with time constant
/// `years` and, when moving back up, a speed reduced by `reversibility`.
fn adjust(now: f64, target: f64, years: f64, reversibility: f64) -> f64 {
    let k = if years > 0.0 {
        1.0 - (-1.0 / years).exp()
    } else {
        1.0
    };
    if target < now {
        now + k * (target - now)
    } else {
        now + k * reversibility.clamp(0.0, 1.0) * (target - now)
    }
}

/// The year's price of element `e` in region `r`, or `fallback`.
fn price(s: &YearSolution, r: usize, e: Element, fallback: f64) -> f64 {
    s.prices
        .get(r)
        .and_then(|p| p[e.index()])
        .unwrap_or(fallback)
}

impl Model {
    /// Updates the demand curves' long-run adjustment (substitution) from
    /// the year's prices: each curve's log shift moves toward
    /// `(ε_LR − ε_SR) ln(p / p_ref)` (docs/model.md, "Short and long run").
    pub(crate) fn adjust_demand(&self, s: &YearSolution, state: &mut State) {
        if !self.config.adjustment {
            return;
        }
        let floor = self.config.curve.min_multiple;
        for (c, r) in self.calibration.curves.iter().enumerate() {
            let Some(p) = self.curve_price(c, s) else {
                continue;
            };
            let u = &self.dataset.end_uses[self.network.curves[c].end_use];
            let ratio = (p / r.p_ref).max(floor);
            let target = (r.elasticity - r.elasticity_short_run) * ratio.ln();
            state.structural[c] = adjust(
                state.structural[c],
                target,
                u.adjustment_years,
                u.reversibility,
            );
        }
    }

    /// Updates the magnet recipe's thrifting factor per element from the
    /// price magnet makers paid (output-weighted over magnet plants).
    pub(crate) fn adjust_recipe(&self, s: &YearSolution, state: &mut State) {
        if !self.config.adjustment {
            return;
        }
        let china = self.dataset.region("CN").map(|r| r.index()).unwrap_or(0);
        for row in &self.dataset.recipe {
            if row.thrifting_elasticity >= 0.0 {
                continue;
            }
            let e = row.element;
            let Some(p_ref) = self.dataset.reference_price(e).map(|p| p.0) else {
                continue;
            };
            let (mut paid, mut made) = (0.0, 0.0);
            for (k, plant) in self.network.magnet_plants.iter().enumerate() {
                let out = s.magnet_output.get(k).copied().unwrap_or(0.0);
                paid += out * price(s, plant.region.index(), e, p_ref);
                made += out;
            }
            let p = if made > 0.0 {
                paid / made
            } else {
                price(s, china, e, p_ref)
            };
            let ratio = (p / p_ref).max(self.config.curve.min_multiple);
            let target = ratio
                .powf(row.thrifting_elasticity)
                .clamp(row.min_share, 1.0);
            state.thrift[e.index()] = adjust(
                state.thrift[e.index()],
                target,
                row.adjustment_years,
                row.reversibility,
            );
        }
    }

    /// Target stock per region and element in `year` (normal plus
    /// precautionary buying while a control toward the region is announced
    /// or starts) and the price stockholders expect (geometric mean of the
    /// last `normal_price_years` prices; the reference price before that).
    pub(crate) fn stock_targets(
        &self,
        year: Year,
        state: &State,
    ) -> Vec<[StockTarget; N_ELEMENTS]> {
        let n = self.network.regions.len();
        let mut out = vec![[None; N_ELEMENTS]; n];
        for r in 0..n {
            for e in ELEMENTS {
                let Some(spec) = self.stock_specs[r][e.index()] else {
                    continue;
                };
                let past = |i: usize| state.price_history.get(i).and_then(|p| p[r][e.index()]);
                let covered = |c: &crate::policy::ExportControl| {
                    c.stages.contains(&Commodity::Oxide)
                        && (c.elements.is_empty() || c.elements.contains(&e))
                };
                out[r][e.index()] = Some(self.stock_target(&spec, r, year, state, past, covered));
            }
        }
        out
    }

    /// As [`Model::stock_targets`], for magnet stocks per region.
    pub(crate) fn magnet_stock_targets(&self, year: Year, state: &State) -> Vec<StockTarget> {
        (0..self.network.regions.len())
            .map(|r| {
                let spec = self.magnet_stock_specs[r]?;
                let past = |i: usize| state.magnet_price_history.get(i).and_then(|p| p[r]);
                let covered =
                    |c: &crate::policy::ExportControl| c.stages.contains(&Commodity::Magnet);
                Some(self.stock_target(&spec, r, year, state, past, covered))
            })
            .collect()
    }

    fn stock_target(
        &self,
        spec: &StockSpec,
        r: usize,
        year: Year,
        state: &State,
        past: impl Fn(usize) -> Option<f64>,
        covered: impl Fn(&crate::policy::ExportControl) -> bool,
    ) -> (f64, Option<f64>) {
        let years = parameter(&self.dataset, "normal_price_years").max(1.0) as usize;
        let p_ref = self.calibration.curves[self.price_groups[spec.group][0]].p_ref;
        let solved = state.price_history.len();
        let mut log_sum = 0.0;
        for k in 0..years {
            let p = solved
                .checked_sub(k + 1)
                .and_then(&past)
                .filter(|&p| p > 0.0)
                .unwrap_or(p_ref)
                .max(p_ref * self.config.curve.min_multiple);
            log_sum += p.ln();
        }
        let expected = (log_sum / years as f64).exp();
        let precaution = self.policies.export_controls.iter().any(|c| {
            let toward = c.origin.index() != r && c.destinations.iter().any(|d| d.index() == r);
            let announced = c
                .announced
                .zip(c.years.first())
                .is_some_and(|(a, f)| a <= year && year < f);
            covered(c) && toward && (c.years.starts(year) || announced)
        });
        let target = spec.normal_t + if precaution { spec.precaution_t } else { 0.0 };
        let expected = (solved > 0).then_some(expected);
        (target.min(spec.max_t), expected)
    }

    /// The supply response after year `year` (docs/model.md, "Supply
    /// response"): facilities not yet producing whose rent (the LP's
    /// marginal value of their capacity) has stayed above their status's
    /// hurdle for the sustained years start after their lead time, if that
    /// is earlier than planned, within a yearly limit per stage; planned
    /// starts that do not pay slip by a year.
    pub(crate) fn respond(
        &self,
        year: Year,
        s: &YearSolution,
        data_caps: [&[f64]; 3],
        state: &mut State,
    ) {
        if !self.config.supply_response {
            return;
        }
        let ds = &self.dataset;
        let sustain = parameter(ds, "supply_sustain_years").max(1.0) as u32;
        let share = parameter(ds, "supply_max_new_share");
        for (stage, caps) in Stage::ALL.into_iter().zip(data_caps) {
            let facilities = self.facilities(stage);
            let margins = match stage {
                Stage::Mining => &s.mine_margin,
                Stage::Separation => &s.separation_margin,
                Stage::Magnet => &s.magnet_margin,
            };
            let plan = state.plans.get_mut(stage);
            let budget = share * caps.iter().sum::<f64>();
            let mut candidates: Vec<(f64, usize)> = Vec::new();
            for (k, f) in facilities.iter().enumerate() {
                let Some(resp) = ds.supply_response(f.status) else {
                    continue;
                };
                let p = &mut plan[k];
                if p.start.is_some_and(|st| st <= year) {
                    continue; // producing (or due) already
                }
                let margin = margins.get(k).copied().unwrap_or(0.0);
                let pays = margin > 0.0 && margin >= resp.hurdle * f.cost;
                p.paying = if pays { p.paying + 1 } else { 0 };
                let earliest = year + 1 + resp.lead_years as Year;
                if p.paying >= sustain && p.start.is_none_or(|st| st > earliest) {
                    candidates.push((margin / f.cost.max(1e-9), k));
                } else if f.status != Status::Idle
                    && p.start == Some(year + 1)
                    && margin < 0.0
                    && p.slipped < resp.max_slip_years
                {
                    p.start = Some(year + 2);
                    p.slipped += 1;
                }
            }
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut used = 0.0;
            for (_, k) in candidates {
                let f = &facilities[k];
                let first_year = f.nameplate / (f.ramp_years as f64 + 1.0);
                if used + first_year > budget {
                    continue;
                }
                used += first_year;
                let lead = ds
                    .supply_response(f.status)
                    .map(|r| r.lead_years)
                    .unwrap_or(0);
                let p = &mut plan[k];
                p.start = Some(year + 1 + lead as Year);
                p.moved = true;
            }
        }
    }

    /// Facilities of one stage as the supply response sees them.
    pub(crate) fn facilities(&self, stage: Stage) -> Vec<Facility> {
        let ds = &self.dataset;
        let f = |status, c: &oreflow_core::CapacityPath, cost: f64| Facility {
            status,
            nameplate: c.nameplate,
            ramp_years: c.ramp_years,
            cost,
        };
        match stage {
            Stage::Mining => ds
                .mines
                .iter()
                .map(|m| f(m.status, &m.capacity, m.cost.0))
                .collect(),
            Stage::Separation => ds
                .separation_plants
                .iter()
                .map(|p| f(p.status, &p.capacity, p.cost.0))
                .collect(),
            Stage::Magnet => ds
                .magnet_plants
                .iter()
                .map(|p| f(p.status, &p.capacity, p.cost.0))
                .collect(),
        }
    }

    /// Capacity of facility `k` of `stage` in `year` with its planned (or
    /// moved) start.
    pub(crate) fn capacity_at(&self, stage: Stage, k: usize, year: Year, state: &State) -> f64 {
        let ds = &self.dataset;
        let (path, status) = match stage {
            Stage::Mining => (ds.mines[k].capacity, ds.mines[k].status),
            Stage::Separation => (
                ds.separation_plants[k].capacity,
                ds.separation_plants[k].status,
            ),
            Stage::Magnet => (ds.magnet_plants[k].capacity, ds.magnet_plants[k].status),
        };
        let start = state.plans.get(stage).get(k).and_then(|p| p.start);
        match start {
            None if status == Status::Idle => 0.0,
            None => path.at(year),
            Some(s) => oreflow_core::CapacityPath {
                start_year: s,
                ..path
            }
            .at(year),
        }
    }

    /// Stock specs (t) per region and element.
    pub fn stock_spec(&self, region: usize, e: Element) -> Option<StockSpec> {
        self.stock_specs.get(region).and_then(|s| s[e.index()])
    }

    /// The element a price group trades, if it is an oxide group.
    pub(crate) fn group_element(&self, g: usize) -> Option<(usize, Element)> {
        let c = &self.network.curves[self.price_groups[g][0]];
        match c.good {
            Good::Oxide(e) => Some((c.region.index(), e)),
            Good::Magnet => None,
        }
    }
}

/// A facility's numbers the supply response needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Facility {
    pub status: Status,
    pub nameplate: f64,
    pub ramp_years: u32,
    pub cost: f64,
}

/// A facility's start as the run moves it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Plan {
    /// First year of output (`None`: idle, not restarted).
    pub start: Option<Year>,
    /// Consecutive years its rent has cleared the hurdle.
    pub paying: u32,
    /// Years it has slipped.
    pub slipped: u32,
    /// Whether the supply response brought it forward (or restarted it).
    pub moved: bool,
}

/// Plans of every facility, by stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plans {
    pub mines: Vec<Plan>,
    pub separation: Vec<Plan>,
    pub magnets: Vec<Plan>,
}

impl Plans {
    /// Each facility's planned start from the data (idle ones: none).
    pub fn from_data(ds: &Dataset) -> Plans {
        let plan = |status: Status, start: Year| Plan {
            start: (status != Status::Idle).then_some(start),
            ..Plan::default()
        };
        Plans {
            mines: ds
                .mines
                .iter()
                .map(|m| plan(m.status, m.capacity.start_year))
                .collect(),
            separation: ds
                .separation_plants
                .iter()
                .map(|p| plan(p.status, p.capacity.start_year))
                .collect(),
            magnets: ds
                .magnet_plants
                .iter()
                .map(|p| plan(p.status, p.capacity.start_year))
                .collect(),
        }
    }

    /// The plans of one stage.
    pub fn get(&self, stage: Stage) -> &[Plan] {
        match stage {
            Stage::Mining => &self.mines,
            Stage::Separation => &self.separation,
            Stage::Magnet => &self.magnets,
        }
    }

    fn get_mut(&mut self, stage: Stage) -> &mut Vec<Plan> {
        match stage {
            Stage::Mining => &mut self.mines,
            Stage::Separation => &mut self.separation,
            Stage::Magnet => &mut self.magnets,
        }
    }
}
