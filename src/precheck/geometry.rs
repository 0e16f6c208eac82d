//! Plane geometry for document outlines: lines, quads, homographies. No allocation.

use super::{Point, Quad};

/// `(sin θ, cos θ)` for the bounded angles of line geometry (a few turns at most).
///
/// A polynomial instead of libm's `sinf`/`cosf`: those carry a Payne–Hanek reduction for huge
/// arguments, about 3 KB of gzipped wasm that these angles never need. The reduction to
/// [-π/4, π/4] and the Taylor series run in f64, so the result is the correctly rounded f32 or
/// next to it.
pub(crate) fn sin_cos(theta: f32) -> (f32, f32) {
    use std::f64::consts::{FRAC_2_PI, FRAC_PI_2};
    let x = f64::from(theta);
    let k = (x * FRAC_2_PI).round();
    let r = x - k * FRAC_PI_2;
    let r2 = r * r;
    // Through r^13 and r^14: the first omitted terms are below 1e-12 on |r| <= π/4.
    let s = r
        * (1.0
            + r2 * (-1.0 / 6.0
                + r2 * (1.0 / 120.0
                    + r2 * (-1.0 / 5040.0
                        + r2 * (1.0 / 362_880.0
                            + r2 * (-1.0 / 39_916_800.0 + r2 / 6_227_020_800.0))))));
    let c = 1.0
        + r2 * (-0.5
            + r2 * (1.0 / 24.0
                + r2 * (-1.0 / 720.0
                    + r2 * (1.0 / 40_320.0
                        + r2 * (-1.0 / 3_628_800.0
                            + r2 * (1.0 / 479_001_600.0 - r2 / 87_178_291_200.0))))));
    let (s, c) = (s as f32, c as f32);
    match (k as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// A line in normal form: `x cos θ + y sin θ = ρ`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Line {
    pub cos: f32,
    pub sin: f32,
    pub rho: f32,
}

impl Line {
    pub fn from_angle(theta: f32, rho: f32) -> Self {
        let (sin, cos) = sin_cos(theta);
        Self { cos, sin, rho }
    }

    /// The intersection point, or `None` for (nearly) parallel lines.
    pub fn intersect(&self, o: &Line) -> Option<Point> {
        let det = self.cos * o.sin - self.sin * o.cos;
        if det.abs() < 1e-3 {
            return None;
        }
        Some(Point {
            x: (self.rho * o.sin - self.sin * o.rho) / det,
            y: (self.cos * o.rho - self.rho * o.cos) / det,
        })
    }

    /// Signed distance of a point from the line.
    pub fn distance(&self, p: Point) -> f32 {
        p.x * self.cos + p.y * self.sin - self.rho
    }

    /// The total-least-squares line through weighted points, given their sums.
    pub fn fit(s: &LineFit) -> Option<Line> {
        if s.n < 2.0 {
            return None;
        }
        let mx = s.sx / s.n;
        let my = s.sy / s.n;
        let cxx = s.sxx / s.n - mx * mx;
        let cyy = s.syy / s.n - my * my;
        let cxy = s.sxy / s.n - mx * my;
        // The normal is the eigenvector of the smaller eigenvalue of the covariance.
        let theta = 0.5 * (2.0 * cxy).atan2(cxx - cyy) + std::f32::consts::FRAC_PI_2;
        let (sin, cos) = sin_cos(theta);
        Some(Line {
            cos,
            sin,
            rho: mx * cos + my * sin,
        })
    }
}

/// Running sums for [`Line::fit`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LineFit {
    n: f32,
    sx: f32,
    sy: f32,
    sxx: f32,
    syy: f32,
    sxy: f32,
}

impl LineFit {
    pub fn add(&mut self, x: f32, y: f32) {
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        self.sxx += x * x;
        self.syy += y * y;
        self.sxy += x * y;
    }
    pub fn count(&self) -> f32 {
        self.n
    }
}

pub(crate) fn dist(a: Point, b: Point) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

impl Quad {
    /// The axis-aligned rectangle with top-left corner (x, y), width `w` and height `h`.
    pub fn rect(x: f32, y: f32, w: f32, h: f32) -> Quad {
        Quad([
            Point { x, y },
            Point { x: x + w, y },
            Point { x: x + w, y: y + h },
            Point { x, y: y + h },
        ])
    }

    /// Shoelace area (positive for either winding).
    pub fn area(&self) -> f32 {
        polygon_area(&self.0)
    }

    pub fn centroid(&self) -> Point {
        let p = &self.0;
        Point {
            x: (p[0].x + p[1].x + p[2].x + p[3].x) / 4.0,
            y: (p[0].y + p[1].y + p[2].y + p[3].y) / 4.0,
        }
    }

    /// True when all four turns go the same way.
    pub fn is_convex(&self) -> bool {
        let p = &self.0;
        let signs = [0, 1, 2, 3].map(|i| cross(p[i], p[(i + 1) % 4], p[(i + 2) % 4]));
        signs.iter().all(|&s| s > 0.0) || signs.iter().all(|&s| s < 0.0)
    }

    /// Side lengths: top, right, bottom, left.
    pub fn sides(&self) -> [f32; 4] {
        let p = &self.0;
        [
            dist(p[0], p[1]),
            dist(p[1], p[2]),
            dist(p[2], p[3]),
            dist(p[3], p[0]),
        ]
    }

    /// The same outline in another coordinate space: `x * scale + offset`.
    pub fn scaled(&self, scale: f32, offset: f32) -> Quad {
        Quad(self.0.map(|p| Point {
            x: p.x * scale + offset,
            y: p.y * scale + offset,
        }))
    }

    /// Area of the intersection of two convex quads.
    pub fn overlap(&self, other: &Quad) -> f32 {
        convex_intersection_area(&self.0, &other.0)
    }

    /// The aspect ratios (width over height) of the rectangles this quad may be the image of,
    /// for a pinhole camera with principal point `pp` and a focal length from `f.0` to `f.1` (in
    /// the quad's pixels): the ratio at each end. The ratio is monotonic in the focal length, so
    /// the two ends bound it. `None` for a degenerate quad.
    ///
    /// As in Zhang and He, "Whiteboard scanning and image enhancement" (2007), section 3, read
    /// from the quad's homography.
    pub fn rectangle_aspects(&self, pp: Point, f: (f32, f32)) -> Option<(f32, f32)> {
        // The map from the unit square, seen from the principal point: its first two columns are
        // the rectangle's sides as the camera sees them (times the intrinsics, diag(f, f, 1)).
        let centred = Quad(self.0.map(|p| Point {
            x: p.x - pp.x,
            y: p.y - pp.y,
        }));
        let m = *Homography::rect_to_quad(1.0, 1.0, &centred)?.matrix();
        let ratio = |f: f32| {
            let f2 = f * f;
            let w2 = m[0] * m[0] + m[3] * m[3] + f2 * m[6] * m[6];
            let h2 = m[1] * m[1] + m[4] * m[4] + f2 * m[7] * m[7];
            (w2 / h2.max(1e-12)).sqrt()
        };
        Some((ratio(f.0), ratio(f.1)))
    }

    /// Intersection over union of two convex quads.
    ///
    /// ```
    /// use idv_capture::precheck::{Point, Quad};
    /// let sq = |x: f32| Quad([Point { x, y: 0.0 }, Point { x: x + 2.0, y: 0.0 },
    ///                         Point { x: x + 2.0, y: 2.0 }, Point { x, y: 2.0 }]);
    /// assert!((sq(0.0).iou(&sq(1.0)) - 1.0 / 3.0).abs() < 1e-5);
    /// ```
    pub fn iou(&self, other: &Quad) -> f32 {
        let inter = self.overlap(other);
        let union = self.area() + other.area() - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }
}

fn polygon_area(p: &[Point]) -> f32 {
    let n = p.len();
    let mut s = 0.0;
    for i in 0..n {
        let (a, b) = (p[i], p[(i + 1) % n]);
        s += a.x * b.y - b.x * a.y;
    }
    s.abs() / 2.0
}

/// Sutherland–Hodgman clipping of one convex polygon by another, in fixed-size buffers
/// (two quads intersect in at most 8 vertices).
fn convex_intersection_area(a: &[Point; 4], b: &[Point; 4]) -> f32 {
    let orient = if polygon_signed(b) >= 0.0 { 1.0 } else { -1.0 };
    let mut poly = [Point::default(); 16];
    let mut n = 4;
    poly[..4].copy_from_slice(a);
    for i in 0..4 {
        let (c0, c1) = (b[i], b[(i + 1) % 4]);
        let inside = |p: Point| cross(c0, c1, p) * orient >= 0.0;
        let mut out = [Point::default(); 16];
        let mut m = 0;
        for j in 0..n {
            let (p, q) = (poly[j], poly[(j + 1) % n]);
            let (pi, qi) = (inside(p), inside(q));
            if pi && m < 16 {
                out[m] = p;
                m += 1;
            }
            if pi != qi && m < 16 {
                let dp = cross(c0, c1, p);
                let dq = cross(c0, c1, q);
                let t = dp / (dp - dq);
                out[m] = Point {
                    x: p.x + t * (q.x - p.x),
                    y: p.y + t * (q.y - p.y),
                };
                m += 1;
            }
        }
        poly = out;
        n = m;
        if n == 0 {
            return 0.0;
        }
    }
    polygon_area(&poly[..n])
}

fn polygon_signed(p: &[Point; 4]) -> f32 {
    let mut s = 0.0;
    for i in 0..4 {
        let (a, b) = (p[i], p[(i + 1) % 4]);
        s += a.x * b.y - b.x * a.y;
    }
    s
}

/// A projective map from the unit-free canonical rectangle to a quad.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Homography([f32; 9]);

impl Homography {
    /// The map taking (0,0), (w,0), (w,h), (0,h) to the quad's corners in order.
    /// Closed form for a rectangle source (Heckbert's square-to-quad), so no linear solve.
    pub fn rect_to_quad(w: f32, h: f32, q: &Quad) -> Option<Homography> {
        let [p0, p1, p2, p3] = q.0;
        let sx = p0.x - p1.x + p2.x - p3.x;
        let sy = p0.y - p1.y + p2.y - p3.y;
        let (dx1, dx2) = (p1.x - p2.x, p3.x - p2.x);
        let (dy1, dy2) = (p1.y - p2.y, p3.y - p2.y);
        let den = dx1 * dy2 - dx2 * dy1;
        if den.abs() < 1e-6 {
            return None;
        }
        let g = (sx * dy2 - dx2 * sy) / den;
        let hh = (dx1 * sy - sx * dy1) / den;
        let a = p1.x - p0.x + g * p1.x;
        let b = p3.x - p0.x + hh * p3.x;
        let d = p1.y - p0.y + g * p1.y;
        let e = p3.y - p0.y + hh * p3.y;
        // Unit square -> quad, then pre-scale the source by (1/w, 1/h).
        Some(Homography([
            a / w,
            b / h,
            p0.x,
            d / w,
            e / h,
            p0.y,
            g / w,
            hh / h,
            1.0,
        ]))
    }

    /// Row-major 3x3 matrix, for callers that step the map incrementally.
    pub fn matrix(&self) -> &[f32; 9] {
        &self.0
    }

    #[inline]
    pub fn map(&self, x: f32, y: f32) -> (f32, f32) {
        let m = &self.0;
        let z = m[6] * x + m[7] * y + m[8];
        (
            (m[0] * x + m[1] * y + m[2]) / z,
            (m[3] * x + m[4] * y + m[5]) / z,
        )
    }
}

/// The image of a rectangle `aspect` wide and 1 high, turned `yaw` degrees about its vertical
/// axis, its centre `distance` away from a pinhole camera of focal length `f` whose principal
/// point is `pp`: corners top-left, top-right, bottom-right, bottom-left.
#[cfg(test)]
pub(crate) fn seen_rectangle(aspect: f32, yaw: f32, f: f32, distance: f32, pp: Point) -> Quad {
    let (s, c) = yaw.to_radians().sin_cos();
    let corner = |x: f32, y: f32| {
        let z = distance + x * s;
        Point {
            x: pp.x + f * x * c / z,
            y: pp.y + f * y / z,
        }
    };
    let (hw, hh) = (aspect / 2.0, 0.5);
    Quad([
        corner(-hw, -hh),
        corner(hw, -hh),
        corner(hw, hh),
        corner(-hw, hh),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rectangle_in_perspective_gives_back_its_proportions() {
        let pp = p(160.0, 100.0);
        for (aspect, yaw) in [(1.586, 0.0), (1.586, 30.0), (1.586, -45.0), (2.3, 40.0)] {
            let q = seen_rectangle(aspect, yaw, 300.0, 4.0, pp);
            let (at_f, _) = q.rectangle_aspects(pp, (300.0, 600.0)).unwrap();
            assert!(
                (at_f - aspect).abs() < 1e-3 * aspect,
                "{aspect} {yaw}°: {at_f}"
            );
        }
        // Seen square on, the focal length does not matter.
        let flat = seen_rectangle(1.586, 0.0, 300.0, 4.0, pp);
        let (a, b) = flat.rectangle_aspects(pp, (100.0, 1000.0)).unwrap();
        assert!((a - b).abs() < 1e-3, "{a} {b}");
    }

    #[test]
    fn sin_cos_matches_the_library() {
        for i in -40_000..=40_000 {
            let theta = i as f32 * 0.000_5;
            let (s, c) = sin_cos(theta);
            assert!(
                (s - theta.sin()).abs() <= 1.2e-7,
                "sin {theta}: {s} vs {}",
                theta.sin()
            );
            assert!(
                (c - theta.cos()).abs() <= 1.2e-7,
                "cos {theta}: {c} vs {}",
                theta.cos()
            );
        }
        assert_eq!(sin_cos(0.0), (0.0, 1.0));
    }

    fn p(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    #[test]
    fn lines_intersect() {
        let v = Line::from_angle(0.0, 3.0); // x = 3
        let h = Line::from_angle(std::f32::consts::FRAC_PI_2, 5.0); // y = 5
        let c = v.intersect(&h).unwrap();
        assert!((c.x - 3.0).abs() < 1e-4 && (c.y - 5.0).abs() < 1e-4);
        assert!(v.intersect(&v).is_none());
    }

    #[test]
    fn line_fit_recovers_a_slanted_line() {
        let mut s = LineFit::default();
        for i in 0..20 {
            let x = i as f32;
            s.add(x, 0.5 * x + 2.0);
        }
        let l = Line::fit(&s).unwrap();
        for i in 0..20 {
            let x = i as f32;
            assert!(l.distance(p(x, 0.5 * x + 2.0)).abs() < 1e-3);
        }
    }

    #[test]
    fn homography_maps_corners() {
        let q = Quad([p(10.0, 20.0), p(110.0, 25.0), p(105.0, 90.0), p(12.0, 80.0)]);
        let h = Homography::rect_to_quad(320.0, 202.0, &q).unwrap();
        for (src, dst) in [(0.0, 0.0), (320.0, 0.0), (320.0, 202.0), (0.0, 202.0)]
            .iter()
            .zip(q.0)
        {
            let (x, y) = h.map(src.0, src.1);
            assert!(
                (x - dst.x).abs() < 1e-2 && (y - dst.y).abs() < 1e-2,
                "{x},{y} vs {dst:?}"
            );
        }
    }

    #[test]
    fn quad_measures() {
        let q = Quad([p(0.0, 0.0), p(4.0, 0.0), p(4.0, 2.0), p(0.0, 2.0)]);
        assert_eq!(q.area(), 8.0);
        assert!(q.is_convex());
        assert_eq!(q.sides(), [4.0, 2.0, 4.0, 2.0]);
        assert!((q.iou(&q) - 1.0).abs() < 1e-6);
        let bow = Quad([p(0.0, 0.0), p(4.0, 2.0), p(4.0, 0.0), p(0.0, 2.0)]);
        assert!(!bow.is_convex());
    }
}
