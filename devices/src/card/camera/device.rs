//! A real camera through nokhwa (V4L2 on Linux): [`NokhwaSource`], nokhwa's errors mapped once
//! into [`SourceError`], and the camera formats → grey conversion (reference/qr-cards.md §2).
//!
//! Deliberately not here: threads, retries and the watchdog ([`super::reader`]) — opening here
//! is one attempt, and `next_frame` blocks for as long as the device does.

use super::source::{FrameSource, SourceError};
use crate::card::frame::GrayFrame;
use nokhwa::pixel_format::LumaFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};
use nokhwa::{Buffer, Camera, NokhwaError};
use std::fmt;
use std::sync::mpsc;

/// Which camera to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraChoice {
    /// The first listed device that opens as a capture device (a UVC camera also creates a
    /// metadata node, which does not).
    First,
    /// `/dev/video<n>`.
    Index(u32),
    /// The first device whose name contains this text (e.g. the camera model).
    Name(String),
}

/// How to open the camera. Defaults: [`CameraChoice::First`], MJPEG 1280×720 at 30 frames per
/// second, or the closest the camera offers (many webcams give 1280×720 at 30 fps only in
/// MJPEG; reference §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NokhwaOptions {
    /// Which camera.
    pub camera: CameraChoice,
    /// Wanted width in pixels.
    pub width: u32,
    /// Wanted height in pixels.
    pub height: u32,
    /// Wanted frames per second.
    pub fps: u32,
}

impl Default for NokhwaOptions {
    fn default() -> NokhwaOptions {
        NokhwaOptions {
            camera: CameraChoice::First,
            width: 1280,
            height: 720,
            fps: 30,
        }
    }
}

/// Conversion failures in a row after which a stream counts as unusable (single bad frames —
/// a cut JPEG after a USB hiccup — are skipped).
const MAX_BAD_FRAMES: u32 = 30;

/// An open camera with its stream started.
///
/// `nokhwa::Camera` is not `Send` (its backend is a plain `Box<dyn CaptureBackendTrait>`), so
/// the camera lives on a thread of its own ("camera-device") that opens it, reads frames into a
/// one-frame channel and closes it; this handle holds the other end and is `Send`. Dropping the
/// handle ends that thread after the frame it is waiting for.
pub struct NokhwaSource {
    frames: mpsc::Receiver<Result<GrayFrame, SourceError>>,
    name: String,
}

impl fmt::Debug for NokhwaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NokhwaSource")
            .field("camera", &self.name)
            .finish()
    }
}

impl NokhwaSource {
    /// Lists the cameras, opens the chosen one with the format closest to `options` and starts
    /// its stream. No camera listed (or none matching the choice) is [`SourceError::NoCamera`].
    pub fn open(options: &NokhwaOptions) -> Result<NokhwaSource, SourceError> {
        let options = options.clone();
        let (opened_tx, opened) = mpsc::sync_channel(1);
        let (frames_tx, frames) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("camera-device".into())
            .spawn(move || {
                let camera = match open_camera(&options) {
                    Ok(camera) => camera,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let _ = opened_tx.send(Ok(camera.info().human_name()));
                stream(camera, &frames_tx);
            })
            .map_err(|e| SourceError::Unusable(format!("thread: {e}")))?;
        let name = opened.recv().map_err(|_| {
            SourceError::Unusable(
                "カメラを開く処理が異常終了しました / opening the camera failed".into(),
            )
        })??;
        Ok(NokhwaSource { frames, name })
    }

    /// The camera's name as the system lists it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl FrameSource for NokhwaSource {
    fn next_frame(&mut self) -> Result<GrayFrame, SourceError> {
        self.frames.recv().unwrap_or_else(|_| {
            Err(SourceError::Disconnected(
                "カメラのスレッドが終了しました / the camera thread ended".into(),
            ))
        })
    }
}

/// Reads frames until the receiver goes away or the camera fails (the error is the last
/// message); the camera is closed on this thread.
fn stream(mut camera: Camera, frames: &mpsc::SyncSender<Result<GrayFrame, SourceError>>) {
    let mut bad = 0;
    loop {
        let result = camera
            .frame()
            .map_err(map_nokhwa_error)
            .and_then(|buffer| buffer_to_gray(&buffer));
        let message = match result {
            Ok(frame) => {
                bad = 0;
                Ok(frame)
            }
            Err(SourceError::Unusable(m)) if bad + 1 < MAX_BAD_FRAMES => {
                bad += 1;
                tracing::debug!(error = %m, "camera frame skipped");
                continue;
            }
            Err(e) => Err(e),
        };
        let last = message.is_err();
        if frames.send(message).is_err() || last {
            return;
        }
    }
}

fn open_camera(options: &NokhwaOptions) -> Result<Camera, SourceError> {
    let cameras = nokhwa::query(ApiBackend::Auto).map_err(map_nokhwa_error)?;
    let candidates: Vec<CameraIndex> = match &options.camera {
        CameraChoice::First => cameras.iter().map(|c| c.index().clone()).collect(),
        CameraChoice::Index(n) => cameras
            .iter()
            .filter(|c| matches!(c.index(), CameraIndex::Index(i) if i == n))
            .map(|c| c.index().clone())
            .collect(),
        CameraChoice::Name(name) => cameras
            .iter()
            .filter(|c| c.human_name().contains(name.as_str()))
            .map(|c| c.index().clone())
            .collect(),
    };
    let mut last = SourceError::NoCamera;
    for index in candidates {
        match open_one(index, options) {
            Ok(camera) => {
                tracing::info!(
                    camera = %camera.info().human_name(),
                    format = %camera.camera_format(),
                    "camera open"
                );
                return Ok(camera);
            }
            Err(e) => {
                tracing::debug!(error = %e, "camera candidate did not open");
                last = e;
            }
        }
    }
    Err(last)
}

fn open_one(index: CameraIndex, options: &NokhwaOptions) -> Result<Camera, SourceError> {
    let want = CameraFormat::new(
        Resolution::new(options.width, options.height),
        FrameFormat::MJPEG,
        options.fps,
    );
    let request = RequestedFormat::new::<LumaFormat>(RequestedFormatType::Closest(want));
    let mut camera = Camera::new(index, request).map_err(map_nokhwa_error)?;
    camera.open_stream().map_err(map_nokhwa_error)?;
    Ok(camera)
}

/// nokhwa's flat error enum as a [`SourceError`] (the one place its strings are read).
pub fn map_nokhwa_error(error: NokhwaError) -> SourceError {
    match error {
        NokhwaError::OpenDeviceError(_, msg) if msg.contains("os error 2") => SourceError::NoCamera,
        NokhwaError::OpenDeviceError(_, msg) if msg.contains("os error 13") => {
            SourceError::Unusable(format!(
                "{msg}: ユーザーを video グループに追加してください / add the user to the video group"
            ))
        }
        NokhwaError::OpenDeviceError(_, msg) => SourceError::Unusable(msg),
        NokhwaError::GetPropertyError { property, error } => {
            SourceError::Unusable(format!("{property}: {error}"))
        }
        NokhwaError::ReadFrameError(msg) | NokhwaError::OpenStreamError(msg) => {
            SourceError::Disconnected(msg)
        }
        other => SourceError::Unusable(other.to_string()),
    }
}

/// A camera buffer as a grey frame: the Y bytes of YUYV, the first plane of NV12 and GRAY, and
/// nokhwa's (mozjpeg) decode for MJPEG and RGB. A buffer shorter than its resolution needs is
/// [`SourceError::Unusable`].
pub fn buffer_to_gray(buffer: &Buffer) -> Result<GrayFrame, SourceError> {
    let resolution = buffer.resolution();
    let (width, height) = (resolution.width(), resolution.height());
    let pixels = width as usize * height as usize;
    let bytes = buffer.buffer();
    let short = |needed: usize| {
        SourceError::Unusable(format!(
            "{} の映像が短すぎます / {} frame too short: {} bytes, {needed} needed for {width}×{height}",
            buffer.source_frame_format(),
            buffer.source_frame_format(),
            bytes.len()
        ))
    };
    let data = match buffer.source_frame_format() {
        FrameFormat::YUYV => {
            if bytes.len() < pixels * 2 {
                return Err(short(pixels * 2));
            }
            bytes.iter().step_by(2).take(pixels).copied().collect()
        }
        FrameFormat::NV12 | FrameFormat::GRAY => {
            bytes.get(..pixels).ok_or_else(|| short(pixels))?.to_vec()
        }
        FrameFormat::MJPEG | FrameFormat::RAWRGB | FrameFormat::RAWBGR => {
            // A corrupt JPEG must not take the capture thread down with it.
            let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                buffer.decode_image::<LumaFormat>()
            }))
            .map_err(|_| {
                SourceError::Unusable("JPEG の展開に失敗しました / JPEG decoder failed".into())
            })?
            .map_err(map_nokhwa_error)?;
            decoded.into_raw()
        }
    };
    let frame = GrayFrame {
        width,
        height,
        data,
    };
    if frame.is_consistent() {
        Ok(frame)
    } else {
        Err(short(pixels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nokhwa_errors_map_to_what_the_reader_does_next() {
        let gone = NokhwaError::OpenDeviceError(
            "0".into(),
            "V4L2 Error: No such file or directory (os error 2)".into(),
        );
        assert_eq!(map_nokhwa_error(gone), SourceError::NoCamera);
        let metadata_node = NokhwaError::GetPropertyError {
            property: "CameraFormat".into(),
            error: "Failed to Fufill".into(),
        };
        assert!(
            matches!(map_nokhwa_error(metadata_node), SourceError::Unusable(m) if m.contains("CameraFormat"))
        );
        let unplugged = NokhwaError::ReadFrameError("Input/output error (os error 5)".into());
        assert!(
            matches!(map_nokhwa_error(unplugged), SourceError::Disconnected(m) if m.contains("os error 5"))
        );
        let denied =
            NokhwaError::OpenDeviceError("0".into(), "Permission denied (os error 13)".into());
        assert!(
            matches!(map_nokhwa_error(denied), SourceError::Unusable(m) if m.contains("video group"))
        );
    }
}
