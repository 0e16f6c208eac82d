//! The Verify API's request and response bodies, as plain serde types.
//!
//! Field names are the API's, in snake_case. Optional fields are `Option`s left out of the JSON when
//! `None`. Decoding ignores unknown fields, so a server that adds fields does not break a client.
//! Names follow `../shared/spec/verify-api-reference.md`: `*Dto` where the published schema has
//! that name, otherwise the schema's name.
//!
//! Types that carry a token or an image leave it out of their `Debug` output, so a `{:?}` in a log
//! can never leak a credential or an image.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::{Feedback, ImageType};

/// A field this crate carries but never reads (UI settings, barcode text, risk details).
///
/// Natively (the sandbox, the tools) it is the JSON value itself. In the browser build it is
/// [`Ignored`]: the client only ever receives these fields and drops them, and keeping them as a
/// `serde_json::Value` would ship serde_json's dynamic value and a `BTreeMap` in the wasm for
/// nothing (about 9 KB gzipped).
#[cfg(not(target_arch = "wasm32"))]
pub type Opaque = serde_json::Value;
/// See the native definition: the browser build drops these fields.
#[cfg(target_arch = "wasm32")]
pub type Opaque = Ignored;

/// A JSON value that was present and skipped unread; it serialises as `null`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ignored;

impl<'de> Deserialize<'de> for Ignored {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Ignored)
    }
}

impl Serialize for Ignored {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

// ---------------------------------------------------------------------------------------------
// Shared enums
// ---------------------------------------------------------------------------------------------

/// A verification outcome: `ALLOW`, `CHALLENGE` or `DENY`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Recommendation {
    #[default]
    Allow,
    Challenge,
    Deny,
}

/// One check's outcome (`checks.*.recommendation`): a [`Recommendation`] or `N/A`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CheckRecommendation {
    #[serde(rename = "ALLOW")]
    Allow,
    #[serde(rename = "CHALLENGE")]
    Challenge,
    #[serde(rename = "DENY")]
    Deny,
    #[serde(rename = "N/A")]
    NotApplicable,
}

impl From<Recommendation> for CheckRecommendation {
    fn from(r: Recommendation) -> Self {
        match r {
            Recommendation::Allow => Self::Allow,
            Recommendation::Challenge => Self::Challenge,
            Recommendation::Deny => Self::Deny,
        }
    }
}

/// A session's status, as `GET …/{sid}/status` and the results report it.
///
/// The status endpoint uses all seven documented values; the backend result uses a subset
/// (`expired` exists only on the status endpoint). Decoding is open: a value this crate does
/// not know becomes [`SessionStatus::Unknown`] instead of failing the whole response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Created, not started yet.
    Pending,
    /// Started: the server waits for images.
    Capturing,
    /// Every required image is in; the server is verifying.
    Processing,
    /// The server wants the types in `missing_images` again (see `recapture_reason`).
    Recapture,
    /// Verified; the backend can fetch the result.
    Complete,
    /// Failed on the server.
    Error,
    /// The session's `expiration` passed before it was complete.
    Expired,
    /// Decode-only: a status newer than this crate. Never sent.
    #[serde(other)]
    Unknown,
}

impl SessionStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Capturing => "capturing",
            Self::Processing => "processing",
            Self::Recapture => "recapture",
            Self::Complete => "complete",
            Self::Error => "error",
            Self::Expired => "expired",
            Self::Unknown => "unknown",
        }
    }

    /// True for the statuses after which nothing will change without a new session.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Complete | Self::Error | Self::Expired)
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Known `recapture_reason` values. The field itself is an open string: Transmit's web SDK knows
/// about 28 reasons (including every feedback code), and the list grows.
pub mod recapture_reason {
    pub const IMAGE_MISSING: &str = "image_missing";
    pub const DOCUMENT_EXPIRED: &str = "document_expired";
    pub const DOCUMENT_NOT_SUPPORTED: &str = "document_not_supported";
    pub const DOCUMENT_DAMAGED: &str = "document_damaged";
    pub const POOR_IMAGE_QUALITY: &str = "poor_image_quality";
}

/// Document kinds (`document.type`). Decoding is open: unknown kinds become [`DocumentType::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    NationalId,
    DriversLicense,
    Passport,
    ResidencePermit,
    Visa,
    FirearmLicense,
    CriminalPoliceCertificate,
    HealthCard,
    MembershipCard,
    Postal,
    SocialSecurityCard,
    VoterCard,
    ProfessionalId,
    #[serde(other)]
    Other,
}

/// `person.gender`. Decoding is open: unknown values become [`Gender::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    #[serde(other)]
    Other,
}

// ---------------------------------------------------------------------------------------------
// Token endpoint (`POST /oidc/token`)
// ---------------------------------------------------------------------------------------------

/// The form a backend posts to `/oidc/token` (`application/x-www-form-urlencoded`).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenRequest {
    /// Always `client_credentials`.
    pub grant_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The API the token is for: `https://verify.identity.security`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl TokenRequest {
    /// The `resource` value the Verify API's tokens must target.
    pub const VERIFY_RESOURCE: &'static str = "https://verify.identity.security";
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("resource", &self.resource)
            .finish()
    }
}

/// The access token a backend then sends as `Authorization: Bearer …`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Create session (backend, `POST /api/v1/verification`)
// ---------------------------------------------------------------------------------------------

/// `POST /api/v1/verification`. Every field is optional; an empty object is a valid request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    /// Where the hosted flow redirects when done; the session ID is appended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Opaque CSRF value, appended to the callback as `?state=`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Deprecated. Retention as a duration such as `"90d"` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_live: Option<String>,
    /// Testing only: how the session should end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mock_behavior: Option<MockBehavior>,
    /// Deprecated: see `start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_start: Option<bool>,
    /// Starts the session at once, for a backend-only flow: no `start_token` is returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<StartSessionConfigDto>,
    /// Non-PII customer information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_information: Option<CustomerInformation>,
}

/// `CreateSessionRequest.start`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartSessionConfigDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<SessionConsent>,
}

/// The user's consent to the verification (create's `start.consent` and the client's start).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionConsent {
    pub granted: bool,
    /// The ID of the consent document shown to the user.
    pub document_id: String,
}

/// `CreateSessionRequest.customer_information`. Must hold no PII.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInformation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
}

/// Testing only: makes a session end the way a test needs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MockBehavior {
    /// Deprecated alias of `recommendation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mock_recommendation: Option<Recommendation>,
    /// The session's final recommendation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
    /// How long `processing` lasts once every image is in: a duration such as `"15s"`, `"1m30s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_time: Option<String>,
    /// If true, the first verification attempt ends in `recapture`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_retry: Option<bool>,
    /// The person and document details the result should report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<ExtractedDetails>,
}

/// `MockBehavior.info`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractedDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_details: Option<DeprecatedPersonDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_details: Option<DeprecatedDocumentDto>,
}

/// The answer to a create. `start_token` is absent for an auto-started session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionResponse {
    /// Single-use: the browser sends it to `…/verification/start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_token: Option<String>,
    pub session_id: String,
    /// When the session expires, ISO 8601 (e.g. `2023-12-27T11:59:07.420Z`).
    pub expiration: String,
    pub missing_images: Vec<ImageType>,
}

impl fmt::Debug for CreateSessionResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSessionResponse")
            .field(
                "start_token",
                &self.start_token.as_ref().map(|_| "<redacted>"),
            )
            .field("session_id", &self.session_id)
            .field("expiration", &self.expiration)
            .field("missing_images", &self.missing_images)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Client start (`POST /api/v1/verification/start`)
// ---------------------------------------------------------------------------------------------

/// The browser's start call. The token travels in the body; the Authorization header is ignored.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StartSessionRequest {
    pub start_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<SessionConsent>,
    /// Cross-device (QR) flag; Transmit's web SDK always sends `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessed_from_desktop: Option<bool>,
    /// `mobile_sdk` or `hosted_app` in Transmit's SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_type: Option<String>,
    /// Base64 SPKI of the key that signs images, when image signing is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_signing_public_key: Option<String>,
}

impl fmt::Debug for StartSessionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartSessionRequest")
            .field("start_token", &"<redacted>")
            .field("consent", &self.consent)
            .field("accessed_from_desktop", &self.accessed_from_desktop)
            .field("client_type", &self.client_type)
            .finish_non_exhaustive()
    }
}

/// The answer to a start: the `user_token` authorises the session's later client calls.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StartSessionResponse {
    pub session_id: String,
    /// Sent as `Authorization: Bearer …` on `/status` and `/images`.
    pub user_token: String,
    pub required_images: Vec<ImageType>,
    /// UI settings (older SDKs); opaque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Opaque>,
}

impl fmt::Debug for StartSessionResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartSessionResponse")
            .field("session_id", &self.session_id)
            .field("user_token", &"<redacted>")
            .field("required_images", &self.required_images)
            .finish_non_exhaustive()
    }
}

/// `GET /api/v1/sdk-settings?clientId=…`: configuration Transmit's SDK reads at initialisation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SdkSettings {
    #[serde(default)]
    pub autocapture_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocapture_settings: Option<Opaque>,
    /// UI string overrides, by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strings: Option<Opaque>,
}

// ---------------------------------------------------------------------------------------------
// Add image (`POST /api/v1/verification/{sid}/images`)
// ---------------------------------------------------------------------------------------------

/// The body of an image upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddImageRequest {
    pub image: ImageDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_info: Option<DeviceInfoDto>,
}

/// One image: base64 JPEG plus what it shows.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageDto {
    /// `jpg` per the schema ([`ImageDto::FORMAT_JPG`]); Transmit's web SDK sends `jpeg`, and
    /// servers accept both.
    pub format: String,
    pub image_type: ImageType,
    /// Base64 of the JPEG, without a `data:` prefix. 640–3840 px wide, 480–2160 px high.
    pub content: String,
    /// The area to process; the server crops to it first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_margins: Option<CaptureMargins>,
    /// Client-chosen ID: a retry with the same ID returns the first answer and stores nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// Base64 RSA-PSS signature of `content` (Transmit's SDK, when image signing is on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Decoded barcode text by format name, for a document back (Transmit's SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_barcode_data: Option<Opaque>,
}

impl ImageDto {
    /// The format the schema documents.
    pub const FORMAT_JPG: &'static str = "jpg";
    /// The format Transmit's web SDK sends, taken from the data URL.
    pub const FORMAT_JPEG: &'static str = "jpeg";
    /// Pixel bounds of `content`, inclusive.
    pub const MIN_WIDTH: u32 = 640;
    pub const MAX_WIDTH: u32 = 3840;
    pub const MIN_HEIGHT: u32 = 480;
    pub const MAX_HEIGHT: u32 = 2160;

    /// True for the format values a server accepts (`jpg`, `jpeg`).
    pub fn format_is_jpeg(&self) -> bool {
        self.format == Self::FORMAT_JPG || self.format == Self::FORMAT_JPEG
    }
}

// `content` is megabytes of base64 and must never reach a log: Debug shows its length only.
impl fmt::Debug for ImageDto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageDto")
            .field("format", &self.format)
            .field("image_type", &self.image_type)
            .field("content_len", &self.content.len())
            .field("capture_margins", &self.capture_margins)
            .field("image_id", &self.image_id)
            .finish_non_exhaustive()
    }
}

/// The capture area inside the image, as margins from each edge. The API does not state the
/// unit; Transmit's SDK computes them in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureMargins {
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
}

/// The device that took the image. All optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfoDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_version: Option<String>,
    /// The camera that took this image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_camera: Option<DeviceCameraInfoDto>,
    /// Every camera the device offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cameras: Option<Vec<DeviceCameraInfoDto>>,
}

/// A camera, by its label.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCameraInfoDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The server's answer to an upload.
///
/// `feedback` is decoded openly (see [`Feedback::parse`]); `feedback_raw` keeps the string the
/// server sent, so an unknown code such as `unclassifiable` can still be shown or logged. On the
/// wire both are the single `feedback` field: serialising writes `feedback_raw` when it decodes
/// to `feedback`, else `feedback`'s own name.
///
/// ```
/// use idv_capture::protocol::{AddImagesResponse, Feedback};
/// let r: AddImagesResponse =
///     serde_json::from_str(r#"{"feedback":"unclassifiable","complete":false,"missing_images":["selfie"]}"#).unwrap();
/// assert_eq!(r.feedback, Feedback::Other);
/// assert_eq!(r.feedback_raw, "unclassifiable");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "AddImagesResponseWire", into = "AddImagesResponseWire")]
pub struct AddImagesResponse {
    pub feedback: Feedback,
    pub feedback_raw: String,
    /// True once every required image has been accepted: processing starts.
    pub complete: bool,
    /// The types still to upload.
    pub missing_images: Vec<ImageType>,
    /// Tenant-configured text for `restricted_criteria`. Untrusted: show as text, never as HTML.
    pub custom_feedback: Option<String>,
}

impl AddImagesResponse {
    pub fn new(feedback: Feedback, complete: bool, missing_images: Vec<ImageType>) -> Self {
        Self {
            feedback,
            feedback_raw: feedback.as_str().to_owned(),
            complete,
            missing_images,
            custom_feedback: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct AddImagesResponseWire {
    feedback: String,
    // The published example shows `"complete": "false"`; accept the string form too.
    #[serde(deserialize_with = "bool_or_string")]
    complete: bool,
    #[serde(default)]
    missing_images: Vec<ImageType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    custom_feedback: Option<String>,
}

impl From<AddImagesResponseWire> for AddImagesResponse {
    fn from(w: AddImagesResponseWire) -> Self {
        Self {
            feedback: Feedback::parse(&w.feedback),
            feedback_raw: w.feedback,
            complete: w.complete,
            missing_images: w.missing_images,
            custom_feedback: w.custom_feedback,
        }
    }
}

impl From<AddImagesResponse> for AddImagesResponseWire {
    fn from(r: AddImagesResponse) -> Self {
        let feedback = if Feedback::parse(&r.feedback_raw) == r.feedback {
            r.feedback_raw
        } else {
            r.feedback.as_str().to_owned()
        };
        Self {
            feedback,
            complete: r.complete,
            missing_images: r.missing_images,
            custom_feedback: r.custom_feedback,
        }
    }
}

fn bool_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    // A visitor rather than an untagged enum: untagged enums buffer the value first, which
    // costs the wasm serde's whole `Content` machinery for one field.
    struct BoolOrString;
    impl serde::de::Visitor<'_> for BoolOrString {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("true or false, as a boolean or a string")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
            match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
            }
        }
    }
    d.deserialize_any(BoolOrString)
}

// ---------------------------------------------------------------------------------------------
// Status (`GET /api/v1/verification/{sid}/status`)
// ---------------------------------------------------------------------------------------------

/// What the browser polls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionStatusResponse {
    pub status: SessionStatus,
    /// Why a recapture is needed: an open string, see [`recapture_reason`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recapture_reason: Option<String>,
    #[serde(default)]
    pub missing_images: Vec<ImageType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Images and consent (backend)
// ---------------------------------------------------------------------------------------------

/// `GET …/{sid}/images`: metadata of every image submitted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionImagesResponse {
    pub session_images: Vec<SessionImageDto>,
}

/// One submitted image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionImageDto {
    /// For `GET …/{sid}/images/{id}`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<ImageType>,
    /// True if the image was rejected for processing (blurry, obstructed, …).
    pub rejected: bool,
    /// True for the image as uploaded; false for one the server refined.
    pub original: bool,
    /// For a refined image, the ID of its original.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_id: Option<String>,
}

/// `GET …/{sid}/consent`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetConsentApprovalResponse {
    pub consent_granted: bool,
    /// When consent was granted (ISO 8601); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_date: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Result (backend, `GET /api/v1/verification/{sid}/result`)
// ---------------------------------------------------------------------------------------------

/// The result with `detailed=true` (or no `detailed`): complete, or not yet.
///
/// Decoding tries [`CompleteSessionResult`] first; a body without its required fields is an
/// [`IncompleteSessionResult`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SessionResult {
    Complete(Box<CompleteSessionResult>),
    Incomplete(IncompleteSessionResult),
}

/// A verified session's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompleteSessionResult {
    pub session_id: String,
    /// Always [`SessionStatus::Complete`].
    pub status: SessionStatus,
    pub recommendation: Recommendation,
    /// Fraud Prevention details; opaque here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_details: Option<Opaque>,
    pub person: PersonDto,
    pub document: DocumentDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<AdditionalInfoDto>,
    pub checks: SessionChecksDto,
    pub verification_images: Vec<VerificationImageDto>,
}

/// A session that is not complete: `pending`, `capturing`, `processing`, `recapture` or `error`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncompleteSessionResult {
    pub session_id: String,
    pub status: SessionStatus,
}

/// The person, as the document and selfie show them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    /// ISO 8601, e.g. `1867-11-07T00:00:00.000Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Derived from the date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<f64>,
}

/// The document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDto {
    /// Issuing country, ISO 3166 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Issuing state or region, e.g. `NY` for a US driver's license.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
}

/// `additional_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalInfoDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_status: Option<NationalStatusDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment: Option<EmploymentDto>,
}

/// A postal address (both result shapes use these fields).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressDto {
    /// ISO 3166-1 alpha-3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub house_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apartment_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_address: Option<String>,
}

/// `additional_info.national_status`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalStatusDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizen: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident: Option<bool>,
}

/// `additional_info.employment`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmploymentDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profession: Option<String>,
}

/// The verification checks; each is present only if it ran.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionChecksDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_validation: Option<CheckDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_authentication: Option<CheckDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_liveness: Option<CheckDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biometric_matching: Option<CheckDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biometric_liveness: Option<CheckDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged_identity: Option<CheckDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_recommendation: Option<CheckDto>,
}

/// One check's outcome. `reasons` are machine-readable codes, kept as open strings (each check
/// has its own enum, and the risk one has about 60 values).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDto {
    pub recommendation: CheckRecommendation,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// An image the verification used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationImageDto {
    pub id: String,
    #[serde(rename = "type")]
    pub image_type: ImageType,
}

/// The result with `detailed=false` (deprecated shape).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeprecatedSessionResult {
    pub session_id: String,
    /// `pending`, `capturing`, `processing`, `recapture`, `complete` or `error`.
    pub status: SessionStatus,
    /// Only once complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
    /// Human-readable issues; not returned for `ALLOW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_description: Option<Vec<String>>,
    /// Extracted but unverified; not returned for `ALLOW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extracted_info: Option<DeprecatedExtractedInfoDto>,
    /// Only for `ALLOW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_info: Option<VerifiedInfoDto>,
}

/// `DeprecatedSessionResult.extracted_info`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeprecatedExtractedInfoDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DeprecatedDocumentDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<DeprecatedPersonDto>,
}

/// `DeprecatedSessionResult.verified_info`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifiedInfoDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<DeprecatedPersonDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DeprecatedDocumentDto>,
}

/// The person in the deprecated result shape and in `MockBehavior.info`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeprecatedPersonDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// Free text, e.g. `F`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressDto>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
}

/// The document in the deprecated result shape and in `MockBehavior.info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeprecatedDocumentDto {
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    /// Issuing country, ISO 3166-1 alpha-3 (unlike [`DocumentDto::country`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_serial_number: Option<String>,
    /// The person's ID number on this document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Expiry date, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// An error body. The sandbox always sends this shape; the real service's error bodies are not
/// documented, so a client must also cope with a body that is not JSON at all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `invalid_request`, `session_not_found`.
    #[serde(default)]
    pub error: String,
    /// For people.
    #[serde(default)]
    pub message: String,
    /// The request field at fault, as a dotted path (`image.content`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn add_image_request_matches_the_schema_and_skips_absent_fields() {
        let req = AddImageRequest {
            image: ImageDto {
                format: "jpg".into(),
                image_type: ImageType::DocumentFront,
                content: "AAAA".into(),
                capture_margins: None,
                image_id: Some("img-1".into()),
                signature: None,
                raw_barcode_data: None,
            },
            device_info: None,
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"image": {"format": "jpg", "image_type": "document_front", "content": "AAAA", "image_id": "img-1"}})
        );
        // Transmit's SDK body, with fields this crate does not model, still decodes.
        let sdk: AddImageRequest = serde_json::from_value(json!({
            "image": {"format": "jpeg", "image_type": "selfie", "content": "AAAA",
                      "capture_margins": {"top": 1, "bottom": 2, "left": 3.5, "right": 4}},
            "device_info": {"model": "Pixel", "type": "mobile", "used_camera": {"label": "back"},
                            "cameras": [{"label": "back"}, {"label": "front"}], "new_field": 1}
        }))
        .unwrap();
        assert!(sdk.image.format_is_jpeg());
        assert_eq!(sdk.image.capture_margins.unwrap().left, 3.5);
        let info = sdk.device_info.unwrap();
        assert_eq!(info.device_type.as_deref(), Some("mobile"));
        assert_eq!(info.cameras.unwrap().len(), 2);
    }

    #[test]
    fn image_debug_never_prints_content_and_token_types_redact() {
        let img = ImageDto {
            format: "jpg".into(),
            image_type: ImageType::Selfie,
            content: "SECRETPIXELS".into(),
            capture_margins: None,
            image_id: None,
            signature: None,
            raw_barcode_data: None,
        };
        assert!(!format!("{img:?}").contains("SECRETPIXELS"));
        let start = StartSessionResponse {
            session_id: "s".into(),
            user_token: "TOKEN123".into(),
            required_images: vec![],
            settings: None,
        };
        assert!(!format!("{start:?}").contains("TOKEN123"));
        let tok = TokenResponse {
            access_token: "TOKEN123".into(),
            token_type: "Bearer".into(),
            expires_in: 1,
        };
        assert!(!format!("{tok:?}").contains("TOKEN123"));
    }

    #[test]
    fn add_images_response_keeps_the_raw_feedback() {
        let r: AddImagesResponse = serde_json::from_value(json!({
            "feedback": "blurry", "complete": "false", "missing_images": ["selfie"], "has_barcode": true
        }))
        .unwrap();
        assert_eq!(r.feedback, Feedback::Blur);
        assert_eq!(r.feedback_raw, "blurry");
        assert!(!r.complete);
        // Re-encoding keeps what the server said.
        assert_eq!(serde_json::to_value(&r).unwrap()["feedback"], "blurry");

        let ok = AddImagesResponse::new(Feedback::Ok, true, vec![]);
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            json!({"feedback": "ok", "complete": true, "missing_images": []})
        );
        // If the two disagree, the decoded code wins.
        let mut edited = ok;
        edited.feedback = Feedback::Glare;
        assert_eq!(serde_json::to_value(&edited).unwrap()["feedback"], "glare");
        assert!(serde_json::from_value::<AddImagesResponse>(
            json!({"feedback": "ok", "complete": "maybe"})
        )
        .is_err());
    }

    #[test]
    fn status_decodes_every_documented_value_and_unknown_ones() {
        for s in [
            "pending",
            "capturing",
            "processing",
            "recapture",
            "complete",
            "error",
            "expired",
        ] {
            let r: SessionStatusResponse =
                serde_json::from_value(json!({"status": s, "missing_images": []})).unwrap();
            assert_eq!(r.status.as_str(), s);
            assert_eq!(serde_json::to_value(r.status).unwrap(), s);
        }
        let r: SessionStatusResponse = serde_json::from_value(json!({
            "status": "archived", "recapture_reason": "no_face"
        }))
        .unwrap();
        assert_eq!(r.status, SessionStatus::Unknown);
        assert_eq!(r.recapture_reason.as_deref(), Some("no_face"));
        assert!(r.missing_images.is_empty());
    }

    #[test]
    fn result_decodes_complete_and_incomplete_bodies() {
        let complete = json!({
            "session_id": "s1", "status": "complete", "recommendation": "DENY",
            "person": {"full_name": "Marie Curie", "gender": "female", "age": 36},
            "document": {"type": "passport", "country": "FR"},
            "checks": {"document_authentication": {"recommendation": "DENY", "reasons": ["document_tampering"]},
                       "risk_recommendation": {"recommendation": "N/A"}},
            "verification_images": [{"id": "i1", "type": "selfie"}]
        });
        match serde_json::from_value::<SessionResult>(complete).unwrap() {
            SessionResult::Complete(c) => {
                assert_eq!(c.recommendation, Recommendation::Deny);
                assert_eq!(c.document.document_type, DocumentType::Passport);
                assert_eq!(c.person.age, Some(36.0));
                let risk = c.checks.risk_recommendation.unwrap();
                assert_eq!(risk.recommendation, CheckRecommendation::NotApplicable);
            }
            other => panic!("decoded as {other:?}"),
        }
        let pending = json!({"session_id": "s1", "status": "processing"});
        assert_eq!(
            serde_json::from_value::<SessionResult>(pending).unwrap(),
            SessionResult::Incomplete(IncompleteSessionResult {
                session_id: "s1".into(),
                status: SessionStatus::Processing
            })
        );
        let doc: DocumentDto = serde_json::from_value(json!({"type": "hunting_permit"})).unwrap();
        assert_eq!(doc.document_type, DocumentType::Other);
    }

    #[test]
    fn create_session_request_takes_the_documented_fields() {
        let req: CreateSessionRequest = serde_json::from_value(json!({
            "callback_url": "https://example.test/cb", "state": "xyz", "time_to_live": "1h",
            "auto_start": false,
            "start": {"consent": {"granted": true, "document_id": "v1"}},
            "customer_information": {"external_user_id": "u1"},
            "mock_behavior": {"recommendation": "CHALLENGE", "processing_time": "1m30s", "force_retry": true,
                              "info": {"person_details": {"given_name": "Marie", "gender": "F"},
                                       "document_details": {"type": "national_id", "country": "FRA"}}}
        }))
        .unwrap();
        let mock = req.mock_behavior.unwrap();
        assert_eq!(mock.recommendation, Some(Recommendation::Challenge));
        assert_eq!(mock.processing_time.as_deref(), Some("1m30s"));
        let info = mock.info.unwrap();
        assert_eq!(
            info.document_details.unwrap().document_type,
            DocumentType::NationalId
        );
        assert!(req.start.unwrap().consent.unwrap().granted);
        assert_eq!(
            serde_json::to_value(CreateSessionRequest::default()).unwrap(),
            json!({})
        );
    }

    #[test]
    fn session_image_uses_the_type_key() {
        let img = SessionImageDto {
            id: "i".into(),
            format: Some("jpg".into()),
            image_type: Some(ImageType::DocumentBack),
            rejected: true,
            original: true,
            original_id: None,
        };
        assert_eq!(
            serde_json::to_value(&img).unwrap(),
            json!({"id": "i", "format": "jpg", "type": "document_back", "rejected": true, "original": true})
        );
    }
}
