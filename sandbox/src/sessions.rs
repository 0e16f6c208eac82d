//! Verification sessions: their state machine, and the in-memory store.
//!
//! The store is a map behind an `RwLock`, each session behind its own `Mutex`: requests to
//! different sessions never wait for each other, and every change to one session (an upload's
//! commit, a start, a status transition) happens under its lock, so concurrent uploads cannot
//! lose or duplicate an image. No lock is held across an `.await` or while decoding an image.
//!
//! Time-driven transitions (processing → complete, capturing → expired) are applied lazily by
//! [`Session::refresh`] whenever a request looks at the session, so no background task is needed
//! and tests can use short durations without racing a timer.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use idv_capture::protocol::{
    recapture_reason, AddImagesResponse, ExtractedDetails, Feedback, ImageType, Recommendation,
    SessionConsent, SessionStatus,
};

use crate::auth;
use crate::clock;
use crate::error::ApiError;
use crate::{lock, read_lock, write_lock};

/// What a session needs: every image type, in this order.
pub const REQUIRED: [ImageType; 3] = ImageType::ALL;

/// Uploads kept per session, accepted or not. Bounds memory if a client loops.
pub const MAX_IMAGES_PER_SESSION: usize = 100;

/// How long an expired (never completed) session stays visible as `expired` before the store
/// forgets it.
const EXPIRED_RETENTION: Duration = Duration::from_secs(3600);

/// How the session ends, from `mock_behavior` and the sandbox's defaults.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub recommendation: Recommendation,
    pub processing_time: Duration,
    pub force_retry: bool,
    pub info: Option<ExtractedDetails>,
}

/// Everything fixed at creation.
pub struct NewSession {
    pub id: String,
    /// `None` for an auto-started session.
    pub start_secret: Option<String>,
    pub ttl: Duration,
    pub callback_url: Option<String>,
    pub state: Option<String>,
    pub outcome: Outcome,
    /// For an auto-started session: the consent given at creation, if any.
    pub consent: Option<SessionConsent>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Pending,
    Capturing,
    Processing { until: Instant },
    Recapture,
    Complete,
    Expired,
}

/// One uploaded image, accepted or rejected.
#[derive(Clone, Debug)]
pub struct StoredImage {
    pub id: String,
    pub image_type: ImageType,
    pub rejected: bool,
    /// The JPEG as uploaded.
    pub jpeg: Bytes,
}

/// The consent a session was started with (`document_id` is not kept: nothing reports it).
#[derive(Clone, Debug)]
pub struct Consent {
    pub granted: bool,
    pub at: SystemTime,
}

/// An upload that passed validation and the quality check, ready to commit.
pub struct Upload {
    pub image_id: Option<String>,
    pub stored: StoredImage,
    pub feedback: Feedback,
}

pub struct Session {
    pub id: String,
    pub callback_url: Option<String>,
    pub state: Option<String>,
    pub outcome: Outcome,
    /// ISO 8601 form of the expiry, as create answered it.
    pub expiration: String,
    /// Kept after use, to tell "already used" from "wrong".
    start_secret: Option<String>,
    start_used: bool,
    user_secret: Option<String>,
    expires_at: Instant,
    consent: Option<Consent>,
    phase: Phase,
    /// The accepted image of each type for the current attempt.
    accepted: BTreeMap<ImageType, String>,
    images: Vec<StoredImage>,
    /// Answers already given, by client `image_id`, for idempotent retries.
    replies: HashMap<String, (ImageType, AddImagesResponse)>,
    /// Verification attempts finished (for `force_retry`).
    attempts: u32,
    recapture_reason: Option<&'static str>,
    /// Set when the session is deleted, for requests that already hold it.
    deleted: bool,
}

impl Session {
    pub fn new(new: NewSession, now: Instant, wall: SystemTime) -> Self {
        let auto_started = new.start_secret.is_none();
        let consent = new.consent.map(|c| Consent {
            granted: c.granted,
            at: wall,
        });
        Self {
            id: new.id,
            callback_url: new.callback_url,
            state: new.state,
            outcome: new.outcome,
            // Durations are capped (see AppState::new), so these additions cannot fail in
            // practice; the fallbacks only avoid a panic path.
            expiration: clock::rfc3339(wall.checked_add(new.ttl).unwrap_or(wall)),
            start_secret: new.start_secret,
            start_used: false,
            user_secret: None,
            expires_at: now.checked_add(new.ttl).unwrap_or(now),
            consent,
            phase: if auto_started {
                Phase::Capturing
            } else {
                Phase::Pending
            },
            accepted: BTreeMap::new(),
            images: Vec::new(),
            replies: HashMap::new(),
            attempts: 0,
            recapture_reason: None,
            deleted: false,
        }
    }

    /// Applies the transitions that time has made due.
    pub fn refresh(&mut self, now: Instant) {
        if let Phase::Processing { until } = self.phase {
            if now >= until {
                self.attempts += 1;
                if self.outcome.force_retry && self.attempts == 1 {
                    // The first attempt "fails" on image quality: every image is wanted again.
                    self.phase = Phase::Recapture;
                    self.recapture_reason = Some(recapture_reason::POOR_IMAGE_QUALITY);
                    self.accepted.clear();
                } else {
                    self.phase = Phase::Complete;
                    self.recapture_reason = None;
                }
            }
        }
        // Expiry bounds the capture, not the verification: a session whose images are all in
        // goes on to complete, and its result stays readable.
        if matches!(
            self.phase,
            Phase::Pending | Phase::Capturing | Phase::Recapture
        ) && now >= self.expires_at
        {
            self.phase = Phase::Expired;
        }
    }

    pub fn status(&mut self, now: Instant) -> SessionStatus {
        self.refresh(now);
        match self.phase {
            Phase::Pending => SessionStatus::Pending,
            Phase::Capturing => SessionStatus::Capturing,
            Phase::Processing { .. } => SessionStatus::Processing,
            Phase::Recapture => SessionStatus::Recapture,
            Phase::Complete => SessionStatus::Complete,
            Phase::Expired => SessionStatus::Expired,
        }
    }

    /// Why the current recapture is needed (only while the status is `recapture`).
    pub fn recapture_reason(&self) -> Option<&'static str> {
        match self.phase {
            Phase::Recapture => self.recapture_reason,
            _ => None,
        }
    }

    /// The required types not yet accepted in the current attempt, in [`REQUIRED`] order.
    pub fn missing_images(&self) -> Vec<ImageType> {
        match self.phase {
            Phase::Processing { .. } | Phase::Complete => Vec::new(),
            _ => REQUIRED
                .into_iter()
                .filter(|t| !self.accepted.contains_key(t))
                .collect(),
        }
    }

    pub fn mark_deleted(&mut self) {
        self.deleted = true;
    }

    /// Consumes the start token and starts the session, giving it `user_secret`.
    ///
    /// Runs entirely under the session's lock, so of two racing starts exactly one wins. The
    /// secret is compared before anything else, so only the holder of the real token learns
    /// that it was already used.
    pub fn start(
        &mut self,
        secret: &str,
        consent: Option<SessionConsent>,
        user_secret: String,
        now: Instant,
        wall: SystemTime,
    ) -> Result<(), ApiError> {
        self.refresh(now);
        // An auto-started session never had a start token.
        let Some(expected) = self.start_secret.as_deref() else {
            return Err(ApiError::InvalidStartToken);
        };
        if !auth::ct_eq(expected, secret) {
            return Err(ApiError::InvalidStartToken);
        }
        if self.start_used {
            return Err(ApiError::StartTokenUsed);
        }
        if self.phase == Phase::Expired {
            return Err(ApiError::StartTokenExpired);
        }
        self.start_used = true;
        self.user_secret = Some(user_secret);
        self.phase = Phase::Capturing;
        if let Some(c) = consent {
            self.consent = Some(Consent {
                granted: c.granted,
                at: wall,
            });
        }
        Ok(())
    }

    /// True if `secret` is this session's user-token secret (constant time).
    pub fn user_secret_matches(&self, secret: &str) -> bool {
        self.user_secret
            .as_deref()
            .is_some_and(|s| auth::ct_eq(s, secret))
    }

    /// The stored answer for a retried `image_id`, if any.
    pub fn replay(
        &self,
        image_id: Option<&str>,
        image_type: ImageType,
    ) -> Result<Option<AddImagesResponse>, ApiError> {
        let Some((previous, reply)) = image_id.and_then(|id| self.replies.get(id)) else {
            return Ok(None);
        };
        if *previous != image_type {
            return Err(ApiError::ImageIdConflict {
                image_id: image_id.unwrap_or_default().to_owned(),
                previous: previous.as_str(),
            });
        }
        Ok(Some(reply.clone()))
    }

    /// Ok if the session takes uploads now.
    pub fn ensure_accepting(&mut self, now: Instant) -> Result<(), ApiError> {
        if self.deleted {
            return Err(ApiError::SessionNotFound);
        }
        self.refresh(now);
        match self.phase {
            Phase::Capturing | Phase::Recapture => {}
            Phase::Pending => return Err(ApiError::SessionNotStarted),
            Phase::Processing { .. } | Phase::Complete => return Err(ApiError::SessionComplete),
            Phase::Expired => {
                return Err(ApiError::SessionExpired {
                    expiration: self.expiration.clone(),
                })
            }
        }
        if self.images.len() >= MAX_IMAGES_PER_SESSION {
            return Err(ApiError::TooManyImages {
                limit: MAX_IMAGES_PER_SESSION,
            });
        }
        Ok(())
    }

    /// Records a checked upload and answers it. Called under the session's lock after the
    /// (slow, unlocked) decode, so the state is checked again here.
    pub fn commit_upload(
        &mut self,
        upload: Upload,
        now: Instant,
    ) -> Result<AddImagesResponse, ApiError> {
        let image_type = upload.stored.image_type;
        // A retry that raced its original: the first to commit wins, the other replays it.
        if let Some(reply) = self.replay(upload.image_id.as_deref(), image_type)? {
            return Ok(reply);
        }
        self.ensure_accepting(now)?;
        if !upload.stored.rejected {
            self.accepted.insert(image_type, upload.stored.id.clone());
        }
        self.images.push(upload.stored);
        let missing = self.missing_images();
        let complete = missing.is_empty();
        if complete {
            let until = now.checked_add(self.outcome.processing_time).unwrap_or(now);
            self.phase = Phase::Processing { until };
        }
        let reply = AddImagesResponse::new(upload.feedback, complete, missing);
        if let Some(id) = upload.image_id {
            self.replies.insert(id, (image_type, reply.clone()));
        }
        Ok(reply)
    }

    pub fn images(&self) -> &[StoredImage] {
        &self.images
    }

    /// The images the verification used: the accepted one of each type.
    pub fn verification_images(&self) -> Vec<(String, ImageType)> {
        self.accepted
            .iter()
            .map(|(t, id)| (id.clone(), *t))
            .collect()
    }

    pub fn consent(&self) -> Option<&Consent> {
        self.consent.as_ref()
    }

    /// For the store's sweep: expired long enough ago to forget.
    fn is_stale(&mut self, now: Instant) -> bool {
        self.refresh(now);
        self.phase == Phase::Expired
            && now.saturating_duration_since(self.expires_at) > EXPIRED_RETENTION
    }
}

/// Every session, by ID.
#[derive(Default)]
pub struct Sessions {
    map: RwLock<HashMap<String, Arc<Mutex<Session>>>>,
}

impl Sessions {
    pub fn insert(&self, session: Session) {
        let id = session.id.clone();
        write_lock(&self.map).insert(id, Arc::new(Mutex::new(session)));
    }

    pub fn get(&self, id: &str) -> Option<Arc<Mutex<Session>>> {
        read_lock(&self.map).get(id).cloned()
    }

    /// Removes a session; a request still holding it sees it as deleted.
    pub fn remove(&self, id: &str) -> bool {
        let removed = write_lock(&self.map).remove(id);
        match removed {
            Some(s) => {
                lock(&s).mark_deleted();
                true
            }
            None => false,
        }
    }

    /// Forgets sessions that expired long ago. Called on create, so memory stays bounded by
    /// the recent creation rate.
    pub fn sweep(&self, now: Instant) {
        let stale: Vec<String> = read_lock(&self.map)
            .iter()
            .filter(|(_, s)| lock(s).is_stale(now))
            .map(|(id, _)| id.clone())
            .collect();
        if !stale.is_empty() {
            let mut map = write_lock(&self.map);
            for id in stale {
                map.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_session(force_retry: bool, start: bool) -> (Session, Instant) {
        let now = Instant::now();
        let s = Session::new(
            NewSession {
                id: "s1".into(),
                start_secret: start.then(|| "secret".into()),
                ttl: Duration::from_secs(60),
                callback_url: None,
                state: None,
                outcome: Outcome {
                    recommendation: Recommendation::Allow,
                    processing_time: Duration::from_secs(2),
                    force_retry,
                    info: None,
                },
                consent: None,
            },
            now,
            SystemTime::now(),
        );
        (s, now)
    }

    fn upload(t: ImageType, ok: bool, id: &str) -> Upload {
        Upload {
            image_id: Some(id.into()),
            stored: StoredImage {
                id: format!("img-{id}"),
                image_type: t,
                rejected: !ok,
                jpeg: Bytes::new(),
            },
            feedback: if ok { Feedback::Ok } else { Feedback::Blur },
        }
    }

    #[test]
    fn lifecycle_with_force_retry() {
        let (mut s, t0) = new_session(true, true);
        assert_eq!(s.status(t0), SessionStatus::Pending);
        assert!(matches!(
            s.ensure_accepting(t0),
            Err(ApiError::SessionNotStarted)
        ));
        assert!(matches!(
            s.start("wrong", None, "u".into(), t0, SystemTime::now()),
            Err(ApiError::InvalidStartToken)
        ));
        s.start("secret", None, "u".into(), t0, SystemTime::now())
            .unwrap();
        assert!(matches!(
            s.start("secret", None, "u2".into(), t0, SystemTime::now()),
            Err(ApiError::StartTokenUsed)
        ));
        assert!(matches!(
            s.start("secreT", None, "u2".into(), t0, SystemTime::now()),
            Err(ApiError::InvalidStartToken)
        ));
        assert_eq!(s.status(t0), SessionStatus::Capturing);
        let r = s
            .commit_upload(upload(ImageType::Selfie, false, "a"), t0)
            .unwrap();
        assert_eq!(r.missing_images, REQUIRED.to_vec());
        for (i, t) in REQUIRED.into_iter().enumerate() {
            let r = s
                .commit_upload(upload(t, true, &format!("b{i}")), t0)
                .unwrap();
            assert_eq!(r.complete, i == 2);
        }
        assert_eq!(s.status(t0), SessionStatus::Processing);
        assert!(matches!(
            s.commit_upload(upload(ImageType::Selfie, true, "late"), t0),
            Err(ApiError::SessionComplete)
        ));
        // A retry of an earlier image still gets its first answer.
        assert!(s
            .commit_upload(upload(ImageType::Selfie, true, "b2"), t0)
            .is_ok());
        let t1 = t0 + Duration::from_secs(2);
        assert_eq!(s.status(t1), SessionStatus::Recapture);
        assert_eq!(s.recapture_reason(), Some("poor_image_quality"));
        assert_eq!(s.missing_images(), REQUIRED.to_vec());
        for (i, t) in REQUIRED.into_iter().enumerate() {
            s.commit_upload(upload(t, true, &format!("c{i}")), t1)
                .unwrap();
        }
        assert_eq!(
            s.status(t1 + Duration::from_secs(2)),
            SessionStatus::Complete
        );
        assert_eq!(s.images().len(), 7);
        assert_eq!(s.verification_images().len(), 3);
    }

    #[test]
    fn expiry_stops_capture_but_not_processing() {
        let (mut s, t0) = new_session(false, false);
        assert_eq!(s.status(t0), SessionStatus::Capturing);
        let late = t0 + Duration::from_secs(61);
        assert_eq!(s.status(late), SessionStatus::Expired);
        assert!(matches!(
            s.ensure_accepting(late),
            Err(ApiError::SessionExpired { .. })
        ));

        let (mut s, t0) = new_session(false, false);
        for (i, t) in REQUIRED.into_iter().enumerate() {
            s.commit_upload(upload(t, true, &i.to_string()), t0)
                .unwrap();
        }
        assert_eq!(s.status(late), SessionStatus::Complete);
    }

    #[test]
    fn image_id_reused_for_another_type_conflicts() {
        let (mut s, t0) = new_session(false, false);
        s.commit_upload(upload(ImageType::Selfie, true, "x"), t0)
            .unwrap();
        assert!(matches!(
            s.commit_upload(upload(ImageType::DocumentBack, true, "x"), t0),
            Err(ApiError::ImageIdConflict { .. })
        ));
        assert_eq!(s.images().len(), 1);
    }
}
