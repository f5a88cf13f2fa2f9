//! What a partition achieved, per village: grids, households per grid, share within the band,
//! compactness, how much of the new boundaries runs along reference lines — and why the band could
//! not be met where it was not.

use super::split::Band;

/// Why (part of) a village could not be partitioned within the band.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No household points in the area.
    NoHouseholds,
    /// Fewer households than one grid needs.
    TooFewHouseholds { households: u64, min: u64 },
    /// A piece of the area cut off from the rest (an island, a detached part) with too few households.
    Island { households: u64 },
    /// Households closer than the cluster distance that alone exceed the band's maximum.
    ClusterTooBig { households: u64 },
    /// No number of grids puts every grid in the band (e.g. 1,100 households for a band of 300–500 and
    /// 2 grids: too many; 3: too few … in narrow bands).
    NoCountFits { households: u64 },
    /// The count asked for (`--grids N`) cannot meet the band.
    CountAskedMisses { grids: usize, households: u64 },
    /// The band could be met by the sums, but not by the units' shapes and positions.
    ShapesMiss { grids_outside: usize },
}

/// Which area was partitioned for a village.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AreaUsed {
    /// The village's own polygon.
    Village,
    /// The village has no polygon: its township's polygon was partitioned instead.
    Township,
    /// Neither has one: the project boundary was partitioned instead.
    Boundary,
}

impl AreaUsed {
    pub fn key(self) -> &'static str {
        match self {
            AreaUsed::Village => "village",
            AreaUsed::Township => "township",
            AreaUsed::Boundary => "boundary",
        }
    }
}

/// The report of one partitioned area.
#[derive(Clone, Debug, PartialEq)]
pub struct VillageReport {
    /// The village codes whose grids these are (several when they share a fallback area).
    pub villages: Vec<String>,
    pub area_used: AreaUsed,
    pub band: Band,
    pub households: u64,
    /// Households per grid, in grid order.
    pub per_grid: Vec<u64>,
    /// Polsby–Popper 4πA/P² per grid.
    pub polsby_popper: Vec<f64>,
    /// Length of new grid boundary inside the area, and how much of it runs along reference lines.
    pub cut_m: f64,
    pub cut_along_m: f64,
    /// Existing grids kept (with `keep_existing`).
    pub kept: usize,
    pub units: usize,
    pub reasons: Vec<Reason>,
}

impl VillageReport {
    pub fn grids(&self) -> usize {
        self.per_grid.len()
    }

    /// (min, median, max) households per grid.
    pub fn spread(&self) -> Option<(u64, u64, u64)> {
        let mut v = self.per_grid.clone();
        v.sort_unstable();
        Some((*v.first()?, v[v.len() / 2], *v.last()?))
    }

    pub fn within_band(&self) -> usize {
        self.per_grid.iter().filter(|&&h| self.band.contains(h)).count()
    }

    /// Share of grids within the band, 0–1 (1 with no grids).
    pub fn within_band_share(&self) -> f64 {
        if self.per_grid.is_empty() { 1.0 } else { self.within_band() as f64 / self.per_grid.len() as f64 }
    }

    /// The largest relative distance of a grid's households from the band (0 when all are in it).
    pub fn max_deviation(&self) -> f64 {
        self.per_grid.iter().map(|&h| self.band.violation(h) as f64 / self.band.max.max(1) as f64).fold(0.0, f64::max)
    }

    /// (mean, worst) Polsby–Popper.
    pub fn compactness(&self) -> (f64, f64) {
        let n = self.polsby_popper.len();
        if n == 0 {
            return (0.0, 0.0);
        }
        (self.polsby_popper.iter().sum::<f64>() / n as f64, self.polsby_popper.iter().copied().fold(1.0, f64::min))
    }

    /// Share of the new boundary that runs along reference lines, 0–1.
    pub fn along_share(&self) -> f64 {
        if self.cut_m > 0.0 { self.cut_along_m / self.cut_m } else { 0.0 }
    }
}
