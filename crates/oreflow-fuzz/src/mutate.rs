//! Mutations of scenario files (TOML, structure-aware, with some byte-level
//! damage) and dataset tables (CSV cells, rows, separators, encodings, and
//! tables blown up to many rows).

use toml::{Table, Value};

/// A small deterministic generator (SplitMix64): a case is repeatable from
/// its seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Numbers that break naive code: huge, tiny, negative, not numbers.
const FLOATS: [f64; 20] = [
    0.0,
    -0.0,
    -1.0,
    1.0,
    0.5,
    1e308,
    -1e308,
    f64::MAX,
    1e15,
    1e20,
    1e-320,
    1e-9,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e7,
    9_999_999.0,
    100.0,
    2.5,
    1e5,
];

const INTS: [i64; 14] = [
    0,
    -1,
    1,
    1899,
    1900,
    2023,
    2024,
    2050,
    2051,
    2100,
    i64::MAX,
    i64::MIN,
    2_147_483_648,
    31,
];

const STRINGS: [&str; 16] = [
    "",
    ".",
    "..",
    "../../x",
    "/dev/zero",
    "/etc/passwd",
    "a\nb",
    "CN",
    "XX",
    "Dy",
    "magnet",
    "oxide",
    "*",
    "ban",
    "licence",
    "baseline",
];

fn mutate_number(rng: &mut Rng, x: f64) -> f64 {
    match rng.below(4) {
        0 => *rng.pick(&FLOATS),
        1 => x * 10f64.powi(rng.below(40) as i32 - 10),
        2 => -x,
        _ => x + (rng.below(7) as f64 - 3.0),
    }
}

fn mutate_value(rng: &mut Rng, v: &mut Value, names: &[String]) {
    match v {
        Value::Float(x) => *x = mutate_number(rng, *x),
        Value::Integer(i) => {
            *v = if rng.chance(0.3) {
                Value::Float(mutate_number(rng, *i as f64))
            } else if rng.chance(0.5) {
                Value::Integer(*rng.pick(&INTS))
            } else {
                Value::Integer(i.saturating_add(rng.below(21) as i64 - 10))
            }
        }
        Value::String(s) => {
            *s = match rng.below(4) {
                0 => rng.pick(&STRINGS).to_string(),
                1 if !names.is_empty() => rng.pick(names).clone(),
                2 => "x".repeat(1 + rng.below(5000)),
                _ => {
                    let mut t = s.clone();
                    if !t.is_empty() {
                        let k = rng.below(t.len());
                        if t.is_char_boundary(k) {
                            t.insert(k, 'z');
                        }
                    }
                    t
                }
            }
        }
        Value::Boolean(b) => *b = !*b,
        Value::Array(a) => match rng.below(4) {
            0 => a.clear(),
            1 if !a.is_empty() => {
                let k = rng.below(a.len());
                let dup = a[k].clone();
                a.push(dup);
            }
            2 if !a.is_empty() => {
                let k = rng.below(a.len());
                a.remove(k);
            }
            _ if !a.is_empty() => {
                let k = rng.below(a.len());
                mutate_value(rng, &mut a[k], names);
            }
            _ => a.push(Value::String(rng.pick(&STRINGS).to_string())),
        },
        Value::Table(t) => mutate_table(rng, t, names),
        Value::Datetime(_) => *v = Value::Integer(*rng.pick(&INTS)),
    }
}

fn mutate_table(rng: &mut Rng, t: &mut Table, names: &[String]) {
    let keys: Vec<String> = t.keys().cloned().collect();
    if keys.is_empty() || rng.chance(0.08) {
        let k = rng.pick(&[
            "capacity_t_reo",
            "cost_usd_per_kg",
            "from",
            "to",
            "share",
            "unknown_key",
            "base",
        ]);
        t.insert(k.to_string(), Value::Float(*rng.pick(&FLOATS)));
        return;
    }
    let k = rng.pick(&keys).clone();
    if rng.chance(0.07) {
        t.remove(&k);
        return;
    }
    if let Some(v) = t.get_mut(&k) {
        mutate_value(rng, v, names);
    }
}

/// A mutated scenario: 1–4 structural changes, sometimes byte damage.
pub fn scenario(rng: &mut Rng, text: &str, names: &[String]) -> String {
    let mut out = match toml::from_str::<Table>(text) {
        Ok(mut t) => {
            for _ in 0..1 + rng.below(4) {
                mutate_table(rng, &mut t, names);
            }
            toml::to_string(&t).unwrap_or_else(|_| text.to_string())
        }
        Err(_) => text.to_string(),
    };
    if rng.chance(0.1) {
        out = bytes(rng, out.into_bytes())
            .into_iter()
            .map(char::from)
            .collect();
    }
    out
}

/// Byte-level damage: flips, inserts, deletions, truncation.
pub fn bytes(rng: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        if b.is_empty() {
            b.push(b'x');
        }
        let k = rng.below(b.len());
        match rng.below(4) {
            0 => b[k] ^= 1 << rng.below(8),
            1 => b.insert(k, (rng.next() & 0xff) as u8),
            2 => {
                b.remove(k);
            }
            _ => b.truncate(k),
        }
    }
    b
}

/// A mutated table (CSV). `large` blows a facility table up to many rows
/// with unique ids (the load-scaling case).
pub fn table(rng: &mut Rng, file: &str, text: &str, large: Option<usize>) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    if lines.len() < 2 {
        return text.as_bytes().to_vec();
    }
    if let Some(rows) = large {
        // Copies of the first row with new ids and a capacity of 1 (so the
        // market stays the same size; only the table grows).
        let header: Vec<&str> = lines[0].split(',').collect();
        let cap = header.iter().position(|h| h.starts_with("capacity"));
        let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
        if let Some(c) = cap.filter(|&c| c < cells.len()) {
            cells[c] = "1".into();
        }
        let n = lines.len() - 1;
        for k in n..rows {
            cells[0] = format!("fuzz_{k}");
            lines.push(cells.join(","));
        }
        return (lines.join("\n") + "\n").into_bytes();
    }
    for _ in 0..1 + rng.below(3) {
        if lines.len() < 2 {
            break;
        }
        let r = 1 + rng.below(lines.len() - 1);
        match rng.below(10) {
            0..=4 => {
                // One cell (outside quotes: naive split is enough to mutate).
                let mut cells: Vec<String> = lines[r].split(',').map(String::from).collect();
                let c = rng.below(cells.len());
                cells[c] = match rng.below(3) {
                    0 => format!("{}", rng.pick(&FLOATS)),
                    1 => rng.pick(&STRINGS).replace('\n', " "),
                    _ => match cells[c].parse::<f64>() {
                        Ok(x) => format!("{}", mutate_number(rng, x)),
                        Err(_) => format!("{}z", cells[c]),
                    },
                };
                lines[r] = cells.join(",");
            }
            5 => {
                let dup = lines[r].clone();
                for _ in 0..1 + rng.below(3) {
                    lines.push(dup.clone());
                }
            }
            6 => {
                lines.remove(r);
                if lines.len() < 2 {
                    break;
                }
            }
            7 => lines[r].push_str(",extra"),
            8 => {
                let k = rng.below(lines[0].len().max(1));
                if lines[0].is_char_boundary(k) {
                    lines[0].insert(k, 'q');
                }
            }
            _ => lines.truncate(1 + rng.below(lines.len())),
        }
    }
    let mut out = lines.join("\n") + "\n";
    if rng.chance(0.05) {
        out = out.replace(',', ";");
    }
    if rng.chance(0.03) {
        out.insert(0, '\u{feff}');
    }
    let mut b = out.into_bytes();
    if rng.chance(0.05) {
        let k = rng.below(b.len());
        b.insert(k, 0xe9); // Latin-1 é: not UTF-8
    }
    if rng.chance(0.05) {
        b = bytes(rng, b);
    }
    let _ = file;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_repeatable_from_the_seed() {
        let text = "name = \"x\"\n[run]\nto = 2030\n";
        let a = scenario(&mut Rng::new(7), text, &[]);
        let b = scenario(&mut Rng::new(7), text, &[]);
        assert_eq!(a, b);
        let t = "id,v\na,1\nb,2\n";
        assert_eq!(
            table(&mut Rng::new(3), "x.csv", t, None),
            table(&mut Rng::new(3), "x.csv", t, None)
        );
        let big = table(&mut Rng::new(1), "mines.csv", t, Some(1000));
        assert_eq!(big.iter().filter(|&&c| c == b'\n').count(), 1001);
    }

    #[test]
    fn mutations_change_something() {
        let text = "name = \"x\"\n[run]\nto = 2030\ndisposal_cost_usd_per_kg = 1.0\n";
        let changed = (0..50)
            .filter(|s| {
                scenario(&mut Rng::new(*s), text, &[])
                    != toml::to_string(&toml::from_str::<Table>(text).unwrap()).unwrap()
            })
            .count();
        assert!(changed > 40, "{changed} of 50");
    }
}
