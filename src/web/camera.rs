//! getUserMedia, device choice, the preview `<video>`, and grabbing frames through canvases.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, Document, HtmlCanvasElement, HtmlElement, HtmlVideoElement,
    MediaDeviceInfo, MediaDeviceKind, MediaStream, MediaStreamTrack,
};

use super::convert::to_js;
use crate::camera::{self, CameraInfo, Facing};
use crate::session::ErrorCode;

/// What `camera_ready` reports, and what `device_info` needs.
#[derive(Clone, Debug, Default)]
pub(crate) struct CameraMeta {
    pub label: String,
    pub width: u32,
    pub height: u32,
    pub facing: String,
}

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// Labels and ids of the video inputs (labels are empty until permission is granted).
pub(crate) async fn cameras() -> Vec<CameraInfo> {
    let Some(md) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return Vec::new();
    };
    let Ok(p) = md.enumerate_devices() else {
        return Vec::new();
    };
    let Ok(list) = JsFuture::from(p).await else {
        return Vec::new();
    };
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|d| d.dyn_into::<MediaDeviceInfo>().ok())
        .filter(|d| d.kind() == MediaDeviceKind::Videoinput)
        .map(|d| CameraInfo {
            device_id: d.device_id(),
            label: d.label(),
            facing: None,
            torch: None,
        })
        .collect()
}

/// Opens the camera facing `facing`, at the resolution [`camera`] asks for.
pub(crate) async fn open(facing: Facing) -> Result<MediaStream, ErrorCode> {
    let md = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or(ErrorCode::NoCamera)?;
    // Labels exist only after a first grant; then the expected camera can be picked by name.
    let cams = cameras().await;
    let device = camera::choose(&cams, facing).map(|i| cams[i].device_id.clone());
    // MediaStreamConstraints as plain serde structs: `ideal` and `min` are left out when `None`.
    #[derive(serde::Serialize)]
    struct Want<T> {
        ideal: T,
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Video<'a> {
        facing_mode: Want<&'a str>,
        width: Want<u32>,
        height: Want<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        device_id: Option<Want<&'a str>>,
    }
    #[derive(serde::Serialize)]
    struct Constraints<'a> {
        audio: bool,
        video: Video<'a>,
    }
    let constraints = |with_min: bool| {
        let want = |ideal, min| Want {
            ideal,
            min: with_min.then_some(min),
        };
        to_js(&Constraints {
            audio: false,
            video: Video {
                facing_mode: Want {
                    ideal: facing.as_str(),
                    min: None,
                },
                width: want(camera::IDEAL_WIDTH, camera::MIN_WIDTH),
                height: want(camera::IDEAL_HEIGHT, camera::MIN_HEIGHT),
                device_id: device.as_deref().map(|id| Want {
                    ideal: id,
                    min: None,
                }),
            },
        })
    };
    let mut last = ErrorCode::NoCamera;
    // `min` can be refused by a device whose modes are all described smaller (some webcams
    // report no sizes at all); retry without it and let the encoder judge the real size.
    for with_min in [true, false] {
        let c: web_sys::MediaStreamConstraints = constraints(with_min)
            .map_err(|_| ErrorCode::Internal)?
            .unchecked_into();
        let p = md
            .get_user_media_with_constraints(&c)
            .map_err(|_| ErrorCode::NoCamera)?;
        match JsFuture::from(p).await {
            Ok(s) => return Ok(s.unchecked_into()),
            Err(e) => {
                let name = js_sys::Reflect::get(&e, &"name".into())
                    .ok()
                    .and_then(|n| n.as_string())
                    .unwrap_or_default();
                last = match name.as_str() {
                    "NotAllowedError" | "SecurityError" => {
                        return Err(ErrorCode::CameraPermissionDenied)
                    }
                    "OverconstrainedError" | "ConstraintNotSatisfiedError" => ErrorCode::NoCamera,
                    _ => return Err(ErrorCode::NoCamera),
                };
            }
        }
    }
    Err(last)
}

/// The stream's video track, if any.
pub(crate) fn video_track(s: &MediaStream) -> Option<MediaStreamTrack> {
    s.get_video_tracks().get(0).dyn_into().ok()
}

pub(crate) fn stop_tracks(s: &MediaStream) {
    for t in s.get_tracks().iter() {
        // Every entry of getTracks() is a track; `instanceof` can fail across realms.
        t.unchecked_into::<MediaStreamTrack>().stop();
    }
}

/// The preview element: muted and inline, as mobile browsers require for autoplay.
pub(crate) fn preview(container: Option<&HtmlElement>) -> Result<HtmlVideoElement, JsValue> {
    let doc = document().ok_or_else(|| JsValue::from_str("no document"))?;
    let v: HtmlVideoElement = doc.create_element("video")?.unchecked_into();
    v.set_muted(true);
    v.set_autoplay(true);
    v.set_attribute("playsinline", "")?;
    v.set_attribute("class", "idv-video")?;
    if let Some(c) = container {
        c.append_child(&v)?;
    }
    Ok(v)
}

/// Attaches `stream` to the preview and waits until frames flow.
pub(crate) async fn attach(v: &HtmlVideoElement, stream: &MediaStream) {
    v.set_src_object(Some(stream));
    if let Ok(p) = v.play() {
        let _ = JsFuture::from(p).await;
    }
    for _ in 0..100 {
        if v.ready_state() >= 2 && v.video_width() > 0 {
            break;
        }
        super::clock::timeout(30).await;
    }
}

/// A canvas used as a frame grabber.
pub(crate) struct Grabber {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

impl Grabber {
    pub(crate) fn new() -> Result<Self, JsValue> {
        let doc = document().ok_or_else(|| JsValue::from_str("no document"))?;
        let canvas: HtmlCanvasElement = doc.create_element("canvas")?.unchecked_into();
        // The analysis canvas is read back every frame: ask for a CPU-side backing store.
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct ContextOptions {
            will_read_frequently: bool,
        }
        let opts = to_js(&ContextOptions {
            will_read_frequently: true,
        })?;
        let ctx = canvas
            .get_context_with_context_options("2d", &opts)?
            .ok_or_else(|| JsValue::from_str("no 2d context"))?
            .unchecked_into();
        Ok(Self { canvas, ctx })
    }

    pub(crate) fn size(&self) -> (u32, u32) {
        (self.canvas.width(), self.canvas.height())
    }

    /// Draws the video's current frame scaled to `w` x `h`.
    pub(crate) fn draw(&self, v: &HtmlVideoElement, w: u32, h: u32) -> Result<(), JsValue> {
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        self.ctx
            .draw_image_with_html_video_element_and_dw_and_dh(v, 0.0, 0.0, w as f64, h as f64)
    }

    /// Draws a decoded picture, scaled down to at most `max_side` on its long side.
    pub(crate) fn draw_bitmap(
        &self,
        b: &web_sys::ImageBitmap,
        max_side: u32,
    ) -> Result<(), JsValue> {
        let (w, h) = (b.width().max(1), b.height().max(1));
        let s = (max_side as f64 / w.max(h) as f64).min(1.0);
        let (dw, dh) = (
            ((w as f64 * s).round() as u32).max(1),
            ((h as f64 * s).round() as u32).max(1),
        );
        self.canvas.set_width(dw);
        self.canvas.set_height(dh);
        self.ctx
            .draw_image_with_image_bitmap_and_dw_and_dh(b, 0.0, 0.0, dw as f64, dh as f64)
    }

    /// Copies the canvas pixels into `buf` (resized only when the size changes).
    pub(crate) fn read_into(&self, buf: &mut Vec<u8>) -> Result<(u32, u32), JsValue> {
        let (w, h) = self.size();
        let img = self.ctx.get_image_data(0.0, 0.0, w as f64, h as f64)?;
        let data: js_sys::Uint8ClampedArray =
            js_sys::Reflect::get(&img, &"data".into())?.unchecked_into();
        let len = (w * h * 4) as usize;
        if buf.len() != len {
            buf.resize(len, 0);
        }
        // Straight from the JS array into the reused buffer: no wasm-side allocation per frame.
        data.copy_to(buf);
        Ok((w, h))
    }
}

/// The analysis size for a `vw` x `vh` video: about [`camera::ANALYSIS_WIDTH`] on the long side.
pub(crate) fn analysis_size(vw: u32, vh: u32) -> (u32, u32) {
    let long = vw.max(vh).max(1);
    let s = (camera::ANALYSIS_WIDTH as f64 / long as f64).min(1.0);
    (
        ((vw as f64 * s).round() as u32).max(1),
        ((vh as f64 * s).round() as u32).max(1),
    )
}

/// `navigator.userAgentData` when present, else the user-agent string.
pub(crate) fn device_facts(
    used: Option<String>,
    cams: &[CameraInfo],
) -> crate::upload::DeviceFacts {
    let nav = web_sys::window().map(|w| w.navigator());
    let ua = nav
        .as_ref()
        .and_then(|n| n.user_agent().ok())
        .unwrap_or_default();
    let uad = nav
        .as_ref()
        .and_then(|n| js_sys::Reflect::get(n, &"userAgentData".into()).ok())
        .filter(|v| v.is_object());
    let field = |k: &str| {
        uad.as_ref()
            .and_then(|d| js_sys::Reflect::get(d, &k.into()).ok())
    };
    crate::upload::DeviceFacts {
        user_agent: ua,
        platform: field("platform").and_then(|v| v.as_string()),
        mobile: field("mobile").and_then(|v| v.as_bool()),
        used_camera: used,
        cameras: cams.iter().map(|c| c.label.clone()).collect(),
    }
}

/// The video frame callback, or `requestAnimationFrame` where it is missing (older Firefox).
pub(crate) fn schedule(v: &HtmlVideoElement, cb: &js_sys::Function) {
    let rvfc = js_sys::Reflect::get(v, &"requestVideoFrameCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match rvfc {
        Some(f) => {
            let _ = f.call1(v, cb);
        }
        None => {
            if let Some(w) = web_sys::window() {
                let _ = w.request_animation_frame(cb);
            }
        }
    }
}

pub(crate) fn page_hidden() -> bool {
    document().is_some_and(|d| d.hidden())
}
