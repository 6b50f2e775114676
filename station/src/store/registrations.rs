//! (filled by the staff-modes issue)
