//! Unit newtypes. Quantities are plain `f64` inside; the type says the unit.

use std::ops::{Add, AddAssign, Mul, Sub};

macro_rules! unit {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl $name {
            /// The zero quantity.
            pub const ZERO: $name = $name(0.0);
            /// The raw number in this unit.
            pub fn value(self) -> f64 {
                self.0
            }
        }
        impl Add for $name {
            type Output = $name;
            fn add(self, o: $name) -> $name {
                $name(self.0 + o.0)
            }
        }
        impl AddAssign for $name {
            fn add_assign(&mut self, o: $name) {
                self.0 += o.0;
            }
        }
        impl Sub for $name {
            type Output = $name;
            fn sub(self, o: $name) -> $name {
                $name(self.0 - o.0)
            }
        }
        impl Mul<f64> for $name {
            type Output = $name;
            fn mul(self, k: f64) -> $name {
                $name(self.0 * k)
            }
        }
        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = $name>>(it: I) -> $name {
                $name(it.map(|x| x.0).sum())
            }
        }
    };
}

unit!(
    /// Tonnes of rare-earth oxide equivalent (t REO).
    TonnesReo
);
unit!(
    /// Tonnes of NdFeB magnet.
    TonnesMagnet
);
unit!(
    /// US dollars per kilogram (of oxide, or of magnet where stated).
    UsdPerKg
);
unit!(
    /// US dollars.
    Usd
);

impl Mul<UsdPerKg> for TonnesReo {
    type Output = Usd;
    /// t × USD/kg = 1000 × USD.
    fn mul(self, p: UsdPerKg) -> Usd {
        Usd(self.0 * p.0 * 1000.0)
    }
}

impl Mul<UsdPerKg> for TonnesMagnet {
    type Output = Usd;
    fn mul(self, p: UsdPerKg) -> Usd {
        Usd(self.0 * p.0 * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonnes_times_price_is_dollars() {
        assert_eq!(TonnesReo(2.0) * UsdPerKg(56.0), Usd(112_000.0));
        assert_eq!(TonnesReo(1.0) + TonnesReo(2.5), TonnesReo(3.5));
    }
}
