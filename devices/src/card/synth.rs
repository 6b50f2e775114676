//! Synthetic camera frames of a participant card, for the corpus test, the benchmarks and demo
//! mode: a CR80 card with the QR symbol seen by a pinhole camera in a cluttered, unevenly lit
//! room, then blurred, noised, darkened, glared or covered by a thumb (reference/qr-cards.md §1.2).
//!
//! Deliberately not here: decoding (`decode`), camera capture (`camera`), JPEG artefacts (no image
//! codec in this crate), and any randomness that is not derived from the caller's seed — the same
//! `(token, variant, size, seed)` always gives the same frame.
//!
//! # Scene model
//! * **Card**: 65 × 41 modules (85.6 × 54 mm at the printed 1.31 mm/module), white, the symbol
//!   (`EcLevel::Q`; a 36-character `K1…` token is version 3, 29 × 29 modules) at its left with the
//!   4-module quiet zone plus a 2-module card margin, dark "printed text" blocks to its right
//!   (participant number, program name). Ink level 25–50, paper 190–235, both shaded ±12 % by a
//!   linear gradient across the card.
//! * **Pitch**: 3.5–4.5 px/module at the card's centre for a 1280-pixel-wide frame (the V3-Q card
//!   at ~30 cm from a 70° webcam is 4.0 px/module, §4.3), scaled with the frame width.
//! * **Pose**: the card is a plane rolled about the optical axis and tilted about a random axis
//!   in its own plane, seen by a pinhole camera with focal length 0.75 × width (~67° HFOV), at a
//!   random position with the whole card in view. Each pixel is 4 × 4 supersampled.
//! * **Background**: grey 80–170 with a linear lighting gradient (±40 levels across the frame),
//!   vignetting (up to −35 % in the corners), and 15–40 clutter items: flat rectangles, lines of
//!   "text" dashes, translucent blends, checkerboards of 6–15 px cells and lone finder-pattern
//!   look-alikes (1:1:3:1:1 rings) — things a decoder must not take for a code.
//! * **Camera**: Gaussian blur σ 0.6 px and sensor noise σ 3 levels on every frame unless the
//!   variant says otherwise, then rounding to 8 bits.

use super::frame::GrayFrame;
use hakaru_wire::card::{CardFields, CardToken, TAG_LEN};
use qrcode::{Color, EcLevel, QrCode};
use std::f64::consts::PI;

/// How a synthetic frame is degraded. Angles are in degrees, blur σ in pixels, noise σ and
/// contrast in grey levels. Unless stated: roll ±5°, tilt ±5°, blur σ 0.6, noise σ 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Card held roughly square to the camera.
    Clean,
    /// Rolled 15° ± 1° (either direction).
    Rotated15,
    /// Rolled 45° ± 1° (either direction).
    Rotated45,
    /// Tilted 30° about a random axis in the card's plane (roll ±5°).
    Perspective30,
    /// Tilted 45° about a random axis in the card's plane (roll ±5°).
    Perspective45,
    /// Out of focus: blur σ 1.0.
    BlurSigma1,
    /// Badly out of focus: blur σ 2.0 (a module is only 3.5–4.5 px wide).
    BlurSigma2,
    /// Sensor noise σ 20.
    Noise20,
    /// Washed out: 35 grey levels between ink and paper, around mid-grey (± 10).
    LowContrast,
    /// Dim room: ink 8–15, paper ink + 40, the background at a fifth of its brightness, noise σ 6.
    LowLight,
    /// A specular reflection on the laminate: a bright blob, flat for its inner 40 % and fading
    /// out smoothly, radius 35–50 % of the symbol's side, centred in the middle half of the
    /// symbol, pulling every pixel 70–90 % of the way to white (about 25–60 grey levels left
    /// between ink and paper under it).
    Glare,
    /// A thumb: a grey disc (level 120–170) covering 6 % of the symbol, clear of the three
    /// finder patterns.
    Occluded6,
    /// Everything at once: any roll 0–360°, tilt up to 20° about a random axis, blur σ 1.0,
    /// noise σ 8, 80–190 grey levels between ink and paper.
    Combined,
}

impl Variant {
    /// Every variant, in table order.
    pub const ALL: [Variant; 13] = [
        Variant::Clean,
        Variant::Rotated15,
        Variant::Rotated45,
        Variant::Perspective30,
        Variant::Perspective45,
        Variant::BlurSigma1,
        Variant::BlurSigma2,
        Variant::Noise20,
        Variant::LowContrast,
        Variant::LowLight,
        Variant::Glare,
        Variant::Occluded6,
        Variant::Combined,
    ];

    /// A short name for tables and test output.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Clean => "clean",
            Variant::Rotated15 => "rot15",
            Variant::Rotated45 => "rot45",
            Variant::Perspective30 => "persp30",
            Variant::Perspective45 => "persp45",
            Variant::BlurSigma1 => "blur1",
            Variant::BlurSigma2 => "blur2",
            Variant::Noise20 => "noise20",
            Variant::LowContrast => "low_contrast",
            Variant::LowLight => "low_light",
            Variant::Glare => "glare",
            Variant::Occluded6 => "occluded6",
            Variant::Combined => "combined",
        }
    }
}

/// Whether the "≥ 99 % detection" target applies to `variant`: the conditions the
/// reference measured at 99–100 % for rxing + LCN (clean, rolled to 45°, tilted 30°, blur σ 1,
/// noise σ 20, a thumb over 6 %). The others (tilt 45°, blur σ 2, low contrast, low light,
/// glare, everything at once) are read less reliably at 4 px/module by every decoder measured;
/// the corpus test holds them to measured floors instead.
pub fn variant_is_readable(variant: Variant) -> bool {
    matches!(
        variant,
        Variant::Clean
            | Variant::Rotated15
            | Variant::Rotated45
            | Variant::Perspective30
            | Variant::BlurSigma1
            | Variant::Noise20
            | Variant::Occluded6
    )
}

/// A small deterministic random source (SplitMix64) for the generator, the tests and the
/// benchmarks. Not for anything secret.
#[derive(Debug, Clone)]
pub struct SeedRng(u64);

impl SeedRng {
    /// A source started from `seed`.
    pub fn new(seed: u64) -> SeedRng {
        SeedRng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `true` with probability ½.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// Approximately standard normal (sum of four uniforms, rescaled): cheap enough for one
    /// draw per pixel.
    fn normalish(&mut self) -> f32 {
        let r = self.next_u64();
        let sum: u32 = (0..4).map(|i| ((r >> (16 * i)) & 0xFFFF) as u32).sum();
        // Sum of 4 U(0,1): mean 2, variance 1/3.
        (sum as f32 / 65536.0 - 2.0) * 1.732_050_8
    }
}

/// A well-formed card token with random fields and a random tag (not signed by anyone), fully
/// determined by `seed`: what the corpus test, the benchmarks and demo mode put on cards.
pub fn random_token(seed: u64) -> String {
    let mut rng = SeedRng::new(seed ^ 0x70CE_4000_0000_0000);
    let r = rng.next_u64();
    let fields = CardFields {
        program: (r & 0xFFFF) as u16,
        holder: (r >> 16) as u32,
        serial: rng.below(1 << 16) as u16,
        issued_day: rng.range(19_000.0, 25_000.0) as u16,
    };
    let mut tag = [0u8; TAG_LEN];
    let (a, b) = (rng.next_u64().to_le_bytes(), rng.next_u64().to_le_bytes());
    tag[..8].copy_from_slice(&a);
    tag[8..].copy_from_slice(&b[..TAG_LEN - 8]);
    CardToken::from_parts(fields, tag).encode()
}

/// Card size in modules (CR80 at 1.31 mm/module).
const CARD_W: f64 = 65.0;
const CARD_H: f64 = 41.0;
/// Where the symbol starts on the card: 2-module margin + 4-module quiet zone.
const SYMBOL_AT: f64 = 6.0;
/// Supersampling per axis.
const SS: usize = 4;

/// Everything random about one frame, drawn up front from the seed.
struct Params {
    roll_deg: f64,
    tilt_deg: f64,
    tilt_axis_deg: f64,
    pitch: f64,
    ink: f64,
    paper: f64,
    blur: f64,
    noise: f64,
    background_gain: f64,
    glare: bool,
    thumb: bool,
}

fn params(variant: Variant, width: u32, rng: &mut SeedRng) -> Params {
    let sign = |rng: &mut SeedRng| if rng.coin() { 1.0 } else { -1.0 };
    let mut p = Params {
        roll_deg: rng.range(-5.0, 5.0),
        tilt_deg: rng.range(-5.0, 5.0),
        tilt_axis_deg: rng.range(0.0, 180.0),
        pitch: rng.range(3.5, 4.5) * f64::from(width) / 1280.0,
        ink: rng.range(25.0, 50.0),
        paper: rng.range(190.0, 235.0),
        blur: 0.6,
        noise: 3.0,
        background_gain: 1.0,
        glare: false,
        thumb: false,
    };
    match variant {
        Variant::Clean => {}
        Variant::Rotated15 => p.roll_deg = sign(rng) * rng.range(14.0, 16.0),
        Variant::Rotated45 => p.roll_deg = sign(rng) * rng.range(44.0, 46.0),
        Variant::Perspective30 => p.tilt_deg = 30.0,
        Variant::Perspective45 => p.tilt_deg = 45.0,
        Variant::BlurSigma1 => p.blur = 1.0,
        Variant::BlurSigma2 => p.blur = 2.0,
        Variant::Noise20 => p.noise = 20.0,
        Variant::LowContrast => {
            let mid = rng.range(118.0, 138.0);
            p.ink = mid - 17.5;
            p.paper = mid + 17.5;
        }
        Variant::LowLight => {
            p.ink = rng.range(8.0, 15.0);
            p.paper = p.ink + 40.0;
            p.background_gain = 0.2;
            p.noise = 6.0;
        }
        Variant::Glare => p.glare = true,
        Variant::Occluded6 => p.thumb = true,
        Variant::Combined => {
            p.roll_deg = rng.range(0.0, 360.0);
            p.tilt_deg = rng.range(-20.0, 20.0);
            p.blur = 1.0;
            p.noise = 8.0;
            p.ink = rng.range(20.0, 60.0);
            p.paper = (p.ink + rng.range(80.0, 190.0)).min(250.0);
        }
    }
    p
}

/// A frame of `width × height` showing a card whose QR symbol (EC level Q) holds `token`,
/// degraded as `variant` says, fully determined by `seed`.
///
/// # Panics
/// If `token` is too long for any QR code (more than ~1,600 characters at level Q).
pub fn card_frame(token: &str, variant: Variant, width: u32, height: u32, seed: u64) -> GrayFrame {
    let code = QrCode::with_error_correction_level(token, EcLevel::Q)
        .expect("the token fits a QR code / トークンが QR コードに収まりません");
    let mut rng = SeedRng::new(seed ^ 0x5EED_CA4D_0000_0000);
    let p = params(variant, width, &mut rng);
    let mut img = background(width, height, p.background_gain, &mut rng);
    let card = CardArt::new(&code, &p, &mut rng);
    if let Some(pose) = Pose::place(&p, &card, width, height, &mut rng) {
        composite(&mut img, width, height, &card, &pose);
        if p.glare {
            add_glare(&mut img, width, height, &card, &pose, &mut rng);
        }
    }
    finish(img, width, height, p.blur, p.noise, &mut rng)
}

/// A frame of the same kind of room with no card in it (sensor noise σ 3, like the card
/// frames), fully determined by `seed`: what a kiosk's camera sees most of the time.
pub fn background_frame(width: u32, height: u32, seed: u64) -> GrayFrame {
    background_with_noise(width, height, seed, 3.0)
}

/// [`background_frame`] with heavy sensor noise (σ 20, a dim room at high gain): the hardest
/// empty frame for false reads and for decode time.
pub fn noisy_background_frame(width: u32, height: u32, seed: u64) -> GrayFrame {
    background_with_noise(width, height, seed, 20.0)
}

fn background_with_noise(width: u32, height: u32, seed: u64, noise: f64) -> GrayFrame {
    let mut rng = SeedRng::new(seed ^ 0xBAC6_0000_0000_0000);
    let img = background(width, height, 1.0, &mut rng);
    finish(img, width, height, 0.6, noise, &mut rng)
}

/// The card's printed face and what covers it, in card coordinates (modules, origin top left).
struct CardArt {
    modules: Vec<bool>,
    side: usize,
    /// Dark "printed text" blocks: (x0, y0, x1, y1).
    text: Vec<[f64; 4]>,
    ink: f64,
    paper: f64,
    /// Shading gradient per module along x and y (fractions of the level).
    shade: (f64, f64),
    /// Thumb disc: centre x, centre y, radius (card coordinates), grey level.
    thumb: Option<(f64, f64, f64, f64)>,
}

impl CardArt {
    fn new(code: &QrCode, p: &Params, rng: &mut SeedRng) -> CardArt {
        let side = code.width();
        let modules = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        // Participant number (big digits) and program name (small glyphs) right of the symbol.
        let mut text = Vec::new();
        let x_start = SYMBOL_AT + side as f64 + 6.0;
        let lines = [
            (10.0, 3.2, 1.8, 7),
            (18.0, 2.0, 1.2, 10),
            (23.0, 2.0, 1.2, 8),
        ];
        for (y, h, w, n) in lines {
            let mut x = x_start;
            for _ in 0..n {
                if x + w > CARD_W - 2.0 {
                    break;
                }
                if rng.below(6) != 0 {
                    text.push([x, y, x + w, y + h]);
                }
                x += w + rng.range(0.3, 0.8);
            }
        }
        let shade_total = rng.range(0.0, 0.12);
        let angle = rng.range(0.0, 2.0 * PI);
        let shade = (
            shade_total * angle.cos() / CARD_W,
            shade_total * angle.sin() / CARD_H,
        );
        let thumb = p.thumb.then(|| thumb_disc(side as f64, rng));
        CardArt {
            modules,
            side,
            text,
            ink: p.ink,
            paper: p.paper,
            shade,
            thumb,
        }
    }

    /// What is printed at card point (x, y) — 0 paper, 1 ink, 2 thumb — and its grey level;
    /// `None` off the card.
    fn level(&self, x: f64, y: f64) -> Option<(u8, f64)> {
        if !(0.0..CARD_W).contains(&x) || !(0.0..CARD_H).contains(&y) {
            return None;
        }
        if let Some((cx, cy, r, grey)) = self.thumb {
            if (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r {
                return Some((2, grey));
            }
        }
        let shade = 1.0 + (x - CARD_W / 2.0) * self.shade.0 + (y - CARD_H / 2.0) * self.shade.1;
        let (mx, my) = (x - SYMBOL_AT, y - SYMBOL_AT);
        let dark =
            if mx >= 0.0 && my >= 0.0 && (mx as usize) < self.side && (my as usize) < self.side {
                self.modules[my as usize * self.side + mx as usize]
            } else {
                self.text
                    .iter()
                    .any(|r| x >= r[0] && x < r[2] && y >= r[1] && y < r[3])
            };
        Some(if dark {
            (1, self.ink * shade)
        } else {
            (0, self.paper * shade)
        })
    }

    /// The symbol's centre and side in card coordinates.
    fn symbol_centre(&self) -> (f64, f64) {
        let c = SYMBOL_AT + self.side as f64 / 2.0;
        (c, c)
    }
}

/// A disc over 6 % of the symbol's area, inside the symbol, clear of the finder patterns (and
/// their separators).
fn thumb_disc(side: f64, rng: &mut SeedRng) -> (f64, f64, f64, f64) {
    let r = (0.06 * side * side / PI).sqrt();
    let finders = [(0.0, 0.0), (side - 8.0, 0.0), (0.0, side - 8.0)];
    let clear = |cx: f64, cy: f64| {
        finders.iter().all(|&(fx, fy)| {
            // Distance from the disc's centre to the 8 × 8 finder box.
            let dx = (fx - cx).max(cx - (fx + 8.0)).max(0.0);
            let dy = (fy - cy).max(cy - (fy + 8.0)).max(0.0);
            dx * dx + dy * dy >= r * r
        })
    };
    let (mut cx, mut cy) = (side * 0.7, side * 0.7);
    for _ in 0..100 {
        let (x, y) = (rng.range(r, side - r), rng.range(r, side - r));
        if clear(x, y) {
            (cx, cy) = (x, y);
            break;
        }
    }
    let grey = rng.range(120.0, 170.0);
    (cx + SYMBOL_AT, cy + SYMBOL_AT, r, grey)
}

/// Where the card is: the homography from image pixels to card coordinates and back.
struct Pose {
    /// Card → image (homogeneous 3 × 3, row-major).
    to_image: [f64; 9],
    /// Image → card.
    to_card: [f64; 9],
}

impl Pose {
    fn place(
        p: &Params,
        card: &CardArt,
        width: u32,
        height: u32,
        rng: &mut SeedRng,
    ) -> Option<Pose> {
        let (w, h) = (f64::from(width), f64::from(height));
        let f = 0.75 * w;
        let z = f / p.pitch;
        let rot = rotation(p.roll_deg, p.tilt_deg, p.tilt_axis_deg);
        let margin = 0.02 * w;
        // Try random positions until the whole card is in view; fall back to the centre.
        let mut fallback = None;
        for attempt in 0..40 {
            let (tx, ty) = if attempt == 39 {
                (0.0, 0.0)
            } else {
                (
                    rng.range(-0.5, 0.5) * w / p.pitch,
                    rng.range(-0.5, 0.5) * h / p.pitch,
                )
            };
            let pose = Pose::from_rt(&rot, tx, ty, z, f, w / 2.0, h / 2.0)?;
            let inside = [(0.0, 0.0), (CARD_W, 0.0), (0.0, CARD_H), (CARD_W, CARD_H)]
                .iter()
                .all(|&(x, y)| {
                    pose.project(x, y).is_some_and(|(u, v)| {
                        u >= margin && u <= w - margin && v >= margin && v <= h - margin
                    })
                });
            if inside {
                return Some(pose);
            }
            fallback = Some(pose);
        }
        let _ = card;
        fallback
    }

    fn from_rt(r: &[f64; 9], tx: f64, ty: f64, z: f64, f: f64, cx: f64, cy: f64) -> Option<Pose> {
        // Card point (x, y, 0), centred on the card, → camera R·p + t → pinhole.
        // Shift so card coordinates start at the top-left corner.
        let (ox, oy) = (-CARD_W / 2.0, -CARD_H / 2.0);
        let t = [
            tx + r[0] * ox + r[1] * oy,
            ty + r[3] * ox + r[4] * oy,
            z + r[6] * ox + r[7] * oy,
        ];
        let to_image = [
            f * r[0] + cx * r[6],
            f * r[1] + cx * r[7],
            f * t[0] + cx * t[2],
            f * r[3] + cy * r[6],
            f * r[4] + cy * r[7],
            f * t[1] + cy * t[2],
            r[6],
            r[7],
            t[2],
        ];
        let to_card = invert3(&to_image)?;
        Some(Pose { to_image, to_card })
    }

    fn project(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        apply(&self.to_image, x, y)
    }
}

fn apply(m: &[f64; 9], x: f64, y: f64) -> Option<(f64, f64)> {
    let w = m[6] * x + m[7] * y + m[8];
    if w <= 1e-9 {
        return None;
    }
    Some((
        (m[0] * x + m[1] * y + m[2]) / w,
        (m[3] * x + m[4] * y + m[5]) / w,
    ))
}

/// Roll about the optical axis, then tilt about an axis in the card's plane.
fn rotation(roll_deg: f64, tilt_deg: f64, axis_deg: f64) -> [f64; 9] {
    let (sr, cr) = roll_deg.to_radians().sin_cos();
    let roll = [cr, -sr, 0.0, sr, cr, 0.0, 0.0, 0.0, 1.0];
    let (sa, ca) = axis_deg.to_radians().sin_cos();
    let (st, ct) = tilt_deg.to_radians().sin_cos();
    // Rodrigues about the unit axis (ca, sa, 0).
    let (x, y) = (ca, sa);
    let tilt = [
        ct + x * x * (1.0 - ct),
        x * y * (1.0 - ct),
        y * st,
        x * y * (1.0 - ct),
        ct + y * y * (1.0 - ct),
        -x * st,
        -y * st,
        x * st,
        ct,
    ];
    mul3(&tilt, &roll)
}

fn mul3(a: &[f64; 9], b: &[f64; 9]) -> [f64; 9] {
    let mut out = [0.0; 9];
    for i in 0..3 {
        for j in 0..3 {
            out[i * 3 + j] = (0..3).map(|k| a[i * 3 + k] * b[k * 3 + j]).sum();
        }
    }
    out
}

fn invert3(m: &[f64; 9]) -> Option<[f64; 9]> {
    let c = [
        m[4] * m[8] - m[5] * m[7],
        m[2] * m[7] - m[1] * m[8],
        m[1] * m[5] - m[2] * m[4],
        m[5] * m[6] - m[3] * m[8],
        m[0] * m[8] - m[2] * m[6],
        m[2] * m[3] - m[0] * m[5],
        m[3] * m[7] - m[4] * m[6],
        m[1] * m[6] - m[0] * m[7],
        m[0] * m[4] - m[1] * m[3],
    ];
    let det = m[0] * c[0] + m[1] * c[3] + m[2] * c[6];
    if det.abs() < 1e-12 {
        return None;
    }
    Some(c.map(|v| v / det))
}

/// Draws the card into `img`. A pixel whose four corners see the same thing (paper, ink, thumb)
/// takes the mean of its corners; a pixel across an edge is 4 × 4 supersampled. (Every printed
/// feature is wider than a pixel, so nothing can hide between a pixel's corners.)
fn composite(img: &mut [f32], width: u32, height: u32, card: &CardArt, pose: &Pose) {
    let (w, h) = (width as usize, height as usize);
    let corners = [(0.0, 0.0), (CARD_W, 0.0), (0.0, CARD_H), (CARD_W, CARD_H)];
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in corners {
        let Some((u, v)) = pose.project(x, y) else {
            return;
        };
        x0 = x0.min(u);
        y0 = y0.min(v);
        x1 = x1.max(u);
        y1 = y1.max(v);
    }
    let px0 = x0.floor().max(0.0) as usize;
    let py0 = y0.floor().max(0.0) as usize;
    let px1 = (x1.ceil().max(0.0) as usize).min(w);
    let py1 = (y1.ceil().max(0.0) as usize).min(h);
    if px0 >= px1 || py0 >= py1 {
        return;
    }
    let m = &pose.to_card;
    let sample = |u: f64, v: f64| apply(m, u, v).and_then(|(cx, cy)| card.level(cx, cy));
    let corner_row = |py: usize| -> Vec<Option<(u8, f64)>> {
        (px0..=px1).map(|px| sample(px as f64, py as f64)).collect()
    };
    let step = 1.0 / SS as f64;
    let n = (SS * SS) as f64;
    let mut top = corner_row(py0);
    for py in py0..py1 {
        let bottom = corner_row(py + 1);
        for px in px0..px1 {
            let k = px - px0;
            let quad = [top[k], top[k + 1], bottom[k], bottom[k + 1]];
            let i = py * w + px;
            if quad.iter().all(Option::is_none) {
                continue;
            }
            let class = quad[0].map(|q| q.0);
            if class.is_some() && quad.iter().all(|q| q.map(|q| q.0) == class) {
                img[i] = (quad.iter().flatten().map(|q| q.1).sum::<f64>() / 4.0) as f32;
                continue;
            }
            let (mut sum, mut on) = (0.0f64, 0usize);
            for sy in 0..SS {
                let v = py as f64 + (sy as f64 + 0.5) * step;
                for sx in 0..SS {
                    let u = px as f64 + (sx as f64 + 0.5) * step;
                    if let Some((_, level)) = sample(u, v) {
                        sum += level;
                        on += 1;
                    }
                }
            }
            if on > 0 {
                let bg = f64::from(img[i]);
                img[i] = ((sum + bg * (n - on as f64)) / n) as f32;
            }
        }
        top = bottom;
    }
}

/// A bright, soft-edged specular blob over part of the symbol.
fn add_glare(
    img: &mut [f32],
    width: u32,
    height: u32,
    card: &CardArt,
    pose: &Pose,
    rng: &mut SeedRng,
) {
    let side = card.side as f64;
    let (sx, sy) = card.symbol_centre();
    let (cx, cy) = (
        sx + rng.range(-0.25, 0.25) * side,
        sy + rng.range(-0.25, 0.25) * side,
    );
    let Some((gx, gy)) = pose.project(cx, cy) else {
        return;
    };
    // Symbol side in pixels, measured along the card's x axis through the glare centre.
    let side_px = match (
        pose.project(cx - side / 2.0, cy),
        pose.project(cx + side / 2.0, cy),
    ) {
        (Some(a), Some(b)) => ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt(),
        _ => return,
    };
    let r1 = rng.range(0.35, 0.5) * side_px;
    let r0 = 0.4 * r1;
    let strength = rng.range(0.7, 0.9) as f32;
    let (w, h) = (width as usize, height as usize);
    let ys = (gy - r1).floor().max(0.0) as usize..((gy + r1).ceil().max(0.0) as usize).min(h);
    let xs = (gx - r1).floor().max(0.0) as usize..((gx + r1).ceil().max(0.0) as usize).min(w);
    for y in ys {
        for x in xs.clone() {
            let d = ((x as f64 + 0.5 - gx).powi(2) + (y as f64 + 0.5 - gy).powi(2)).sqrt();
            let a = if d <= r0 {
                1.0
            } else if d >= r1 {
                0.0
            } else {
                let t = (r1 - d) / (r1 - r0);
                t * t * (3.0 - 2.0 * t)
            } as f32;
            let i = y * w + x;
            img[i] += (255.0 - img[i]) * strength * a;
        }
    }
}

/// The room: base level, lighting gradient, clutter, vignetting; scaled by `gain`.
fn background(width: u32, height: u32, gain: f64, rng: &mut SeedRng) -> Vec<f32> {
    let (w, h) = (width as usize, height as usize);
    let (wf, hf) = (f64::from(width), f64::from(height));
    let base = rng.range(80.0, 170.0);
    let gx = rng.range(-40.0, 40.0) / wf.max(1.0);
    let gy = rng.range(-40.0, 40.0) / hf.max(1.0);
    let mut img = vec![0f32; w * h];
    for (y, row) in img.chunks_exact_mut(w.max(1)).enumerate() {
        let ry = (y as f64 - hf / 2.0) * gy;
        for (x, v) in row.iter_mut().enumerate() {
            *v = (base + (x as f64 - wf / 2.0) * gx + ry) as f32;
        }
    }
    let scale = wf / 1280.0;
    let items = 15 + rng.below(26);
    for _ in 0..items {
        let rw = (rng.range(20.0, 220.0) * scale).max(2.0) as usize;
        let rh = (rng.range(10.0, 160.0) * scale).max(2.0) as usize;
        let x0 = rng.below(w.max(1) as u64) as usize;
        let y0 = rng.below(h.max(1) as u64) as usize;
        let (x1, y1) = ((x0 + rw).min(w), (y0 + rh).min(h));
        let level = rng.range(10.0, 245.0) as f32;
        let kind = rng.below(5);
        let cell = (rng.range(6.0, 15.0) * scale).max(1.0) as usize;
        let alpha = rng.range(0.2, 0.6) as f32;
        let other = rng.range(10.0, 245.0) as f32;
        for y in y0..y1 {
            for x in x0..x1 {
                let i = y * w + x;
                let (dx, dy) = (x - x0, y - y0);
                match kind {
                    0 => img[i] = level,
                    1 => {
                        // Lines of "text": dashes of varying length.
                        let line = dy / cell.max(3);
                        let in_line = dy % cell.max(3) < cell.max(3) / 2;
                        let dash = (dx + line * 7) / cell.max(2);
                        if in_line && dash.wrapping_mul(2_654_435_761) % 5 != 0 {
                            img[i] = level.min(other) * 0.5;
                        }
                    }
                    2 => img[i] = img[i] * (1.0 - alpha) + level * alpha,
                    3 => {
                        img[i] = if (dx / cell + dy / cell) % 2 == 0 {
                            level.min(other)
                        } else {
                            level.max(other)
                        }
                    }
                    _ => {
                        // A lone finder-pattern look-alike: rings 1:1:3:1:1.
                        let c = (cell / 2).max(1);
                        let (fx, fy) = (dx / c, dy / c);
                        if fx < 7 && fy < 7 {
                            let ring = fx.min(fy).min(6 - fx).min(6 - fy);
                            img[i] = if ring == 1 { 220.0 } else { 30.0 };
                        }
                    }
                }
            }
        }
    }
    // Vignetting: darker towards the corners (by k at a corner).
    let k = rng.range(0.0, 0.35);
    let col: Vec<f32> = (0..w)
        .map(|x| {
            let nx = (x as f64 - wf / 2.0) / (wf / 2.0).max(1.0);
            (k * nx * nx / 2.0) as f32
        })
        .collect();
    for (y, row) in img.chunks_exact_mut(w.max(1)).enumerate() {
        let ny = (y as f64 - hf / 2.0) / (hf / 2.0).max(1.0);
        let row_factor = (1.0 - k * ny * ny / 2.0) as f32;
        let gain = gain as f32;
        for (v, c) in row.iter_mut().zip(&col) {
            *v *= (row_factor - c) * gain;
        }
    }
    img
}

/// Camera blur and noise, then 8 bits.
fn finish(
    mut img: Vec<f32>,
    width: u32,
    height: u32,
    blur: f64,
    noise: f64,
    rng: &mut SeedRng,
) -> GrayFrame {
    let (w, h) = (width as usize, height as usize);
    if blur > 0.0 && w > 0 && h > 0 {
        gaussian_blur(&mut img, w, h, blur);
    }
    let noise = noise as f32;
    let data = img
        .into_iter()
        // `as` truncates: +0.5 rounds (cheaper than `f32::round`, a library call here).
        .map(|v| ((v + noise * rng.normalish()).clamp(0.0, 255.0) + 0.5) as u8)
        .collect();
    GrayFrame {
        width,
        height,
        data,
    }
}

/// Separable Gaussian blur, edges clamped.
fn gaussian_blur(img: &mut [f32], w: usize, h: usize, sigma: f64) {
    let r = (3.0 * sigma).ceil() as isize;
    let mut kernel: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let total: f32 = kernel.iter().sum();
    kernel.iter_mut().for_each(|k| *k /= total);
    let mut tmp = vec![0f32; w * h];
    let ru = r as usize;
    let mut padded = vec![0f32; w + 2 * ru];
    for y in 0..h {
        let row = &img[y * w..(y + 1) * w];
        padded[ru..ru + w].copy_from_slice(row);
        let (first, last) = (row[0], row[w - 1]);
        padded[..ru].iter_mut().for_each(|v| *v = first);
        padded[ru + w..].iter_mut().for_each(|v| *v = last);
        let out = &mut tmp[y * w..(y + 1) * w];
        for (x, o) in out.iter_mut().enumerate() {
            *o = padded[x..x + kernel.len()]
                .iter()
                .zip(&kernel)
                .map(|(a, b)| a * b)
                .sum();
        }
    }
    let last_y = h as isize - 1;
    for y in 0..h {
        let out = &mut img[y * w..(y + 1) * w];
        out.iter_mut().for_each(|v| *v = 0.0);
        for (k, &kv) in kernel.iter().enumerate() {
            let yy = (y as isize + k as isize - r).clamp(0, last_y) as usize;
            let src = &tmp[yy * w..(yy + 1) * w];
            for (o, &s) in out.iter_mut().zip(src) {
                *o += s * kv;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU";

    #[test]
    fn a_k1_token_makes_a_version_3_symbol() {
        let code = QrCode::with_error_correction_level(TOKEN, EcLevel::Q).expect("fits");
        assert_eq!(code.width(), 29);
    }

    #[test]
    fn frames_are_deterministic_and_seed_dependent() {
        for v in Variant::ALL {
            let a = card_frame(TOKEN, v, 320, 240, 7);
            assert!(a.is_consistent());
            assert_eq!(a, card_frame(TOKEN, v, 320, 240, 7), "{}", v.name());
            assert_ne!(a, card_frame(TOKEN, v, 320, 240, 8), "{}", v.name());
        }
        assert_eq!(background_frame(320, 240, 1), background_frame(320, 240, 1));
        assert_ne!(background_frame(320, 240, 1), background_frame(320, 240, 2));
        assert_ne!(
            background_frame(320, 240, 1),
            noisy_background_frame(320, 240, 1)
        );
    }

    #[test]
    fn the_card_is_in_view_and_darker_than_paper_where_the_symbol_is() {
        // With the card in place, the frame differs from the same seed's background a lot
        // somewhere, and has both ink-dark and paper-bright pixels.
        let f = card_frame(TOKEN, Variant::Clean, 1280, 720, 3);
        let dark = f.data.iter().filter(|&&v| v < 60).count();
        let bright = f.data.iter().filter(|&&v| v > 180).count();
        // A V3 symbol at ~4 px/module has ~400 dark modules of ~16 px each.
        assert!(dark > 3000, "{dark}");
        assert!(bright > 10_000, "{bright}");
    }

    #[test]
    fn low_contrast_and_low_light_stay_in_their_ranges() {
        let f = card_frame(TOKEN, Variant::LowLight, 640, 480, 5);
        let mean = f.data.iter().map(|&v| f64::from(v)).sum::<f64>() / f.data.len() as f64;
        assert!(mean < 45.0, "low light frame mean {mean}");
    }

    #[test]
    fn readable_variants_are_the_documented_ones() {
        let readable: Vec<_> = Variant::ALL
            .into_iter()
            .filter(|&v| variant_is_readable(v))
            .map(Variant::name)
            .collect();
        assert_eq!(
            readable,
            [
                "clean",
                "rot15",
                "rot45",
                "persp30",
                "blur1",
                "noise20",
                "occluded6"
            ]
        );
    }

    #[test]
    fn random_tokens_are_k1_tokens_of_version_3() {
        for seed in 0..50 {
            let t = random_token(seed);
            assert!(CardToken::parse(&t).is_ok(), "{t}");
            assert_eq!(t, random_token(seed));
            let code = QrCode::with_error_correction_level(&t, EcLevel::Q).expect("fits");
            assert_eq!(code.width(), 29);
        }
        assert_ne!(random_token(1), random_token(2));
    }

    #[test]
    fn rng_is_uniform_enough() {
        let mut r = SeedRng::new(1);
        let n = 100_000;
        let mean = (0..n).map(|_| r.unit()).sum::<f64>() / f64::from(n);
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let xs: Vec<f32> = (0..n).map(|_| r.normalish()).collect();
        let m = xs.iter().sum::<f32>() / n as f32;
        let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / n as f32;
        assert!(m.abs() < 0.02 && (var - 1.0).abs() < 0.03, "{m} {var}");
    }
}
