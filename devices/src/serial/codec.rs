//! A `tokio_util::codec` adapter over the sans-IO decoder: [`ScaleCodec`] decodes bytes into
//! [`DecodeEvent`]s and encodes [`Command`]s in a dialect, for `FramedRead` over a file, stdin
//! or a replayed capture.
//!
//! Deliberately not here: reconnecting, identity tracking and raw taps — the link
//! ([`super::link`]) drives the decoder directly because it needs them.

use crate::scale::{Command, CommandError, DecodeEvent, Dialect, StreamDecoder};
use tokio_util::bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

/// See the module documentation.
#[derive(Debug)]
pub struct ScaleCodec {
    decoder: StreamDecoder,
    dialect: Dialect,
}

impl ScaleCodec {
    /// A codec that encodes commands in `dialect`.
    pub fn new(dialect: Dialect) -> ScaleCodec {
        ScaleCodec {
            decoder: StreamDecoder::new(),
            dialect,
        }
    }
}

/// Encoding or I/O failed. Decoding never fails: bad lines are [`DecodeEvent::Rejected`].
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// A command parameter is out of range.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The underlying stream failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Decoder for ScaleCodec {
    type Item = DecodeEvent;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<DecodeEvent>, CodecError> {
        if !src.is_empty() {
            self.decoder.push(src);
            src.clear();
        }
        Ok(self.decoder.poll_event())
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<DecodeEvent>, CodecError> {
        if let Some(event) = self.decode(src)? {
            return Ok(Some(event));
        }
        // The stream ended: a cut frame is reported as truncated, once.
        self.decoder.finish();
        Ok(self.decoder.poll_event())
    }
}

impl Encoder<&Command> for ScaleCodec {
    type Error = CodecError;

    fn encode(&mut self, command: &Command, dst: &mut BytesMut) -> Result<(), CodecError> {
        dst.extend_from_slice(&command.encode(self.dialect)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scale::tanita::FrameError;
    use crate::scale::DecodeError;
    use futures_util::StreamExt;
    use tokio_util::codec::FramedRead;

    const F2: &[u8] = b"{0,16,~0,1,MO,\"MC-780\",ID,\"0000000000000000\",DT,\"2026/06/03\",TI,\"15:22\",Pt,0.0,Wk,67.8,CS,57\r\n";

    #[tokio::test]
    async fn a_capture_decodes_and_a_cut_tail_is_truncated() {
        let mut capture = F2.to_vec();
        capture.extend_from_slice(b"E2\r\n");
        capture.extend_from_slice(&F2[..20]);
        let events: Vec<DecodeEvent> =
            FramedRead::new(capture.as_slice(), ScaleCodec::new(Dialect::JpDc))
                .map(|e| e.unwrap())
                .collect()
                .await;
        assert!(matches!(events[0], DecodeEvent::Reading { .. }));
        assert!(matches!(events[1], DecodeEvent::Status { .. }));
        assert!(matches!(
            events[2],
            DecodeEvent::Rejected {
                error: DecodeError::Frame(FrameError::Truncated),
                bytes: 20
            }
        ));
        assert_eq!(events.len(), 3);
    }

    #[test]
    fn commands_encode_with_cr_lf() {
        let mut codec = ScaleCodec::new(Dialect::Bc418);
        let mut out = BytesMut::new();
        codec
            .encode(&Command::Height { tenths_cm: 1700 }, &mut out)
            .unwrap();
        assert_eq!(&out[..], b"D300170\r\n");
        assert!(codec.encode(&Command::Age(3), &mut out).is_err());
    }
}
