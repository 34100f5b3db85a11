//! `[uncertain]`: distributions over numeric parameters, project risk by
//! status and disruption events, turned into [`Uncertainty`] with located
//! errors. Rows are selected here, against the scenario's final dataset and
//! levers, so an ensemble never meets a target that matches nothing.

use oreflow_core::{closest, Commodity, Dataset, Element, RegionId, Stage, Status};
use oreflow_sim::policy::{Outage, Policies, Years};
use oreflow_sim::uncertainty::{
    Distribution, Domain, Event, Field, Home, Mode, Parameter, Shape, StatusRisk,
};
use oreflow_sim::MAX_YEAR;

use crate::error::Source;
use crate::raw::{RawDistribution, RawEvent, RawParameter, RawUncertain, S};
use crate::resolve::{element, export_control, region, suggest, year};
use crate::{Scenario, ScenarioError};

type R<T> = Result<T, ScenarioError>;

/// Reads one file's `[uncertain]` into the scenario (after its levers, so
/// lever parameters can select them).
pub(crate) fn apply(sc: &mut Scenario, src: &Source, raw: &RawUncertain) -> R<()> {
    let file = src.path.display().to_string();
    for p in &raw.parameter {
        let param = parameter(sc, src, p)?;
        if let Some(s) = &p.source {
            sc.sources
                .push((format!("{file}: uncertain {}", param.label), s.clone()));
        }
        sc.uncertainty.parameters.push(param);
    }
    for (key, risk) in raw.projects.iter().flatten() {
        let status = match key.get_ref().as_str() {
            "construction" => Status::Construction,
            "feasibility" => Status::Feasibility,
            "announced" => Status::Announced,
            "pilot" => Status::Pilot,
            other => {
                let hint = if other == "operating" || other == "closed" {
                    Some(format!(
                        "{other} facilities are not projects; risk applies to construction, feasibility, announced and pilot"
                    ))
                } else {
                    suggest(
                        other,
                        ["construction", "feasibility", "announced", "pilot"],
                        "statuses",
                    )
                };
                return Err(src.at(
                    key.span(),
                    format!("unknown project status `{other}`"),
                    hint,
                ));
            }
        };
        let r = risk.get_ref();
        let online_probability = probability(src, &r.online_probability, "online_probability")?;
        let delay_years = match &r.delay_years {
            Some(d) => {
                let dist = distribution(src, d)?;
                let lowest = dist.support().0;
                if lowest < 0.0 {
                    let why = if lowest.is_infinite() {
                        "the distribution has no lower bound".to_string()
                    } else {
                        format!("the lowest possible draw is {lowest}")
                    };
                    return Err(src.at(
                        d.span(),
                        format!("delays cannot be negative, but {why}"),
                        Some("bound the draws with `min = 0`".into()),
                    ));
                }
                Some(dist)
            }
            None => None,
        };
        if let Some(s) = &r.source {
            sc.sources.push((
                format!("{file}: risk of {} projects", key.get_ref()),
                s.clone(),
            ));
        }
        sc.uncertainty.projects.retain(|x| x.status != status);
        sc.uncertainty.projects.push(StatusRisk {
            status,
            online_probability,
            delay_years,
        });
    }
    for e in &raw.event {
        let event = event(sc, src, e)?;
        let parts = e
            .export_control
            .iter()
            .map(|c| ("export control", &c.source));
        let parts = parts.chain(e.outage.iter().map(|o| ("outage", &o.source)));
        for (what, s) in std::iter::once(("", &e.source)).chain(parts) {
            if let Some(s) = s {
                let what = if what.is_empty() {
                    String::new()
                } else {
                    format!(" ({what})")
                };
                sc.sources
                    .push((format!("{file}: event {}{what}", event.label), s.clone()));
            }
        }
        sc.uncertainty.events.push(event);
    }
    Ok(())
}

fn probability(src: &Source, v: &S<f64>, what: &str) -> R<f64> {
    let p = *v.get_ref();
    if !(0.0..=1.0).contains(&p) {
        return Err(src.at(
            v.span(),
            format!("`{what}` is {p}; a probability lies between 0 and 1"),
            None,
        ));
    }
    Ok(p)
}

/// A distribution from its inline table, with each bad number located.
fn distribution(src: &Source, d: &S<RawDistribution>) -> R<Distribution> {
    let r = d.get_ref();
    let kinds = ["normal", "lognormal", "triangular", "uniform"];
    let kind = r.kind.get_ref().as_str();
    let allowed: &[&str] = match kind {
        "normal" => &["mean", "sd", "min", "max"],
        "lognormal" => &["median", "sigma", "mean", "sd", "min", "max"],
        "triangular" => &["min", "mode", "max"],
        "uniform" => &["min", "max"],
        other => {
            return Err(src.at(
                r.kind.span(),
                format!("unknown distribution `{other}`"),
                suggest(other, kinds, "distributions"),
            ))
        }
    };
    let given = [
        ("mean", &r.mean),
        ("sd", &r.sd),
        ("median", &r.median),
        ("sigma", &r.sigma),
        ("mode", &r.mode),
        ("min", &r.min),
        ("max", &r.max),
    ];
    for (key, v) in given {
        if let Some(v) = v {
            if !allowed.contains(&key) {
                return Err(src.at(
                    v.span(),
                    format!("`{key}` is not a parameter of a {kind} distribution"),
                    Some(format!(
                        "a {kind} distribution takes {}",
                        allowed.join(", ")
                    )),
                ));
            }
            if !v.get_ref().is_finite() {
                return Err(src.at(v.span(), format!("`{key}` must be a finite number"), None));
            }
        }
    }
    let need = |v: &Option<S<f64>>, key: &str| -> R<f64> {
        v.as_ref().map(|v| *v.get_ref()).ok_or_else(|| {
            src.at(
                d.span(),
                format!("a {kind} distribution needs `{key}`"),
                Some(format!(
                    "a {kind} distribution takes {}",
                    allowed.join(", ")
                )),
            )
        })
    };
    let spread = |v: &Option<S<f64>>, key: &str, what: &str| -> R<f64> {
        let x = need(v, key)?;
        let span = v.as_ref().map(|v| v.span()).unwrap_or(d.span());
        if x < 0.0 {
            return Err(src.at(
                span,
                format!("`{key}` is negative ({x}): a {what} must be positive"),
                None,
            ));
        }
        if x == 0.0 {
            return Err(src.at(
                span,
                format!("`{key}` is 0: the value would not be uncertain"),
                Some("give a fixed value in the scenario instead".into()),
            ));
        }
        Ok(x)
    };
    let bound = |v: &Option<S<f64>>| v.as_ref().map(|v| *v.get_ref());
    let (shape, lower, upper) = match kind {
        "normal" => (
            Shape::Normal {
                mean: need(&r.mean, "mean")?,
                sd: spread(&r.sd, "sd", "standard deviation")?,
            },
            bound(&r.min),
            bound(&r.max),
        ),
        "lognormal" => {
            let shape = match (&r.median, &r.sigma, &r.mean, &r.sd) {
                (Some(m), Some(_), None, None) => {
                    let median = *m.get_ref();
                    if median <= 0.0 {
                        return Err(src.at(
                            m.span(),
                            format!("`median` is {median}; a log-normal median must be positive"),
                            None,
                        ));
                    }
                    Shape::LogNormal {
                        mu: median.ln(),
                        sigma: spread(&r.sigma, "sigma", "standard deviation of the logarithm")?,
                    }
                }
                (None, None, Some(m), Some(_)) => {
                    let sd = spread(&r.sd, "sd", "standard deviation")?;
                    Distribution::lognormal_from_mean_sd(*m.get_ref(), sd)
                        .map_err(|e| src.at(m.span(), e, None))?
                }
                _ => {
                    return Err(src.at(
                        d.span(),
                        "a lognormal distribution needs either `median` and `sigma` (of the logarithm) or `mean` and `sd` (of the value)",
                        None,
                    ))
                }
            };
            (shape, bound(&r.min), bound(&r.max))
        }
        "triangular" => {
            let (min, mode, max) = (
                need(&r.min, "min")?,
                need(&r.mode, "mode")?,
                need(&r.max, "max")?,
            );
            if min >= max {
                return Err(src.at(
                    r.min.as_ref().expect("given").span(),
                    format!("`min` ({min}) must be less than `max` ({max})"),
                    None,
                ));
            }
            if mode < min || mode > max {
                return Err(src.at(
                    r.mode.as_ref().expect("given").span(),
                    format!("`mode` ({mode}) must lie between `min` ({min}) and `max` ({max})"),
                    None,
                ));
            }
            (Shape::Triangular { min, mode, max }, None, None)
        }
        _ => {
            let (min, max) = (need(&r.min, "min")?, need(&r.max, "max")?);
            if min >= max {
                return Err(src.at(
                    r.min.as_ref().expect("given").span(),
                    format!("`min` ({min}) must be less than `max` ({max})"),
                    None,
                ));
            }
            (Shape::Uniform { min, max }, None, None)
        }
    };
    if let (Some(lo), Some(hi)) = (&r.min, &r.max) {
        if matches!(kind, "normal" | "lognormal") && lo.get_ref() >= hi.get_ref() {
            return Err(src.at(
                lo.span(),
                format!(
                    "`min` ({}) must be less than `max` ({})",
                    lo.get_ref(),
                    hi.get_ref()
                ),
                None,
            ));
        }
    }
    Distribution::new(shape, lower, upper).map_err(|e| src.at(d.span(), e, None))
}

/// Which selectors pick rows of a field's home.
fn selectors(home: Home) -> &'static [&'static str] {
    match home {
        Home::Table("mines" | "separation_plants" | "magnet_plants") => {
            &["id", "ids", "region", "status"]
        }
        Home::Table("end_uses") => &["id", "ids"],
        Home::Table("magnet_demand") => &["region", "end_use"],
        Home::Table("oxide_demand") => &["region", "end_use", "element"],
        Home::Table("demand_growth") => &["path", "end_use"],
        Home::Table("magnet_recipe" | "elements") => &["element"],
        Home::Table(_) => &["stage"],
        Home::Run => &[],
        Home::Lever("export_control") => &["label", "region"],
        Home::Lever("tariff" | "agreement") => &["region"],
        Home::Lever("stockpile") => &["region", "element"],
        Home::Lever("substitution") => &["end_use"],
        Home::Lever(_) => &["element"],
    }
}

/// What a row of a field's home is, for matching selectors.
#[derive(Default)]
struct Row<'a> {
    id: Option<&'a str>,
    regions: Vec<RegionId>,
    status: Option<Status>,
    end_use: Option<usize>,
    element: Option<Element>,
    path: Option<&'a str>,
    stage: Option<Commodity>,
    label: Option<&'a str>,
}

fn row<'a>(field: Field, ds: &'a Dataset, pol: &'a Policies, k: usize) -> Row<'a> {
    use Field::*;
    let facility = |id: &'a str, region: RegionId, status: Status| Row {
        id: Some(id),
        regions: vec![region],
        status: Some(status),
        ..Row::default()
    };
    match field {
        MineCapacity | MineCost | MineStartYear | MineRampYears => {
            let m = &ds.mines[k];
            facility(&m.id, m.region, m.status)
        }
        SeparationCapacity | SeparationCost | SeparationStartYear | SeparationRampYears => {
            let p = &ds.separation_plants[k];
            facility(&p.id, p.region, p.status)
        }
        MagnetCapacity | MagnetCost | MagnetStartYear | MagnetRampYears => {
            let p = &ds.magnet_plants[k];
            facility(&p.id, p.region, p.status)
        }
        Elasticity | ElasticityShortRun | AdjustmentYears | Lifetime | ValueAdded => Row {
            id: Some(&ds.end_uses[k].id),
            ..Row::default()
        },
        MagnetDemand => Row {
            regions: vec![ds.magnet_demand[k].region],
            end_use: Some(ds.magnet_demand[k].end_use),
            ..Row::default()
        },
        OxideDemand => Row {
            regions: vec![ds.oxide_demand[k].region],
            end_use: Some(ds.oxide_demand[k].end_use),
            element: Some(ds.oxide_demand[k].element),
            ..Row::default()
        },
        Growth => {
            let n = ds.end_uses.len().max(1);
            Row {
                path: Some(&ds.growth_paths[k / n].name),
                end_use: Some(k % n),
                ..Row::default()
            }
        }
        RecipeContent => Row {
            element: Some(ds.recipe[k].element),
            ..Row::default()
        },
        ReferencePrice => Row {
            element: Some(ds.elements[k].element),
            ..Row::default()
        },
        TradeCost => Row {
            stage: Some(ds.trade_costs[k].commodity),
            ..Row::default()
        },
        RecyclingRate | DisposalCost | StockScale => Row::default(),
        ControlShare | ControlFee | ControlQuota => Row {
            label: Some(&pol.export_controls[k].label),
            regions: vec![pol.export_controls[k].origin],
            ..Row::default()
        },
        TariffRate => Row {
            regions: vec![pol.tariffs[k].importer],
            ..Row::default()
        },
        StockpileSize | StockpileTrigger => Row {
            regions: vec![pol.stockpiles[k].region],
            element: Some(pol.stockpiles[k].element),
            ..Row::default()
        },
        LinkCostFactor | LinkOfftakeShare => Row {
            regions: vec![pol.links[k].a, pol.links[k].b],
            ..Row::default()
        },
        SubstitutionShare => Row {
            end_use: Some(pol.substitution[k].0),
            ..Row::default()
        },
        ThriftingReduction => Row {
            element: Some(pol.thrifting[k].0),
            ..Row::default()
        },
    }
}

fn parameter(sc: &Scenario, src: &Source, p: &RawParameter) -> R<Parameter> {
    let (ds, cfg, pol) = (&sc.dataset, &sc.config, &sc.policies);
    let name = p.target.get_ref();
    let field = Field::from_name(name).ok_or_else(|| {
        let names = Field::ALL.iter().map(|f| f.1);
        let hint = closest(name, names.clone())
            .map(|c| format!("did you mean `{c}`?"))
            .unwrap_or_else(|| {
                "targets are `table.column` of a data table (e.g. `mines.capacity_t_reo`), `run.key` or `lever.key`; see docs/ensembles.md".into()
            });
        src.at(p.target.span(), format!("unknown target `{name}`"), Some(hint))
    })?;
    let home = field.home();
    let allowed = selectors(home);
    let what = match home {
        Home::Table(t) => format!("{t}.csv"),
        Home::Run => "the run settings".into(),
        Home::Lever(l) => format!("the scenario's [[{l}]] levers"),
    };
    // Selectors given, each located.
    let given: Vec<(&str, std::ops::Range<usize>)> = [
        ("id", p.id.as_ref().map(|v| v.span())),
        ("ids", p.ids.as_ref().map(|v| v.span())),
        ("region", p.region.as_ref().map(|v| v.span())),
        ("status", p.status.as_ref().map(|v| v.span())),
        ("end_use", p.end_use.as_ref().map(|v| v.span())),
        ("element", p.element.as_ref().map(|v| v.span())),
        ("path", p.path.as_ref().map(|v| v.span())),
        ("stage", p.stage.as_ref().map(|v| v.span())),
        ("label", p.label.as_ref().map(|v| v.span())),
    ]
    .into_iter()
    .filter_map(|(k, s)| s.map(|s| (k, s)))
    .collect();
    for (key, span) in &given {
        if !allowed.contains(key) {
            let hint = if allowed.is_empty() {
                format!("`{name}` has a single value: give no selector")
            } else {
                format!("rows of {what} are selected by {}", allowed.join(", "))
            };
            return Err(src.at(
                span.clone(),
                format!("`{key}` does not select rows of {what}"),
                Some(hint),
            ));
        }
    }
    if let (Some(_), Some(ids)) = (&p.id, &p.ids) {
        return Err(src.at(ids.span(), "give `id` or `ids`, not both", None));
    }
    let ids: Option<Vec<&S<String>>> =
        p.id.as_ref()
            .map(|i| vec![i])
            .or_else(|| p.ids.as_ref().map(|l| l.get_ref().iter().collect()));
    let want_region = p.region.as_ref().map(|r| region(src, ds, r)).transpose()?;
    let want_status = p
        .status
        .as_ref()
        .map(|s| {
            Status::parse(s.get_ref()).ok_or_else(|| {
                src.at(
                    s.span(),
                    format!("unknown status `{}`", s.get_ref()),
                    suggest(s.get_ref(), Status::NAMES, "statuses"),
                )
            })
        })
        .transpose()?;
    let want_end_use = p
        .end_use
        .as_ref()
        .map(|u| {
            ds.end_use(u.get_ref()).ok_or_else(|| {
                src.at(
                    u.span(),
                    format!("unknown end use `{}`", u.get_ref()),
                    suggest(
                        u.get_ref(),
                        ds.end_uses.iter().map(|e| e.id.as_str()),
                        "end uses",
                    ),
                )
            })
        })
        .transpose()?;
    let want_element = p.element.as_ref().map(|e| element(src, e)).transpose()?;
    let want_stage = p
        .stage
        .as_ref()
        .map(|s| match s.get_ref().as_str() {
            "concentrate" => Ok(Commodity::Concentrate),
            "oxide" => Ok(Commodity::Oxide),
            "magnet" => Ok(Commodity::Magnet),
            other => Err(src.at(
                s.span(),
                format!("unknown stage `{other}`"),
                suggest(other, ["concentrate", "oxide", "magnet"], "stages"),
            )),
        })
        .transpose()?;
    if let Some(path) = &p.path {
        if ds.growth_path(path.get_ref()).is_none() {
            return Err(src.at(
                path.span(),
                format!("unknown demand growth path `{}`", path.get_ref()),
                suggest(
                    path.get_ref(),
                    ds.growth_paths.iter().map(|g| g.name.as_str()),
                    "paths",
                ),
            ));
        }
    }
    // Every id must name a row (a misspelt id would otherwise select nothing).
    if let Some(ids) = &ids {
        let all: Vec<&str> = (0..field.rows(ds, pol))
            .filter_map(|k| row(field, ds, pol, k).id)
            .collect();
        for id in ids {
            if !all.contains(&id.get_ref().as_str()) {
                return Err(src.at(
                    id.span(),
                    format!("no row of {what} has id `{}`", id.get_ref()),
                    suggest(id.get_ref(), all.iter().copied(), "ids"),
                ));
            }
        }
    }
    let n = field.rows(ds, pol);
    let mut rows: Vec<usize> = (0..n)
        .filter(|&k| {
            let r = row(field, ds, pol, k);
            ids.as_ref()
                .is_none_or(|ids| ids.iter().any(|i| Some(i.get_ref().as_str()) == r.id))
                && want_region.is_none_or(|w| r.regions.contains(&w))
                && want_status.is_none_or(|w| r.status == Some(w))
                && want_end_use.is_none_or(|w| r.end_use == Some(w))
                && want_element.is_none_or(|w| r.element == Some(w))
                && p.path
                    .as_ref()
                    .is_none_or(|w| r.path == Some(w.get_ref().as_str()))
                && want_stage.is_none_or(|w| r.stage == Some(w))
                && p.label
                    .as_ref()
                    .is_none_or(|w| r.label == Some(w.get_ref().as_str()))
        })
        .collect();
    // Rows that hold no number for the field (a ban has no `share`, a growth
    // path without points for an end use) are not changed.
    let values = field.values(ds, cfg, pol, &rows);
    let mut kept = Vec::new();
    let mut kept_values = Vec::new();
    for (k, v) in rows.drain(..).zip(values) {
        if !v.is_empty() {
            kept.push(k);
            kept_values.push(v);
        }
    }
    let rows = kept;
    if rows.is_empty() {
        let sel: Vec<String> = given
            .iter()
            .map(|(k, s)| format!("{k} = {}", &src.text[s.clone()]))
            .collect();
        let hint = match home {
            Home::Lever(l) => format!(
                "the scenario (with its bases) has no [[{l}]] of that kind here; `{name}` changes levers the scenario defines"
            ),
            _ => "check the selectors against `oreflow data`".into(),
        };
        return Err(src.at(
            p.target.span(),
            format!(
                "`{name}` matches no row of {what}{}",
                if sel.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", sel.join(", "))
                }
            ),
            Some(hint),
        ));
    }
    let mode = match &p.apply {
        None => match field.domain() {
            Domain::Year | Domain::Count => Mode::Add,
            _ => Mode::Scale,
        },
        Some(m) => Mode::from_name(m.get_ref()).ok_or_else(|| {
            src.at(
                m.span(),
                format!("unknown way to apply a draw `{}`", m.get_ref()),
                suggest(m.get_ref(), Mode::NAMES, "values"),
            )
        })?,
    };
    let dist = distribution(src, &p.distribution)?;
    // Every changed value must stay in the field's domain whatever the draw.
    let (lo, hi) = dist.support();
    let domain = field.domain();
    for (&k, vals) in rows.iter().zip(&kept_values) {
        for &v in vals {
            if mode == Mode::Scale && v == 0.0 {
                continue;
            }
            for x in [lo, hi] {
                let out = mode.apply(v, x);
                // The field's possible range (oreflow_core::ranges), where it
                // has one, bounds the distribution's finite ends too (an
                // unbounded tail is checked draw by draw: a run whose draw
                // leaves the range fails and is counted as failed).
                let possible = oreflow_core::ranges::range(name).map(|r| r.possible);
                if let Some(r) =
                    possible.filter(|r| x.is_finite() && domain.allows(out) && !r.contains(out))
                {
                    let how = match mode {
                        Mode::Scale => format!("{v} × {x}"),
                        Mode::Add => format!("{v} + {x}"),
                        Mode::Set => format!("{x}"),
                    };
                    return Err(src.at(
                        p.distribution.span(),
                        format!(
                            "`{name}` must stay in its possible range {r}, but a draw of {x} would make it {how} = {out}"
                        ),
                        Some("bound the draws with `min` and `max` (docs/ranges.md lists the ranges)".into()),
                    ));
                }
                if !domain.allows(out) {
                    let r = row(field, ds, pol, k);
                    let which =
                        r.id.or(r.label)
                            .map(|i| format!(" (row `{i}`: {v})"))
                            .unwrap_or_else(|| format!(" (value {v})"));
                    let how = match mode {
                        Mode::Scale => format!("{v} × {x}"),
                        Mode::Add => format!("{v} + {x}"),
                        Mode::Set => format!("{x}"),
                    };
                    let message = if x.is_infinite() {
                        format!(
                            "`{name}` must stay {}, but the distribution has no {} bound, so a draw could make it {}{which}",
                            domain.describe(),
                            if x < 0.0 { "lower" } else { "upper" },
                            if out < 0.0 { "negative" } else { "as large as any number" },
                        )
                    } else {
                        format!(
                            "`{name}` must stay {}, but a draw of {x} would make it {how} = {out}{which}",
                            domain.describe()
                        )
                    };
                    return Err(src.at(
                        p.distribution.span(),
                        message,
                        Some(match mode {
                            Mode::Scale => {
                                "bound the factor with `min` and `max` (e.g. `min = 0`)".into()
                            }
                            _ => "bound the draws with `min` and `max`".into(),
                        }),
                    ));
                }
            }
        }
    }
    let label = match &p.name {
        Some(n) => n.get_ref().clone(),
        None => {
            let sel: Vec<String> = given
                .iter()
                .map(|(k, s)| format!("{k}={}", src.text[s.clone()].trim_matches('"')))
                .collect();
            if sel.is_empty() {
                name.clone()
            } else {
                format!("{name}[{}]", sel.join(","))
            }
        }
    };
    Ok(Parameter {
        label,
        field,
        rows,
        mode,
        distribution: dist,
        per_row: p.per_row.as_ref().is_some_and(|v| *v.get_ref()),
    })
}

fn event(sc: &Scenario, src: &Source, e: &RawEvent) -> R<Event> {
    let ds = &sc.dataset;
    let probability = probability(src, &e.probability, "probability")?;
    let d = e.duration_years.get_ref();
    let (min_years, max_years) = match d.as_slice() {
        [a, b] if *a.get_ref() >= 1 && a.get_ref() <= b.get_ref() => {
            (*a.get_ref() as u32, *b.get_ref() as u32)
        }
        _ => {
            return Err(src.at(
                e.duration_years.span(),
                "`duration_years` must be [min, max], whole years with 1 ≤ min ≤ max",
                Some("e.g. duration_years = [1, 3]: lasts 1, 2 or 3 years, equally likely".into()),
            ))
        }
    };
    let from = e.from.as_ref().map(|v| year(src, v)).transpose()?;
    let to = e.to.as_ref().map(|v| year(src, v)).transpose()?;
    let (from, to) = (from.unwrap_or(ds.reference_year), to.unwrap_or(MAX_YEAR));
    if to < from {
        return Err(src.at(
            e.to.as_ref().expect("given").span(),
            format!("`to` ({to}) is before `from` ({from})"),
            None,
        ));
    }
    if e.export_control.is_empty() && e.outage.is_empty() {
        return Err(src.at(
            e.name.span(),
            format!("event `{}` changes nothing", e.name.get_ref()),
            Some(
                "give it [[uncertain.event.export_control]] or [[uncertain.event.outage]] tables"
                    .into(),
            ),
        ));
    }
    let mut controls = Vec::new();
    for (k, c) in e.export_control.iter().enumerate() {
        let mut control = export_control(src, ds, &control_parts!(c), k, Years::NONE)?;
        if c.label.is_none() {
            control.label = format!("{} ({})", e.name.get_ref(), control.label);
        }
        controls.push(control);
    }
    let mut outages = Vec::new();
    for o in &e.outage {
        let stage = match o.stage.get_ref().as_str() {
            "mining" => Stage::Mining,
            "separation" => Stage::Separation,
            "magnet" => Stage::Magnet,
            other => {
                return Err(src.at(
                    o.stage.span(),
                    format!("unknown facility stage `{other}`"),
                    suggest(other, ["mining", "separation", "magnet"], "stages"),
                ))
            }
        };
        let facilities: Vec<(&str, RegionId)> = match stage {
            Stage::Mining => ds.mines.iter().map(|m| (m.id.as_str(), m.region)).collect(),
            Stage::Separation => ds
                .separation_plants
                .iter()
                .map(|p| (p.id.as_str(), p.region))
                .collect(),
            Stage::Magnet => ds
                .magnet_plants
                .iter()
                .map(|p| (p.id.as_str(), p.region))
                .collect(),
        };
        let mut chosen = Vec::new();
        match (&o.ids, &o.region) {
            (Some(ids), None) => {
                for id in ids.get_ref() {
                    let k = facilities
                        .iter()
                        .position(|(f, _)| *f == id.get_ref())
                        .ok_or_else(|| {
                            src.at(
                                id.span(),
                                format!("no {} facility has id `{}`", o.stage.get_ref(), id.get_ref()),
                                suggest(id.get_ref(), facilities.iter().map(|f| f.0), "ids"),
                            )
                        })?;
                    chosen.push(k);
                }
            }
            (None, Some(r)) => {
                let reg = region(src, ds, r)?;
                chosen = (0..facilities.len())
                    .filter(|&k| facilities[k].1 == reg)
                    .collect();
                if chosen.is_empty() {
                    return Err(src.at(
                        r.span(),
                        format!(
                            "region {} has no {} facility",
                            r.get_ref(),
                            o.stage.get_ref()
                        ),
                        None,
                    ));
                }
            }
            _ => {
                return Err(src.at(
                    o.stage.span(),
                    "an outage needs either `ids` (facilities) or `region` (all its facilities of that stage)",
                    None,
                ))
            }
        }
        let factor = *o.capacity_factor.get_ref();
        if !(0.0..=1.0).contains(&factor) {
            return Err(src.at(
                o.capacity_factor.span(),
                format!("`capacity_factor` is {factor}; an outage keeps a share between 0 and 1 of capacity"),
                None,
            ));
        }
        outages.push(Outage {
            label: e.name.get_ref().clone(),
            stage,
            facilities: chosen,
            capacity_factor: factor,
            years: Years::NONE,
        });
    }
    Ok(Event {
        label: e.name.get_ref().clone(),
        probability,
        min_years,
        max_years,
        from,
        to,
        controls,
        outages,
        source: e.source.clone(),
    })
}
