//! Scenario files (TOML): a name, a base (the embedded baseline or another
//! scenario) and changes layered on top — run settings, replacement data
//! tables, projects, export controls, tariffs, agreements, demand paths,
//! substitution, thrifting, stockpiles and recycling. See
//! `docs/scenarios.md` for the format.
//!
//! Architecture invariant: every problem is a [`ScenarioError`] with the
//! file, line and column of the offending value, what was expected and,
//! for misspelt names, the closest valid one. Nothing here panics on input.
//! The only IO is reading the scenario file, its bases and its tables, and
//! only through a [`Resolver`] ([`FileSystem`] for the command line, whose
//! reads are bounded by `oreflow-io`; [`InMemory`] for a server).

/// The [`resolve::ControlParts`] of a raw export control: `[[export_control]]`
/// and an event's `[[uncertain.event.export_control]]` share these keys.
macro_rules! control_parts {
    ($c:expr) => {
        $crate::resolve::ControlParts {
            label: &$c.label,
            origin: &$c.origin,
            destinations: &$c.destinations,
            except: &$c.except,
            stages: &$c.stages,
            elements: &$c.elements,
            kind: &$c.kind,
            share: &$c.share,
            fee_usd_per_kg: &$c.fee_usd_per_kg,
            quota_t: &$c.quota_t,
            rate: &$c.rate,
            pooled: &$c.pooled,
            leak_t: &$c.leak_t,
            leak_cost_usd_per_kg: &$c.leak_cost_usd_per_kg,
        }
    };
}

mod error;
mod raw;
mod resolve;
mod source;
mod uncertain;

use std::path::{Path, PathBuf};

pub use error::ScenarioError;
use oreflow_core::Dataset;
use oreflow_sim::{Policies, RunConfig};
pub use source::{is_plain_name, FileSystem, InMemory, Refusal, Resolver, SHIPPED};

/// A scenario ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// The scenario files applied, base first (empty for the baseline).
    pub files: Vec<PathBuf>,
    pub dataset: Dataset,
    pub config: RunConfig,
    pub policies: Policies,
    /// The source given for each lever, as (lever, source) pairs.
    pub sources: Vec<(String, String)>,
    /// What an ensemble draws (`[uncertain]`; empty for a plain scenario).
    pub uncertainty: oreflow_sim::uncertainty::Uncertainty,
    /// Values that are possible but outside their plausible range
    /// (`oreflow_core::ranges`), located: `warning: file:line:column: …`.
    pub warnings: Vec<String>,
}

impl Scenario {
    /// The embedded baseline: default dataset, default settings, no policies.
    pub fn baseline() -> Result<Scenario, ScenarioError> {
        let dataset = oreflow_data::embedded().map_err(|e| ScenarioError {
            file: PathBuf::from("<embedded dataset>"),
            line: 0,
            column: 0,
            message: e.to_string(),
            hint: None,
        })?;
        let config = RunConfig::for_dataset(&dataset);
        Ok(Scenario {
            name: "baseline".into(),
            description: "the embedded 2024 dataset with the IEA stated-policies demand path"
                .into(),
            files: Vec::new(),
            dataset,
            config,
            policies: Policies::default(),
            sources: Vec::new(),
            uncertainty: Default::default(),
            warnings: Vec::new(),
        })
    }

    /// Reads a scenario file, its chain of bases and any tables it replaces
    /// from disk.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        resolve::load(&FileSystem, path)
    }

    /// Reads the scenario `id`, its chain of bases and its tables through
    /// `files`, which decides what may be read (see [`Resolver`]).
    pub fn load_with(files: &dyn Resolver, id: &Path) -> Result<Scenario, ScenarioError> {
        resolve::load(files, id)
    }

    /// A scenario from its text (an embedded scenario); `label` names it in
    /// messages. Its base must be an embedded dataset (`baseline`,
    /// `hist-2010`).
    pub fn from_text(label: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let id = Path::new(label);
        resolve::load(&source::OneText { id, text }, id)
    }

    /// `baseline` (or nothing) for the embedded baseline, else a file path.
    pub fn from_arg(arg: Option<&str>) -> Result<Scenario, ScenarioError> {
        match arg {
            None | Some("baseline") => Scenario::baseline(),
            Some(p) => Scenario::load(Path::new(p)),
        }
    }
}
