//! Staff and technician modes at the station: signing in (roles, lockout, idle sign-out, audit)
//! and registering participants from the paper application at explanation sessions.
//!
//! Deliberately not here: screens and IPC (the kiosk), printing cards, and the calibration
//! procedure (`crate::calibration`).

pub mod registration;
pub mod sign_in;

pub use registration::{
    check_application, try_check_application, Application, ApplicationInput, ConsentChoice,
    Ineligibility,
};
pub use sign_in::{
    Need, SignInError, SignInPolicy, SignOutReason, SignedIn, StaffDesk, StaffError,
};
