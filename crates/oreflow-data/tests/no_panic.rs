//! Arbitrary bytes in any table give an error or a dataset, never a panic.

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_table_content_never_panics(table in 0usize..13, content in ".{0,400}", keep_header in any::<bool>()) {
        let mut files: Vec<(String, String)> =
            oreflow_data::embedded_files().into_iter().map(|(n, c)| (n.to_string(), c.to_string())).collect();
        let header = files[table].1.lines().next().unwrap_or("").to_string();
        files[table].1 = if keep_header { format!("{header}\n{content}") } else { content };
        let _ = oreflow_data::parse(&files);
    }
}
