//! Listing the machine's serial ports for technicians: path, kind and USB identity (VID/PID,
//! serial number, manufacturer, product).
//!
//! Deliberately not here: opening ports ([`super::port`]). Pseudo-terminals (the simulator) are
//! never listed by the system enumeration; they are opened by path.

use super::error::LinkError;
use std::path::PathBuf;

/// FTDI's default USB IDs (FT232RL), used by Tanita's USB interfaces unless reprogrammed
/// (reference §1).
pub const FTDI_FT232R: (u16, u16) = (0x0403, 0x6001);

/// What kind of device a port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortKind {
    /// A USB serial adapter or a device with a USB serial interface.
    Usb,
    /// An on-board or PCI serial port.
    Pci,
    /// A Bluetooth serial (SPP) port.
    Bluetooth,
    /// Anything else the system lists.
    Unknown,
}

/// USB identity of a port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsbIdentity {
    /// Vendor ID.
    pub vid: u16,
    /// Product ID.
    pub pid: u16,
    /// The adapter's serial number, if it reports one.
    pub serial_number: Option<String>,
    /// Manufacturer string.
    pub manufacturer: Option<String>,
    /// Product string.
    pub product: Option<String>,
}

impl UsbIdentity {
    /// Whether this is an FTDI FT232R with default IDs, as in Tanita's USB interfaces.
    pub fn is_ftdi_ft232r(&self) -> bool {
        (self.vid, self.pid) == FTDI_FT232R
    }
}

/// One serial port the system knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PortInfo {
    /// Device path, e.g. `/dev/ttyUSB0`.
    pub path: PathBuf,
    /// What kind of port.
    pub kind: PortKind,
    /// USB identity, for USB ports.
    pub usb: Option<UsbIdentity>,
}

impl From<serialport::SerialPortInfo> for PortInfo {
    fn from(info: serialport::SerialPortInfo) -> PortInfo {
        use serialport::SerialPortType;
        let (kind, usb) = match info.port_type {
            SerialPortType::UsbPort(u) => (
                PortKind::Usb,
                Some(UsbIdentity {
                    vid: u.vid,
                    pid: u.pid,
                    serial_number: u.serial_number,
                    manufacturer: u.manufacturer,
                    product: u.product,
                }),
            ),
            SerialPortType::PciPort => (PortKind::Pci, None),
            SerialPortType::BluetoothPort => (PortKind::Bluetooth, None),
            SerialPortType::Unknown => (PortKind::Unknown, None),
        };
        PortInfo {
            path: PathBuf::from(info.port_name),
            kind,
            usb,
        }
    }
}

/// The serial ports the system lists, USB ports first, then by path.
pub fn list_ports() -> Result<Vec<PortInfo>, LinkError> {
    let ports = serialport::available_ports().map_err(|e| LinkError::ListPorts {
        message: e.to_string(),
    })?;
    let mut ports: Vec<PortInfo> = ports.into_iter().map(PortInfo::from).collect();
    ports.sort_by(|a, b| {
        (a.kind != PortKind::Usb, &a.path).cmp(&(b.kind != PortKind::Usb, &b.path))
    });
    Ok(ports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serialport::{SerialPortInfo, SerialPortType, UsbPortInfo};

    #[test]
    fn usb_identity_is_carried_over() {
        let info = SerialPortInfo {
            port_name: "/dev/ttyUSB0".into(),
            port_type: SerialPortType::UsbPort(UsbPortInfo {
                vid: 0x0403,
                pid: 0x6001,
                serial_number: Some("A10KXYZ".into()),
                manufacturer: Some("FTDI".into()),
                product: Some("FT232R USB UART".into()),
            }),
        };
        let port = PortInfo::from(info);
        assert_eq!(port.path, PathBuf::from("/dev/ttyUSB0"));
        assert_eq!(port.kind, PortKind::Usb);
        let usb = port.usb.unwrap();
        assert!(usb.is_ftdi_ft232r());
        assert_eq!(usb.serial_number.as_deref(), Some("A10KXYZ"));
        assert_eq!(usb.product.as_deref(), Some("FT232R USB UART"));
    }

    #[test]
    fn non_usb_ports_have_no_usb_identity() {
        let port = PortInfo::from(SerialPortInfo {
            port_name: "/dev/ttyS0".into(),
            port_type: SerialPortType::PciPort,
        });
        assert_eq!(port.kind, PortKind::Pci);
        assert_eq!(port.usb, None);
    }

    #[test]
    fn listing_works_on_this_machine() {
        // No port may exist here; what matters is that enumeration does not fail and that
        // the order puts USB ports first.
        let ports = list_ports().unwrap();
        let first_non_usb = ports.iter().position(|p| p.kind != PortKind::Usb);
        if let Some(i) = first_non_usb {
            assert!(ports[i..].iter().all(|p| p.kind != PortKind::Usb));
        }
    }
}
