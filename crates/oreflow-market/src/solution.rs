//! The solved year: flows, outputs, prices and rents, and the mass-balance check.

use oreflow_core::{Element, ELEMENTS, N_ELEMENTS};

use crate::{Good, Network};

/// A positive flow on one arc.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    /// Origin: mine index (concentrate) or region index (trade).
    pub from: usize,
    /// Destination: separation-plant index (concentrate) or region index (trade).
    pub to: usize,
    /// The element, for oxide trade.
    pub element: Option<Element>,
    /// Tonnes (t REO, or t magnet for magnets).
    pub tonnes: f64,
}

/// Everything one year's equilibrium tells.
#[derive(Clone, Debug)]
pub struct YearSolution {
    pub year: oreflow_core::Year,
    pub solver: &'static str,
    /// Objective: net social welfare, thousands of USD.
    pub welfare_kusd: f64,
    pub iterations: u64,
    pub lp_rows: usize,
    pub lp_cols: usize,
    pub solve_seconds: f64,
    /// t REO per mine.
    pub mine_output: Vec<f64>,
    /// t REO of feed per separation plant.
    pub separation_feed: Vec<f64>,
    /// t REO separated per plant and element.
    pub separated: Vec<[f64; N_ELEMENTS]>,
    /// Heavy rare earths received per region as mixed by-product from plants
    /// without a heavy circuit, and separated there (t REO).
    pub heavy_byproduct: Vec<[f64; N_ELEMENTS]>,
    /// t magnet per magnet plant.
    pub magnet_output: Vec<f64>,
    /// Concentrate flows mine → separation plant.
    pub concentrate: Vec<Flow>,
    /// Oxide trade region → region.
    pub oxide_trade: Vec<Flow>,
    /// Magnet trade region → region.
    pub magnet_trade: Vec<Flow>,
    /// Consumption per demand curve (t REO or t magnet).
    pub consumption: Vec<f64>,
    /// Area under each demand curve up to its consumption, thousands of USD.
    pub gross_value_kusd: Vec<f64>,
    /// Disposed surplus per region and element (t REO).
    pub disposal: Vec<[f64; N_ELEMENTS]>,
    /// Recycled oxide that entered a regional market (t REO); recycling in a
    /// region with no market for the element is not recovered.
    pub recycled_used: Vec<[f64; N_ELEMENTS]>,
    /// Bought into commercial stock per region and element (t REO).
    pub stock_in: Vec<[f64; N_ELEMENTS]>,
    /// Released from commercial stock per region and element (t REO).
    pub stock_out: Vec<[f64; N_ELEMENTS]>,
    /// Released from each strategic stockpile (t REO), in network order
    /// (also counted in `stock_out`).
    pub strategic_release: Vec<f64>,
    /// Magnet stock held at the start and at the end of the year per region (t magnet).
    pub magnet_stock_open: Vec<f64>,
    pub magnet_stock_close: Vec<f64>,
    /// Commercial stock held at the start of the year per region and element (t REO).
    pub stock_open: Vec<[f64; N_ELEMENTS]>,
    /// Commercial stock held at the end of the year (t REO): the next year's opening stock.
    pub stock_close: Vec<[f64; N_ELEMENTS]>,
    /// Unattributed use per region and element (t REO).
    pub unattributed_use: Vec<[f64; N_ELEMENTS]>,
    /// Fixed unattributed supply per region and element (t REO).
    pub unattributed_supply: Vec<[f64; N_ELEMENTS]>,
    /// Total flow under each cap group, within the cap (t).
    pub cap_flows: Vec<f64>,
    /// Flow past each cap group's limit (a leak: smuggling), t.
    pub cap_leaks: Vec<f64>,
    /// Per production quota: the value of one more tonne of quota (USD/kg
    /// REO; 0 when the quota does not bind).
    pub production_quota_rent: Vec<f64>,
    /// The magnet recipe used this year (t REO per t magnet).
    pub recipe: [f64; N_ELEMENTS],
    /// Price of each oxide per region (USD/kg); `None` where no market exists.
    pub prices: Vec<[Option<f64>; N_ELEMENTS]>,
    /// Magnet price per region (USD/kg magnet).
    pub magnet_price: Vec<Option<f64>>,
    /// Scarcity rent per mine (USD/kg REO).
    pub mine_rent: Vec<f64>,
    /// Scarcity rent per separation plant (USD/kg REO).
    pub separation_rent: Vec<f64>,
    /// Scarcity rent per magnet plant (USD/kg magnet).
    pub magnet_rent: Vec<f64>,
    /// Marginal value of one more unit of capacity per mine (USD/kg REO):
    /// the reduced cost of its output column, positive when capacity binds,
    /// negative when the mine does not pay at this year's prices — also for
    /// mines without capacity this year (not yet built), which is what the
    /// supply response reads.
    pub mine_margin: Vec<f64>,
    /// As `mine_margin`, per separation plant (USD/kg REO feed).
    pub separation_margin: Vec<f64>,
    /// As `mine_margin`, per magnet plant (USD/kg magnet).
    pub magnet_margin: Vec<f64>,
}

/// A region and element whose supply and uses differ by more than the tolerance.
#[derive(Clone, Debug, PartialEq)]
pub struct BalanceViolation {
    pub region: usize,
    /// `None` for the magnet balance.
    pub element: Option<Element>,
    pub supply: f64,
    pub uses: f64,
}

impl YearSolution {
    /// Checks conservation per element and region from the reported flows
    /// (independently of the LP rows): separated output + recycling + imports
    /// = exports + magnet input + direct use + disposal, and the same for
    /// magnets. The tolerance is relative to the size of the flows.
    pub fn check_mass_balance(&self, net: &Network, rel_tol: f64) -> Vec<BalanceViolation> {
        let n = net.regions.len();
        let mut supply = vec![[0.0; N_ELEMENTS]; n];
        let mut uses = vec![[0.0; N_ELEMENTS]; n];
        let mut msupply = vec![0.0; n];
        let mut muses = vec![0.0; n];
        for (s, plant) in net.separation_plants.iter().enumerate() {
            for e in ELEMENTS {
                supply[plant.region.index()][e.index()] += self.separated[s][e.index()];
            }
        }
        for (r, by) in self.heavy_byproduct.iter().enumerate() {
            for e in ELEMENTS {
                supply[r][e.index()] += by[e.index()];
            }
        }
        for (r, rec) in self.recycled_used.iter().enumerate() {
            for e in ELEMENTS {
                supply[r][e.index()] += rec[e.index()];
            }
        }
        for f in &self.oxide_trade {
            let e = f.element.map(Element::index).unwrap_or(0);
            uses[f.from][e] += f.tonnes;
            supply[f.to][e] += f.tonnes;
        }
        for (p, plant) in net.magnet_plants.iter().enumerate() {
            let r = plant.region.index();
            msupply[r] += self.magnet_output[p];
            for e in ELEMENTS {
                uses[r][e.index()] += self.recipe[e.index()] * self.magnet_output[p];
            }
        }
        for f in &self.magnet_trade {
            muses[f.from] += f.tonnes;
            msupply[f.to] += f.tonnes;
        }
        for (r, (o, c)) in self
            .magnet_stock_open
            .iter()
            .zip(&self.magnet_stock_close)
            .enumerate()
        {
            msupply[r] += o;
            muses[r] += c;
        }
        for (c, curve) in net.curves.iter().enumerate() {
            let r = curve.region.index();
            match curve.good {
                Good::Magnet => muses[r] += self.consumption[c],
                Good::Oxide(e) => uses[r][e.index()] += self.consumption[c],
            }
        }
        for r in 0..n {
            for e in ELEMENTS {
                uses[r][e.index()] += self.disposal[r][e.index()] + self.stock_in[r][e.index()];
                supply[r][e.index()] += self.stock_out[r][e.index()];
                if let Some(u) = self.unattributed_supply.get(r) {
                    supply[r][e.index()] += u[e.index()];
                }
                if let Some(u) = self.unattributed_use.get(r) {
                    uses[r][e.index()] += u[e.index()];
                }
            }
        }
        let scale: f64 = supply.iter().flatten().sum::<f64>().max(1.0);
        let mut out = Vec::new();
        for r in 0..n {
            for e in ELEMENTS {
                let (s, u) = (supply[r][e.index()], uses[r][e.index()]);
                if (s - u).abs() > rel_tol * s.abs().max(u.abs()).max(1e-3 * scale).max(1.0) {
                    out.push(BalanceViolation {
                        region: r,
                        element: Some(e),
                        supply: s,
                        uses: u,
                    });
                }
            }
            let (s, u) = (msupply[r], muses[r]);
            if (s - u).abs() > rel_tol * s.abs().max(u.abs()).max(1.0) {
                out.push(BalanceViolation {
                    region: r,
                    element: None,
                    supply: s,
                    uses: u,
                });
            }
        }
        out
    }

    /// Every reported flow is non-negative (and finite).
    pub fn flows_non_negative(&self) -> bool {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        self.mine_output.iter().all(|&x| ok(x))
            && self.separation_feed.iter().all(|&x| ok(x))
            && self.magnet_output.iter().all(|&x| ok(x))
            && self.consumption.iter().all(|&x| ok(x))
            && self.disposal.iter().flatten().all(|&x| ok(x))
            && self.stock_in.iter().flatten().all(|&x| ok(x))
            && self.stock_out.iter().flatten().all(|&x| ok(x))
            && self
                .concentrate
                .iter()
                .chain(&self.oxide_trade)
                .chain(&self.magnet_trade)
                .all(|f| ok(f.tonnes))
    }
}
