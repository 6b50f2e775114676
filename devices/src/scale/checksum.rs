//! The Tanita `CS` checksum: the low byte of the arithmetic sum of every byte from `{` up to
//! and including the comma before `CS`, written as two upper-case hex digits.
//!
//! (reference/scale-protocols.md §0 item 2 — a SUM, not an XOR.) Normalising manual-printed
//! frames (spaces, typographic quotes) is deliberately not done here: real bytes have none.

/// Low byte of the sum of `bytes`.
pub fn sum8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |acc, b| acc.wrapping_add(*b))
}

/// Parses the two hex digits of a `CS` value. Lower-case is accepted (we have seen none, but
/// it costs nothing); anything else is `None`.
pub fn parse_hex2(text: &[u8]) -> Option<u8> {
    if text.len() != 2 {
        return None;
    }
    let hi = (text[0] as char).to_digit(16)?;
    let lo = (text[1] as char).to_digit(16)?;
    u8::try_from(hi * 16 + lo).ok()
}

/// Writes a checksum the way analyzers do: two upper-case hex digits.
pub fn format_hex2(sum: u8) -> [u8; 2] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    [HEX[usize::from(sum >> 4)], HEX[usize::from(sum & 0x0f)]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_wrap_to_one_byte() {
        assert_eq!(sum8(b""), 0);
        assert_eq!(sum8(&[0xff, 0x02]), 0x01);
    }

    #[test]
    fn hex_round_trips() {
        for v in 0..=255u8 {
            assert_eq!(parse_hex2(&format_hex2(v)), Some(v));
        }
        assert_eq!(parse_hex2(b"a5"), Some(0xa5));
        assert_eq!(parse_hex2(b"G0"), None);
        assert_eq!(parse_hex2(b"5"), None);
    }
}
