//! Browser-test plumbing: the sandbox the Makefile started (its URL is baked in at build time
//! as `IDV_SANDBOX_URL`), a canvas `captureStream()` camera fed generated scenes, and an event log.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::Request;
use idv_fixtures::dataset;
use idv_fixtures::labels::Label;
use idv_fixtures::scene::Kind;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement, ImageData, MediaStream};

pub fn sandbox() -> &'static str {
    // Not `env!`: the other browser tests must still build without a sandbox.
    match option_env!("IDV_SANDBOX_URL") {
        Some(u) => u,
        None => {
            panic!("IDV_SANDBOX_URL is set by `make test-wasm`, which starts the sandbox first")
        }
    }
}

pub async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// `POST /demo/session`: `{session_id, start_token, server_path}`.
pub async fn demo_session(mock_behavior: Value) -> Value {
    let r = Request::post(&format!("{}/demo/session", sandbox()))
        .json(&json!({ "mock_behavior": mock_behavior }))
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "demo session");
    r.json().await.unwrap()
}

pub async fn access_token() -> String {
    let r = Request::post(&format!("{}/oidc/token", sandbox()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret")
        .unwrap()
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

pub async fn arm_fault(spec: Value) {
    let r = Request::post(&format!("{}/sandbox/faults", sandbox()))
        .header("Authorization", &format!("Bearer {}", access_token().await))
        .json(&spec)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "arm fault");
}

/// The session's stored images: `(type, rejected)`.
pub async fn stored_images(sid: &str) -> Vec<(String, bool)> {
    let r = Request::get(&format!(
        "{}/verify/api/v1/verification/{sid}/images",
        sandbox()
    ))
    .header("Authorization", &format!("Bearer {}", access_token().await))
    .send()
    .await
    .unwrap();
    let v: Value = r.json().await.unwrap();
    v["session_images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["type"].as_str().unwrap_or("").to_string(),
                i["rejected"] == true,
            )
        })
        .collect()
}

/// A generated scene with the given label, at least 1280 px wide, for which the generator
/// expects no positional hint (a card fully in frame and centred, a face in the oval).
pub fn scene(label: Label, selfie: bool) -> (Vec<u8>, u32, u32) {
    let kind = if selfie {
        Kind::Selfie
    } else {
        Kind::DocumentFront
    };
    let s = dataset::clear_scene(777, label, kind).expect("the generator makes such a scene");
    (s.image.data, s.image.width, s.image.height)
}

/// The middle frame of the sharp `kind` step of the generated session video (640x480): the
/// back of a card, for a session whose front was another scene.
pub fn video_frame(kind: &str) -> (Vec<u8>, u32, u32) {
    let v = idv_fixtures::videos::front_back_selfie(7, 640, 480);
    let s = v
        .info
        .sharp_step(kind)
        .expect("the session video has that step");
    let img = v.render_frame((s.start + s.end) / 2);
    (img.data, img.width, img.height)
}

/// The middle frame of the generated two-faces video (640x480): two people side by side.
pub fn two_faces_frame() -> (Vec<u8>, u32, u32) {
    let v = idv_fixtures::videos::two_faces(7, 640, 480);
    let img = v.render_frame(v.info.frames.len() / 2);
    (img.data, img.width, img.height)
}

/// A camera made of a canvas: `captureStream()` of whatever image is current, redrawn at 25 fps
/// so the stream keeps delivering frames.
pub struct CanvasCamera {
    pub canvas: HtmlCanvasElement,
    pub stream: MediaStream,
    image: Rc<RefCell<(Vec<u8>, u32, u32)>>,
    _tick: Closure<dyn FnMut()>,
    interval: i32,
}

impl CanvasCamera {
    pub fn new(first: (Vec<u8>, u32, u32)) -> CanvasCamera {
        let doc = web_sys::window().unwrap().document().unwrap();
        let canvas: HtmlCanvasElement = doc.create_element("canvas").unwrap().unchecked_into();
        canvas.set_width(first.1);
        canvas.set_height(first.2);
        let ctx: CanvasRenderingContext2d =
            canvas.get_context("2d").unwrap().unwrap().unchecked_into();
        let image = Rc::new(RefCell::new(first));
        let img = image.clone();
        let c2 = canvas.clone();
        let tick = Closure::<dyn FnMut()>::new(move || {
            let (px, w, h) = &*img.borrow();
            if c2.width() != *w || c2.height() != *h {
                c2.set_width(*w);
                c2.set_height(*h);
            }
            let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(px), *w, *h).unwrap();
            ctx.put_image_data(&data, 0.0, 0.0).unwrap();
        });
        tick.as_ref()
            .unchecked_ref::<js_sys::Function>()
            .call0(&JsValue::NULL)
            .unwrap();
        let interval = web_sys::window()
            .unwrap()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                40,
            )
            .unwrap();
        let stream = canvas.capture_stream().unwrap();
        CanvasCamera {
            canvas,
            stream,
            image,
            _tick: tick,
            interval,
        }
    }

    pub fn show(&self, img: (Vec<u8>, u32, u32)) {
        *self.image.borrow_mut() = img;
    }

    pub fn image_handle(&self) -> Rc<RefCell<(Vec<u8>, u32, u32)>> {
        self.image.clone()
    }
}

impl Drop for CanvasCamera {
    fn drop(&mut self) {
        web_sys::window()
            .unwrap()
            .clear_interval_with_handle(self.interval);
    }
}

/// Every event `onEvent` received, as JSON, with a hook run on each.
pub struct Events {
    pub log: Rc<RefCell<Vec<Value>>>,
    pub callback: Closure<dyn FnMut(JsValue)>,
}

impl Events {
    pub fn new(mut hook: impl FnMut(&Value) + 'static) -> Events {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let callback = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            // `image_captured.jpeg` (a Uint8Array) has no JSON form: logged as its length and
            // whether it starts like a JPEG.
            let key = JsValue::from_str("jpeg");
            let jpeg = js_sys::Reflect::get(&e, &key)
                .ok()
                .and_then(|j| j.dyn_into::<js_sys::Uint8Array>().ok());
            if jpeg.is_some() {
                let _ = js_sys::Reflect::delete_property(e.unchecked_ref::<js_sys::Object>(), &key);
            }
            let mut v: Value = serde_wasm_bindgen::from_value(e).unwrap_or(Value::Null);
            if let Some(j) = jpeg {
                let soi = j.length() >= 2 && j.get_index(0) == 0xFF && j.get_index(1) == 0xD8;
                v["jpeg"] = json!({"length": j.length(), "soi": soi});
            }
            hook(&v);
            l.borrow_mut().push(v);
        });
        Events { log, callback }
    }

    pub fn of_type(&self, t: &str) -> Vec<Value> {
        self.log
            .borrow()
            .iter()
            .filter(|e| e["type"] == t)
            .cloned()
            .collect()
    }

    pub fn types(&self) -> Vec<String> {
        self.log
            .borrow()
            .iter()
            .filter(|e| e["type"] != "frame_verdict")
            .map(|e| e["type"].as_str().unwrap_or("?").to_string())
            .collect()
    }
}

/// The options object `new IdvCapture()` takes.
pub fn options(session: &Value, events: &Events, stream: Option<&MediaStream>) -> JsValue {
    use serde::Serialize;
    let o = json!({
        "serverPath": session["server_path"],
        "startToken": session["start_token"],
        "consent": {"granted": true, "documentId": "consent-v1"},
        "autoCaptureTimeoutMs": 4000,
    })
    .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
    .unwrap();
    let doc = web_sys::window().unwrap().document().unwrap();
    let container: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&container).unwrap();
    js_sys::Reflect::set(&o, &"container".into(), &container).unwrap();
    js_sys::Reflect::set(&o, &"onEvent".into(), events.callback.as_ref()).unwrap();
    if let Some(s) = stream {
        js_sys::Reflect::set(&o, &"stream".into(), s).unwrap();
    }
    o
}

/// Awaits a promise and reads its value as JSON.
pub async fn settle(p: js_sys::Promise) -> Result<Value, Value> {
    match JsFuture::from(p).await {
        Ok(v) => Ok(serde_wasm_bindgen::from_value(v).unwrap_or(Value::Null)),
        Err(e) => {
            let code = js_sys::Reflect::get(&e, &"code".into())
                .ok()
                .and_then(|c| c.as_string());
            Err(
                json!({ "code": code, "message": e.as_string().or_else(|| js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string())) }),
            )
        }
    }
}
