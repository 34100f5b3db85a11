use std::fmt;
use std::str::FromStr;

/// Number of rare-earth elements modelled.
pub const N_ELEMENTS: usize = 15;

/// A rare-earth element (its oxide is what is traded and priced).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Element {
    La,
    Ce,
    Pr,
    Nd,
    Sm,
    Eu,
    Gd,
    Tb,
    Dy,
    Ho,
    Er,
    Tm,
    Yb,
    Lu,
    Y,
}

/// All elements, in the order used for arrays indexed by element.
pub const ELEMENTS: [Element; N_ELEMENTS] = [
    Element::La,
    Element::Ce,
    Element::Pr,
    Element::Nd,
    Element::Sm,
    Element::Eu,
    Element::Gd,
    Element::Tb,
    Element::Dy,
    Element::Ho,
    Element::Er,
    Element::Tm,
    Element::Yb,
    Element::Lu,
    Element::Y,
];

impl Element {
    /// Position in [`ELEMENTS`], for arrays indexed by element.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Chemical symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Element::La => "La",
            Element::Ce => "Ce",
            Element::Pr => "Pr",
            Element::Nd => "Nd",
            Element::Sm => "Sm",
            Element::Eu => "Eu",
            Element::Gd => "Gd",
            Element::Tb => "Tb",
            Element::Dy => "Dy",
            Element::Ho => "Ho",
            Element::Er => "Er",
            Element::Tm => "Tm",
            Element::Yb => "Yb",
            Element::Lu => "Lu",
            Element::Y => "Y",
        }
    }

    /// English name.
    pub fn name(self) -> &'static str {
        match self {
            Element::La => "lanthanum",
            Element::Ce => "cerium",
            Element::Pr => "praseodymium",
            Element::Nd => "neodymium",
            Element::Sm => "samarium",
            Element::Eu => "europium",
            Element::Gd => "gadolinium",
            Element::Tb => "terbium",
            Element::Dy => "dysprosium",
            Element::Ho => "holmium",
            Element::Er => "erbium",
            Element::Tm => "thulium",
            Element::Yb => "ytterbium",
            Element::Lu => "lutetium",
            Element::Y => "yttrium",
        }
    }

    /// Medium and heavy rare earths (Sm to Lu, and Y): what a plant without a
    /// heavy circuit cannot separate.
    pub fn is_heavy(self) -> bool {
        !matches!(self, Element::La | Element::Ce | Element::Pr | Element::Nd)
    }

    /// The four elements of NdFeB magnets.
    pub const MAGNET: [Element; 4] = [Element::Nd, Element::Pr, Element::Dy, Element::Tb];
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Element {
    type Err = ();

    /// Parses a symbol (`Nd`) or an English name (`neodymium`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, ()> {
        let t = s.trim();
        ELEMENTS
            .iter()
            .copied()
            .find(|e| e.symbol().eq_ignore_ascii_case(t) || e.name().eq_ignore_ascii_case(t))
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_order() {
        for (i, e) in ELEMENTS.iter().enumerate() {
            assert_eq!(e.index(), i);
        }
    }

    #[test]
    fn parses_symbols_and_names() {
        assert_eq!("nd".parse::<Element>(), Ok(Element::Nd));
        assert_eq!("Dysprosium".parse::<Element>(), Ok(Element::Dy));
        assert_eq!(" Y ".parse::<Element>(), Ok(Element::Y));
        assert!("Xx".parse::<Element>().is_err());
    }
}
