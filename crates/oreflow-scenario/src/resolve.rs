//! Reading a scenario chain and applying it to a dataset, run settings and
//! policies, with located errors.

use std::path::{Path, PathBuf};

use oreflow_core::ranges::{self, Verdict};
use oreflow_core::{
    closest, CapacityPath, Commodity, Dataset, Element, MagnetPlant, Mine, Provenance, Quality,
    RegionId, SeparationPlant, Status, UsdPerKg, Year, ELEMENTS, MIN_YEAR,
};
use oreflow_sim::policy::{
    ControlKind, ExportControl, Link, Path as ValuePath, Stockpile, Tariff, Years,
};
use oreflow_sim::{RunConfig, MAX_YEAR};

use crate::error::Source;
use crate::raw::{Points, RawProject, RawScenario, S};
use crate::source::{Refusal, Resolver};
use crate::{Scenario, ScenarioError};

type R<T> = Result<T, ScenarioError>;

/// The file's parse error, located, with a "did you mean" for unknown keys.
fn toml_error(path: &Path, text: &str, e: toml::de::Error) -> ScenarioError {
    let src = Source::new(path, text);
    let message = e
        .message()
        .trim()
        .replace("expected i32", "expected a whole number (a year)")
        .replace("expected u32", "expected a whole number, 0 or more")
        .replace("expected f64", "expected a number")
        .replace(
            "expected a sequence",
            "expected a list in square brackets [ … ]",
        )
        .replace("expected a string", "expected text in double quotes");
    let mut hint = None;
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((name, tail)) = rest.split_once('`') {
            let valid: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
            let event_control = valid.contains(&"origin") && !valid.contains(&"from");
            hint = match closest(name, valid.iter().copied()) {
                _ if event_control && (name == "from" || name == "to") => Some(
                    "an event's export control is in force while the event lasts: give `from` and `to` (the years it may start) on the [[uncertain.event]]".into(),
                ),
                Some(c) => Some(format!("did you mean `{c}`?")),
                None if !valid.is_empty() => Some(format!("valid keys here: {}", valid.join(", "))),
                None => None,
            };
        }
    }
    match e.span() {
        Some(span) => src.at(span, message, hint),
        None => src.whole(message, hint),
    }
}

/// Every file a scenario names (the scenario, its bases, its tables) is
/// read here, through `oreflow-io`'s bounded read: regular files only, at
/// most `limit`, UTF-8.
pub(crate) fn read_file(
    path: &Path,
    limit: oreflow_io::Limit,
) -> Result<String, oreflow_io::IoError> {
    oreflow_io::read_text(path, limit)
}

/// A scenario's `name`: shown in reports and made into a folder name (a
/// slug) for default outputs; control characters and very long names are
/// refused.
fn check_name(src: &Source, name: &S<String>) -> R<()> {
    let n = name.get_ref();
    if let Some(c) = n.chars().find(|c| c.is_control()) {
        return Err(src.at(
            name.span(),
            format!("`name` holds a control character ({:?})", c),
            Some("a name is one line of text".into()),
        ));
    }
    if n.chars().count() > 200 {
        return Err(src.at(
            name.span(),
            format!(
                "`name` is {} characters long; at most 200",
                n.chars().count()
            ),
            None,
        ));
    }
    Ok(())
}

pub(crate) fn load(files: &dyn Resolver, path: &Path) -> R<Scenario> {
    let refused = |file: &Path, r: Refusal| ScenarioError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        message: r.message,
        hint: r.hint,
    };
    // 1. The chain of files, leaf first.
    let mut chain: Vec<(PathBuf, String, RawScenario)> = Vec::new();
    let mut current = path.to_path_buf();
    // The embedded dataset at the root of the chain.
    let mut root = "baseline";
    loop {
        let identity = files.identity(&current);
        if chain.iter().any(|(p, _, _)| files.identity(p) == identity) {
            let (p, t, raw) = chain.last().expect("a file refers to this one");
            let span = raw.base.as_ref().map(|b| b.span()).unwrap_or(0..0);
            return Err(Source::new(p, t).at(
                span,
                format!(
                    "`base` makes a cycle: {} is already in the chain",
                    current.display()
                ),
                Some("a scenario's base must eventually be `baseline`".into()),
            ));
        }
        let text = files.read(&current).map_err(|r| refused(&current, r))?;
        let raw: RawScenario = toml::from_str(&text).map_err(|e| toml_error(&current, &text, e))?;
        if let Some(n) = &raw.name {
            check_name(&Source::new(&current, &text), n)?;
        }
        let next = match &raw.base {
            None => None,
            Some(b) if oreflow_data::DATASETS.contains(&b.get_ref().as_str()) => {
                root = oreflow_data::DATASETS
                    .iter()
                    .find(|d| **d == b.get_ref().as_str())
                    .expect("contained");
                None
            }
            Some(b) => Some(
                files
                    .base(&current, b.get_ref())
                    .map_err(|r| Source::new(&current, &text).at(b.span(), r.message, r.hint))?,
            ),
        };
        chain.push((current.clone(), text, raw));
        match next {
            None => break,
            Some(p) => current = p,
        }
    }
    chain.reverse();

    // 2. Tables replaced by the chain, then the dataset.
    let mut tables: Vec<(String, String)> = oreflow_data::embedded_files_of(root)
        .expect("a known dataset")
        .into_iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    let mut replaced: Vec<(String, PathBuf)> = Vec::new();
    for (p, text, raw) in &chain {
        let src = Source::new(p, text);
        for (key, value) in raw.tables.iter().flatten() {
            let name = key.get_ref().trim_end_matches(".csv");
            let file = format!("{name}.csv");
            let Some(slot) = tables.iter_mut().find(|(n, _)| *n == file) else {
                let names: Vec<&str> = oreflow_data::TABLES
                    .iter()
                    .map(|t| t.file.trim_end_matches(".csv"))
                    .collect();
                let hint = closest(name, names.iter().copied())
                    .map(|c| format!("did you mean `{c}`?"))
                    .unwrap_or_else(|| format!("tables: {}", names.join(", ")));
                return Err(src.at(
                    key.span(),
                    format!("unknown table `{}`", key.get_ref()),
                    Some(hint),
                ));
            };
            let (csv_path, text) = files
                .table(p, value.get_ref())
                .map_err(|r| src.at(value.span(), r.message, r.hint))?;
            slot.1 = text;
            replaced.push((file, csv_path));
        }
    }
    let dataset = oreflow_data::parse(&tables).map_err(|e| {
        let mut issues = e.issues;
        for i in &mut issues {
            if let Some((_, p)) = replaced.iter().find(|(f, _)| *f == i.file) {
                i.file = p.display().to_string();
            }
        }
        ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message: oreflow_data::DataError { issues }.to_string(),
            hint: None,
        }
    })?;

    // 3. Each file's changes, base first.
    let leaf = chain.last().expect("at least one file");
    let name = leaf
        .2
        .name
        .as_ref()
        .map(|n| n.get_ref().clone())
        .unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let config = RunConfig::for_dataset(&dataset);
    let mut sc = Scenario {
        name,
        description: leaf.2.description.clone().unwrap_or_default(),
        files: chain.iter().map(|(p, _, _)| p.clone()).collect(),
        dataset,
        config,
        policies: Default::default(),
        sources: Vec::new(),
        uncertainty: Default::default(),
        warnings: Vec::new(),
    };
    let rename = |mut issues: Vec<oreflow_core::DataIssue>| {
        for i in &mut issues {
            if let Some((_, p)) = replaced.iter().find(|(f, _)| *f == i.file) {
                i.file = p.display().to_string();
            }
        }
        issues
    };
    sc.warnings.extend(
        rename(sc.dataset.warnings())
            .iter()
            .map(|w| format!("warning: {w}")),
    );
    for (p, text, raw) in &chain {
        let src = Source::new(p, text);
        apply(&mut sc, &src, raw)?;
        sc.warnings
            .extend(src.warnings.take().iter().map(|w| format!("warning: {w}")));
    }
    // Projects change rows (capacity factors multiply capacities): the
    // changed dataset must still hold possible numbers only.
    let issues = rename(sc.dataset.check());
    if !issues.is_empty() {
        return Err(ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message: oreflow_data::DataError { issues }.to_string(),
            hint: None,
        });
    }
    Ok(sc)
}

pub(crate) fn suggest<'a>(
    name: &str,
    valid: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> Option<String> {
    match closest(name, valid.clone()) {
        Some(c) => Some(format!("did you mean `{c}`?")),
        None => {
            let all: Vec<&str> = valid.into_iter().collect();
            if all.len() <= 20 {
                Some(format!("valid {what}: {}", all.join(", ")))
            } else {
                None
            }
        }
    }
}

pub(crate) fn region(src: &Source, ds: &Dataset, v: &S<String>) -> R<RegionId> {
    ds.region(v.get_ref()).ok_or_else(|| {
        let names: Vec<&str> = ds
            .regions
            .iter()
            .flat_map(|r| {
                std::iter::once(r.code.as_str())
                    .chain(std::iter::once(r.name.as_str()))
                    .chain(r.aliases.iter().map(String::as_str))
            })
            .collect();
        let hint = closest(v.get_ref(), names.iter().copied()).map(|c| {
            let r = ds.region(c).expect("a listed name");
            let reg = &ds.regions[r.index()];
            if c == reg.name {
                format!("did you mean `{c}`?")
            } else {
                format!("did you mean `{c}` ({})?", reg.name)
            }
        });
        let hint = hint.or_else(|| {
            Some(format!(
                "regions: {}",
                ds.regions
                    .iter()
                    .map(|r| r.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        });
        src.at(v.span(), format!("unknown region `{}`", v.get_ref()), hint)
    })
}

/// A list of regions where `*` means every region (except `exclude`).
fn regions(
    src: &Source,
    ds: &Dataset,
    list: &S<Vec<S<String>>>,
    exclude: Option<RegionId>,
) -> R<Vec<RegionId>> {
    if list.get_ref().is_empty() {
        return Err(src.at(
            list.span(),
            "the list is empty",
            Some("name at least one region, or `*` for all".into()),
        ));
    }
    let mut out = Vec::new();
    for v in list.get_ref() {
        if v.get_ref() == "*" {
            out.extend((0..ds.regions.len()).map(|i| RegionId(i as u16)));
        } else {
            out.push(region(src, ds, v)?);
        }
    }
    out.sort();
    out.dedup();
    out.retain(|r| Some(*r) != exclude);
    Ok(out)
}

pub(crate) fn element(src: &Source, v: &S<String>) -> R<Element> {
    v.get_ref().parse::<Element>().map_err(|_| {
        src.at(
            v.span(),
            format!("unknown element `{}`", v.get_ref()),
            suggest(
                v.get_ref(),
                ELEMENTS
                    .iter()
                    .map(|e| e.symbol())
                    .chain(ELEMENTS.iter().map(|e| e.name())),
                "elements",
            ),
        )
    })
}

fn elements(src: &Source, list: &Option<S<Vec<S<String>>>>) -> R<Vec<Element>> {
    match list {
        None => Ok(Vec::new()),
        Some(l) if l.get_ref().is_empty() => Err(src.at(
            l.span(),
            "the list of elements is empty",
            Some("leave `elements` out to cover every element".into()),
        )),
        Some(l) => l.get_ref().iter().map(|v| element(src, v)).collect(),
    }
}

const STAGES: [&str; 3] = ["concentrate", "oxide", "magnet"];

fn stages(src: &Source, list: &S<Vec<S<String>>>) -> R<Vec<Commodity>> {
    if list.get_ref().is_empty() {
        return Err(src.at(
            list.span(),
            "the list of stages is empty",
            Some(format!("stages: {}", STAGES.join(", "))),
        ));
    }
    list.get_ref()
        .iter()
        .map(|v| match v.get_ref().as_str() {
            "concentrate" => Ok(Commodity::Concentrate),
            "oxide" => Ok(Commodity::Oxide),
            "magnet" => Ok(Commodity::Magnet),
            other => Err(src.at(
                v.span(),
                format!("unknown stage `{other}`"),
                suggest(other, STAGES, "stages"),
            )),
        })
        .collect()
}

pub(crate) fn year(src: &Source, v: &S<i32>) -> R<Year> {
    let y = *v.get_ref();
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(src.at(
            v.span(),
            format!("year {y} is outside the model's range"),
            Some(format!("years run from {MIN_YEAR} to {MAX_YEAR}")),
        ));
    }
    Ok(y)
}

fn span_years(src: &Source, from: &S<i32>, to: Option<&S<i32>>) -> R<(Year, Year)> {
    let f = year(src, from)?;
    let t = match to {
        Some(t) => year(src, t)?,
        None => MAX_YEAR,
    };
    if t < f {
        return Err(src.at(
            to.expect("set").span(),
            format!("`to` ({t}) is before `from` ({f})"),
            None,
        ));
    }
    Ok((f, t))
}

/// A number of a scenario key checked against its range in
/// [`oreflow_core::ranges`]: outside the possible range an error at its
/// place, outside the plausible range a warning.
fn number(src: &Source, v: &S<f64>, key: &str) -> R<f64> {
    let x = *v.get_ref();
    let what = key.rsplit('.').next().unwrap_or(key);
    match ranges::check(key, x) {
        Verdict::Impossible(m) => Err(src.at(v.span(), format!("`{what}` {m}"), None)),
        Verdict::Implausible(m) => {
            src.warn(v.span(), format!("`{what}` {m}"));
            Ok(x)
        }
        Verdict::Ok => Ok(x),
    }
}

fn points(src: &Source, v: &S<Points>, key: &str) -> R<ValuePath> {
    let what = key.rsplit('.').next().unwrap_or(key);
    let p = v.get_ref();
    if p.is_empty() {
        return Err(src.at(
            v.span(),
            format!("{what} has no points"),
            Some("give [[year, value], …]".into()),
        ));
    }
    let mut out: Vec<(Year, f64)> = Vec::with_capacity(p.len());
    for pair in p {
        let (y, x) = *pair.get_ref();
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            return Err(src.at(
                pair.span(),
                format!("{what}: year {y} is outside {MIN_YEAR}–{MAX_YEAR}"),
                None,
            ));
        }
        match ranges::check(key, x) {
            Verdict::Impossible(m) => {
                return Err(src.at(pair.span(), format!("{what} in {y} {m}"), None))
            }
            Verdict::Implausible(m) => src.warn(pair.span(), format!("{what} in {y} {m}")),
            Verdict::Ok => {}
        }
        if let Some(&(prev, _)) = out.last() {
            if y <= prev {
                return Err(src.at(
                    pair.span(),
                    format!("{what}: years must increase ({prev} then {y})"),
                    None,
                ));
            }
        }
        out.push((y, x));
    }
    Ok(ValuePath(out))
}

fn apply(sc: &mut Scenario, src: &Source, raw: &RawScenario) -> R<()> {
    let file = src.path.display().to_string();
    let mut cite = |what: String, source: &Option<String>| {
        if let Some(s) = source {
            sc.sources.push((format!("{file}: {what}"), s.clone()));
        }
    };
    for c in &raw.export_control {
        cite(
            format!("export control by {}", c.origin.get_ref()),
            &c.source,
        );
    }
    for t in &raw.tariff {
        cite(format!("tariff of {}", t.importer.get_ref()), &t.source);
    }
    for a in &raw.agreement {
        cite(format!("agreement {}", a.kind.get_ref()), &a.source);
    }
    for p in &raw.project {
        cite(format!("project {}", p.id.get_ref()), &p.source);
    }
    for s in &raw.stockpile {
        cite(
            format!(
                "stockpile of {} in {}",
                s.element.get_ref(),
                s.region.get_ref()
            ),
            &s.source,
        );
    }
    if let Some(d) = &raw.demand {
        for s in &d.substitution {
            cite(
                format!("substitution in {}", s.end_use.get_ref()),
                &s.source,
            );
        }
        for t in &d.thrifting {
            cite(format!("thrifting of {}", t.element.get_ref()), &t.source);
        }
    }
    let ds_regions = sc.dataset.clone();
    let ds = &ds_regions;
    if let Some(run) = &raw.run {
        if let Some(v) = &run.from {
            sc.config.from = year(src, v)?;
        }
        if let Some(v) = &run.to {
            sc.config.to = year(src, v)?;
        }
        if sc.config.to < sc.config.from {
            let span = run
                .to
                .as_ref()
                .or(run.from.as_ref())
                .map(|s| s.span())
                .unwrap_or(0..0);
            return Err(src.at(
                span,
                format!(
                    "the run ends ({}) before it starts ({})",
                    sc.config.to, sc.config.from
                ),
                None,
            ));
        }
        if let Some(v) = &run.growth_path {
            growth_path(src, ds, v)?;
            sc.config.growth_path = v.get_ref().clone();
        }
        if let Some(v) = &run.recycling {
            sc.policies.recycling = Some(points(src, v, "run.recycling")?);
        }
        if let Some(v) = &run.disposal_cost_usd_per_kg {
            sc.config.disposal_cost = number(src, v, "run.disposal_cost_usd_per_kg")?;
        }
        if let Some(v) = &run.stock_scale {
            sc.config.stock_scale = number(src, v, "run.stock_scale")?;
        }
        if let Some(v) = run.adjustment {
            sc.config.adjustment = v;
        }
        if let Some(v) = run.supply_response {
            sc.config.supply_response = v;
        }
    }
    for p in &raw.project {
        project(sc, src, p)?;
    }
    let ds = &sc.dataset.clone();
    for (k, c) in raw.export_control.iter().enumerate() {
        let (from, to) = span_years(src, &c.from, c.to.as_ref())?;
        let mut control = export_control(src, ds, &control_parts!(c), k, Years::span(from, to))?;
        if let Some(a) = &c.announced {
            let y = year(src, a)?;
            if y > from {
                return Err(src.at(
                    a.span(),
                    format!("`announced` ({y}) is after the control starts ({from})"),
                    Some(
                        "importers buy ahead from the announcement until the control starts".into(),
                    ),
                ));
            }
            control.announced = Some(y);
        }
        sc.policies.export_controls.push(control);
    }
    for p in &raw.reserve_purchase {
        let region = region(src, ds, &p.region)?;
        let (from, to) = span_years(src, &p.from, p.to.as_ref())?;
        let tonnes = number(src, &p.t_reo, "reserve_purchase.t_reo")?;
        let els = elements(src, &p.elements)?;
        // The mix: the listed elements in proportion to the region's
        // reference-year mine output of them (all elements if none listed).
        let mut mix = [0.0; oreflow_core::N_ELEMENTS];
        for m in ds.mines.iter().filter(|m| m.region == region) {
            let k = m.capacity.at(ds.reference_year);
            for e in ELEMENTS {
                if els.is_empty() || els.contains(&e) {
                    mix[e.index()] += k * ds.ore_types[m.ore_type].composition[e.index()];
                }
            }
        }
        let total: f64 = mix.iter().sum();
        if total <= 0.0 {
            return Err(src.at(
                p.region.span(),
                format!(
                    "{} mined none of these elements in {}: the purchase's element mix (its mine output) is empty",
                    p.region.get_ref(),
                    ds.reference_year
                ),
                None,
            ));
        }
        mix.iter_mut().for_each(|x| *x /= total);
        if let Some(s) = &p.source {
            sc.sources.push((
                format!(
                    "{}: reserve purchase in {}",
                    src.path.display(),
                    p.region.get_ref()
                ),
                s.clone(),
            ));
        }
        sc.policies
            .reserve_purchases
            .push(oreflow_sim::policy::ReservePurchase {
                region,
                tonnes,
                mix,
                years: Years::span(from, to),
            });
    }
    for q in &raw.production_quota {
        let region = region(src, ds, &q.region)?;
        let (from, to) = span_years(src, &q.from, q.to.as_ref())?;
        let tonnes = number(src, &q.t_reo, "production_quota.t_reo")?;
        if let Some(s) = &q.source {
            sc.sources.push((
                format!(
                    "{}: production quota of {}",
                    src.path.display(),
                    q.region.get_ref()
                ),
                s.clone(),
            ));
        }
        sc.policies
            .production_quotas
            .push(oreflow_sim::policy::ProductionQuota {
                region,
                tonnes,
                years: Years::span(from, to),
            });
    }
    for t in &raw.tariff {
        let importer = region(src, ds, &t.importer)?;
        let origins = regions(src, ds, &t.origins, Some(importer))?;
        if origins.is_empty() {
            return Err(src.at(
                t.origins.span(),
                "no origin is left: a region cannot levy a tariff on itself",
                None,
            ));
        }
        let (from, to) = span_years(src, &t.from, t.to.as_ref())?;
        sc.policies.tariffs.push(Tariff {
            importer,
            origins,
            stages: stages(src, &t.stages)?,
            elements: elements(src, &t.elements)?,
            rate: number(src, &t.rate, "tariff.rate")?,
            from,
            to,
        });
    }
    for a in &raw.agreement {
        let (from, to) = span_years(src, &a.from, a.to.as_ref())?;
        let st = stages(src, &a.stages)?;
        match a.kind.get_ref().as_str() {
            "preferential_link" => {
                let rs = a.regions.get_ref();
                if rs.len() != 2 {
                    return Err(src.at(
                        a.regions.span(),
                        format!(
                            "a preferential link joins exactly two regions, not {}",
                            rs.len()
                        ),
                        None,
                    ));
                }
                if a.cost_factor.is_none() && a.offtake_share.is_none() {
                    return Err(src.at(
                        a.kind.span(),
                        "a preferential link needs `cost_factor` (e.g. 0.5 halves shipping costs), `offtake_share`, or both",
                        None,
                    ));
                }
                sc.policies.links.push(Link {
                    a: region(src, ds, &rs[0])?,
                    b: region(src, ds, &rs[1])?,
                    stages: st,
                    cost_factor: a
                        .cost_factor
                        .as_ref()
                        .map(|f| number(src, f, "agreement.cost_factor"))
                        .transpose()?
                        .unwrap_or(1.0),
                    offtake_share: a
                        .offtake_share
                        .as_ref()
                        .map(|v| number(src, v, "agreement.offtake_share"))
                        .transpose()?,
                    from,
                    to,
                });
            }
            "technology_transfer" => {
                if st.contains(&Commodity::Concentrate) {
                    return Err(src.at(
                        a.stages.span(),
                        "technology transfer applies to `oxide` (separation) or `magnet` (magnet making), not `concentrate`",
                        None,
                    ));
                }
                // Facilities of these stages in these regions cannot operate before `from`.
                for r in a.regions.get_ref() {
                    let reg = region(src, ds, r)?;
                    for s in &st {
                        match s {
                            Commodity::Concentrate => {}
                            Commodity::Oxide => sc
                                .dataset
                                .separation_plants
                                .iter_mut()
                                .filter(|p| p.region == reg)
                                .for_each(|p| {
                                    p.capacity.start_year = p.capacity.start_year.max(from)
                                }),
                            Commodity::Magnet => sc
                                .dataset
                                .magnet_plants
                                .iter_mut()
                                .filter(|p| p.region == reg)
                                .for_each(|p| {
                                    p.capacity.start_year = p.capacity.start_year.max(from)
                                }),
                        }
                    }
                }
            }
            other => {
                return Err(src.at(
                    a.kind.span(),
                    format!("unknown agreement kind `{other}`"),
                    suggest(other, ["preferential_link", "technology_transfer"], "kinds"),
                ))
            }
        }
    }
    if let Some(d) = &raw.demand {
        if let Some(v) = &d.path {
            growth_path(src, ds, v)?;
            if let Some(g) = raw.run.as_ref().and_then(|r| r.growth_path.as_ref()) {
                if g.get_ref() != v.get_ref() {
                    return Err(src.at(
                        v.span(),
                        format!(
                            "`demand.path` ({}) contradicts `run.growth_path` ({})",
                            v.get_ref(),
                            g.get_ref()
                        ),
                        Some("give the growth path once".into()),
                    ));
                }
            }
            sc.config.growth_path = v.get_ref().clone();
        }
        for s in &d.substitution {
            let u = ds.end_use(s.end_use.get_ref()).ok_or_else(|| {
                src.at(
                    s.end_use.span(),
                    format!("unknown end use `{}`", s.end_use.get_ref()),
                    suggest(
                        s.end_use.get_ref(),
                        ds.end_uses.iter().map(|u| u.id.as_str()),
                        "end uses",
                    ),
                )
            })?;
            sc.policies
                .substitution
                .push((u, points(src, &s.share, "demand.substitution.share")?));
        }
        for t in &d.thrifting {
            let e = element(src, &t.element)?;
            if ds.recipe_array()[e.index()] == 0.0 {
                return Err(src.at(
                    t.element.span(),
                    format!("{e} is not in the magnet recipe; only its elements can be thrifted"),
                    Some("recipe elements: Nd, Pr, Dy, Tb".into()),
                ));
            }
            sc.policies
                .thrifting
                .push((e, points(src, &t.reduction, "demand.thrifting.reduction")?));
        }
    }
    for s in &raw.stockpile {
        let from = match &s.from {
            Some(v) => year(src, v)?,
            None => sc.config.from,
        };
        let el = element(src, &s.element)?;
        if ds.reference_price(el).is_none() {
            return Err(src.at(s.element.span(), format!("{el} has no market price in the dataset: a stockpile of it would never be released"), None));
        }
        sc.policies.stockpiles.push(Stockpile {
            region: region(src, ds, &s.region)?,
            element: el,
            size_t: number(src, &s.size_t, "stockpile.size_t")?,
            release_above_usd_per_kg: number(
                src,
                &s.release_above_usd_per_kg,
                "stockpile.release_above_usd_per_kg",
            )?,
            from,
        });
    }
    if let Some(u) = &raw.uncertain {
        crate::uncertain::apply(sc, src, u)?;
    }
    Ok(())
}

/// The keys of an export control, from `[[export_control]]` or from an
/// event's `[[uncertain.event.export_control]]`.
pub(crate) struct ControlParts<'a> {
    pub label: &'a Option<String>,
    pub origin: &'a S<String>,
    pub destinations: &'a S<Vec<S<String>>>,
    pub except: &'a [S<String>],
    pub stages: &'a S<Vec<S<String>>>,
    pub elements: &'a Option<S<Vec<S<String>>>>,
    pub kind: &'a S<String>,
    pub share: &'a Option<S<f64>>,
    pub fee_usd_per_kg: &'a Option<S<f64>>,
    pub quota_t: &'a Option<S<f64>>,
    pub rate: &'a Option<S<f64>>,
    pub pooled: &'a Option<S<bool>>,
    pub leak_t: &'a Option<S<f64>>,
    pub leak_cost_usd_per_kg: &'a Option<S<f64>>,
}

/// An export control in force in `years`; `k` numbers unlabelled ones.
pub(crate) fn export_control(
    src: &Source,
    ds: &Dataset,
    c: &ControlParts,
    k: usize,
    years: Years,
) -> R<ExportControl> {
    let origin = region(src, ds, c.origin)?;
    let mut destinations = regions(src, ds, c.destinations, Some(origin))?;
    for ex in c.except {
        let r = region(src, ds, ex)?;
        destinations.retain(|d| *d != r);
    }
    if destinations.is_empty() {
        return Err(src.at(
            c.destinations.span(),
            "no destination is left (the origin and `except` remove them all)",
            None,
        ));
    }
    let st = stages(src, c.stages)?;
    let els = elements(src, c.elements)?;
    let kind = match c.kind.get_ref().as_str() {
        "ban" => {
            if let Some(extra) = c
                .share
                .as_ref()
                .or(c.quota_t.as_ref())
                .or(c.fee_usd_per_kg.as_ref())
                .or(c.rate.as_ref())
            {
                return Err(src.at(
                    extra.span(),
                    "a ban takes no `share`, `quota_t`, `fee_usd_per_kg` or `rate`",
                    Some("use kind = \"licence\" or \"quota\" to let some trade through".into()),
                ));
            }
            ControlKind::Ban
        }
        "tax" | "duty" => {
            let rate = c.rate.as_ref().ok_or_else(|| {
                src.at(
                    c.kind.span(),
                    "an export tax needs `rate` (ad valorem, e.g. 0.25 for 25 %)",
                    None,
                )
            })?;
            ControlKind::Tax {
                rate: number(src, rate, "export_control.rate")?,
            }
        }
        "quota" => {
            let q = c.quota_t.as_ref().ok_or_else(|| {
                src.at(
                    c.kind.span(),
                    "a quota needs `quota_t` (tonnes per year)",
                    None,
                )
            })?;
            ControlKind::Quota {
                tonnes: number(src, q, "export_control.quota_t")?,
            }
        }
        "licence" | "license" => {
            let share = c
                .share
                .as_ref()
                .map(|s| number(src, s, "export_control.share"))
                .transpose()?;
            let fee = c
                .fee_usd_per_kg
                .as_ref()
                .map(|s| number(src, s, "export_control.fee_usd_per_kg"))
                .transpose()?;
            if share.is_none() && fee.is_none() {
                return Err(src.at(
                    c.kind.span(),
                    "a licence needs `share` (cap as a share of pre-policy exports) or `fee_usd_per_kg` (added cost), or both",
                    None,
                ));
            }
            ControlKind::Licence {
                share,
                fee_usd_per_kg: fee.unwrap_or(0.0),
            }
        }
        other => {
            return Err(src.at(
                c.kind.span(),
                format!("unknown export-control kind `{other}`"),
                suggest(other, ["ban", "quota", "licence", "tax"], "kinds"),
            ))
        }
    };
    let capped = matches!(
        kind,
        ControlKind::Quota { .. } | ControlKind::Licence { share: Some(_), .. }
    );
    for (what, v) in [
        ("pooled", c.pooled.as_ref().map(|v| v.span())),
        ("leak_t", c.leak_t.as_ref().map(|v| v.span())),
    ] {
        if let Some(span) = v {
            if !capped {
                return Err(src.at(
                    span,
                    format!("`{what}` applies to a quota or a licence with `share` (a cap)"),
                    None,
                ));
            }
        }
    }
    let leak_t = c
        .leak_t
        .as_ref()
        .map(|v| number(src, v, "export_control.leak_t"))
        .transpose()?
        .unwrap_or(0.0);
    let leak_cost = c
        .leak_cost_usd_per_kg
        .as_ref()
        .map(|v| number(src, v, "export_control.leak_cost_usd_per_kg"))
        .transpose()?
        .unwrap_or(0.0);
    Ok(ExportControl {
        label: c
            .label
            .clone()
            .unwrap_or_else(|| format!("{} export control {}", ds.region_code(origin), k + 1)),
        origin,
        destinations,
        stages: st,
        elements: els,
        years,
        kind,
        pooled: c.pooled.as_ref().is_some_and(|p| *p.get_ref()),
        leak_t,
        leak_cost_usd_per_kg: leak_cost,
        announced: None,
    })
}

fn growth_path(src: &Source, ds: &Dataset, v: &S<String>) -> R<()> {
    if ds.growth_path(v.get_ref()).is_none() {
        return Err(src.at(
            v.span(),
            format!("unknown demand growth path `{}`", v.get_ref()),
            suggest(
                v.get_ref(),
                ds.growth_paths.iter().map(|p| p.name.as_str()),
                "paths",
            ),
        ));
    }
    Ok(())
}

/// Adds a facility or changes an existing one.
fn project(sc: &mut Scenario, src: &Source, p: &RawProject) -> R<()> {
    let id = p.id.get_ref();
    let ds = &mut sc.dataset;
    let start = p.start_year.as_ref().map(|v| year(src, v)).transpose()?;
    let end = p.end_year.as_ref().map(|v| year(src, v)).transpose()?;
    let close = p.close_year.as_ref().map(|v| year(src, v)).transpose()?;
    let factor = p
        .capacity_factor
        .as_ref()
        .map(|v| number(src, v, "project.capacity_factor"))
        .transpose()?;
    let cost = p
        .cost_usd_per_kg
        .as_ref()
        .map(|v| number(src, v, "project.cost_usd_per_kg"))
        .transpose()?;
    let status = p
        .status
        .as_ref()
        .map(|v| {
            Status::parse(v.get_ref()).ok_or_else(|| {
                src.at(
                    v.span(),
                    format!("unknown status `{}`", v.get_ref()),
                    suggest(v.get_ref(), Status::NAMES, "statuses"),
                )
            })
        })
        .transpose()?;
    let change = |c: &mut CapacityPath, cost_field: &mut UsdPerKg, st: &mut Status| -> R<()> {
        if let Some(s) = start {
            c.start_year = s;
        }
        if let Some(d) = &p.delay_years {
            c.start_year += *d.get_ref();
            if !(MIN_YEAR - 30..=MAX_YEAR).contains(&c.start_year) {
                return Err(src.at(
                    d.span(),
                    format!(
                        "the delay moves the start to {}, outside the model's years",
                        c.start_year
                    ),
                    None,
                ));
            }
        }
        if let Some(r) = &p.ramp_years {
            c.ramp_years = *r.get_ref();
        }
        if let Some(e) = end.or(close) {
            c.end_year = Some(e);
        }
        if let Some(f) = factor {
            c.nameplate *= f;
        }
        if let Some(k) = cost {
            *cost_field = UsdPerKg(k);
        }
        if let Some(s) = status {
            *st = s;
        }
        Ok(())
    };
    let exists = ds.mines.iter().any(|m| &m.id == id)
        || ds.separation_plants.iter().any(|x| &x.id == id)
        || ds.magnet_plants.iter().any(|x| &x.id == id);
    if exists {
        let fixed = [
            ("stage", p.stage.as_ref().map(|v| v.span())),
            ("region", p.region.as_ref().map(|v| v.span())),
            ("ore_type", p.ore_type.as_ref().map(|v| v.span())),
            (
                "ore_capacity_t",
                p.ore_capacity_t.as_ref().map(|v| v.span()),
            ),
            (
                "recovered_grade",
                p.recovered_grade.as_ref().map(|v| v.span()),
            ),
        ];
        if let Some((field, Some(span))) = fixed.into_iter().find(|(_, s)| s.is_some()) {
            return Err(src.at(
                span,
                format!("facility `{id}` already exists: its `{field}` cannot be changed by a project"),
                Some("to change it, give only what changes (capacity, dates, cost, status); to add a new facility, choose a new id".into()),
            ));
        }
    }
    if let Some(m) = ds.mines.iter_mut().find(|m| &m.id == id) {
        if let Some(v) = &p.capacity_t_reo {
            m.capacity.nameplate = number(src, v, "project.capacity_t_reo")?;
        }
        return change(&mut m.capacity, &mut m.cost, &mut m.status);
    }
    if let Some(s) = ds.separation_plants.iter_mut().find(|s| &s.id == id) {
        if let Some(v) = &p.capacity_t_reo {
            s.capacity.nameplate = number(src, v, "project.capacity_t_reo")?;
        }
        return change(&mut s.capacity, &mut s.cost, &mut s.status);
    }
    if let Some(g) = ds.magnet_plants.iter_mut().find(|g| &g.id == id) {
        if let Some(v) = &p.capacity_t_magnet {
            g.capacity.nameplate = number(src, v, "project.capacity_t_magnet")?;
        }
        return change(&mut g.capacity, &mut g.cost, &mut g.status);
    }
    // A new facility.
    let Some(stage) = &p.stage else {
        let ids = ds
            .mines
            .iter()
            .map(|m| m.id.as_str())
            .chain(ds.separation_plants.iter().map(|s| s.id.as_str()))
            .chain(ds.magnet_plants.iter().map(|g| g.id.as_str()));
        let hint = match closest(id, ids) {
            Some(c) => format!("did you mean `{c}`? To add a new facility instead, give its `stage` (mining, separation or magnet)"),
            None => "to add a new facility, give its `stage` (mining, separation or magnet), region, start_year, capacity and cost".into(),
        };
        return Err(src.at(
            p.id.span(),
            format!("no facility `{id}` in the dataset"),
            Some(hint),
        ));
    };
    let need = |v: bool, field: &str| -> R<()> {
        if v {
            Ok(())
        } else {
            Err(src.at(
                p.id.span(),
                format!("new facility `{id}` needs `{field}`"),
                None,
            ))
        }
    };
    need(p.region.is_some(), "region")?;
    need(start.is_some(), "start_year")?;
    need(cost.is_some(), "cost_usd_per_kg")?;
    need(p.source.is_some(), "source")?;
    let reg = region(src, ds, p.region.as_ref().expect("checked"))?;
    let quality = match &p.quality {
        None => Quality::Announced,
        Some(q) => Quality::parse(q.get_ref()).ok_or_else(|| {
            src.at(
                q.span(),
                format!("unknown quality `{}`", q.get_ref()),
                suggest(q.get_ref(), Quality::NAMES, "qualities"),
            )
        })?,
    };
    let (line, _) = src.line_col(p.id.span().start);
    let provenance = Provenance {
        file: src.path.display().to_string(),
        line: line as u64,
        sources: vec![p.source.clone().expect("checked")],
        quality,
        note: p.note.clone().unwrap_or_default(),
    };
    let path = |nameplate: f64| CapacityPath {
        nameplate,
        start_year: start.expect("checked"),
        ramp_years: p.ramp_years.as_ref().map(|r| *r.get_ref()).unwrap_or(0),
        end_year: end.or(close),
    };
    let name = p.name.clone().unwrap_or_else(|| id.clone());
    let status = status.unwrap_or(Status::Announced);
    let cost = UsdPerKg(cost.expect("checked"));
    match stage.get_ref().as_str() {
        "mining" => {
            let ore = p.ore_type.as_ref().ok_or_else(|| {
                src.at(
                    p.id.span(),
                    format!("new mine `{id}` needs `ore_type`"),
                    None,
                )
            })?;
            let ore_type = ds
                .ore_types
                .iter()
                .position(|o| &o.id == ore.get_ref())
                .ok_or_else(|| {
                    src.at(
                        ore.span(),
                        format!("unknown ore type `{}`", ore.get_ref()),
                        suggest(
                            ore.get_ref(),
                            ds.ore_types.iter().map(|o| o.id.as_str()),
                            "ore types",
                        ),
                    )
                })?;
            let ore_t = p
                .ore_capacity_t
                .as_ref()
                .map(|v| number(src, v, "project.ore_capacity_t"))
                .transpose()?;
            let grade = p
                .recovered_grade
                .as_ref()
                .map(|v| number(src, v, "project.recovered_grade"))
                .transpose()?;
            let cap = match (&p.capacity_t_reo, ore_t, grade) {
                (Some(v), _, _) => number(src, v, "project.capacity_t_reo")?,
                (None, Some(o), Some(g)) => o * g,
                _ => return Err(src.at(p.id.span(), format!("new mine `{id}` needs `capacity_t_reo`, or `ore_capacity_t` and `recovered_grade`"), None)),
            };
            ds.mines.push(Mine {
                id: id.clone(),
                name,
                region: reg,
                ore_type,
                status,
                capacity: path(cap),
                ore_capacity_t: ore_t,
                recovered_grade: grade,
                cost,
                unreported: false,
                provenance,
            });
        }
        "separation" => {
            let v = p.capacity_t_reo.as_ref().ok_or_else(|| {
                src.at(
                    p.id.span(),
                    format!("new separation plant `{id}` needs `capacity_t_reo` (feed)"),
                    None,
                )
            })?;
            let cap = number(src, v, "project.capacity_t_reo")?;
            let heavy_to = None;
            ds.separation_plants.push(SeparationPlant {
                id: id.clone(),
                name,
                region: reg,
                status,
                capacity: path(cap),
                cost,
                heavy_to,
                provenance,
            });
        }
        "magnet" => {
            let v = p.capacity_t_magnet.as_ref().ok_or_else(|| {
                src.at(
                    p.id.span(),
                    format!("new magnet plant `{id}` needs `capacity_t_magnet`"),
                    None,
                )
            })?;
            let cap = number(src, v, "project.capacity_t_magnet")?;
            ds.magnet_plants.push(MagnetPlant {
                id: id.clone(),
                name,
                region: reg,
                status,
                capacity: path(cap),
                cost,
                provenance,
            });
        }
        other => {
            return Err(src.at(
                stage.span(),
                format!("unknown stage `{other}`"),
                suggest(other, ["mining", "separation", "magnet"], "stages"),
            ))
        }
    }
    Ok(())
}
