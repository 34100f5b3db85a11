//! `docs/ranges.md` is generated from `oreflow_core::ranges::RANGES`; this
//! test keeps them equal (run with `BLESS=1` to rewrite the page).

#[test]
fn the_ranges_page_lists_exactly_the_ranges_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ranges.md");
    let want = oreflow_core::ranges::markdown();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/ranges.md differs from the ranges table; run `BLESS=1 cargo test -p oreflow-core --test ranges_doc`"
    );
}
