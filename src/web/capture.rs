//! `IdvCapture`: the whole session in one object. Wires the camera, the frame loop, the file
//! fallback and `fetch` to the pure core (`capture::AutoCapture`, `session::run`).

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{HtmlElement, HtmlVideoElement, MediaStream};

use super::camera::{self, CameraMeta, Grabber};
use super::clock::{now_ms, random_bytes, Stop, WebClock};
use super::convert::{js_error, to_js};
use super::events::JsEvents;
use super::http::FetchApi;
use super::slot::Slot;
use crate::camera::{CameraInfo, Facing};
use crate::capture::{AutoCapture, CaptureEvent, Policy};
use crate::precheck::{Analyzer, Feedback, Frame, ImageType, Quad, Verdict};
use crate::protocol::{SessionConsent, StartSessionRequest};
use crate::session::{self, CaptureError, Captured, Capturer, Config, ErrorCode, Event, Outcome};
use crate::upload::{self, crop_for, encode_jpeg, EncodeError};

#[wasm_bindgen(typescript_custom_section)]
const TS_CAPTURE: &str = r#"
export interface IdvCaptureOptions {
  /** The Verify API base, e.g. "https://api.transmitsecurity.io/verify". Requests go nowhere else. */
  serverPath: string;
  /** The session's start token from your backend. Kept in memory only. */
  startToken: string;
  consent?: { granted: boolean; documentId?: string };
  /** Receives the `<video>` preview. */
  container?: HTMLElement | null;
  onEvent?: (e: IdvEvent) => void;
  /** A stream to use instead of getUserMedia (e.g. canvas.captureStream()). Not stopped by stop(). */
  stream?: MediaStream | null;
  /** Offer the manual shutter after this long without an auto-capture (default 10000). */
  autoCaptureTimeoutMs?: number;
  /** Upload retries after a network error or 5xx (default 3). */
  maxUploadRetries?: number;
  /** Rounds of server-requested recapture to follow (default 2). */
  maxRecaptureRounds?: number;
  language?: string;
}
export type ErrorCode = "camera_permission_denied" | "no_camera" | "token_invalid" | "session_not_found"
  | "session_expired" | "network" | "invalid_response" | "image_too_small" | "unsupported_file"
  | "internal";
export type IdvEvent =
  | { type: "session_started"; sessionId: string; requiredImages: ImageType[] }
  | { type: "capture_started"; imageType: ImageType; guidance: Feedback | null }
  | { type: "camera_ready"; label: string; width: number; height: number; facing: string }
  | ({ type: "frame_verdict"; imageType: ImageType } & Verdict)
  | { type: "manual_capture_available"; imageType: ImageType }
  | { type: "image_captured"; imageType: ImageType; width: number; height: number; bytes: number;
      /** The JPEG exactly as it is uploaded, e.g. for a review thumbnail. */
      jpeg: Uint8Array }
  | { type: "image_uploaded"; imageType: ImageType; feedback: Feedback; missingImages: ImageType[]; complete: boolean }
  | { type: "processing" }
  | { type: "recapture"; reason: string | null; missingImages: ImageType[] }
  | { type: "completed"; sessionId: string }
  | { type: "error"; code: ErrorCode; message: string; recoverable: boolean };
/** How `run()` ended. */
export type Outcome =
  | { status: "complete" } | { status: "recapture_limit" } | { status: "server_error" } | { status: "stopped" }
  | { status: "failed"; code: ErrorCode };
/** What `submitFile()` decided: the local verdict, and whether the image went on to upload. */
export interface FileResult { accepted: boolean; verdict: Verdict }
"#;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    server_path: String,
    start_token: String,
    #[serde(default)]
    consent: Option<ConsentOption>,
    #[serde(default)]
    auto_capture_timeout_ms: Option<f64>,
    #[serde(default)]
    max_upload_retries: Option<u32>,
    #[serde(default)]
    max_recapture_rounds: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsentOption {
    granted: bool,
    #[serde(default)]
    document_id: Option<String>,
}

/// The video-frame callback, kept alive for as long as the loop may reschedule it.
type FrameCallback = Closure<dyn FnMut(JsValue, JsValue)>;

/// What the frame loop and the fallbacks share.
struct Shared {
    stop: Rc<Stop>,
    events: JsEvents,
    container: Option<HtmlElement>,
    app_stream: Option<MediaStream>,
    live: RefCell<Live>,
    frame_cb: RefCell<Option<FrameCallback>>,
}

struct Live {
    video: Option<HtmlVideoElement>,
    own_stream: Option<(MediaStream, Facing)>,
    camera_failed: Option<ErrorCode>,
    meta: CameraMeta,
    cams: Vec<CameraInfo>,
    analysis: Option<Grabber>,
    best: Option<Grabber>,
    buf: Vec<u8>,
    auto: AutoCapture,
    active: Option<(ImageType, Slot<Result<Captured, CaptureError>>)>,
    best_quad: Option<Quad>,
    looping: bool,
}

/// Runs a verification session in the page: camera, live guidance, auto-capture, upload.
#[wasm_bindgen]
pub struct IdvCapture {
    shared: Rc<Shared>,
    options: Option<Options>,
}

#[wasm_bindgen]
impl IdvCapture {
    /// Checks the options; nothing starts before `run()`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "IdvCaptureOptions")] options: JsValue,
    ) -> Result<IdvCapture, JsError> {
        let parsed: Options = serde_wasm_bindgen::from_value(options.clone())
            .map_err(|e| JsError::new(&format!("IdvCapture options: {e}")))?;
        if parsed.start_token.is_empty() {
            return Err(JsError::new("IdvCapture options: startToken is empty"));
        }
        let get = |k: &str| js_sys::Reflect::get(&options, &k.into()).ok();
        let container = get("container").and_then(|v| v.dyn_into::<HtmlElement>().ok());
        let on_event = get("onEvent").and_then(|v| v.dyn_into::<js_sys::Function>().ok());
        let app_stream = get("stream").and_then(|v| v.dyn_into::<MediaStream>().ok());
        let policy = Policy {
            auto_capture_timeout_ms: parsed.auto_capture_timeout_ms.unwrap_or(10_000.0),
            ..Policy::default()
        };
        let shared = Rc::new(Shared {
            stop: Stop::new(),
            events: JsEvents::new(on_event),
            container,
            app_stream,
            live: RefCell::new(Live {
                video: None,
                own_stream: None,
                camera_failed: None,
                meta: CameraMeta::default(),
                cams: Vec::new(),
                analysis: None,
                best: None,
                buf: Vec::new(),
                auto: AutoCapture::new(policy),
                active: None,
                best_quad: None,
                looping: false,
            }),
            frame_cb: RefCell::new(None),
        });
        // Fail fast on a bad serverPath, before any camera prompt.
        FetchApi::new(&parsed.server_path, shared.stop.clone())
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(IdvCapture {
            shared,
            options: Some(parsed),
        })
    }

    /// Runs the session to its end. Resolves with the `Outcome`; never rejects.
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome>")]
    pub fn run(&mut self) -> js_sys::Promise {
        let shared = self.shared.clone();
        let Some(o) = self.options.take() else {
            return js_sys::Promise::reject(&js_error(
                ErrorCode::Internal,
                "run() can be called once per IdvCapture",
            ));
        };
        future_to_promise(async move {
            let outcome = run_session(shared.clone(), o).await;
            release_camera(&shared);
            to_js(&outcome).map_err(JsValue::from)
        })
    }

    /// Takes the picture now (the manual shutter). Allowed once `manual_capture_available` fired,
    /// or at any time when `force` is true.
    #[wasm_bindgen(js_name = captureNow)]
    pub fn capture_now(&self, force: Option<bool>) -> bool {
        let mut live = self.shared.live.borrow_mut();
        if !(force.unwrap_or(false) || live.auto.manual_allowed()) {
            return false;
        }
        let Some(v) = live.video.clone() else {
            return false;
        };
        let (vw, vh) = (v.video_width(), v.video_height());
        if vw == 0 || live.active.is_none() {
            return false;
        }
        if let Some(b) = &live.best {
            if b.draw(&v, vw, vh).is_err() {
                return false;
            }
        }
        // The whole frame: a manual shot is taken when the outline was not trusted.
        live.best_quad = None;
        let sent = finish_from_best(&mut live);
        drop(live);
        sent.iter().for_each(|o| o.send(&self.shared.events));
        true
    }

    /// The file-upload path: a JPEG or PNG the user picked. Pre-checked like a camera frame;
    /// uploaded only when the verdict is `ok`, else the verdict tells the user what to fix.
    #[wasm_bindgen(js_name = submitFile, unchecked_return_type = "Promise<FileResult>")]
    pub fn submit_file(&self, bytes: Vec<u8>) -> js_sys::Promise {
        let shared = self.shared.clone();
        future_to_promise(async move { submit_file(&shared, &bytes).await })
    }

    /// Ends the session: releases the camera, aborts requests and timers. Safe at any time.
    pub fn stop(&self) {
        self.shared.stop.stop();
        release_camera(&self.shared);
        let active = self.shared.live.borrow_mut().active.take();
        if let Some((_, slot)) = active {
            slot.fill(Err(CaptureError::Stopped));
        }
    }
}

async fn run_session(shared: Rc<Shared>, o: Options) -> Outcome {
    let api = match FetchApi::new(&o.server_path, shared.stop.clone()) {
        Ok(a) => a,
        Err(_) => return Outcome::Failed(ErrorCode::Internal),
    };
    let clock = WebClock {
        stop: shared.stop.clone(),
    };
    let seed = random_bytes();
    let config = Config {
        max_upload_attempts: o.max_upload_retries.unwrap_or(3).saturating_add(1),
        max_recapture_rounds: o.max_recapture_rounds.unwrap_or(2),
        jitter_seed: u64::from_le_bytes([
            seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
        ]),
        ..Config::default()
    };
    let start = StartSessionRequest {
        start_token: o.start_token,
        consent: o.consent.map(|c| SessionConsent {
            granted: c.granted,
            document_id: c.document_id.unwrap_or_default(),
        }),
        accessed_from_desktop: Some(false),
        client_type: Some("web".into()),
        image_signing_public_key: None,
    };
    let mut capturer = WebCapturer {
        shared: shared.clone(),
    };
    session::run(config, start, &api, &clock, &mut capturer, &shared.events).await
}

fn release_camera(shared: &Shared) {
    let mut live = shared.live.borrow_mut();
    if let Some((s, _)) = live.own_stream.take() {
        camera::stop_tracks(&s);
    }
    if let Some(v) = &live.video {
        v.set_src_object(None);
    }
    live.looping = false;
}

struct WebCapturer {
    shared: Rc<Shared>,
}

impl Capturer for WebCapturer {
    async fn capture(
        &mut self,
        image_type: ImageType,
        guidance: Option<Feedback>,
    ) -> Result<Captured, CaptureError> {
        let sh = &self.shared;
        sh.events.send(&CaptureEvent::CaptureStarted {
            image_type,
            guidance,
        });
        let slot = Slot::new();
        {
            let mut live = sh.live.borrow_mut();
            live.active = Some((image_type, slot.clone()));
            live.best_quad = None;
            live.auto.begin(image_type, now_ms());
        }
        match ensure_camera(sh, Facing::for_image(image_type)).await {
            Ok(()) => start_loop(sh),
            // No camera: the file path (`submitFile`) is still open, so this is recoverable.
            Err(code) => sh.events.send(&Event::error(code, true)),
        }
        if sh.stop.is_stopped() {
            return Err(CaptureError::Stopped);
        }
        slot.await
    }
}

/// Opens (or switches to) the camera for `facing`, unless it already failed for good.
async fn ensure_camera(sh: &Rc<Shared>, facing: Facing) -> Result<(), ErrorCode> {
    let (video, reuse) = {
        let mut live = sh.live.borrow_mut();
        if let Some(code) = live.camera_failed {
            return Err(code);
        }
        if live.video.is_none() {
            live.video =
                Some(camera::preview(sh.container.as_ref()).map_err(|_| ErrorCode::Internal)?);
            live.analysis = Some(Grabber::new().map_err(|_| ErrorCode::Internal)?);
            live.best = Some(Grabber::new().map_err(|_| ErrorCode::Internal)?);
        }
        let same = match (&sh.app_stream, &live.own_stream) {
            (Some(_), _) => live.meta.width > 0,
            (None, Some((_, f))) => *f == facing,
            _ => false,
        };
        (live.video.clone(), same)
    };
    let Some(video) = video else {
        return Err(ErrorCode::Internal);
    };
    if reuse {
        return Ok(());
    }
    let stream = match &sh.app_stream {
        // `MediaStream::clone` is the JS method that duplicates the tracks: take a reference.
        Some(s) => Clone::clone(s),
        None => {
            let old = sh.live.borrow_mut().own_stream.take();
            if let Some((s, _)) = old {
                camera::stop_tracks(&s);
            }
            match camera::open(facing).await {
                Ok(s) => s,
                Err(code) => {
                    sh.live.borrow_mut().camera_failed = Some(code);
                    return Err(code);
                }
            }
        }
    };
    if sh.stop.is_stopped() {
        if sh.app_stream.is_none() {
            camera::stop_tracks(&stream);
        }
        return Err(ErrorCode::Internal);
    }
    camera::attach(&video, &stream).await;
    let cams = camera::cameras().await;
    let label = camera::video_track(&stream)
        .map(|t| t.label())
        .unwrap_or_default();
    let meta = CameraMeta {
        label,
        width: video.video_width(),
        height: video.video_height(),
        facing: facing.as_str().to_string(),
    };
    {
        let mut live = sh.live.borrow_mut();
        if sh.app_stream.is_none() {
            live.own_stream = Some((Clone::clone(&stream), facing));
        }
        live.meta = meta.clone();
        live.cams = cams;
    }
    if sh.stop.is_stopped() {
        release_camera(sh);
        return Err(ErrorCode::Internal);
    }
    sh.events.send(&CaptureEvent::CameraReady {
        label: meta.label,
        width: meta.width,
        height: meta.height,
        facing: meta.facing,
    });
    Ok(())
}

fn start_loop(sh: &Rc<Shared>) {
    {
        let mut live = sh.live.borrow_mut();
        if live.looping || live.video.is_none() {
            return;
        }
        live.looping = true;
    }
    if sh.frame_cb.borrow().is_none() {
        let weak = Rc::downgrade(sh);
        let cb = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_: JsValue, _: JsValue| {
            if let Some(sh) = weak.upgrade() {
                if tick(&sh) {
                    reschedule(&sh);
                }
            }
        });
        *sh.frame_cb.borrow_mut() = Some(cb);
    }
    reschedule(sh);
}

fn reschedule(sh: &Shared) {
    let video = sh.live.borrow().video.clone();
    if let (Some(v), Some(cb)) = (video, sh.frame_cb.borrow().as_ref()) {
        camera::schedule(&v, cb.as_ref().unchecked_ref());
    }
}

/// One analysed frame. Returns whether to keep looping.
fn tick(sh: &Shared) -> bool {
    let mut out: Vec<Out> = Vec::new();
    let keep_going = {
        let mut live = sh.live.borrow_mut();
        let go = tick_inner(sh, &mut live, &mut out);
        if !go {
            live.looping = false;
        }
        go
    };
    // Sent after the borrow ends: an onEvent handler may call back into IdvCapture.
    out.iter().for_each(|o| o.send(&sh.events));
    keep_going
}

/// An event held back until the state borrow ends.
enum Out {
    Capture(CaptureEvent),
    /// `image_captured`, with a copy of the JPEG bytes for the app's review screen.
    Captured(CaptureEvent, js_sys::Uint8Array),
    Session(Event),
}

impl Out {
    fn send(&self, events: &JsEvents) {
        match self {
            Out::Capture(e) => events.send(e),
            Out::Captured(e, jpeg) => events.send_with(e, Some(("jpeg", jpeg))),
            Out::Session(e) => events.send(e),
        }
    }
}

fn tick_inner(sh: &Shared, live: &mut Live, out: &mut Vec<Out>) -> bool {
    if sh.stop.is_stopped() || live.active.is_none() {
        return false;
    }
    if camera::page_hidden() {
        return true;
    }
    let Some(video) = live.video.clone() else {
        return false;
    };
    let (vw, vh) = (video.video_width(), video.video_height());
    if video.ready_state() < 2 || vw == 0 || vh == 0 {
        return true;
    }
    let (aw, ah) = camera::analysis_size(vw, vh);
    let Live {
        analysis,
        buf,
        auto,
        ..
    } = live;
    let Some(analysis) = analysis.as_ref() else {
        return false;
    };
    if analysis.draw(&video, aw, ah).is_err() {
        return true;
    }
    let Ok((w, h)) = analysis.read_into(buf) else {
        return true;
    };
    let Ok(frame) = Frame::packed(buf, w, h) else {
        return true;
    };
    let step = auto.frame(frame, now_ms());
    let kind = auto.kind();
    if step.keep {
        if let Some(b) = &live.best {
            let _ = b.draw(&video, vw, vh);
        }
        let s = vw as f32 / w as f32;
        live.best_quad = step.verdict.scores.quad.map(|q| q.scaled(s, 0.0));
    }
    if step.emit {
        out.push(Out::Capture(CaptureEvent::FrameVerdict {
            image_type: kind,
            verdict: step.verdict,
        }));
    }
    if step.offer_manual {
        out.push(Out::Capture(CaptureEvent::ManualCaptureAvailable {
            image_type: kind,
        }));
    }
    if step.capture {
        out.extend(finish_from_best(live));
        return false;
    }
    true
}

/// Encodes the kept best frame and hands it to the waiting capture.
fn finish_from_best(live: &mut Live) -> Vec<Out> {
    let mut out = Vec::new();
    let Some((kind, slot)) = live.active.clone() else {
        return out;
    };
    let Some(best) = &live.best else { return out };
    let mut px = Vec::new();
    let Ok((w, h)) = best.read_into(&mut px) else {
        out.push(Out::Session(Event::error(ErrorCode::Internal, true)));
        return out;
    };
    let quad = live.best_quad;
    match encode_frame(&px, w, h, quad.as_ref(), kind, live) {
        Ok(captured) => out.push(deliver(live, kind, &slot, captured)),
        Err(code) => {
            // The camera cannot give a usable image; the file path stays open.
            live.camera_failed = Some(code);
            out.push(Out::Session(Event::error(code, true)));
        }
    }
    out
}

/// Hands a finished capture to the waiting `capture()` and ends this image's live loop; returns
/// the `image_captured` event for the caller to send once its borrow ends.
fn deliver(
    live: &mut Live,
    kind: ImageType,
    slot: &Slot<Result<Captured, CaptureError>>,
    captured: Captured,
) -> Out {
    let event = CaptureEvent::ImageCaptured {
        image_type: kind,
        width: captured.jpeg.width,
        height: captured.jpeg.height,
        bytes: captured.jpeg.bytes.len() as u32,
    };
    let jpeg = js_sys::Uint8Array::from(&captured.jpeg.bytes[..]);
    live.active = None;
    slot.fill(Ok(captured));
    Out::Captured(event, jpeg)
}

fn encode_frame(
    px: &[u8],
    w: u32,
    h: u32,
    quad: Option<&Quad>,
    kind: ImageType,
    live: &Live,
) -> Result<Captured, ErrorCode> {
    let frame = Frame::packed(px, w, h).map_err(|_| ErrorCode::Internal)?;
    let crop = crop_for(w, h, if kind.is_document() { quad } else { None });
    let jpeg = encode_jpeg(frame, crop).map_err(|e| match e {
        EncodeError::TooSmall { .. } => ErrorCode::ImageTooSmall,
        EncodeError::Encode(_) => ErrorCode::Internal,
    })?;
    let used = (!live.meta.label.is_empty()).then(|| live.meta.label.clone());
    Ok(Captured {
        jpeg,
        capture_margins: None,
        device_info: Some(upload::device_info(&camera::device_facts(used, &live.cams))),
    })
}

async fn submit_file(sh: &Rc<Shared>, bytes: &[u8]) -> Result<JsValue, JsValue> {
    let fail = |code: ErrorCode, detail: String| {
        sh.events.send(&Event::error(code, true));
        js_error(code, &detail)
    };
    let waiting = || sh.live.borrow().active.clone();
    let Some((kind, _)) = waiting() else {
        return Err(js_error(
            ErrorCode::Internal,
            "no image is being captured now",
        ));
    };
    let img = super::decode::decode(bytes)
        .await
        .map_err(|e| fail(ErrorCode::UnsupportedFile, e.to_string()))?;
    // Decoding took a while: the camera may have delivered this image meanwhile.
    let Some((_, slot)) = waiting().filter(|(k, _)| *k == kind) else {
        return Err(js_error(
            ErrorCode::Internal,
            "the image was captured while the file was being read",
        ));
    };
    let frame = Frame::packed(&img.rgba, img.width, img.height)
        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
    let verdict: Verdict = Analyzer::default().analyze(frame, kind);
    sh.events.send(&CaptureEvent::FrameVerdict {
        image_type: kind,
        verdict,
    });
    let accepted = verdict.feedback == Feedback::Ok;
    if accepted {
        let captured = {
            let live = sh.live.borrow();
            encode_frame(
                &img.rgba,
                img.width,
                img.height,
                verdict.scores.quad.as_ref(),
                kind,
                &live,
            )
        };
        let captured = captured.map_err(|code| fail(code, code.message().to_string()))?;
        let event = deliver(&mut sh.live.borrow_mut(), kind, &slot, captured);
        event.send(&sh.events);
    }
    #[derive(serde::Serialize)]
    struct Submitted<'a> {
        accepted: bool,
        verdict: &'a Verdict,
    }
    to_js(&Submitted {
        accepted,
        verdict: &verdict,
    })
    .map_err(JsValue::from)
}
