//! Tanita key/value frames: the grammar ([`frame`]) and its meaning ([`reading`]).
//!
//! The positional BC-418/TBF-310 output is deliberately not decoded: no station uses it and
//! no verified capture exists (reference §3, §5); such lines surface as unknown lines.

pub mod frame;
pub mod reading;

pub use frame::{
    Control, ControlPair, Controls, FrameError, Key, Pair, Pairs, RawPair, RawValue, Resolve,
    Resolved, ResolvedIter, TanitaFrame, ValueSpan, FRAME_START,
};
pub use reading::{
    BodyType, DeviceDate, DeviceTime, Impedance, ImpedanceComponent, ImpedancePath, PhaseAngle,
    Reading, ReadingError, Segment, SegmentValues, Segments, Sex, UnitSystem,
};
