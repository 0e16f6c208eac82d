//! The Verify API's vocabulary and wire types, shared by the client, the pre-check and the sandbox.
//!
//! Pure serde types: no I/O here. [`codes`](Feedback) holds the enums the pre-check also speaks;
//! the request and response bodies are re-exported from `messages`.

mod codes;
mod messages;

pub use codes::{Feedback, ImageType, ParseImageTypeError};
pub use messages::{
    recapture_reason, AddImageRequest, AddImagesResponse, AdditionalInfoDto, AddressDto,
    CaptureMargins, CheckDto, CheckRecommendation, CompleteSessionResult, CreateSessionRequest,
    CreateSessionResponse, CustomerInformation, DeprecatedDocumentDto, DeprecatedExtractedInfoDto,
    DeprecatedPersonDto, DeprecatedSessionResult, DeviceCameraInfoDto, DeviceInfoDto, DocumentDto,
    DocumentType, EmploymentDto, ErrorBody, ExtractedDetails, Gender, GetConsentApprovalResponse,
    Ignored, ImageDto, IncompleteSessionResult, MockBehavior, NationalStatusDto, Opaque, PersonDto,
    Recommendation, SdkSettings, SessionChecksDto, SessionConsent, SessionImageDto,
    SessionImagesResponse, SessionResult, SessionStatus, SessionStatusResponse,
    StartSessionConfigDto, StartSessionRequest, StartSessionResponse, TokenRequest, TokenResponse,
    VerificationImageDto, VerifiedInfoDto,
};
