//! The card token parser on arbitrary input: it never panics, and whatever it accepts is the
//! one canonical spelling of a card (upper-cased, trimmed), which encodes back to itself.
#![no_main]

use hakaru_wire::card::{CardToken, TOKEN_CHARS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(token) = CardToken::parse(text) {
        let encoded = token.encode();
        assert_eq!(encoded.len(), TOKEN_CHARS);
        assert_eq!(encoded, text.trim().to_ascii_uppercase());
        assert_eq!(CardToken::parse(&encoded), Ok(token));
    }
});
