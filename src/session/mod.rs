//! The verification session as a pure state machine (sans-IO).
//!
//! The machine never touches the network, the camera or a clock. The browser shell feeds it
//! [`Input`]s (server answers, captured images, timer ticks) and carries out the [`Command`]s it
//! returns (start, capture, upload, wait, poll, emit an event, finish). That keeps every rule of
//! the protocol testable natively, and the same rules run in the browser:
//! - only a type the server still lists in `missing_images` is ever uploaded;
//! - a retry re-sends the same `image_id`, so the server can de-duplicate it;
//! - network errors and 5xx are retried with bounded, jittered exponential backoff;
//! - status polling backs off and is bounded;
//! - retakes are bounded: a server that keeps asking for one type cannot keep the camera going;
//! - every path ends in a [`Outcome`].
//!
//! ```
//! use idv_capture::session::{Command, Config, Input, Machine};
//! use idv_capture::protocol::ImageType;
//! let (mut m, first) = Machine::new(Config::default());
//! assert_eq!(first, vec![Command::Start]);
//! let cmds = m.handle(Input::Started { session_id: "s1".into(), required_images: vec![ImageType::Selfie] });
//! assert!(cmds.contains(&Command::Capture { image_type: ImageType::Selfie, guidance: None }));
//! ```

use thiserror::Error;

use crate::protocol::{
    AddImagesResponse, Feedback, ImageType, SessionStatus, SessionStatusResponse,
};

/// Why a request failed, as the shell's HTTP backend reports it.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: connection refused or dropped, timeout, offline.
    #[error("network error")]
    Network,
    /// An answer with an error status.
    #[error("HTTP {status}")]
    Http { status: u16 },
    /// An answer that is not the JSON the API documents.
    #[error("malformed response")]
    Decode,
}

impl ApiError {
    fn retryable(&self) -> bool {
        match self {
            ApiError::Network => true,
            ApiError::Http { status } => *status >= 500 || *status == 429,
            ApiError::Decode => false,
        }
    }

    /// For a request that is safe to repeat (a status poll, an upload under its image_id): the
    /// retryable failures, and a garbled answer (a proxy cutting the body short), which does not
    /// say whether the request took effect.
    fn worth_repeating(&self) -> bool {
        self.retryable() || *self == ApiError::Decode
    }
}

/// The typed error codes the JS API reports (`error.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    CameraPermissionDenied,
    NoCamera,
    TokenInvalid,
    SessionNotFound,
    SessionExpired,
    Network,
    /// The server's answer was not the JSON the API documents (after retries, for an upload).
    InvalidResponse,
    ImageTooSmall,
    UnsupportedFile,
    Internal,
}

impl ErrorCode {
    /// A sentence for the user (English; a UI can map the code to its own strings).
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::CameraPermissionDenied => {
                "Camera access was denied. Allow it in the browser settings, or upload a photo instead."
            }
            ErrorCode::NoCamera => "No camera is available. Upload a photo instead.",
            ErrorCode::TokenInvalid => {
                "This verification link is no longer valid. Start the verification again."
            }
            ErrorCode::SessionNotFound => "This verification session does not exist.",
            ErrorCode::SessionExpired => "This verification session has expired. Start again.",
            ErrorCode::Network => "The network is not reachable. Check the connection and try again.",
            ErrorCode::InvalidResponse => {
                "The verification service sent an answer that could not be read. Try again."
            }
            ErrorCode::ImageTooSmall => "The image is too small: it needs at least 640 by 480 pixels.",
            ErrorCode::UnsupportedFile => "That file is not a JPEG or PNG photo.",
            ErrorCode::Internal => "Something went wrong. Try again.",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::CameraPermissionDenied => "camera_permission_denied",
            ErrorCode::NoCamera => "no_camera",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::SessionNotFound => "session_not_found",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::Network => "network",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::ImageTooSmall => "image_too_small",
            ErrorCode::UnsupportedFile => "unsupported_file",
            ErrorCode::Internal => "internal",
        }
    }
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", content = "code", rename_all = "snake_case")]
pub enum Outcome {
    /// The server verified the session.
    Complete,
    /// The server asked for more rounds of recapture than the configured limit, or for one image
    /// type more often in one round than `max_captures_per_image`.
    RecaptureLimit,
    /// The server reported `error`.
    ServerError,
    /// `stop()` was called.
    Stopped,
    /// Stopped by an error the machine cannot recover from.
    Failed(ErrorCode),
}

/// What the machine tells the UI. Serialised for JS as `{type: "image_uploaded", imageType, …}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    SessionStarted {
        session_id: String,
        required_images: Vec<ImageType>,
    },
    ImageUploaded {
        image_type: ImageType,
        feedback: Feedback,
        missing_images: Vec<ImageType>,
        complete: bool,
    },
    Processing,
    Recapture {
        reason: Option<String>,
        missing_images: Vec<ImageType>,
    },
    Completed {
        session_id: String,
    },
    Error {
        code: ErrorCode,
        message: &'static str,
        recoverable: bool,
    },
}

impl Event {
    /// The error event for `code`, with its message.
    pub fn error(code: ErrorCode, recoverable: bool) -> Event {
        Event::Error {
            code,
            message: code.message(),
            recoverable,
        }
    }
}

/// What the shell must do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `POST …/verification/start` with the start token; answer with `Started` or `StartFailed`.
    Start,
    /// Capture this type (guided by the server's last code for it, if any); answer with `Captured`.
    Capture {
        image_type: ImageType,
        guidance: Option<Feedback>,
    },
    /// Upload the image captured under `image_id`; answer with `UploadResult`.
    Upload {
        image_type: ImageType,
        image_id: String,
    },
    /// Forget the image kept under `image_id`: the server has answered for it.
    Release {
        image_id: String,
    },
    /// `GET …/{sid}/status`; answer with `Status`.
    PollStatus,
    /// Start a timer; answer with `TimerFired`.
    Wait {
        ms: u32,
    },
    Emit(Event),
    Finish(Outcome),
}

/// What the shell reports back.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Started {
        session_id: String,
        required_images: Vec<ImageType>,
    },
    StartFailed(ApiError),
    /// An image of `image_type` was captured and is kept by the shell under `image_id`
    /// (unique per capture).
    Captured {
        image_type: ImageType,
        image_id: String,
    },
    UploadResult {
        image_id: String,
        result: Result<AddImagesResponse, ApiError>,
    },
    Status(Result<SessionStatusResponse, ApiError>),
    TimerFired,
}

/// Bounds and timings. The defaults retry an upload 4 times over about 7 s, take each image at
/// most 5 times a round and poll for up to about 5 minutes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    pub max_upload_attempts: u32,
    pub max_recapture_rounds: u32,
    pub retry_base_ms: u32,
    pub retry_max_ms: u32,
    pub poll_base_ms: u32,
    pub poll_max_ms: u32,
    pub max_polls: u32,
    /// Captures of one image type within a round (the first one, then every retake the server
    /// asks for: feedback other than `ok`, a refused image, the type still listed after an
    /// upload). Asked for once more, the session ends with [`Outcome::RecaptureLimit`].
    pub max_captures_per_image: u32,
    /// Seed of the backoff jitter (the shell passes a random one; tests a fixed one).
    pub jitter_seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_upload_attempts: 4,
            max_recapture_rounds: 2,
            retry_base_ms: 500,
            retry_max_ms: 8000,
            poll_base_ms: 1000,
            poll_max_ms: 5000,
            max_polls: 90,
            max_captures_per_image: 5,
            jitter_seed: 0x1d5_c0de,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum State {
    Starting {
        attempt: u32,
    },
    /// A start failed in a way worth retrying (network, 5xx, 429): waiting to send it again.
    StartWait {
        attempt: u32,
    },
    Capturing(ImageType),
    Uploading {
        image_type: ImageType,
        image_id: String,
        attempt: u32,
    },
    RetryWait {
        image_type: ImageType,
        image_id: String,
        attempt: u32,
    },
    Polling,
    PollWait,
    Done,
}

/// The session state machine. See the module docs.
#[derive(Debug)]
pub struct Machine {
    config: Config,
    state: State,
    session_id: String,
    missing: Vec<ImageType>,
    recapture_rounds: u32,
    /// Captures of each type (by `ImageType as usize`) asked for in this round.
    captures: [u32; ImageType::ALL.len()],
    polls: u32,
    rng: u64,
}

impl Machine {
    /// A machine and its first commands.
    pub fn new(config: Config) -> (Machine, Vec<Command>) {
        let m = Machine {
            config,
            state: State::Starting { attempt: 1 },
            session_id: String::new(),
            missing: Vec::new(),
            recapture_rounds: 0,
            captures: [0; ImageType::ALL.len()],
            polls: 0,
            rng: config.jitter_seed,
        };
        (m, vec![Command::Start])
    }

    /// The types the server still needs, as of its last answer.
    pub fn missing_images(&self) -> &[ImageType] {
        &self.missing
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Feeds one input; returns what to do. Inputs that do not fit the current state (a late
    /// answer, a capture of a type no longer missing) are ignored, never acted on.
    pub fn handle(&mut self, input: Input) -> Vec<Command> {
        let mut out = Vec::new();
        match (std::mem::replace(&mut self.state, State::Done), input) {
            (
                State::Starting { .. },
                Input::Started {
                    session_id,
                    required_images,
                },
            ) => {
                self.session_id = session_id.clone();
                self.missing = required_images.clone();
                out.push(Command::Emit(Event::SessionStarted {
                    session_id,
                    required_images,
                }));
                self.next_capture(None, &mut out);
            }
            // A start lost to the network or refused by an overloaded server is sent again, with
            // the upload's retry budget. If the lost one had in fact been served, the single-use
            // token now answers 401: the same end as not retrying.
            (State::Starting { attempt }, Input::StartFailed(e))
                if e.retryable() && attempt < self.config.max_upload_attempts =>
            {
                let ms = self.backoff(self.config.retry_base_ms, self.config.retry_max_ms, attempt);
                out.push(Command::Wait { ms });
                self.state = State::StartWait { attempt };
            }
            (State::Starting { .. }, Input::StartFailed(e)) => self.fail(code_for(&e), &mut out),
            (State::StartWait { attempt }, Input::TimerFired) => {
                out.push(Command::Start);
                self.state = State::Starting {
                    attempt: attempt + 1,
                };
            }
            (
                State::Capturing(t),
                Input::Captured {
                    image_type,
                    image_id,
                },
            ) if t == image_type && self.missing.contains(&t) => {
                self.upload(image_type, image_id, 1, &mut out)
            }
            (
                State::Uploading {
                    image_type,
                    image_id,
                    attempt,
                },
                Input::UploadResult {
                    image_id: id,
                    result,
                },
            ) if id == image_id => {
                self.upload_result(image_type, image_id, attempt, result, &mut out)
            }
            (
                State::RetryWait {
                    image_type,
                    image_id,
                    attempt,
                },
                Input::TimerFired,
            ) => self.upload(image_type, image_id, attempt + 1, &mut out),
            (State::PollWait, Input::TimerFired) => {
                out.push(Command::PollStatus);
                self.state = State::Polling;
            }
            (State::Polling, Input::Status(result)) => self.status(result, &mut out),
            (state, _) => self.state = state,
        }
        out
    }

    /// Sends (or re-sends, with the same id) one capture.
    fn upload(
        &mut self,
        image_type: ImageType,
        image_id: String,
        attempt: u32,
        out: &mut Vec<Command>,
    ) {
        out.push(Command::Upload {
            image_type,
            image_id: image_id.clone(),
        });
        self.state = State::Uploading {
            image_type,
            image_id,
            attempt,
        };
    }

    fn upload_result(
        &mut self,
        image_type: ImageType,
        image_id: String,
        attempt: u32,
        result: Result<AddImagesResponse, ApiError>,
        out: &mut Vec<Command>,
    ) {
        match result {
            Ok(resp) => {
                out.push(Command::Release { image_id });
                self.missing = resp.missing_images.clone();
                out.push(Command::Emit(Event::ImageUploaded {
                    image_type,
                    feedback: resp.feedback,
                    missing_images: resp.missing_images,
                    complete: resp.complete,
                }));
                if resp.complete {
                    self.start_polling(out);
                } else if !resp.feedback.is_ok() && self.missing.contains(&image_type) {
                    self.capture(image_type, Some(resp.feedback), out);
                } else {
                    self.next_capture(None, out);
                }
            }
            // Re-sending under the same image_id is safe: the server de-duplicates it.
            Err(e) if e.worth_repeating() && attempt < self.config.max_upload_attempts => {
                let ms = self.backoff(self.config.retry_base_ms, self.config.retry_max_ms, attempt);
                out.push(Command::Wait { ms });
                self.state = State::RetryWait {
                    image_type,
                    image_id,
                    attempt,
                };
            }
            // The server already has every image: find out where it stands.
            Err(ApiError::Http { status: 409 }) => {
                out.push(Command::Release { image_id });
                self.start_polling(out);
            }
            // A refused image (400): capture this type again.
            Err(ApiError::Http { status: 400 }) => {
                out.push(Command::Release { image_id });
                if self.may_capture(image_type) {
                    out.push(Command::Emit(Event::error(ErrorCode::Internal, true)));
                }
                self.capture(image_type, None, out);
            }
            Err(e) => self.fail(code_for(&e), out),
        }
    }

    fn status(&mut self, result: Result<SessionStatusResponse, ApiError>, out: &mut Vec<Command>) {
        match result {
            Ok(s) => match s.status {
                SessionStatus::Complete => {
                    out.push(Command::Emit(Event::Completed {
                        session_id: self.session_id.clone(),
                    }));
                    self.finish(Outcome::Complete, out);
                }
                SessionStatus::Recapture
                    if self.recapture_rounds < self.config.max_recapture_rounds =>
                {
                    self.recapture_rounds += 1;
                    self.polls = 0;
                    self.captures = [0; ImageType::ALL.len()];
                    self.missing = s.missing_images.clone();
                    out.push(Command::Emit(Event::Recapture {
                        reason: s.recapture_reason,
                        missing_images: s.missing_images,
                    }));
                    self.next_capture(None, out);
                }
                SessionStatus::Recapture => self.finish(Outcome::RecaptureLimit, out),
                SessionStatus::Expired => self.fail(ErrorCode::SessionExpired, out),
                SessionStatus::Error => self.finish(Outcome::ServerError, out),
                SessionStatus::Pending
                | SessionStatus::Capturing
                | SessionStatus::Processing
                | SessionStatus::Unknown => self.poll_later(out),
            },
            Err(e) if e.worth_repeating() => self.poll_later(out),
            Err(e) => self.fail(code_for(&e), out),
        }
    }

    fn next_capture(&mut self, guidance: Option<Feedback>, out: &mut Vec<Command>) {
        match self.missing.first().copied() {
            Some(t) => self.capture(t, guidance, out),
            None => self.start_polling(out),
        }
    }

    /// True while this round has not had `max_captures_per_image` captures of `image_type`.
    fn may_capture(&self, image_type: ImageType) -> bool {
        self.captures[image_type as usize] < self.config.max_captures_per_image
    }

    /// Asks for a capture of `image_type`, or ends the session if this round had enough of them.
    fn capture(
        &mut self,
        image_type: ImageType,
        guidance: Option<Feedback>,
        out: &mut Vec<Command>,
    ) {
        if !self.may_capture(image_type) {
            return self.finish(Outcome::RecaptureLimit, out);
        }
        self.captures[image_type as usize] += 1;
        out.push(Command::Capture {
            image_type,
            guidance,
        });
        self.state = State::Capturing(image_type);
    }

    fn start_polling(&mut self, out: &mut Vec<Command>) {
        out.push(Command::Emit(Event::Processing));
        out.push(Command::PollStatus);
        self.state = State::Polling;
    }

    fn poll_later(&mut self, out: &mut Vec<Command>) {
        self.polls += 1;
        if self.polls >= self.config.max_polls {
            return self.fail(ErrorCode::Network, out);
        }
        let ms = self.backoff(
            self.config.poll_base_ms,
            self.config.poll_max_ms,
            self.polls,
        );
        out.push(Command::Wait { ms });
        self.state = State::PollWait;
    }

    fn fail(&mut self, code: ErrorCode, out: &mut Vec<Command>) {
        out.push(Command::Emit(Event::error(code, false)));
        self.finish(Outcome::Failed(code), out);
    }

    fn finish(&mut self, outcome: Outcome, out: &mut Vec<Command>) {
        out.push(Command::Finish(outcome));
        self.state = State::Done;
    }

    /// Exponential backoff with "equal jitter": half the delay fixed, half random, so retries
    /// from many clients spread out but none comes back instantly.
    fn backoff(&mut self, base: u32, max: u32, attempt: u32) -> u32 {
        let exp = base
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(max);
        // SplitMix64 step.
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        exp / 2 + (z % (exp as u64 / 2 + 1)) as u32
    }
}

/// The error code a failed request reports.
pub fn code_for(e: &ApiError) -> ErrorCode {
    match e {
        ApiError::Network => ErrorCode::Network,
        ApiError::Http { status: 401 | 403 } => ErrorCode::TokenInvalid,
        ApiError::Http { status: 404 } => ErrorCode::SessionNotFound,
        ApiError::Http { status } if *status >= 500 => ErrorCode::Network,
        ApiError::Decode => ErrorCode::InvalidResponse,
        _ => ErrorCode::Internal,
    }
}

mod driver;
pub use driver::{run, Api, CaptureError, Captured, Capturer, Clock, Credentials, EventSink};

#[cfg(test)]
mod driver_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties;
#[cfg(test)]
mod tests;
