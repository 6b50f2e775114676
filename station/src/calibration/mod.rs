//! Reference-weight calibration checks and the gate that stops participant measurements while
//! the analyzer is unchecked (filled by the staff-modes issue).
