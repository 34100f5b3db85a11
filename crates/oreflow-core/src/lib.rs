//! Vocabulary of oreflow: the elements, regions, stages, units and the
//! validated dataset that every other crate shares.
//!
//! Architecture invariant: this crate does no IO, no printing and knows
//! nothing of CSV files, linear programs or the CLI. A [`Dataset`] can only be
//! built by a loader that validated it (see `oreflow-data`), so code that
//! receives one may rely on its invariants (documented on each type).

mod dataset;
mod element;
pub mod ranges;
mod units;

pub use dataset::*;
pub use element::{Element, ELEMENTS, N_ELEMENTS};
pub use units::{TonnesMagnet, TonnesReo, Usd, UsdPerKg};

/// Calendar year. Years are plain integers everywhere in oreflow.
pub type Year = i32;

/// Reference (calibration) year of the embedded default dataset. Every
/// dataset states its own ([`Dataset::reference_year`]); the historical
/// 2010 dataset is the other one shipped.
pub const DEFAULT_REFERENCE_YEAR: Year = 2024;

/// Earliest year a dataset's reference year or a run may have.
pub const MIN_YEAR: Year = 2000;

/// Last year a run may reach.
pub const MAX_YEAR: Year = 2050;

/// Stage of the supply chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Mine output: concentrate (mixed REO with the mine's element composition).
    Mining,
    /// Separation / refining: separated oxides, one per element.
    Separation,
    /// NdFeB magnet making.
    Magnet,
}

impl Stage {
    /// All stages in supply-chain order.
    pub const ALL: [Stage; 3] = [Stage::Mining, Stage::Separation, Stage::Magnet];

    /// Lower-case name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Mining => "mining",
            Stage::Separation => "separation",
            Stage::Magnet => "magnet",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is traded between regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Commodity {
    /// Mixed rare-earth concentrate (t REO).
    Concentrate,
    /// A separated oxide (t REO of one element).
    Oxide,
    /// NdFeB magnets (t magnet).
    Magnet,
}

impl Commodity {
    /// Lower-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Commodity::Concentrate => "concentrate",
            Commodity::Oxide => "oxide",
            Commodity::Magnet => "magnet",
        }
    }
}
