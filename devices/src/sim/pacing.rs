//! Releasing a line's bytes at the rate the wire would carry them: how many are due after a
//! given elapsed time, and when the next useful chunk is due. Sleeping and writing are
//! deliberately not here — the runner does that with this arithmetic.

use std::time::Duration;

/// Paces one contiguous transmission of `len` bytes starting at `start`.
#[derive(Debug, Clone)]
pub struct Pacer {
    start: Duration,
    nanos_per_byte: u64,
    len: usize,
    released: usize,
}

impl Pacer {
    /// `nanos_per_byte` 0 means "all at once" (unpaced).
    pub fn new(start: Duration, nanos_per_byte: u64, len: usize) -> Pacer {
        Pacer {
            start,
            nanos_per_byte,
            len,
            released: 0,
        }
    }

    /// Bytes whose last bit has left the transmitter by `now`.
    pub fn due(&self, now: Duration) -> usize {
        if self.nanos_per_byte == 0 {
            return self.len;
        }
        let elapsed = now.saturating_sub(self.start).as_nanos();
        let n = elapsed / u128::from(self.nanos_per_byte);
        usize::try_from(n).unwrap_or(usize::MAX).min(self.len)
    }

    /// The range of bytes to hand over now (possibly empty); marks them released.
    pub fn take(&mut self, now: Duration) -> std::ops::Range<usize> {
        let from = self.released;
        self.released = self.released.max(self.due(now));
        from..self.released
    }

    /// Gives back bytes that could not be written (the reader is not keeping up).
    pub fn unrelease(&mut self, count: usize) {
        self.released -= count.min(self.released);
    }

    /// Whether every byte was released.
    pub fn done(&self) -> bool {
        self.released >= self.len
    }

    /// When the last byte is due: the earliest the next transmission may start.
    pub fn end(&self) -> Duration {
        self.start + Duration::from_nanos(self.nanos_per_byte.saturating_mul(self.len as u64))
    }

    /// When `chunk` more bytes (or the rest) are due — the time to wake up next.
    pub fn next_wake(&self, chunk: usize) -> Duration {
        let target = (self.released + chunk.max(1)).min(self.len) as u64;
        self.start + Duration::from_nanos(self.nanos_per_byte.saturating_mul(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_by_elapsed_time_in_chunks() {
        // 9600 8N1: 1,041,666 ns per byte; the 1,273-byte MC-780A frame takes ≈ 1.33 s.
        let npb = 1_041_666;
        let mut p = Pacer::new(Duration::from_secs(1), npb, 1273);
        assert_eq!(p.take(Duration::from_secs(1)), 0..0);
        assert_eq!(p.take(Duration::from_millis(1010)), 0..9);
        assert_eq!(
            p.next_wake(4),
            Duration::from_secs(1) + Duration::from_nanos(npb * 13)
        );
        assert_eq!(p.take(Duration::from_millis(1010)), 9..9);
        let end = p.end();
        assert!(end > Duration::from_millis(2325) && end < Duration::from_millis(2330));
        assert_eq!(p.take(end), 9..1273);
        assert!(p.done());
    }

    #[test]
    fn unpaced_releases_everything_and_unrelease_gives_back() {
        let mut p = Pacer::new(Duration::ZERO, 0, 10);
        assert_eq!(p.take(Duration::ZERO), 0..10);
        p.unrelease(4);
        assert!(!p.done());
        assert_eq!(p.take(Duration::ZERO), 6..10);
    }
}
