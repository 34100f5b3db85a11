//! Numbers as written in news: digits with thousands separators, scale
//! words (million, bn), number words ("ten thousand", "twenty-five"),
//! fractions ("a third", "nine-tenths"), multiples ("sixfold") and
//! ordinals ("second-largest").

/// Value of a digit string such as `30,258` or `5.9` (None if malformed).
pub fn parse_digits(s: &str) -> Option<f64> {
    if s.contains(',') {
        // Thousands groups: 1-3 digits, then groups of exactly 3.
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let groups: Vec<&str> = int.split(',').collect();
        if groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
        let mut v: String = groups.concat();
        if let Some(f) = frac {
            v.push('.');
            v.push_str(f);
        }
        return v.parse().ok();
    }
    s.parse().ok()
}

/// Units and teens.
pub fn small_word(w: &str) -> Option<f64> {
    Some(match w {
        "zero" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

/// A word number such as `twenty-five` (one token).
pub fn word_number(w: &str) -> Option<f64> {
    if let Some(v) = small_word(w) {
        return Some(v);
    }
    let (a, b) = w.split_once('-')?;
    let tens = small_word(a)?;
    let unit = small_word(b)?;
    (tens >= 20.0 && tens % 10.0 == 0.0 && unit < 10.0).then_some(tens + unit)
}

/// Scale words.
pub fn scale(w: &str) -> Option<f64> {
    Some(match w {
        "hundred" => 1e2,
        "thousand" => 1e3,
        "million" | "mn" | "mln" => 1e6,
        "billion" | "bn" | "bln" => 1e9,
        "trillion" | "tn" => 1e12,
        _ => return None,
    })
}

/// Fractions written as words, as a share (0-1): `third`, `two-thirds`, …
pub fn fraction(w: &str) -> Option<f64> {
    let (num, den) = match w.split_once('-') {
        Some((n, d)) => (small_word(n)?, d),
        None => (1.0, w),
    };
    let d = match den {
        "half" | "halves" => 2.0,
        "third" | "thirds" => 3.0,
        "quarter" | "quarters" | "fourth" | "fourths" => 4.0,
        "fifth" | "fifths" => 5.0,
        "sixth" | "sixths" => 6.0,
        "tenth" | "tenths" => 10.0,
        _ => return None,
    };
    let v = num / d;
    (v > 0.0 && v <= 1.0).then_some(v)
}

/// `sixfold`, `six-fold`, `tenfold`, `10-fold`.
pub fn fold(w: &str) -> Option<f64> {
    let stem = w.strip_suffix("fold")?.trim_end_matches('-');
    if stem.is_empty() {
        return None;
    }
    word_number(stem).or_else(|| stem.parse::<f64>().ok().filter(|v| *v > 0.0))
}

/// Ordinals 2-10 (`second`, `2nd`).
pub fn ordinal(w: &str) -> Option<f64> {
    Some(match w {
        "second" | "2nd" => 2.0,
        "third" | "3rd" => 3.0,
        "fourth" | "4th" => 4.0,
        "fifth" | "5th" => 5.0,
        "sixth" | "6th" => 6.0,
        "seventh" | "7th" => 7.0,
        "eighth" | "8th" => 8.0,
        "ninth" | "9th" => 9.0,
        "tenth" | "10th" => 10.0,
        _ => return None,
    })
}

/// Month number of a month name or abbreviation.
pub fn month(w: &str) -> Option<u8> {
    let w = w.trim_end_matches('.');
    Some(match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        assert_eq!(parse_digits("30,258"), Some(30258.0));
        assert_eq!(parse_digits("1,234,567.5"), Some(1234567.5));
        assert_eq!(parse_digits("5.9"), Some(5.9));
        assert_eq!(parse_digits("12,34"), None);
        assert_eq!(parse_digits(",123"), None);
    }

    #[test]
    fn words() {
        assert_eq!(word_number("twenty-five"), Some(25.0));
        assert_eq!(word_number("five-twenty"), None);
        assert_eq!(fraction("nine-tenths"), Some(0.9));
        assert_eq!(fraction("third"), Some(1.0 / 3.0));
        assert_eq!(fold("sixfold"), Some(6.0));
        assert_eq!(fold("10-fold"), Some(10.0));
        assert_eq!(fold("fold"), None);
        assert_eq!(ordinal("second"), Some(2.0));
        assert_eq!(month("sept."), Some(9));
    }
}
