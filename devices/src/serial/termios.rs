//! Applying [`LinkSettings`] to a terminal file descriptor: raw mode, speed, character size,
//! parity, stop bits and flow control, through `nix::sys::termios` (no `unsafe`).
//!
//! Deliberately not here: opening the path and async I/O ([`super::port`]).

use super::error::LinkError;
use crate::scale::{FlowControl, LinkSettings, Parity};
use nix::sys::termios::{
    cfmakeraw, cfsetspeed, tcflush, tcgetattr, tcsetattr, BaudRate, ControlFlags, FlushArg,
    InputFlags, SetArg, SpecialCharacterIndices, Termios,
};
use std::os::fd::AsFd;
use std::path::Path;

/// The termios speed constant for a baud rate; `None` when Linux has no constant for it.
pub fn baud_rate(baud: u32) -> Option<BaudRate> {
    Some(match baud {
        300 => BaudRate::B300,
        600 => BaudRate::B600,
        1200 => BaudRate::B1200,
        2400 => BaudRate::B2400,
        4800 => BaudRate::B4800,
        9600 => BaudRate::B9600,
        19200 => BaudRate::B19200,
        38400 => BaudRate::B38400,
        57600 => BaudRate::B57600,
        115_200 => BaudRate::B115200,
        230_400 => BaudRate::B230400,
        460_800 => BaudRate::B460800,
        921_600 => BaudRate::B921600,
        _ => return None,
    })
}

/// Writes `settings` into a termios structure already read from the port (raw mode: no echo,
/// no line editing, no CR/LF translation; reads return as soon as one byte is there).
pub fn apply_to(termios: &mut Termios, settings: &LinkSettings) -> Result<(), LinkError> {
    let unsupported = |what| LinkError::UnsupportedSettings {
        settings: *settings,
        what,
    };
    let speed = baud_rate(settings.baud).ok_or(unsupported("baud rate / ボーレート"))?;
    let size = match settings.data_bits {
        7 => ControlFlags::CS7,
        8 => ControlFlags::CS8,
        _ => {
            return Err(unsupported(
                "data bits must be 7 or 8 / データビットは 7 か 8",
            ))
        }
    };
    let two_stop = match settings.stop_bits {
        1 => false,
        2 => true,
        _ => {
            return Err(unsupported(
                "stop bits must be 1 or 2 / ストップビットは 1 か 2",
            ))
        }
    };
    cfmakeraw(termios);
    cfsetspeed(termios, speed).map_err(|_| unsupported("baud rate / ボーレート"))?;

    let c = &mut termios.control_flags;
    c.remove(ControlFlags::CSIZE | ControlFlags::PARENB | ControlFlags::PARODD);
    c.remove(ControlFlags::CSTOPB | ControlFlags::CRTSCTS);
    c.insert(size | ControlFlags::CREAD | ControlFlags::CLOCAL);
    match settings.parity {
        Parity::None => {}
        Parity::Even => c.insert(ControlFlags::PARENB),
        Parity::Odd => c.insert(ControlFlags::PARENB | ControlFlags::PARODD),
    }
    c.set(ControlFlags::CSTOPB, two_stop);

    let i = &mut termios.input_flags;
    i.remove(InputFlags::IXON | InputFlags::IXOFF | InputFlags::IXANY | InputFlags::INPCK);
    if settings.parity != Parity::None {
        // Check parity; a byte with a parity error arrives as NUL, which no frame contains,
        // so the decoder rejects the line (and auto-detection moves on).
        i.insert(InputFlags::INPCK);
    }
    match settings.flow_control {
        FlowControl::None => {}
        FlowControl::Hardware => termios.control_flags.insert(ControlFlags::CRTSCTS),
        FlowControl::Software => termios
            .input_flags
            .insert(InputFlags::IXON | InputFlags::IXOFF),
    }
    termios.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    termios.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    Ok(())
}

/// Configures the terminal behind `fd` for `settings`. With `discard_input`, bytes received
/// before (under the previous settings, hence noise now) are dropped; on a first open they
/// are kept, so a frame the analyzer pushed while the link was reconnecting is not lost.
pub fn configure<Fd: AsFd>(
    fd: Fd,
    path: &Path,
    settings: &LinkSettings,
    discard_input: bool,
) -> Result<(), LinkError> {
    let configure_error = |source| LinkError::Configure {
        path: path.to_owned(),
        settings: *settings,
        source,
    };
    let mut termios = tcgetattr(fd.as_fd()).map_err(configure_error)?;
    apply_to(&mut termios, settings)?;
    tcsetattr(fd.as_fd(), SetArg::TCSANOW, &termios).map_err(configure_error)?;
    if discard_input {
        tcflush(fd.as_fd(), FlushArg::TCIFLUSH).map_err(configure_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::termios::cfgetospeed;

    fn blank() -> Termios {
        let pty = nix::pty::openpty(None, None).unwrap();
        tcgetattr(&pty.slave).unwrap()
    }

    #[test]
    fn framing_bits_follow_settings() {
        let mut t = blank();
        apply_to(&mut t, &LinkSettings::LEGACY_7E1).unwrap();
        assert!(t
            .control_flags
            .contains(ControlFlags::CS7 | ControlFlags::PARENB));
        assert!(!t.control_flags.contains(ControlFlags::PARODD));
        assert!(!t.control_flags.contains(ControlFlags::CSTOPB));
        assert_eq!(cfgetospeed(&t), BaudRate::B2400);

        let s = LinkSettings::parse("19200-8O2-rtscts").unwrap();
        apply_to(&mut t, &s).unwrap();
        assert!(t.control_flags.contains(
            ControlFlags::CS8 | ControlFlags::PARENB | ControlFlags::PARODD | ControlFlags::CSTOPB
        ));
        assert!(t.control_flags.contains(ControlFlags::CRTSCTS));
        assert!(!t.input_flags.contains(InputFlags::IXON));
        assert_eq!(cfgetospeed(&t), BaudRate::B19200);

        apply_to(&mut t, &LinkSettings::parse("4800-8N1-xonxoff").unwrap()).unwrap();
        assert!(!t
            .control_flags
            .intersects(ControlFlags::PARENB | ControlFlags::CRTSCTS));
        assert!(t.input_flags.contains(InputFlags::IXON | InputFlags::IXOFF));
        assert_eq!(cfgetospeed(&t), BaudRate::B4800);
    }

    #[test]
    fn raw_mode_does_not_translate_line_ends() {
        let mut t = blank();
        apply_to(&mut t, &LinkSettings::TANITA_DEFAULT).unwrap();
        assert!(!t.input_flags.contains(InputFlags::ICRNL));
        assert!(!t
            .local_flags
            .contains(nix::sys::termios::LocalFlags::ICANON));
    }

    #[test]
    fn unsupported_settings_are_typed() {
        let mut t = blank();
        let odd_baud = LinkSettings::new_8n1(12345);
        assert!(matches!(
            apply_to(&mut t, &odd_baud),
            Err(LinkError::UnsupportedSettings { .. })
        ));
        let mut five_bits = LinkSettings::TANITA_DEFAULT;
        five_bits.data_bits = 5;
        let e = apply_to(&mut t, &five_bits).unwrap_err();
        assert!(e.to_string().contains("data bits"), "{e}");
    }
}
