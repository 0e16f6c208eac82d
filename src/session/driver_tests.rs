//! The whole session through `run`, with scripted backends: the same code path the browser runs,
//! minus fetch, timers and the camera.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::*;
use crate::protocol::ImageType::{DocumentBack as Back, DocumentFront as Front, Selfie};
use crate::protocol::{AddImageRequest, StartSessionRequest, StartSessionResponse};
use crate::upload::Jpeg;

/// The fakes never pend, so polling to completion is a loop.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A small model of the server: `missing_images`, idempotent `image_id`s, scripted feedback
/// and status answers, and injected failures.
#[derive(Default)]
struct FakeApi {
    start: RefCell<Option<Result<StartSessionResponse, ApiError>>>,
    missing: RefCell<Vec<ImageType>>,
    feedback: RefCell<HashMap<ImageType, VecDeque<Feedback>>>,
    seen: RefCell<HashMap<String, AddImagesResponse>>,
    stored: RefCell<Vec<(ImageType, String)>>,
    upload_faults: RefCell<VecDeque<ApiError>>,
    statuses: RefCell<VecDeque<Result<SessionStatusResponse, ApiError>>>,
    calls: Cell<u32>,
}

impl FakeApi {
    fn new(required: Vec<ImageType>) -> Self {
        let api = FakeApi::default();
        *api.start.borrow_mut() = Some(Ok(StartSessionResponse {
            session_id: "sid".into(),
            user_token: "ut_secret".into(),
            required_images: required.clone(),
            settings: None,
        }));
        *api.missing.borrow_mut() = required;
        api
    }
    fn script_status(&self, s: SessionStatus, missing: Vec<ImageType>) {
        self.statuses
            .borrow_mut()
            .push_back(Ok(SessionStatusResponse {
                status: s,
                recapture_reason: (s == SessionStatus::Recapture)
                    .then(|| "poor_image_quality".into()),
                missing_images: missing,
                callback_url: None,
                state: None,
            }));
    }
    fn stored_types(&self) -> Vec<ImageType> {
        self.stored.borrow().iter().map(|(t, _)| *t).collect()
    }
}

impl Api for FakeApi {
    async fn start(&self, req: &StartSessionRequest) -> Result<StartSessionResponse, ApiError> {
        self.calls.set(self.calls.get() + 1);
        assert_eq!(req.start_token, "st_1");
        self.start
            .borrow_mut()
            .take()
            .unwrap_or(Err(ApiError::Http { status: 401 }))
    }

    async fn upload(
        &self,
        s: &Credentials,
        req: &AddImageRequest,
    ) -> Result<AddImagesResponse, ApiError> {
        self.calls.set(self.calls.get() + 1);
        assert_eq!(s.user_token, "ut_secret");
        if let Some(e) = self.upload_faults.borrow_mut().pop_front() {
            return Err(e);
        }
        let id = req
            .image
            .image_id
            .clone()
            .expect("every upload has an image_id");
        if let Some(r) = self.seen.borrow().get(&id) {
            return Ok(r.clone());
        }
        let t = req.image.image_type;
        let fb = self
            .feedback
            .borrow_mut()
            .get_mut(&t)
            .and_then(VecDeque::pop_front)
            .unwrap_or(Feedback::Ok);
        let mut missing = self.missing.borrow_mut();
        if fb.is_ok() {
            missing.retain(|m| *m != t);
            self.stored.borrow_mut().push((t, id.clone()));
        }
        let r = AddImagesResponse::new(fb, missing.is_empty(), missing.clone());
        self.seen.borrow_mut().insert(id, r.clone());
        Ok(r)
    }

    async fn status(&self, _: &Credentials) -> Result<SessionStatusResponse, ApiError> {
        self.calls.set(self.calls.get() + 1);
        let next = self.statuses.borrow_mut().pop_front();
        match next {
            Some(Ok(s)) => {
                *self.missing.borrow_mut() = s.missing_images.clone();
                Ok(s)
            }
            Some(Err(e)) => Err(e),
            None => Err(ApiError::Network),
        }
    }
}

#[derive(Default)]
struct FakeClock {
    slept: RefCell<Vec<u32>>,
    counter: Cell<u8>,
    stop_after_sleeps: Cell<Option<usize>>,
}

impl Clock for FakeClock {
    async fn sleep(&self, ms: u32) {
        self.slept.borrow_mut().push(ms);
    }
    fn stopped(&self) -> bool {
        self.stop_after_sleeps
            .get()
            .is_some_and(|n| self.slept.borrow().len() >= n)
    }
    fn random(&self) -> [u8; 16] {
        self.counter.set(self.counter.get().wrapping_add(1));
        [self.counter.get(); 16]
    }
}

#[derive(Default)]
struct FakeCamera {
    asked: Vec<(ImageType, Option<Feedback>)>,
    fail: Option<CaptureError>,
}

impl Capturer for FakeCamera {
    async fn capture(
        &mut self,
        image_type: ImageType,
        guidance: Option<Feedback>,
    ) -> Result<Captured, CaptureError> {
        self.asked.push((image_type, guidance));
        if let Some(e) = self.fail {
            return Err(e);
        }
        Ok(Captured {
            jpeg: Jpeg {
                bytes: vec![0xff, 0xd8, 0xff, 0xd9],
                width: 640,
                height: 480,
            },
            capture_margins: None,
            device_info: None,
        })
    }
}

#[derive(Default)]
struct Log(RefCell<Vec<Event>>);
impl EventSink for Log {
    fn emit(&self, e: &Event) {
        self.0.borrow_mut().push(e.clone());
    }
}
impl Log {
    fn types(&self) -> Vec<String> {
        self.0
            .borrow()
            .iter()
            .map(|e| {
                serde_json::to_value(e).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }
}

fn start_req() -> StartSessionRequest {
    StartSessionRequest {
        start_token: "st_1".into(),
        consent: None,
        accessed_from_desktop: Some(false),
        client_type: Some("web".into()),
        image_signing_public_key: None,
    }
}

fn go(api: &FakeApi, clock: &FakeClock, cam: &mut FakeCamera, log: &Log) -> Outcome {
    block_on(run(Config::default(), start_req(), api, clock, cam, log))
}

#[test]
fn a_full_session_uploads_each_type_once_and_completes() {
    let api = FakeApi::new(vec![Front, Back, Selfie]);
    api.script_status(SessionStatus::Processing, vec![]);
    api.script_status(SessionStatus::Complete, vec![]);
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    assert_eq!(go(&api, &clock, &mut cam, &log), Outcome::Complete);
    assert_eq!(api.stored_types(), vec![Front, Back, Selfie]);
    assert_eq!(
        log.types(),
        [
            "session_started",
            "image_uploaded",
            "image_uploaded",
            "image_uploaded",
            "processing",
            "completed"
        ]
    );
}

#[test]
fn server_feedback_recaptures_that_type_with_its_code_as_guidance() {
    let api = FakeApi::new(vec![Front, Back, Selfie]);
    api.feedback
        .borrow_mut()
        .insert(Back, VecDeque::from([Feedback::Blur, Feedback::Glare]));
    api.script_status(SessionStatus::Complete, vec![]);
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    assert_eq!(go(&api, &clock, &mut cam, &log), Outcome::Complete);
    assert_eq!(
        cam.asked,
        vec![
            (Front, None),
            (Back, None),
            (Back, Some(Feedback::Blur)),
            (Back, Some(Feedback::Glare)),
            (Selfie, None)
        ]
    );
    assert_eq!(api.stored_types(), vec![Front, Back, Selfie]);
}

#[test]
fn two_503s_then_success_store_one_image_with_one_id() {
    let api = FakeApi::new(vec![Front, Back, Selfie]);
    api.upload_faults
        .borrow_mut()
        .extend([ApiError::Http { status: 503 }, ApiError::Network]);
    api.script_status(SessionStatus::Complete, vec![]);
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    assert_eq!(go(&api, &clock, &mut cam, &log), Outcome::Complete);
    assert_eq!(api.stored_types(), vec![Front, Back, Selfie]);
    assert_eq!(
        cam.asked.len(),
        3,
        "a retry re-sends, it does not re-capture"
    );
    assert_eq!(clock.slept.borrow().len(), 2, "one backoff per failure");
}

#[test]
fn a_lost_answer_after_storing_is_deduplicated_by_image_id() {
    // The first upload is stored but its answer is lost; the retry must not store a second copy.
    struct LosingApi(FakeApi, Cell<bool>);
    impl Api for LosingApi {
        async fn start(&self, r: &StartSessionRequest) -> Result<StartSessionResponse, ApiError> {
            self.0.start(r).await
        }
        async fn upload(
            &self,
            s: &Credentials,
            r: &AddImageRequest,
        ) -> Result<AddImagesResponse, ApiError> {
            let res = self.0.upload(s, r).await;
            if !self.1.replace(true) {
                return Err(ApiError::Network);
            }
            res
        }
        async fn status(&self, s: &Credentials) -> Result<SessionStatusResponse, ApiError> {
            Api::status(&self.0, s).await
        }
    }
    let api = LosingApi(FakeApi::new(vec![Front, Selfie]), Cell::new(false));
    api.0.script_status(SessionStatus::Complete, vec![]);
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    assert_eq!(
        block_on(run(
            Config::default(),
            start_req(),
            &api,
            &clock,
            &mut cam,
            &log
        )),
        Outcome::Complete
    );
    assert_eq!(api.0.stored_types(), vec![Front, Selfie]);
}

#[test]
fn a_reused_start_token_is_token_invalid() {
    let api = FakeApi::new(vec![Front]);
    *api.start.borrow_mut() = Some(Err(ApiError::Http { status: 401 }));
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    assert_eq!(
        go(&api, &clock, &mut cam, &log),
        Outcome::Failed(ErrorCode::TokenInvalid)
    );
    assert!(cam.asked.is_empty());
    assert_eq!(log.types(), ["error"]);
}

#[test]
fn recapture_rounds_recapture_the_missing_types() {
    let api = FakeApi::new(vec![Front, Back, Selfie]);
    api.script_status(SessionStatus::Processing, vec![]);
    api.script_status(SessionStatus::Recapture, vec![Front, Back, Selfie]);
    api.script_status(SessionStatus::Complete, vec![]);
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    assert_eq!(go(&api, &clock, &mut cam, &log), Outcome::Complete);
    assert_eq!(cam.asked.len(), 6);
    assert_eq!(api.stored_types().len(), 6);
    assert!(log.types().contains(&"recapture".to_string()));
}

#[test]
fn expiry_while_polling_is_session_expired() {
    let api = FakeApi::new(vec![Selfie]);
    api.script_status(SessionStatus::Expired, vec![]);
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    assert_eq!(
        go(&api, &clock, &mut cam, &log),
        Outcome::Failed(ErrorCode::SessionExpired)
    );
}

#[test]
fn stop_during_a_backoff_ends_without_another_request() {
    let api = FakeApi::new(vec![Front]);
    api.upload_faults.borrow_mut().extend([
        ApiError::Network,
        ApiError::Network,
        ApiError::Network,
    ]);
    let (clock, mut cam, log) = (FakeClock::default(), FakeCamera::default(), Log::default());
    clock.stop_after_sleeps.set(Some(1));
    assert_eq!(go(&api, &clock, &mut cam, &log), Outcome::Stopped);
    assert_eq!(api.calls.get(), 2, "start and one upload");
}

#[test]
fn a_camera_failure_is_reported_once_and_ends_the_run() {
    let api = FakeApi::new(vec![Front]);
    let (clock, log) = (FakeClock::default(), Log::default());
    let mut cam = FakeCamera {
        fail: Some(CaptureError::Failed(ErrorCode::NoCamera)),
        ..FakeCamera::default()
    };
    assert_eq!(
        go(&api, &clock, &mut cam, &log),
        Outcome::Failed(ErrorCode::NoCamera)
    );
    let errors: Vec<_> = log
        .0
        .borrow()
        .iter()
        .filter_map(|e| match e {
            Event::Error { code, .. } => Some(*code),
            _ => None,
        })
        .collect();
    assert_eq!(errors, [ErrorCode::NoCamera]);
}

#[test]
fn events_serialise_as_the_js_api_documents() {
    let e = Event::ImageUploaded {
        image_type: Back,
        feedback: Feedback::Blur,
        missing_images: vec![Back, Selfie],
        complete: false,
    };
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"type": "image_uploaded", "imageType": "document_back", "feedback": "blur",
                           "missingImages": ["document_back", "selfie"], "complete": false})
    );
    let e = Event::error(ErrorCode::CameraPermissionDenied, true);
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["code"], "camera_permission_denied");
    assert_eq!(v["recoverable"], true);
    assert!(v["message"].as_str().unwrap().contains("upload a photo"));
}
