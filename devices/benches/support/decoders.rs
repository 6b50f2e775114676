//! The decoders reference/qr-cards.md measured, behind one `decode`, for the QR benches
//! (`qr_decode`, `qr_corpus`) to set beside the project's `CardDecoder` on the same frames.

use hakaru_devices::card::decode::{CardDecoder, QrDecoder};
use hakaru_devices::card::frame::GrayFrame;

/// One decoder under test. zbar's scanner holds a raw pointer (not `Send`), so this is a local
/// enum rather than `Box<dyn QrDecoder>`, and each thread makes its own.
pub enum Subject {
    Card(CardDecoder),
    Rqrr,
    Quircs(quircs::Quirc),
    Zbar(zbar_rust::ZBarImageScanner),
}

impl Subject {
    /// quircs with its default settings.
    pub fn quircs() -> Subject {
        Subject::Quircs(quircs::Quirc::default())
    }

    /// zbar with every symbology off but QR (reference §1.2).
    pub fn zbar() -> Subject {
        use zbar_rust::{ZBarConfig, ZBarSymbolType};
        let mut z = zbar_rust::ZBarImageScanner::new();
        z.set_config(ZBarSymbolType::ZBarNone, ZBarConfig::ZBarCfgEnable, 0)
            .unwrap();
        z.set_config(ZBarSymbolType::ZBarQRCode, ZBarConfig::ZBarCfgEnable, 1)
            .unwrap();
        Subject::Zbar(z)
    }

    /// Every code the decoder found in the frame.
    pub fn decode(&mut self, f: &GrayFrame) -> Vec<String> {
        match self {
            Subject::Card(d) => d.decode(f),
            Subject::Rqrr => {
                let w = f.width as usize;
                let mut img =
                    rqrr::PreparedImage::prepare_from_greyscale(w, f.height as usize, |x, y| {
                        f.data[y * w + x]
                    });
                img.detect_grids()
                    .into_iter()
                    .filter_map(|g| g.decode().ok().map(|(_, s)| s))
                    .collect()
            }
            Subject::Quircs(q) => q
                .identify(f.width as usize, f.height as usize, &f.data)
                .filter_map(|c| c.ok()?.decode().ok())
                .filter_map(|d| String::from_utf8(d.payload).ok())
                .collect(),
            Subject::Zbar(z) => z
                .scan_y800(&f.data, f.width, f.height)
                .map(|rs| {
                    rs.into_iter()
                        .filter_map(|r| String::from_utf8(r.data).ok())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}
