//! Runs the [`Machine`] against backends: the one place where commands turn into I/O.
//!
//! The backends are traits, as in Ruffle's `core`: the browser shell implements them with
//! `fetch`, `setTimeout` and the camera (`src/web/`), and the tests with scripted fakes, so the
//! whole session, retries and polling included, runs natively in `cargo test`.

#![allow(async_fn_in_trait)] // Single-threaded (wasm): the futures need not be Send.

use std::collections::VecDeque;

use super::{ApiError, Command, Config, ErrorCode, Event, Input, Machine, Outcome};
use crate::protocol::{
    AddImageRequest, AddImagesResponse, CaptureMargins, DeviceInfoDto, Feedback, ImageType,
    SessionStatusResponse, StartSessionRequest, StartSessionResponse,
};
use crate::upload::{add_image_request, image_id, Jpeg};

/// The session's identity after start. The token authorises every later call; it is kept in
/// memory only and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub session_id: String,
    pub user_token: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// The Verify API's client calls.
pub trait Api {
    async fn start(&self, req: &StartSessionRequest) -> Result<StartSessionResponse, ApiError>;
    async fn upload(
        &self,
        session: &Credentials,
        req: &AddImageRequest,
    ) -> Result<AddImagesResponse, ApiError>;
    async fn status(&self, session: &Credentials) -> Result<SessionStatusResponse, ApiError>;
}

/// Time. `sleep` resolves early (and `run` then ends with [`Outcome::Stopped`]) once stopped.
pub trait Clock {
    async fn sleep(&self, ms: u32);
    /// True once the user or the app stopped the session.
    fn stopped(&self) -> bool;
    /// 16 random bytes (`image_id`s).
    fn random(&self) -> [u8; 16];
}

/// One image, captured and encoded, not yet uploaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Captured {
    pub jpeg: Jpeg,
    pub capture_margins: Option<CaptureMargins>,
    pub device_info: Option<DeviceInfoDto>,
}

/// Why no image came back from the capturer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureError {
    Stopped,
    Failed(ErrorCode),
}

/// The camera (with its fallbacks: manual shutter, file upload). The capturer guides the user
/// and emits its own events (`camera_ready`, `frame_verdict`, `image_captured`).
pub trait Capturer {
    async fn capture(
        &mut self,
        image_type: ImageType,
        guidance: Option<Feedback>,
    ) -> Result<Captured, CaptureError>;
}

/// Where session events go (the JS `onEvent` callback).
pub trait EventSink {
    fn emit(&self, event: &Event);
}

/// Drives a session from start to its [`Outcome`].
///
/// Each capture is kept under its `image_id` until the server has answered for it, so a retry
/// re-sends the same bytes with the same id, and nothing captured is lost to a network fault.
pub async fn run<A: Api, C: Clock, K: Capturer, E: EventSink>(
    config: Config,
    start: StartSessionRequest,
    api: &A,
    clock: &C,
    capturer: &mut K,
    events: &E,
) -> Outcome {
    let (mut machine, first) = Machine::new(config);
    let mut queue: VecDeque<Command> = first.into();
    let mut session: Option<Credentials> = None;
    // A few entries at most (one per image in flight): a list, not a HashMap, which would bring
    // hashbrown and SipHash into the wasm for nothing.
    let mut kept: Vec<(String, AddImageRequest)> = Vec::new();
    while let Some(command) = queue.pop_front() {
        if clock.stopped() {
            return Outcome::Stopped;
        }
        let input = match command {
            Command::Start => match api.start(&start).await {
                Ok(r) => {
                    session = Some(Credentials {
                        session_id: r.session_id.clone(),
                        user_token: r.user_token,
                    });
                    Input::Started {
                        session_id: r.session_id,
                        required_images: r.required_images,
                    }
                }
                Err(e) => Input::StartFailed(e),
            },
            Command::Capture {
                image_type,
                guidance,
            } => match capturer.capture(image_type, guidance).await {
                Ok(c) => {
                    let id = image_id(clock.random());
                    let req = add_image_request(
                        &c.jpeg,
                        image_type,
                        &id,
                        c.device_info,
                        c.capture_margins,
                    );
                    kept.retain(|(k, _)| *k != id);
                    kept.push((id.clone(), req));
                    Input::Captured {
                        image_type,
                        image_id: id,
                    }
                }
                Err(CaptureError::Stopped) => return Outcome::Stopped,
                Err(CaptureError::Failed(code)) => {
                    events.emit(&Event::error(code, false));
                    return Outcome::Failed(code);
                }
            },
            Command::Upload { image_id, .. } => {
                let req = kept.iter().find(|(k, _)| *k == image_id).map(|(_, r)| r);
                let (Some(s), Some(req)) = (&session, req) else {
                    return internal(events);
                };
                Input::UploadResult {
                    result: api.upload(s, req).await,
                    image_id,
                }
            }
            Command::Release { image_id } => {
                kept.retain(|(k, _)| *k != image_id);
                continue;
            }
            Command::PollStatus => {
                let Some(s) = &session else {
                    return internal(events);
                };
                Input::Status(api.status(s).await)
            }
            Command::Wait { ms } => {
                clock.sleep(ms).await;
                Input::TimerFired
            }
            Command::Emit(e) => {
                events.emit(&e);
                continue;
            }
            Command::Finish(outcome) => return outcome,
        };
        if clock.stopped() {
            return Outcome::Stopped;
        }
        queue.extend(machine.handle(input));
    }
    internal(events)
}

/// A command sequence the machine should never produce; reported, not panicked on.
fn internal<E: EventSink>(events: &E) -> Outcome {
    events.emit(&Event::error(ErrorCode::Internal, false));
    Outcome::Failed(ErrorCode::Internal)
}
