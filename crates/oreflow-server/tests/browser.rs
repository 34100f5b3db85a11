//! The dashboard in a real browser (Debian's Chromium through chromedriver),
//! doing what a user does: load the page (no console errors, no request
//! leaves the server), pick the licensing scenario, change the Dy share,
//! run it and see the Dy price outside China change in the chart and the
//! headline, compare with the baseline, download the scenario and check
//! that `oreflow validate` accepts it, launch a small ensemble and see its
//! progress reach 100 %. Screenshots of each step go to
//! `target/dashboard-screenshots/` (kept as test artefacts).

#[path = "common/browser.rs"]
mod browser_driver;
#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use browser_driver::Browser;
use fantoccini::Locator;
use serde_json::Value;

fn shots() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/dashboard-screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn shot(b: &Browser, name: &str) {
    let png = b.client.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

/// A column of the price chart's data table, year by year.
async fn price_column(b: &Browser, column: &str) -> Vec<f64> {
    let v = b
        .client
        .execute(
            "const t = document.querySelector('#table-price table'); const h = [...t.querySelectorAll('thead th')].map(x => x.textContent);\
             const i = h.indexOf(arguments[0]); if (i < 0) return null;\
             return [...t.querySelectorAll('tbody tr')].map(r => r.children[i].textContent);",
            vec![Value::from(column)],
        )
        .await
        .unwrap();
    v.as_array()
        .unwrap_or_else(|| panic!("no column {column:?} in the price table"))
        .iter()
        .map(|c| {
            c.as_str()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap_or(f64::NAN)
        })
        .collect()
}

fn peak(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::MIN, f64::max)
}

fn validate_with_the_cli(file: &Path) {
    // `oreflow validate`, as a user would; the binary sits next to the test's deps folder.
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("oreflow"));
    match bin.filter(|b| b.exists()) {
        Some(bin) => {
            let out = std::process::Command::new(&bin)
                .arg("validate")
                .arg(file)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "oreflow validate refused the downloaded scenario:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "));
        }
        None => {
            // Built alone (`cargo test -p oreflow-server`): the same checks as
            // `oreflow validate` through the libraries.
            let sc = oreflow_scenario::Scenario::load(file).expect("the downloaded scenario loads");
            oreflow_sim::Model::with_policies(sc.dataset, sc.config, sc.policies)
                .expect("and builds a model");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_runs_compares_downloads_and_launches_an_ensemble() {
    let server = common::start_default().await;
    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::start(downloads.path()).await;
    let long = Duration::from_secs(60);

    // 1. The page loads, draws the baseline, logs nothing and fetches nothing from elsewhere.
    b.client.goto(&server.url).await.unwrap();
    b.until("the first chart", "document.body.dataset.firstChart", long)
        .await;
    b.until(
        "the baseline run",
        "document.querySelector('#status').textContent.startsWith('ran ')",
        long,
    )
    .await;
    shot(&b, "1-loaded").await;
    let resources = b
        .client
        .execute("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);", vec![])
        .await
        .unwrap();
    for r in resources.as_array().unwrap() {
        let r = r.as_str().unwrap();
        assert!(r.starts_with(&server.url), "a request left the server: {r}");
    }
    let console = b.console().await;
    let bad: Vec<_> = console
        .iter()
        .filter(|(level, _)| level == "SEVERE" || level == "WARNING")
        .collect();
    assert!(bad.is_empty(), "console errors: {bad:?}");

    // 2. Pick the licensing scenario and run it as shipped.
    let pick = b.client.find(Locator::Id("pick")).await.unwrap();
    pick.select_by_value("china-heavy-ree-licensing-2025.toml")
        .await
        .unwrap();
    b.until(
        "the scenario's description",
        "document.querySelector('#description').textContent.includes('licen')",
        long,
    )
    .await;
    b.until(
        "the form",
        "document.querySelectorAll('[data-section=export_control] .item').length >= 6",
        long,
    )
    .await;
    b.until(
        "the Run button",
        "!document.querySelector('#run').disabled",
        long,
    )
    .await;
    b.client
        .find(Locator::Id("run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until("the licensing run", "document.querySelector('#status').textContent.startsWith('ran china-heavy-ree-licensing-2025')", long).await;
    b.until(
        "the headline",
        "document.querySelectorAll('#results-headline .card').length > 0",
        long,
    )
    .await;
    let jp_shipped = price_column(&b, "JP china-heavy-ree-licensing-2025").await;

    // 3. Change the Dy share of the licence: the form writes the file.
    let share = b
        .client
        .execute(
            "const item = [...document.querySelectorAll('[data-section=export_control] .item')]\
               .find(i => i.querySelector('[data-key=elements]').value === 'Dy');\
             item.querySelector('[data-key=share]').id = 'dy-share'; return item.querySelector('[data-key=share]').value;",
            vec![],
        )
        .await
        .unwrap();
    let before: f64 = share.as_str().unwrap().parse().unwrap();
    let input = b.client.find(Locator::Id("dy-share")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys("0.2\t").await.unwrap();
    b.client
        .find(Locator::Id("view-text"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.until("the new share in the file", "document.querySelector('.cm-content').innerText.includes('share = 0.2') && document.querySelector('.cm-content').innerText", long).await;
    assert!(before != 0.2, "the shipped Dy share was already 0.2");
    assert!(
        text.as_str().unwrap().contains("elements = [ \"Dy\" ]")
            || text.as_str().unwrap().contains("\"Dy\"")
    );
    shot(&b, "2-dy-share-edited").await;

    // 4. Run: the Dy price outside China changes in the chart and the headline.
    b.client
        .execute(
            "document.querySelector('#status').textContent = '';",
            vec![],
        )
        .await
        .unwrap();
    b.until(
        "the Run button",
        "!document.querySelector('#run').disabled",
        long,
    )
    .await;
    b.client
        .find(Locator::Id("run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until("the edited run", "document.querySelector('#status').textContent.startsWith('ran china-heavy-ree-licensing-2025')", long).await;
    b.until("the new headline", "document.querySelector('#results-headline .card[data-commodity=Dy]:not([data-region=CN])')", long).await;
    let jp_edited = price_column(&b, "JP china-heavy-ree-licensing-2025").await;
    let jp_base = price_column(&b, "JP baseline").await;
    assert!(
        jp_edited != jp_shipped,
        "the Dy price in Japan did not change with the share: {jp_shipped:?} → {jp_edited:?}"
    );
    assert!(
        peak(&jp_edited) > peak(&jp_shipped) && peak(&jp_edited) > peak(&jp_base),
        "a tighter licence raises the peak Dy price in Japan: {} (share 0.2) vs {} (shipped) vs {} (baseline)",
        peak(&jp_edited),
        peak(&jp_shipped),
        peak(&jp_base)
    );
    let card = b
        .client
        .find(Locator::Css(
            "#results-headline .card[data-commodity=Dy]:not([data-region=CN])",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        card.contains("Dy oxide price") && card.contains('%'),
        "{card}"
    );
    b.client
        .execute(
            "document.querySelector('#box-price').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    shot(&b, "3-run-dy-price").await;
    b.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    shot(&b, "dashboard").await;

    // 5. Compare with the baseline.
    b.client
        .find(Locator::Id("tab-compare"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .find(Locator::Id("cmp-a"))
        .await
        .unwrap()
        .select_by_value("current")
        .await
        .unwrap();
    b.client
        .find(Locator::Id("cmp-b"))
        .await
        .unwrap()
        .select_by_value("")
        .await
        .unwrap();
    b.client
        .find(Locator::Id("cmp-run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until(
        "the comparison",
        "document.querySelector('#cmp-title').textContent.includes('vs B = baseline')",
        long,
    )
    .await;
    b.until(
        "its headline",
        "document.querySelectorAll('#cmp-headline .card').length > 0",
        long,
    )
    .await;
    b.until(
        "the losses by region",
        "document.querySelectorAll('#table-loss tbody tr').length > 0",
        long,
    )
    .await;
    shot(&b, "4-compare").await;

    // 6. Download the scenario; `oreflow validate` accepts it.
    b.client
        .find(Locator::Id("download-scenario"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let file = downloads.path().join("china-heavy-ree-licensing-2025.toml");
    for _ in 0..100 {
        if file.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let downloaded = std::fs::read_to_string(&file).expect("the scenario was downloaded");
    assert!(downloaded.contains("share = 0.2"));
    validate_with_the_cli(&file);

    // 7. A small ensemble: progress reaches 100 %.
    b.client
        .find(Locator::Id("pick"))
        .await
        .unwrap()
        .select_by_value("ensemble-licensing-risk.toml")
        .await
        .unwrap();
    b.until(
        "the ensemble scenario",
        "document.querySelector('.cm-content').innerText.includes('[uncertain')",
        long,
    )
    .await;
    b.client
        .find(Locator::Id("tab-ensemble"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let runs = b.client.find(Locator::Id("ens-runs")).await.unwrap();
    runs.clear().await.unwrap();
    runs.send_keys("12").await.unwrap();
    b.client
        .find(Locator::Id("ens-start"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until("progress reaching 100 %", "document.querySelector('#ens-status').dataset.state === 'done' && document.querySelector('#ens-progress').value === 100", Duration::from_secs(240)).await;
    b.until(
        "the fan chart",
        "document.querySelectorAll('#table-fan tbody tr').length > 0",
        long,
    )
    .await;
    shot(&b, "5-ensemble").await;

    // 6. News: paste an article, see its figures marked by status, open the draft.
    b.client
        .find(Locator::Id("tab-news"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = include_str!("../../oreflow-news/tests/corpus/08-turkey-discovery-2022.txt");
    b.client
        .execute(
            "document.querySelector('#news-input').value = arguments[0];",
            vec![serde_json::json!(page)],
        )
        .await
        .unwrap();
    b.client
        .find(Locator::Id("news-read"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until(
        "the article's figures",
        "document.querySelectorAll('#news-text mark.fact').length > 0",
        long,
    )
    .await;
    // The ore-as-rare-earths trap is marked as a conflict.
    let conflict = b
        .client
        .execute(
            "return [...document.querySelectorAll('#news-text mark.conflicts')].map(m => m.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        conflict
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().unwrap().contains("570,000")),
        "{conflict}"
    );
    shot(&b, "6-news").await;
    b.client
        .find(Locator::Id("news-open"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until(
        "the draft in the editor",
        "document.querySelector('#editor .cm-content').textContent.includes('Draft scenario written by')",
        long,
    )
    .await;

    let console = b.console().await;
    let bad: Vec<_> = console
        .iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect();
    assert!(bad.is_empty(), "console errors: {bad:?}");
    b.close().await;
    server.stop().await;
}
