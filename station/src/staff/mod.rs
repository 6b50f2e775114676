//! Staff and technician sign-in, and registering participants at explanation sessions
//! (filled by the staff-modes issue).
