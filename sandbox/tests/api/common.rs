//! A sandbox per test, a client, and generated test images.

use std::io::Cursor;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use idv_capture::precheck::{Analyzer, Frame, Thresholds};
use idv_capture::protocol::{Feedback, ImageType};
use idv_sandbox::{app, Config};
use image::{ImageFormat, Rgb, RgbImage};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

pub const SID_PATH: &str = "/verify/api/v1/verification";

pub struct Sandbox {
    pub url: String,
    pub http: Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Test defaults: short processing, quiet log, and a checker that accepts every image, so the
/// flow tests do not depend on how the pre-check engine judges a picture.
pub fn config() -> Config {
    Config {
        processing_time: Duration::from_millis(200),
        log_requests: false,
        quality: Arc::new(|_: Frame<'_>, _: ImageType| Feedback::Ok),
        ..Config::default()
    }
}

/// A checker that rejects uniform images (corner pixel = centre pixel) as `document_not_found`
/// and accepts the rest, so rejection tests are deterministic.
pub fn rejects_uniform() -> Config {
    Config {
        quality: Arc::new(|f: Frame<'_>, _: ImageType| {
            let corner = &f.row(0)[..4];
            let mid = f.row(f.height() / 2);
            let x = (f.width() / 2) as usize * 4;
            if corner == &mid[x..x + 4] {
                Feedback::DocumentNotFound
            } else {
                Feedback::Ok
            }
        }),
        ..config()
    }
}

impl Sandbox {
    pub async fn start() -> Self {
        Self::with(config()).await
    }

    pub async fn with(config: Config) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = app(&config);
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            url: format!("http://{addr}"),
            http: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// A backend access token with the default credentials.
    pub async fn token(&self) -> String {
        let r = self
            .http
            .post(self.url("/oidc/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "sandbox"),
                ("client_secret", "sandbox-secret"),
                ("resource", "https://verify.identity.security"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn create(&self, token: &str, body: Value) -> Value {
        let r = self
            .http
            .post(self.url(SID_PATH))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "create: {}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    pub async fn start_with(&self, start_token: &str) -> Response {
        self.http
            .post(self.url(&format!("{SID_PATH}/start")))
            // What Transmit's web SDK sends: the server must ignore it.
            .header("authorization", "Bearer undefined")
            .json(&json!({
                "start_token": start_token,
                "consent": {"granted": true, "document_id": "consent-v1"},
                "accessed_from_desktop": false,
                "client_type": "mobile_sdk"
            }))
            .send()
            .await
            .unwrap()
    }

    /// Creates and starts a session: (session_id, user_token).
    pub async fn session(&self, token: &str, body: Value) -> (String, String) {
        let created = self.create(token, body).await;
        let r = self
            .start_with(created["start_token"].as_str().unwrap())
            .await;
        assert_eq!(r.status(), 200);
        let started: Value = r.json().await.unwrap();
        assert_eq!(started["session_id"], created["session_id"]);
        (
            started["session_id"].as_str().unwrap().to_owned(),
            started["user_token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn upload(&self, sid: &str, bearer: &str, body: &Value) -> Response {
        self.http
            .post(self.url(&format!("{SID_PATH}/{sid}/images")))
            .bearer_auth(bearer)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, bearer: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str, bearer: &str) -> Response {
        self.http
            .delete(self.url(path))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap()
    }

    /// GET and decode the JSON body, whatever the status.
    pub async fn get_json(&self, path: &str, bearer: &str) -> Value {
        self.get(path, bearer).await.json().await.unwrap()
    }

    pub async fn status(&self, sid: &str, bearer: &str) -> Value {
        let r = self.get(&format!("{SID_PATH}/{sid}/status"), bearer).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// Polls status until it leaves `processing` (bounded).
    pub async fn wait_while_processing(&self, sid: &str, bearer: &str) -> Value {
        for _ in 0..100 {
            let s = self.status(sid, bearer).await;
            if s["status"] != "processing" {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("session {sid} still processing after 5 s");
    }
}

/// An AddImageRequest body.
pub fn image_body(image_type: &str, content: &str, image_id: Option<&str>) -> Value {
    let mut image = json!({"format": "jpg", "image_type": image_type, "content": content});
    if let Some(id) = image_id {
        image["image_id"] = json!(id);
    }
    json!({"image": image, "device_info": {"model": "test", "type": "desktop", "used_camera": {"label": "fake"}}})
}

/// Asserts an error response: status, `error` code and `field`.
pub async fn assert_error(r: Response, status: u16, code: &str, field: Option<&str>) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, StatusCode::from_u16(status).unwrap(), "body: {body}");
    assert_eq!(body["error"], code, "body: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
    match field {
        Some(f) => assert_eq!(body["field"], f, "body: {body}"),
        None => assert!(body.get("field").is_none(), "body: {body}"),
    }
    body
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// 640x480 uniform grey.
pub fn grey_jpeg() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| jpeg(&RgbImage::from_pixel(640, 480, Rgb([128, 128, 128]))))
}

/// 640x480: a light card with rounded corners and dark text-like bars, on a darker desk.
pub fn card_image() -> RgbImage {
    let (w, h) = (640u32, 480u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb([52, 48, 44]));
    let (cx0, cy0, cw, ch, r) = (110i32, 100i32, 420i32, 265i32, 18i32);
    for y in cy0..cy0 + ch {
        for x in cx0..cx0 + cw {
            // Distance from the nearest corner centre decides the rounded corners.
            let dx = (cx0 + r - x).max(x - (cx0 + cw - 1 - r)).max(0);
            let dy = (cy0 + r - y).max(y - (cy0 + ch - 1 - r)).max(0);
            if dx * dx + dy * dy <= r * r {
                img.put_pixel(x as u32, y as u32, Rgb([232, 230, 222]));
            }
        }
    }
    // A photo block and lines of "text".
    fill(&mut img, 135, 140, 110, 140, Rgb([120, 100, 90]));
    for (i, len) in [230, 180, 250, 150, 210, 120].into_iter().enumerate() {
        fill(
            &mut img,
            270,
            145 + i as u32 * 30,
            len,
            12,
            Rgb([30, 30, 40]),
        );
    }
    fill(&mut img, 135, 310, 360, 10, Rgb([60, 60, 80]));
    fill(&mut img, 135, 330, 300, 10, Rgb([60, 60, 80]));
    img
}

fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, c: Rgb<u8>) {
    for yy in y..y + h {
        for xx in x..x + w {
            img.put_pixel(xx, yy, c);
        }
    }
}

pub fn card_jpeg() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| jpeg(&card_image()))
}

/// The card, out of focus.
pub fn blurred_card_jpeg() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| jpeg(&image::imageops::fast_blur(&card_image(), 6.0)))
}

/// The committed astronaut photo (tests/photos, public domain) cropped to a selfie's framing
/// (her face about 40 % of the frame's short side, centred) and enlarged to the API's 640x480
/// minimum.
pub fn selfie_image() -> RgbImage {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/photos/astronaut.jpg");
    let photo = image::open(path).unwrap().into_rgb8();
    let crop = image::imageops::crop_imm(&photo, 90, 30, 270, 203).to_image();
    image::imageops::resize(&crop, 810, 609, image::imageops::FilterType::CatmullRom)
}

pub fn selfie_jpeg() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| jpeg(&selfie_image()))
}

/// Two selfies side by side: two people in one picture.
pub fn two_faces_jpeg() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| {
        let one = selfie_image();
        let mut both = RgbImage::new(one.width() * 2, one.height());
        image::imageops::replace(&mut both, &one, 0, 0);
        image::imageops::replace(&mut both, &one, one.width() as i64, 0);
        jpeg(&both)
    })
}

/// What the core's pre-check engine says about these JPEG bytes, decoded as the sandbox does.
pub fn engine_verdict(jpeg: &[u8], image_type: ImageType) -> Feedback {
    let rgba = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg)
        .unwrap()
        .into_rgba8();
    let frame = Frame::packed(rgba.as_raw(), rgba.width(), rgba.height()).unwrap();
    Analyzer::new(Thresholds::default())
        .analyze(frame, image_type)
        .feedback
}
