//! `Session`: the headless API for integrators with their own capture UI. Start with the
//! start token, upload JPEGs they encoded, read the status.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::clock::{random_bytes, timeout, Stop};
use super::convert::{image_type, js_error, to_js};
use super::http::FetchApi;
use crate::protocol::{ImageDto, SessionConsent, StartSessionRequest};
use crate::session::{code_for, Api, ApiError, Credentials, ErrorCode};
use crate::upload::{add_image_request, image_id, EncodeError, Jpeg};

/// Attempts per upload in `uploadImage` (network errors and 5xx only, same `image_id`).
const UPLOAD_ATTEMPTS: u32 = 3;

struct Inner {
    api: FetchApi,
    creds: Credentials,
    required: Vec<crate::protocol::ImageType>,
}

/// A started session.
#[wasm_bindgen]
pub struct Session {
    inner: Rc<Inner>,
}

fn api_error(e: &ApiError) -> JsValue {
    let code = match e {
        ApiError::Http { status: 409 } => ErrorCode::SessionExpired,
        e => code_for(e),
    };
    js_error(code, &e.to_string())
}

#[wasm_bindgen]
impl Session {
    /// `POST {serverPath}/api/v1/verification/start`. Rejects with an `Error` whose `code` is
    /// `token_invalid` for a used or wrong token.
    #[wasm_bindgen(unchecked_return_type = "Promise<Session>")]
    pub fn start(
        #[wasm_bindgen(js_name = serverPath)] server_path: String,
        #[wasm_bindgen(js_name = startToken)] start_token: String,
        #[wasm_bindgen(
            unchecked_param_type = "{ granted: boolean; documentId?: string } | undefined"
        )]
        consent: JsValue,
    ) -> js_sys::Promise {
        future_to_promise(async move {
            let api = FetchApi::new(&server_path, Stop::new())
                .map_err(|e| js_error(ErrorCode::Internal, &e.to_string()))?;
            let get = |k: &str| js_sys::Reflect::get(&consent, &k.into()).ok();
            let consent = consent.is_object().then(|| SessionConsent {
                granted: get("granted").and_then(|v| v.as_bool()).unwrap_or(false),
                document_id: get("documentId")
                    .and_then(|v| v.as_string())
                    .unwrap_or_default(),
            });
            let req = StartSessionRequest {
                start_token,
                consent,
                accessed_from_desktop: Some(false),
                client_type: Some("web".into()),
                image_signing_public_key: None,
            };
            let r = api.start(&req).await.map_err(|e| api_error(&e))?;
            let inner = Inner {
                api,
                creds: Credentials {
                    session_id: r.session_id,
                    user_token: r.user_token,
                },
                required: r.required_images,
            };
            Ok(Session {
                inner: Rc::new(inner),
            }
            .into())
        })
    }

    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.inner.creds.session_id.clone()
    }

    #[wasm_bindgen(getter, js_name = requiredImages, unchecked_return_type = "ImageType[]")]
    pub fn required_images(&self) -> JsValue {
        to_js(&self.inner.required).unwrap_or(JsValue::NULL)
    }

    /// Uploads one JPEG (640–3840 x 480–2160). Network errors and 5xx are retried with the same
    /// `image_id`, so the server stores it once. Resolves with `{feedback, complete, missingImages}`.
    #[wasm_bindgen(js_name = uploadImage, unchecked_return_type = "Promise<{ feedback: Feedback; complete: boolean; missingImages: ImageType[] }>")]
    pub fn upload_image(
        &self,
        jpeg: Vec<u8>,
        #[wasm_bindgen(js_name = imageType, unchecked_param_type = "ImageType")] kind: String,
    ) -> js_sys::Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let kind = image_type(&kind).map_err(JsValue::from)?;
            let (width, height) = jpeg_size(&jpeg)?;
            let j = Jpeg {
                bytes: jpeg,
                width,
                height,
            };
            let req = add_image_request(&j, kind, &image_id(random_bytes()), None, None);
            let mut attempt = 1;
            let r = loop {
                match inner.api.upload(&inner.creds, &req).await {
                    Err(e) if retryable(&e) && attempt < UPLOAD_ATTEMPTS => {
                        timeout(500 << attempt).await;
                        attempt += 1;
                    }
                    r => break r,
                }
            };
            let r = r.map_err(|e| api_error(&e))?;
            #[derive(serde::Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Uploaded<'a> {
                feedback: crate::protocol::Feedback,
                complete: bool,
                missing_images: &'a [crate::protocol::ImageType],
            }
            to_js(&Uploaded {
                feedback: r.feedback,
                complete: r.complete,
                missing_images: &r.missing_images,
            })
            .map_err(JsValue::from)
        })
    }

    /// `GET …/{sid}/status`: `{status, recaptureReason, missingImages}`.
    #[wasm_bindgen(
        unchecked_return_type = "Promise<{ status: string; recaptureReason: string | null; missingImages: ImageType[] }>"
    )]
    pub fn status(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let s = inner
                .api
                .status(&inner.creds)
                .await
                .map_err(|e| api_error(&e))?;
            #[derive(serde::Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Status<'a> {
                status: &'a str,
                recapture_reason: &'a Option<String>,
                missing_images: &'a [crate::protocol::ImageType],
            }
            to_js(&Status {
                status: s.status.as_str(),
                recapture_reason: &s.recapture_reason,
                missing_images: &s.missing_images,
            })
            .map_err(JsValue::from)
        })
    }
}

fn retryable(e: &ApiError) -> bool {
    matches!(e, ApiError::Network) || matches!(e, ApiError::Http { status } if *status >= 500)
}

/// The JPEG's size from its header, checked against the API's bounds before anything is sent.
fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), JsValue> {
    let probe = crate::upload::probe(bytes)
        .map_err(|e| js_error(ErrorCode::UnsupportedFile, &e.to_string()))?;
    if probe.format != crate::upload::FileFormat::Jpeg {
        return Err(js_error(
            ErrorCode::UnsupportedFile,
            "the API takes JPEG only",
        ));
    }
    let (w, h) = (probe.width, probe.height);
    if w < ImageDto::MIN_WIDTH || h < ImageDto::MIN_HEIGHT {
        let too_small = EncodeError::TooSmall {
            width: w,
            height: h,
        };
        return Err(js_error(ErrorCode::ImageTooSmall, &too_small.to_string()));
    }
    if w > ImageDto::MAX_WIDTH || h > ImageDto::MAX_HEIGHT {
        return Err(js_error(
            ErrorCode::UnsupportedFile,
            &format!(
                "the image is {w}x{h} px; the API takes at most {}x{} px",
                ImageDto::MAX_WIDTH,
                ImageDto::MAX_HEIGHT
            ),
        ));
    }
    Ok((w, h))
}
