//! A hand-solved toy market: two regions, two elements, one mine each with
//! different compositions. See the comments for the hand solution.

use oreflow_core::{Element, RegionId, N_ELEMENTS};
use oreflow_lp::HighsBackend;
use oreflow_market::{solve_year, CurveSpec, Good, MineSpec, Network, PlantSpec, Step, YearData};

fn comp(nd: f64, ce: f64) -> [f64; N_ELEMENTS] {
    let mut a = [0.0; N_ELEMENTS];
    a[Element::Nd.index()] = nd;
    a[Element::Ce.index()] = ce;
    a
}

/// Region A (0) and B (1). Mine 1 in A yields 50% Nd / 50% Ce, mine 2 in B
/// 20% Nd / 80% Ce; each has 100 t REO capacity at 1 USD/kg. Each region has
/// a free separation plant; concentrate cannot cross (1000 USD/kg); oxide
/// shipping costs 1 USD/kg. Only A consumes: Nd up to 80 t worth 10 USD/kg,
/// Ce up to 20 t worth 2 USD/kg.
fn toy() -> (Network, YearData) {
    let r = |i| RegionId(i);
    let net = Network {
        regions: vec!["A".into(), "B".into()],
        mines: vec![
            MineSpec {
                name: "m1".into(),
                region: r(0),
                composition: comp(0.5, 0.5),
            },
            MineSpec {
                name: "m2".into(),
                region: r(1),
                composition: comp(0.2, 0.8),
            },
        ],
        separation_plants: vec![
            PlantSpec {
                name: "sA".into(),
                region: r(0),
                heavy_to: None,
            },
            PlantSpec {
                name: "sB".into(),
                region: r(1),
                heavy_to: None,
            },
        ],
        magnet_plants: vec![],
        recipe: [0.0; N_ELEMENTS],
        curves: vec![
            CurveSpec {
                region: r(0),
                end_use: 0,
                good: Good::Oxide(Element::Nd),
                label: "A Nd".into(),
            },
            CurveSpec {
                region: r(0),
                end_use: 0,
                good: Good::Oxide(Element::Ce),
                label: "A Ce".into(),
            },
        ],
        concentrate_cost: vec![vec![0.0, 1000.0], vec![1000.0, 0.0]],
        oxide_cost: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
        magnet_cost: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
        caps: vec![],
        strategic: vec![],
        offtakes: vec![],
        tie_break: 0.0,
        cost_break: 0.0,
        bound_break: 0.0,
        production_caps: vec![],
    };
    let data = YearData {
        year: 2024,
        mine_capacity: vec![100.0, 100.0],
        mine_cost: vec![1.0, 1.0],
        separation_capacity: vec![1000.0, 1000.0],
        separation_cost: vec![0.0, 0.0],
        magnet_capacity: vec![],
        magnet_cost: vec![],
        steps: vec![vec![Step::new(80.0, 10.0)], vec![Step::new(20.0, 2.0)]],
        baseline_demand: vec![80.0, 20.0],
        recycled: vec![[0.0; N_ELEMENTS]; 2],
        disposal_cost: 0.0,
        stocks: vec![],
        magnet_stocks: vec![],
        unattributed_use: vec![],
        unattributed_supply: vec![],
        production_caps: vec![],
        cap_leaks: vec![],
        strategic: vec![],
        recipe: [0.0; N_ELEMENTS],
        trade: Default::default(),
        caps: vec![],
        offtakes: vec![],
    };
    (net, data)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-7
}

#[test]
fn toy_market_matches_the_hand_solution() {
    let (net, data) = toy();
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    let (nd, ce) = (Element::Nd.index(), Element::Ce.index());

    // Mine 1 earns 0.5·10 + 0.5·0 − 1 = 4 > 0 per kg: full output. A then has
    // 50 t Nd and needs 30 more; mine 2 earns 0.2·(10 − 1) − 1 = 0.8 > 0: full
    // output, its 20 t Nd go to A. A consumes 70 t Nd (< 80, so the step is
    // marginal and Nd is worth 10 in A, 10 − 1 = 9 in B).
    assert!(
        close(s.mine_output[0], 100.0) && close(s.mine_output[1], 100.0),
        "{:?}",
        s.mine_output
    );
    assert!(
        close(s.consumption[0], 70.0),
        "Nd consumed {}",
        s.consumption[0]
    );
    assert_eq!(s.oxide_trade.len(), 1, "{:?}", s.oxide_trade);
    let t = &s.oxide_trade[0];
    assert_eq!((t.from, t.to, t.element), (1, 0, Some(Element::Nd)));
    assert!(close(t.tonnes, 20.0));
    assert!(
        close(s.prices[0][nd].unwrap(), 10.0),
        "Nd price in A {:?}",
        s.prices[0][nd]
    );
    assert!(
        close(s.prices[1][nd].unwrap(), 9.0),
        "Nd price in B {:?}",
        s.prices[1][nd]
    );

    // Ce: 50 t in A of which 20 are wanted, 80 t in B that nobody wants. The
    // surplus is disposed of and Ce's price is exactly zero in both regions.
    assert!(close(s.consumption[1], 20.0));
    assert!(
        close(s.disposal[0][ce], 30.0) && close(s.disposal[1][ce], 80.0),
        "{:?}",
        s.disposal
    );
    assert_eq!(s.prices[0][ce], Some(0.0));
    assert_eq!(s.prices[1][ce], Some(0.0));

    // Mine rents are the per-kg margins above; welfare 70·10 + 20·2 − 200·1 − 20·1.
    assert!(
        close(s.mine_rent[0], 4.0) && close(s.mine_rent[1], 0.8),
        "{:?}",
        s.mine_rent
    );
    assert!(close(s.welfare_kusd, 520.0), "welfare {}", s.welfare_kusd);
    assert!(s.check_mass_balance(&net, 1e-9).is_empty());
    assert!(s.flows_non_negative());
}

#[test]
fn a_tight_mine_raises_the_price_to_the_demand_value() {
    // With mine 2 closed, A gets only 50 t Nd: still below 80, price stays 10;
    // B has no supply and its Nd price is at most A's minus shipping.
    let (net, mut data) = toy();
    data.mine_capacity[1] = 0.0;
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.consumption[0], 50.0));
    assert!(close(s.prices[0][Element::Nd.index()].unwrap(), 10.0));
    assert!(s.oxide_trade.is_empty());
}

#[test]
fn mismatched_input_is_an_error_not_a_panic() {
    let (net, mut data) = toy();
    data.mine_capacity.pop();
    let e = solve_year(&net, &data, &HighsBackend::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("mine_capacity has 1 entries, expected 2"),
        "{e}"
    );
}

/// No stocks anywhere, per region and element.
fn no_stocks() -> Vec<[Option<oreflow_market::StockHolding>; N_ELEMENTS]> {
    (0..2).map(|_| std::array::from_fn(|_| None)).collect()
}

#[test]
fn stockholders_buy_surplus_at_their_price_and_release_what_they_do_not_want_to_hold() {
    use oreflow_market::StockHolding;
    let (net, mut data) = toy();
    let (nd, ce) = (Element::Nd.index(), Element::Ce.index());
    // A's 30 t of surplus Ce (B's Ce does not pay its freight): stockholders
    // would hold up to 200 t at 0.5, so they buy all of it and set the price
    // at 0.5.
    let mut stocks = no_stocks();
    stocks[0][ce] = Some(StockHolding {
        opening: 0.0,
        steps: vec![Step::new(200.0, 0.5)],
    });
    data.stocks = stocks.clone();
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.stock_in[0][ce], 30.0), "{:?}", s.stock_in);
    assert!(close(s.stock_close[0][ce], 30.0));
    assert!(close(s.prices[0][ce].unwrap(), 0.5));
    // Room for 10 t only: the rest is disposed of and the price is zero.
    stocks[0][ce].as_mut().unwrap().steps[0].width = 10.0;
    data.stocks = stocks.clone();
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.stock_in[0][ce], 10.0) && close(s.disposal[0][ce], 20.0));
    assert_eq!(s.prices[0][ce], Some(0.0));
    // 5 t of Nd in stock that holders value at 8 (below Nd's 10 in A): all
    // of it is sold and consumed.
    stocks[0][nd] = Some(StockHolding {
        opening: 5.0,
        steps: vec![Step::new(5.0, 8.0)],
    });
    data.stocks = stocks;
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(
        close(s.stock_out[0][nd], 5.0) && close(s.consumption[0], 75.0),
        "{:?} {:?}",
        s.stock_out,
        s.consumption
    );
    assert!(s.check_mass_balance(&net, 1e-9).is_empty());
}

#[test]
fn an_unattributed_use_is_served_first_whatever_the_price() {
    let (net, mut data) = toy();
    let nd = Element::Nd.index();
    let mut u = vec![[0.0; N_ELEMENTS]; 2];
    u[0][nd] = 10.0;
    data.unattributed_use = u;
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.unattributed_use[0][nd], 10.0));
    assert!(close(s.consumption[0], 60.0), "{:?}", s.consumption);
    assert!(s.check_mass_balance(&net, 1e-9).is_empty());
}

#[test]
fn a_production_quota_caps_the_covered_mines() {
    use oreflow_market::ProductionCap;
    let (mut net, mut data) = toy();
    net.production_caps = vec![ProductionCap {
        label: "A".into(),
        mines: vec![0],
    }];
    data.production_caps = vec![40.0];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.mine_output[0], 40.0), "{:?}", s.mine_output);
    // The quota holder's rent: A's concentrate is worth 0.5·10 = 5 a kg
    // against a cost of 1.
    assert!(
        close(s.production_quota_rent[0], 4.0),
        "{:?}",
        s.production_quota_rent
    );
    data.production_caps = vec![f64::INFINITY];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.mine_output[0], 100.0));
}

#[test]
fn a_pooled_quota_is_filled_with_the_valuable_element_and_can_leak() {
    use oreflow_market::CapGroup;
    let (mut net, mut data) = toy();
    net.caps = vec![CapGroup {
        label: "B oxide exports to A".into(),
        commodity: oreflow_core::Commodity::Oxide,
        elements: vec![Element::Nd, Element::Ce],
        from: RegionId(1),
        to: vec![RegionId(0)],
    }];
    data.caps = vec![10.0];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    let shipped = |e: Element| -> f64 {
        s.oxide_trade
            .iter()
            .filter(|f| f.element == Some(e))
            .map(|f| f.tonnes)
            .sum()
    };
    assert!(close(shipped(Element::Nd), 10.0) && close(shipped(Element::Ce), 0.0));
    // 5 t more can leak past the quota at 3 USD/kg: Nd is worth 10 in A
    // and less than that in B, so it leaks.
    data.cap_leaks = vec![(5.0, 3.0)];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.cap_flows[0], 10.0) && close(s.cap_leaks[0], 5.0));
    assert!(s.check_mass_balance(&net, 1e-9).is_empty());
}

fn terms_with(f: impl FnOnce(&mut oreflow_market::TradeTerms)) -> oreflow_market::TradeTerms {
    let mut t = oreflow_market::TradeTerms::new(2);
    f(&mut t);
    t
}

#[test]
fn an_export_ban_closes_the_arc_and_raises_the_importers_scarcity() {
    let (net, mut data) = toy();
    let nd = Element::Nd.index();
    data.trade = terms_with(|t| t.oxide[1][0][nd].closed = true);
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(
        s.oxide_trade.is_empty(),
        "a banned arc carries exactly zero: {:?}",
        s.oxide_trade
    );
    assert!(close(s.consumption[0], 50.0), "A consumes only its own Nd");
    // B's concentrate has no outlet any more (its Nd cannot leave, its Ce is
    // unwanted): mine 2 shuts down rather than mine at a loss.
    assert_eq!(s.mine_output[1], 0.0);
    assert!(close(s.prices[0][nd].unwrap(), 10.0));
    assert!(s.check_mass_balance(&net, 1e-9).is_empty());
}

#[test]
fn a_tariff_is_paid_by_the_exporters_netback() {
    let (net, mut data) = toy();
    let nd = Element::Nd.index();
    data.trade = terms_with(|t| t.oxide[1][0][nd].extra_cost = 2.0);
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    // Mine 2 still earns 0.2·(10 − 1 − 2) − 1 = 0.4 > 0: it ships, and B's price falls to 7.
    assert!(close(s.oxide_trade[0].tonnes, 20.0));
    assert!(close(s.prices[1][nd].unwrap(), 7.0));
    assert!(close(s.mine_rent[1], 0.4));
}

#[test]
fn a_quota_caps_the_group_and_the_rest_stays_home() {
    use oreflow_market::CapGroup;
    let (mut net, mut data) = toy();
    net.caps = vec![CapGroup {
        label: "B Nd exports to A".into(),
        commodity: oreflow_core::Commodity::Oxide,
        elements: vec![Element::Nd],
        from: RegionId(1),
        to: vec![RegionId(0)],
    }];
    data.caps = vec![5.0];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.cap_flows[0], 5.0));
    assert!(close(s.oxide_trade[0].tonnes, 5.0));
    assert!(close(s.consumption[0], 55.0));
    // Mine 2 now mines just the 25 t of concentrate whose Nd can be sold, so
    // B's Nd price is its cost: 1 USD/kg REO / 0.2 = 5; the quota holder
    // earns the 10 − 1 − 5 = 4 USD/kg left.
    assert!(close(s.mine_output[1], 25.0));
    assert!(close(s.prices[1][Element::Nd.index()].unwrap(), 5.0));
    // No cap this year: back to the free-trade solution.
    data.caps = vec![f64::INFINITY];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.cap_flows[0], 20.0));
}

#[test]
fn a_strategic_stockpile_is_released_above_its_trigger() {
    use oreflow_market::StockRule;
    let (mut net, mut data) = toy();
    net.strategic = vec![(RegionId(0), Element::Nd)];
    data.strategic = vec![StockRule {
        opening: 10.0,
        room: 0.0,
        buy_below: 0.0,
        sell_above: 8.0,
    }];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert!(close(s.strategic_release[0], 10.0));
    assert!(close(s.consumption[0], 80.0), "{:?}", s.consumption);
    // A trigger above the market price keeps the stock in place.
    data.strategic[0].sell_above = 50.0;
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    assert_eq!(s.strategic_release[0], 0.0);
}

#[test]
fn mines_of_one_region_and_ore_ship_through_one_arc_per_plant_and_keep_their_own_balance() {
    let (mut net, mut data) = toy();
    // Split mine 1 into three mines of the same region and composition:
    // one of 50 t at 1 USD/kg, one of 30 t at 1 USD/kg, one of 20 t at
    // 6 USD/kg (above the 5 USD/kg its concentrate is worth: idle).
    let like_m1 = |name: &str| MineSpec {
        name: name.into(),
        ..net.mines[0].clone()
    };
    net.mines = vec![
        like_m1("m1a"),
        net.mines[1].clone(),
        like_m1("m1b"),
        like_m1("m1c"),
    ];
    data.mine_capacity = vec![50.0, 100.0, 30.0, 20.0];
    data.mine_cost = vec![1.0, 1.0, 1.0, 6.0];
    let s = solve_year(&net, &data, &HighsBackend::default()).unwrap();
    // Two shipping groups (A's three mines, B's one), as in the toy: the LP
    // gains one output column per extra mine, and no arc and no row.
    let (base_net, base_data) = toy();
    let base = solve_year(&base_net, &base_data, &HighsBackend::default()).unwrap();
    assert_eq!(
        s.lp_cols,
        base.lp_cols + 2,
        "one output column per extra mine"
    );
    assert_eq!(s.lp_rows, base.lp_rows, "no extra row");
    // The cheap mines run full, the dear one stays idle.
    assert!(close(s.mine_output[0], 50.0), "{:?}", s.mine_output);
    assert!(close(s.mine_output[2], 30.0), "{:?}", s.mine_output);
    assert!(close(s.mine_output[3], 0.0), "{:?}", s.mine_output);
    // Each mine's reported shipments equal its output.
    for (m, out) in s.mine_output.iter().enumerate() {
        let shipped: f64 = s
            .concentrate
            .iter()
            .filter(|f| f.from == m)
            .map(|f| f.tonnes)
            .sum();
        assert!(
            close(shipped, *out),
            "mine {m}: shipped {shipped}, output {out}"
        );
    }
    assert!(s.check_mass_balance(&net, 1e-9).is_empty());
}

#[test]
fn degeneracy_breaks_never_loosen_a_bound_and_every_option_set_reports_one_price() {
    // Mine 1 alone (mine 2 shut), 100 t at 1 USD/kg, meets A's Nd step of
    // exactly 50 t (its Nd content): the Nd price can be anything between
    // the next step's value and the step's own. The breaks tighten the
    // capacity and the step by different tiny amounts, never loosen them
    // (outputs and consumption stay within the data's 100 t). (That the
    // breaks are what makes prices agree across option sets shows at the
    // level of ensembles, in `benches/options.rs`; this LP is too small
    // for HiGHS' paths to part without them.)
    let (mut net, mut data) = toy();
    net.cost_break = oreflow_market::DEFAULT_DEGENERACY_BREAK;
    net.bound_break = oreflow_market::DEFAULT_DEGENERACY_BREAK;
    data.mine_capacity = vec![100.0, 0.0];
    data.steps[0] = vec![Step::new(50.0, 10.0), Step::new(50.0, 6.0)];
    // (Every curve has the same number of steps; Ce is in surplus anyway.)
    data.steps[1] = vec![Step::new(10.0, 2.0), Step::new(10.0, 1.5)];
    let options = [
        HighsBackend::default(),
        HighsBackend {
            cost_perturbation: 0.0,
            ..HighsBackend::default()
        },
        HighsBackend {
            simplex_scale_strategy: 0,
            cost_perturbation: 0.0,
            ..HighsBackend::default()
        },
        HighsBackend {
            dual_edge_weight_strategy: 1,
            ..HighsBackend::default()
        },
    ];
    let nd = Element::Nd.index();
    let prices: Vec<f64> = options
        .iter()
        .map(|b| {
            let s = solve_year(&net, &data, b).unwrap();
            assert!(s.mine_output[0] <= 100.0, "{:?}", s.mine_output);
            assert!(s.consumption[0] <= 100.0, "{:?}", s.consumption);
            assert!(s.check_mass_balance(&net, 1e-9).is_empty());
            s.prices[0][nd].unwrap()
        })
        .collect();
    // One of the two step values (within the 1e-4 cost break), the same
    // for every option set.
    assert!(
        prices
            .iter()
            .all(|p| (p - prices[0]).abs() < 1e-9 * p.abs()),
        "{prices:?}"
    );
    assert!(
        (prices[0] - 10.0).abs() < 1e-2 || (prices[0] - 6.0).abs() < 1e-2,
        "{prices:?}"
    );
}
