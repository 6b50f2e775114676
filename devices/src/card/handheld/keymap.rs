//! `KeyboardEvent.code` (the physical key) → the character a US-layout keyboard types there.
//! Keyboard-wedge readers send scan codes for a US layout; mapping the physical key back
//! through the US table means a JIS layout or an active IME on the kiosk cannot change what is
//! read (reference/qr-cards.md §3.1). Letters come out upper case whatever Shift or Caps Lock
//! say: card tokens are read case-insensitively.
//!
//! Deliberately not here: timing and deciding what is a scan ([`super::wedge`]).

/// What a key is, for the burst classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key that types this character on a US layout.
    Char(char),
    /// Enter (main or numeric keypad).
    Enter,
    /// Shift, Control, Alt, Meta, Caps Lock and the like: they type nothing and do not
    /// interrupt a burst (a reader presses Shift for every upper-case letter).
    Modifier,
    /// Anything else (arrows, Backspace, Tab, function keys, JIS-only keys): a reader does
    /// not send these, so they end a burst.
    Other,
}

/// Maps a `KeyboardEvent.code` with the Shift state to a [`Key`] on the US layout.
pub fn us_key(code: &str, shift: bool) -> Key {
    if let Some(letter) = code.strip_prefix("Key") {
        return single_ascii(letter, |c| c.is_ascii_alphabetic())
            .map_or(Key::Other, |c| Key::Char(c.to_ascii_uppercase()));
    }
    if let Some(digit) = code.strip_prefix("Digit") {
        return match single_ascii(digit, |c| c.is_ascii_digit()) {
            Some(d) if shift => Key::Char(shifted_digit(d)),
            Some(d) => Key::Char(d),
            None => Key::Other,
        };
    }
    if let Some(rest) = code.strip_prefix("Numpad") {
        if let Some(d) = single_ascii(rest, |c| c.is_ascii_digit()) {
            return Key::Char(d);
        }
    }
    let (plain, shifted) = match code {
        "Enter" | "NumpadEnter" => return Key::Enter,
        "ShiftLeft" | "ShiftRight" | "ControlLeft" | "ControlRight" | "AltLeft" | "AltRight"
        | "MetaLeft" | "MetaRight" | "CapsLock" | "NumLock" => return Key::Modifier,
        "Space" => (' ', ' '),
        "Minus" => ('-', '_'),
        "Equal" => ('=', '+'),
        "BracketLeft" => ('[', '{'),
        "BracketRight" => (']', '}'),
        "Backslash" => ('\\', '|'),
        "Semicolon" => (';', ':'),
        "Quote" => ('\'', '"'),
        "Backquote" => ('`', '~'),
        "Comma" => (',', '<'),
        "Period" => ('.', '>'),
        "Slash" => ('/', '?'),
        "NumpadAdd" => ('+', '+'),
        "NumpadSubtract" => ('-', '-'),
        "NumpadMultiply" => ('*', '*'),
        "NumpadDivide" => ('/', '/'),
        "NumpadDecimal" => ('.', '.'),
        _ => return Key::Other,
    };
    Key::Char(if shift { shifted } else { plain })
}

fn single_ascii(s: &str, ok: impl Fn(char) -> bool) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if ok(c) => Some(c),
        _ => None,
    }
}

fn shifted_digit(d: char) -> char {
    match d {
        '1' => '!',
        '2' => '@',
        '3' => '#',
        '4' => '$',
        '5' => '%',
        '6' => '^',
        '7' => '&',
        '8' => '*',
        '9' => '(',
        _ => ')',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_upper_case_whatever_the_shift_state() {
        assert_eq!(us_key("KeyA", false), Key::Char('A'));
        assert_eq!(us_key("KeyZ", true), Key::Char('Z'));
        assert_eq!(us_key("KeyAA", false), Key::Other);
        assert_eq!(us_key("Key", false), Key::Other);
        assert_eq!(us_key("Keyあ", false), Key::Other);
    }

    #[test]
    fn digits_and_symbols_follow_the_us_layout_not_jis() {
        assert_eq!(us_key("Digit7", false), Key::Char('7'));
        assert_eq!(us_key("Numpad7", false), Key::Char('7'));
        assert_eq!(us_key("Digit2", true), Key::Char('@')); // JIS: '"'
        assert_eq!(us_key("Digit0", true), Key::Char(')')); // JIS: nothing
        assert_eq!(us_key("Quote", true), Key::Char('"')); // JIS: '*' on that key
        assert_eq!(us_key("Minus", false), Key::Char('-'));
        assert_eq!(us_key("Semicolon", true), Key::Char(':')); // JIS: '+'
    }

    #[test]
    fn enter_modifiers_and_other_keys() {
        assert_eq!(us_key("Enter", false), Key::Enter);
        assert_eq!(us_key("NumpadEnter", true), Key::Enter);
        assert_eq!(us_key("ShiftLeft", true), Key::Modifier);
        assert_eq!(us_key("CapsLock", false), Key::Modifier);
        for other in [
            "Backspace",
            "Tab",
            "ArrowUp",
            "F5",
            "IntlYen",
            "IntlRo",
            "Lang1",
            "",
        ] {
            assert_eq!(us_key(other, false), Key::Other, "{other}");
        }
    }
}
