//! Numbers written into SVG with two decimals, fast.
//!
//! A seal's outline and a card's text write thousands of coordinates, and
//! `format!("{:.2}")` works out each one's exact decimal expansion (a third
//! of an HTML-only build's time went to it). [`Fixed2`] writes the same
//! characters from the number scaled by 100 and rounded, and leaves the few
//! numbers where that could differ (within a millionth of a tie between two
//! hundredths, or too large for the scaled number to be exact enough) to
//! the standard library.

use std::fmt;

/// `self.0` with two decimals: the same characters as `{:.2}`.
#[derive(Debug, Clone, Copy)]
pub struct Fixed2(pub f64);

/// Below this, `v * 100.0` is within 1e-7 of the exact product, far from the
/// 1e-6 kept clear of a tie.
const FAST_BELOW: f64 = 1e8;

impl fmt::Display for Fixed2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let scaled = v.abs() * 100.0;
        let fraction = scaled - scaled.floor();
        // NaN and infinities fail the first test.
        let fast = scaled < FAST_BELOW && (fraction - 0.5).abs() >= 1e-6;
        if !fast {
            return write!(f, "{v:.2}");
        }
        let hundredths = scaled.round() as u64;
        let mut digits = [0u8; 24];
        let mut at = digits.len();
        let mut push = |d: u8| {
            at -= 1;
            digits[at] = d;
        };
        push(b'0' + (hundredths % 10) as u8);
        push(b'0' + (hundredths / 10 % 10) as u8);
        push(b'.');
        let mut whole = hundredths / 100;
        loop {
            push(b'0' + (whole % 10) as u8);
            whole /= 10;
            if whole == 0 {
                break;
            }
        }
        // `{:.2}` keeps the sign of a negative number that rounds to zero.
        if v.is_sign_negative() {
            push(b'-');
        }
        f.write_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(v: f64) {
        assert_eq!(Fixed2(v).to_string(), format!("{v:.2}"), "{v:e}");
    }

    #[test]
    fn writes_what_the_standard_library_writes() {
        for v in [0.0, -0.0, 0.004, -0.004, 0.005, -0.005, 0.015, 0.125, -0.125, 2.675, 1e7, -1e9, 1e300, 0.995] {
            same(v);
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE] {
            same(v);
        }
        // Every tie and near-tie between hundredths up to 1,000, and its
        // neighbours.
        for k in -200_000i64..200_000 {
            let v = k as f64 / 200.0;
            same(v);
            same(f64::from_bits(v.to_bits() + 1));
            same(f64::from_bits(v.to_bits().saturating_sub(1)));
            same(v as f32 as f64);
        }
        // Numbers as a card writes them, from a fixed sequence.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            same((unit - 0.3) * 5000.0);
            same(((unit - 0.5) * 3000.0) as f32 as f64);
        }
    }
}
