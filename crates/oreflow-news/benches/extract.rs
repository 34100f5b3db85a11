#![allow(clippy::print_stdout)] // a benchmark reports on stdout
//! `cargo bench -p oreflow-news --bench extract`: reading a 10,000-word
//! article (an HTML page built from the corpus texts, boilerplate and all):
//! extraction, checks and the draft (target: under 100 ms), then the
//! draft's validation with oreflow-scenario on its own, and a 2 MiB page
//! (the input limit). Prints the median of several repetitions; no
//! assertion (the machine is shared).

use std::time::Instant;

use oreflow_news::{Options, Reader};

fn article(words: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html" || x == "txt"))
        .collect();
    names.sort();
    let mut body = String::from("<html><body><nav>Home | Markets</nav><article><h1>Rare earths</h1>\n<p>October 20, 2024</p>\n");
    let mut n = 0;
    'outer: loop {
        for p in &names {
            let text = std::fs::read_to_string(p).expect("read");
            for para in text
                .split("\n\n")
                .filter(|s| !s.trim_start().starts_with('<'))
            {
                body.push_str("<p>");
                body.push_str(para.trim());
                body.push_str("</p>\n");
                n += para.split_whitespace().count();
                if n >= words {
                    break 'outer;
                }
            }
            body.push_str(
                "<aside class=\"most-read\"><p>Gold up 3% to $2,400 an ounce</p></aside>\n",
            );
        }
    }
    body.push_str("</article></body></html>\n");
    body
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let reader = Reader::new().expect("datasets");
    let page = article(10_000);
    let words = page.split_whitespace().count();
    let opts = Options {
        name: "bench".into(),
        date: None,
    };
    let mut times = Vec::new();
    let mut facts = 0;
    for _ in 0..15 {
        let t = Instant::now();
        let rep = reader.read(page.as_bytes(), &opts).expect("read");
        times.push(t.elapsed().as_secs_f64() * 1e3);
        facts = rep.facts.len();
    }
    println!(
        "10,000-word article ({words} words, {} bytes, {facts} facts): median {:.1} ms (target < 100 ms)",
        page.len(),
        median(times)
    );
    let rep = reader.read(page.as_bytes(), &opts).expect("read");
    let mut v = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        rep.validate_draft().expect("valid draft");
        v.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("validating its draft scenario: median {:.1} ms", median(v));
    let big = page.repeat(oreflow_news::MAX_INPUT_BYTES / page.len());
    let mut b = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        reader.read(big.as_bytes(), &opts).expect("read");
        b.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "{} bytes (near the 2 MiB limit): median {:.0} ms",
        big.len(),
        median(b)
    );
}
