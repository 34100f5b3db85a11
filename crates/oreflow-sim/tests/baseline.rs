use oreflow_lp::HighsBackend;
use oreflow_sim::{run, Model, RunConfig};

#[test]
fn smoke() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    let model = Model::new(ds, RunConfig { to: 2024, ..Default::default() }).unwrap();
    let r = run(&model, &HighsBackend::default(), |_| {}).unwrap();
    let s = &r.years[0].solution;
    eprintln!("rows {} cols {} iters {} t {:.3}s", s.lp_rows, s.lp_cols, s.iterations, s.solve_seconds);
    for (i, reg) in model.network.regions.iter().enumerate() {
        eprintln!("{reg}: {:?} mag {:?}", s.prices[i].iter().map(|p| p.map(|x| (x*100.0).round()/100.0)).collect::<Vec<_>>(), s.magnet_price[i]);
    }
    eprintln!("{:?}", model.calibration.scale);
}

#[test]
fn diag() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    let model = Model::new(ds, RunConfig { to: 2024, ..Default::default() }).unwrap();
    let r = run(&model, &HighsBackend::default(), |_| {}).unwrap();
    let s = &r.years[0].solution;
    let d = &r.years[0].data;
    for (m, mine) in model.dataset.mines.iter().enumerate() {
        if (s.mine_output[m] - d.mine_capacity[m]).abs() > 1e-6 { eprintln!("mine {} {} of {} rent {}", mine.id, s.mine_output[m], d.mine_capacity[m], s.mine_rent[m]); }
    }
    for (p, pl) in model.dataset.separation_plants.iter().enumerate() {
        eprintln!("sep {} {} of {} rent {}", pl.id, s.separation_feed[p], d.separation_capacity[p], s.separation_rent[p]);
    }
    for (p, pl) in model.dataset.magnet_plants.iter().enumerate() {
        eprintln!("mag {} {} of {} rent {}", pl.id, s.magnet_output[p], d.magnet_capacity[p], s.magnet_rent[p]);
    }
    let mut disp = [0.0;15];
    for r in &s.disposal { for e in 0..15 { disp[e]+=r[e]; } }
    eprintln!("supply {:?}\ndisposal {:?}", model.calibration.supply.iter().map(|x| x.round()).collect::<Vec<_>>(), disp.iter().map(|x| x.round()).collect::<Vec<_>>());
    let mut cons = [0.0;15]; let mut base=[0.0;15];
    for (c, cv) in model.network.curves.iter().enumerate() { if let oreflow_market::Good::Oxide(e) = cv.good { cons[e.index()] += s.consumption[c]; base[e.index()] += d.baseline_demand[c]; } }
    eprintln!("direct cons {:?}\ndirect base {:?}", cons.iter().map(|x| x.round()).collect::<Vec<_>>(), base.iter().map(|x| x.round()).collect::<Vec<_>>());
    let mut mc=0.0; let mut mb=0.0;
    for (c, cv) in model.network.curves.iter().enumerate() { if cv.good == oreflow_market::Good::Magnet { mc += s.consumption[c]; mb += d.baseline_demand[c]; } }
    eprintln!("magnets cons {mc} base {mb}");
}
