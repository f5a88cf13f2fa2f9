//! GCJ-02 (Amap, Tencent) and BD-09 (Baidu) ⇄ WGS84 by the published formulas. The forward offsets are the
//! widely published closed forms; the inverses have no closed form and are iterated to < 1e-7°. Pure maths,
//! so in core (the basemap tile math places GCJ-02 tiles with it); `io` re-exports the conversions.

use geo::Coord;

const A: f64 = 6_378_245.0; // Krasovsky 1940 semi-major axis, as the formula uses
const EE: f64 = 0.006_693_421_622_965_943; // its first eccentricity squared
const X_PI: f64 = std::f64::consts::PI * 3000.0 / 180.0;
const INVERSE_TOLERANCE_DEG: f64 = 1e-9;
const MAX_ITERATIONS: usize = 30;

/// True inside the rough box where the offsets are applied (outside China they are the identity).
pub fn in_china(c: Coord<f64>) -> bool {
    (72.004..=137.8347).contains(&c.x) && (0.8293..=55.8271).contains(&c.y)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 lon/lat → GCJ-02.
pub fn wgs84_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    if !in_china(c) {
        return c;
    }
    let dlat = transform_lat(c.x - 105.0, c.y - 35.0);
    let dlon = transform_lon(c.x - 105.0, c.y - 35.0);
    let rad_lat = c.y.to_radians();
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * std::f64::consts::PI);
    let dlon = (dlon * 180.0) / (A / sqrt_magic * rad_lat.cos() * std::f64::consts::PI);
    Coord { x: c.x + dlon, y: c.y + dlat }
}

/// GCJ-02 → WGS84, iterating the forward formula until it reproduces the input.
pub fn gcj02_to_wgs84(c: Coord<f64>) -> Coord<f64> {
    invert(c, wgs84_to_gcj02)
}

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(c: Coord<f64>) -> Coord<f64> {
    let z = (c.x * c.x + c.y * c.y).sqrt() + 0.00002 * (c.y * X_PI).sin();
    let theta = c.y.atan2(c.x) + 0.000003 * (c.x * X_PI).cos();
    Coord { x: z * theta.cos() + 0.0065, y: z * theta.sin() + 0.006 }
}

/// BD-09 → GCJ-02, iterated (the usual closed form is only good to ~1e-6°).
pub fn bd09_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    invert(c, gcj02_to_bd09)
}

pub fn wgs84_to_bd09(c: Coord<f64>) -> Coord<f64> {
    gcj02_to_bd09(wgs84_to_gcj02(c))
}

pub fn bd09_to_wgs84(c: Coord<f64>) -> Coord<f64> {
    gcj02_to_wgs84(bd09_to_gcj02(c))
}

/// Fixed-point iteration x ← x − (f(x) − target): the offsets vary slowly, so this converges fast.
fn invert(target: Coord<f64>, forward: fn(Coord<f64>) -> Coord<f64>) -> Coord<f64> {
    let mut guess = target;
    for _ in 0..MAX_ITERATIONS {
        let image = forward(guess);
        let (dx, dy) = (image.x - target.x, image.y - target.y);
        guess = Coord { x: guess.x - dx, y: guess.y - dy };
        if dx.abs() < INVERSE_TOLERANCE_DEG && dy.abs() < INVERSE_TOLERANCE_DEG {
            break;
        }
    }
    guess
}

#[cfg(test)]
mod tests {
    use super::*;

    // 泾县 county seat, WGS84.
    const JINGXIAN: Coord<f64> = Coord { x: 118.4195, y: 30.6885 };

    #[test]
    fn gcj02_offset_is_a_few_hundred_metres() {
        let gcj = wgs84_to_gcj02(JINGXIAN);
        let (dx, dy) = (gcj.x - JINGXIAN.x, gcj.y - JINGXIAN.y);
        // Known behaviour of the formula in eastern China: ~+0.005° lon, ~−0.002° lat.
        assert!(dx > 0.003 && dx < 0.007, "{dx}");
        assert!(dy.abs() < 0.004, "{dy}");
    }

    #[test]
    fn inverses_are_exact_to_1e7_degrees() {
        for (x, y) in [(118.4195, 30.6885), (116.397, 39.909), (121.47, 31.23), (87.6, 43.8), (113.3, 23.1)] {
            let wgs = Coord { x, y };
            let back = gcj02_to_wgs84(wgs84_to_gcj02(wgs));
            assert!((back.x - x).abs() < 1e-7 && (back.y - y).abs() < 1e-7, "{back:?}");
            let back = bd09_to_wgs84(wgs84_to_bd09(wgs));
            assert!((back.x - x).abs() < 1e-7 && (back.y - y).abs() < 1e-7, "{back:?}");
        }
    }

    #[test]
    fn outside_china_is_unchanged() {
        let paris = Coord { x: 2.35, y: 48.85 };
        assert_eq!(wgs84_to_gcj02(paris), paris);
    }

    #[test]
    fn bd09_matches_published_example() {
        // Baidu's own sample: GCJ-02 (116.404, 39.915) ≈ BD-09 (116.41036, 39.92134).
        let bd = gcj02_to_bd09(Coord { x: 116.404, y: 39.915 });
        assert!((bd.x - 116.41036).abs() < 2e-5 && (bd.y - 39.92134).abs() < 2e-5, "{bd:?}");
    }
}
