//! One run's inputs: the scenario's dataset, settings and levers with the
//! run's draws applied (parameters, project delays and failures, the years
//! each disruption event is in force).

use oreflow_core::{Dataset, Stage};
use oreflow_sim::policy::{Policies, Years};
use oreflow_sim::uncertainty::Uncertainty;
use oreflow_sim::RunConfig;

use crate::rng::{self, Stream};

/// A scenario's inputs, before or after the draws of one run.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub dataset: Dataset,
    pub config: RunConfig,
    pub policies: Policies,
}

/// What one run drew, for its row of `draws.parquet`.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawn {
    /// Per parameter: the draw (the mean of the rows' draws when each row
    /// draws its own).
    pub parameters: Vec<f64>,
    /// Per event: the years it is in force.
    pub events: Vec<Years>,
    /// Projects that never come online.
    pub projects_failed: u32,
    /// Years of delay summed over the projects that do.
    pub project_delay_years: f64,
}

/// The scenario with every event's levers added but in force in no year:
/// the shape every run shares (the same LP rows and columns), and the
/// reference run whose first-year basis starts each run.
pub fn central(base: &Inputs, unc: &Uncertainty) -> Inputs {
    let mut out = base.clone();
    for e in &unc.events {
        out.policies
            .export_controls
            .extend(e.controls.iter().cloned());
        out.policies.outages.extend(e.outages.iter().cloned());
    }
    out
}

/// The inputs of run `run` under `seed`.
pub fn draw(base: &Inputs, unc: &Uncertainty, seed: u64, run: u64) -> (Inputs, Drawn) {
    let mut x = base.clone();
    let mut drawn = Drawn {
        parameters: Vec::with_capacity(unc.parameters.len()),
        events: Vec::with_capacity(unc.events.len()),
        projects_failed: 0,
        project_delay_years: 0.0,
    };
    // 1. Parameters (on the scenario's own levers, before events add theirs).
    for (k, p) in unc.parameters.iter().enumerate() {
        let mut s = Stream::new(seed, run, rng::PARAMETER + k as u64);
        let one = p.distribution.quantile(s.uniform());
        let mut sum = 0.0;
        for (i, &row) in p.rows.iter().enumerate() {
            let v = if p.per_row && i > 0 {
                p.distribution.quantile(s.uniform())
            } else {
                one
            };
            sum += v;
            p.field.apply(
                &mut x.dataset,
                &mut x.config,
                &mut x.policies,
                row,
                p.mode,
                v,
            );
        }
        drawn.parameters.push(if p.per_row {
            sum / p.rows.len().max(1) as f64
        } else {
            one
        });
    }
    // 2. Projects not started by the first year: online or not, and late.
    for (stage, k, r) in unc.risky_projects(&base.dataset, base.config.from) {
        let risk = &unc.projects[r];
        let stage_no = Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0) as u64;
        let mut s = Stream::new(seed, run, rng::PROJECT + (stage_no << 20) + k as u64);
        let online = s.uniform() < risk.online_probability;
        let u_delay = s.uniform();
        let capacity = match stage {
            Stage::Mining => &mut x.dataset.mines[k].capacity,
            Stage::Separation => &mut x.dataset.separation_plants[k].capacity,
            Stage::Magnet => &mut x.dataset.magnet_plants[k].capacity,
        };
        if !online {
            capacity.nameplate = 0.0;
            drawn.projects_failed += 1;
        } else if let Some(d) = &risk.delay_years {
            let delay = d.quantile(u_delay).round().max(0.0);
            capacity.start_year = capacity.start_year.saturating_add(delay as i32);
            if let Some(end) = capacity.end_year.as_mut() {
                *end = end.saturating_add(delay as i32);
            }
            drawn.project_delay_years += delay;
        }
    }
    // 3. Events: in a year when it is not in force, an event starts with its
    //    probability (within its window) and then lasts its drawn duration.
    for (k, e) in unc.events.iter().enumerate() {
        let mut s = Stream::new(seed, run, rng::EVENT + k as u64);
        let mut years = Years::NONE;
        let mut left = 0u32;
        for year in x.config.from..=x.config.to {
            if left > 0 {
                years.insert(year);
                left -= 1;
                continue;
            }
            if year < e.from || year > e.to {
                continue;
            }
            if s.uniform() < e.probability {
                let span = (e.max_years - e.min_years + 1) as f64;
                let d = e.min_years + ((s.uniform() * span) as u32).min(e.max_years - e.min_years);
                years.insert(year);
                left = d - 1;
            }
        }
        for c in &e.controls {
            let mut c = c.clone();
            c.years = years;
            x.policies.export_controls.push(c);
        }
        for o in &e.outages {
            let mut o = o.clone();
            o.years = years;
            x.policies.outages.push(o);
        }
        drawn.events.push(years);
    }
    (x, drawn)
}
