//! The outline of the wax puddle: a seeded, lopsided ring with a hand-poured
//! wobble and, on some seeds, a run of wax.

use std::f64::consts::{PI, TAU};
use std::fmt::Write as _;

use super::{SplitMix64, F};

/// The outline of the wax puddle: a closed ring of jittered points.
pub(super) struct Rim {
    pub(super) points: Vec<(f64, f64)>,
    /// Bounding box (min x, min y, max x, max y).
    pub(super) bbox: (f64, f64, f64, f64),
}

impl Rim {
    pub(super) const POINTS: usize = 72;

    /// Low harmonics make the puddle lopsided, a few gaussian bulges are
    /// where the wax spread further, and per-point jitter gives the fine,
    /// hand-poured wobble; all normalised so the widest point is `r`. Some
    /// seeds add a run: a narrow tongue of wax that may reach up to ~6%
    /// beyond `r`, as real wax does when it is poured a little too hot.
    pub(super) fn new(rng: &mut SplitMix64, cx: f64, cy: f64, r: f64) -> Rim {
        let harmonics: Vec<(f64, f64, f64)> =
            [(2.0, 0.014), (3.0, 0.022), (5.0, 0.015), (7.0, 0.01), (11.0, 0.005), (13.0, 0.004)]
                .iter()
                .map(|&(k, a)| (k, a * rng.range(0.6, 1.4), rng.range(0.0, TAU)))
                .collect();
        let bulge_count = 3 + (rng.next_u64() % 3) as usize;
        let bulges: Vec<(f64, f64, f64)> =
            (0..bulge_count).map(|_| (rng.range(0.0, TAU), rng.range(0.03, 0.07), rng.range(0.12, 0.3))).collect();
        let run = (rng.unit() < 0.5).then(|| (rng.range(0.0, TAU), rng.range(0.04, 0.065), rng.range(0.1, 0.14)));
        // The stamp is rarely dead centre on the puddle.
        let ox = rng.range(-0.025, 0.025) * r;
        let oy = rng.range(-0.025, 0.025) * r;

        let theta = |i: usize| TAU * i as f64 / Self::POINTS as f64;
        let mut radii: Vec<f64> = (0..Self::POINTS)
            .map(|i| {
                let t = theta(i);
                let mut rad = 1.0;
                for &(k, a, phase) in &harmonics {
                    rad += a * libm::sin(k * t + phase);
                }
                for &(at, amp, width) in &bulges {
                    let d = angle_diff(t, at) / width;
                    rad += amp * libm::exp(-d * d);
                }
                rad + rng.range(-0.007, 0.007)
            })
            .collect();
        let max = radii.iter().copied().fold(f64::MIN, f64::max);
        // Keep the puddle at least this wide everywhere (as a fraction of
        // its widest point) so the raised lip never runs off the wax: a too
        // deep dent is squeezed, keeping its shape, rather than clipped.
        let floor = 0.85;
        let min = radii.iter().copied().fold(f64::MAX, f64::min) / max;
        if min < floor {
            for rad in &mut radii {
                *rad = max * (floor + (*rad / max - min) * (1.0 - floor) / (1.0 - min));
            }
        }
        // Added after normalising, so a run does not shrink the seal.
        if let Some((at, amp, width)) = run {
            for (i, rad) in radii.iter_mut().enumerate() {
                let d = angle_diff(theta(i), at) / width;
                *rad += amp * max * libm::exp(-d * d);
            }
        }
        let points: Vec<(f64, f64)> = radii
            .iter()
            .enumerate()
            .map(|(i, rad)| {
                let rr = r * rad / max;
                (cx + ox + rr * libm::cos(theta(i)), cy + oy + rr * libm::sin(theta(i)))
            })
            .collect();
        let bbox = points.iter().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |(x0, y0, x1, y1), &(x, y)| {
            (x0.min(x), y0.min(y), x1.max(x), y1.max(y))
        });
        Rim { points, bbox }
    }

    /// The same rim pulled in by `by` toward its own centre.
    pub(super) fn inset(&self, by: f64) -> Rim {
        let n = self.points.len() as f64;
        let (sx, sy) = self.points.iter().fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x, sy + y));
        let (mx, my) = (sx / n, sy / n);
        let points: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|&(x, y)| {
                let (dx, dy) = (x - mx, y - my);
                let len = (dx * dx + dy * dy).sqrt().max(1e-9);
                (x - dx / len * by, y - dy / len * by)
            })
            .collect();
        let (x0, y0, x1, y1) = self.bbox;
        Rim { points, bbox: (x0 + by, y0 + by, x1 - by, y1 - by) }
    }

    /// Distance from (`cx`, `cy`) to the rim in the direction `deg` (screen
    /// degrees), read from the nearest rim point: close enough for placing
    /// highlights.
    pub(super) fn distance_at(&self, cx: f64, cy: f64, deg: f64) -> f64 {
        let t = deg.to_radians().rem_euclid(TAU);
        let i = (t / TAU * Self::POINTS as f64).round() as usize % Self::POINTS;
        let (x, y) = self.points[i];
        ((x - cx) * (x - cx) + (y - cy) * (y - cy)).sqrt()
    }

    /// A smooth closed path through the points (Catmull-Rom as cubic
    /// Béziers), shifted by (`dx`, `dy`).
    pub(super) fn path(&self, dx: f64, dy: f64) -> String {
        let pts = &self.points;
        let n = pts.len();
        let mut d = String::with_capacity(n * 48);
        let _ = write!(d, "M{} {}", F(pts[0].0 + dx), F(pts[0].1 + dy));
        for i in 0..n {
            let p0 = pts[(i + n - 1) % n];
            let p1 = pts[i];
            let p2 = pts[(i + 1) % n];
            let p3 = pts[(i + 2) % n];
            let c1 = (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0);
            let c2 = (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0);
            let _ = write!(
                d,
                "C{} {} {} {} {} {}",
                F(c1.0 + dx),
                F(c1.1 + dy),
                F(c2.0 + dx),
                F(c2.1 + dy),
                F(p2.0 + dx),
                F(p2.1 + dy)
            );
        }
        d.push('Z');
        d
    }
}

/// Signed smallest difference between two angles, in (-PI, PI].
fn angle_diff(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(TAU);
    if d > PI {
        d - TAU
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::paint::radius;
    use crate::seal::tests::{draw, spec};

    #[test]
    fn different_seeds_give_different_rims() {
        let s = spec("heart", "#5a3a22", None);
        let a = draw(&s, 1, "a").unwrap();
        let b = draw(&s, 2, "a").unwrap();
        assert_ne!(a, b);
        let rim_a = Rim::new(&mut SplitMix64(1), 0.0, 0.0, 100.0).path(0.0, 0.0);
        let rim_b = Rim::new(&mut SplitMix64(2), 0.0, 0.0, 100.0).path(0.0, 0.0);
        assert_ne!(rim_a, rim_b);
    }

    #[test]
    fn rim_stays_within_radius_and_outside_the_lip() {
        for seed in 0..200 {
            let rim = Rim::new(&mut SplitMix64(seed), 0.0, 0.0, 100.0);
            for &(x, y) in &rim.points {
                let d = (x * x + y * y).sqrt();
                // The puddle may sit up to 2.5% off centre, and a run reach 6.5% out.
                assert!(d <= 100.0 * (1.0 + 0.025 * 1.5 + 0.065), "seed {seed}: {d}");
                assert!(d >= 100.0 * (radius::LIP_OUT + 0.05), "seed {seed}: {d}");
            }
        }
    }
}
