//! The backend's view of a session's outcome: the three result shapes, with the person and
//! document from `mock_behavior.info` or plausible defaults.

use std::time::{Instant, SystemTime};

use idv_capture::protocol::{
    CheckDto, CheckRecommendation, CompleteSessionResult, DeprecatedDocumentDto,
    DeprecatedExtractedInfoDto, DeprecatedPersonDto, DeprecatedSessionResult, DocumentDto,
    DocumentType, Gender, IncompleteSessionResult, PersonDto, Recommendation, SessionChecksDto,
    SessionResult, SessionStatus, VerificationImageDto, VerifiedInfoDto,
};

use crate::clock;
use crate::sessions::Session;

/// The result status the backend sees. `expired` exists only on the client status endpoint; a
/// session that expired before completing is reported as `error` here.
fn backend_status(s: &mut Session, now: Instant) -> SessionStatus {
    match s.status(now) {
        SessionStatus::Expired => SessionStatus::Error,
        other => other,
    }
}

/// `detailed=true`: Complete or Incomplete.
pub fn detailed(s: &mut Session, now: Instant, wall: SystemTime) -> SessionResult {
    let status = backend_status(s, now);
    if status != SessionStatus::Complete {
        return SessionResult::Incomplete(IncompleteSessionResult {
            session_id: s.id.clone(),
            status,
        });
    }
    let recommendation = s.outcome.recommendation;
    let (person, document) = details(s, wall);
    SessionResult::Complete(Box::new(CompleteSessionResult {
        session_id: s.id.clone(),
        status,
        recommendation,
        risk_details: None,
        person: to_person(&person, &document, wall),
        document: to_document(&document),
        additional_info: None,
        checks: checks(recommendation),
        verification_images: s
            .verification_images()
            .into_iter()
            .map(|(id, image_type)| VerificationImageDto { id, image_type })
            .collect(),
    }))
}

/// `detailed=false`: the deprecated shape.
pub fn deprecated(s: &mut Session, now: Instant, wall: SystemTime) -> DeprecatedSessionResult {
    let status = backend_status(s, now);
    let mut result = DeprecatedSessionResult {
        session_id: s.id.clone(),
        status,
        recommendation: None,
        rejection_description: None,
        extracted_info: None,
        verified_info: None,
    };
    if status != SessionStatus::Complete {
        return result;
    }
    let recommendation = s.outcome.recommendation;
    let (person, document) = details(s, wall);
    result.recommendation = Some(recommendation);
    if recommendation == Recommendation::Allow {
        result.verified_info = Some(VerifiedInfoDto {
            person: Some(person),
            document: Some(document),
        });
    } else {
        result.rejection_description = Some(vec![rejection_text(recommendation).to_owned()]);
        result.extracted_info = Some(DeprecatedExtractedInfoDto {
            document: Some(document),
            person: Some(person),
        });
    }
    result
}

/// The person and document in the deprecated shape (as `mock_behavior.info` gives them), each
/// filled from the defaults where the mock says nothing.
fn details(s: &Session, wall: SystemTime) -> (DeprecatedPersonDto, DeprecatedDocumentDto) {
    let info = s.outcome.info.clone().unwrap_or_default();
    let person = info.person_details.unwrap_or_else(|| default_person(wall));
    let document = info
        .document_details
        .unwrap_or_else(|| default_document(&person, wall));
    (person, document)
}

fn default_person(wall: SystemTime) -> DeprecatedPersonDto {
    let birth = (1990, 4, 12);
    DeprecatedPersonDto {
        given_name: Some("Jane".into()),
        surname: Some("Sample".into()),
        gender: Some("F".into()),
        full_name: Some("Jane Sample".into()),
        age: Some(clock::age(birth, clock::today(wall)) as f64),
        address: None,
        date_of_birth: Some(clock::date(birth.0, birth.1, birth.2)),
    }
}

/// A US driver's license issued three years ago, valid for five more.
fn default_document(person: &DeprecatedPersonDto, wall: SystemTime) -> DeprecatedDocumentDto {
    let (y, m, _) = clock::today(wall);
    DeprecatedDocumentDto {
        document_type: DocumentType::DriversLicense,
        country: Some("USA".into()),
        region: Some("NY".into()),
        issue_date: Some(clock::date(y - 3, m, 1)),
        document_serial_number: Some("0012345678".into()),
        id_value: Some("D1234567".into()),
        given_name: person.given_name.clone(),
        surname: person.surname.clone(),
        full_name: person.full_name.clone(),
        date_of_birth: person.date_of_birth.clone(),
        valid_until: Some(clock::date(y + 5, m, 1)),
    }
}

fn to_person(p: &DeprecatedPersonDto, d: &DeprecatedDocumentDto, wall: SystemTime) -> PersonDto {
    let gender = p
        .gender
        .as_deref()
        .map(|g| match g.to_ascii_lowercase().as_str() {
            "f" | "female" => Gender::Female,
            "m" | "male" => Gender::Male,
            _ => Gender::Other,
        });
    let age = p.age.or_else(|| {
        let birth = clock::parse_date(p.date_of_birth.as_deref()?)?;
        Some(clock::age(birth, clock::today(wall)) as f64)
    });
    PersonDto {
        full_name: p.full_name.clone().or_else(|| d.full_name.clone()),
        given_name: p.given_name.clone().or_else(|| d.given_name.clone()),
        surname: p.surname.clone().or_else(|| d.surname.clone()),
        gender,
        national_id: d.id_value.clone(),
        date_of_birth: p.date_of_birth.clone().or_else(|| d.date_of_birth.clone()),
        age,
    }
}

fn to_document(d: &DeprecatedDocumentDto) -> DocumentDto {
    DocumentDto {
        // The deprecated shape uses alpha-3 codes, the new one alpha-2.
        country: d.country.as_deref().map(alpha2),
        region: d.region.clone(),
        document_type: d.document_type,
        number: d.id_value.clone(),
        serial_number: d.document_serial_number.clone(),
        issue_date: d.issue_date.clone(),
        expiration_date: d.valid_until.clone(),
    }
}

/// Alpha-3 to alpha-2 for common issuers; anything else passes through unchanged.
fn alpha2(code: &str) -> String {
    const MAP: [(&str, &str); 16] = [
        ("USA", "US"),
        ("GBR", "GB"),
        ("CAN", "CA"),
        ("AUS", "AU"),
        ("DEU", "DE"),
        ("FRA", "FR"),
        ("ESP", "ES"),
        ("ITA", "IT"),
        ("NLD", "NL"),
        ("ISR", "IL"),
        ("BRA", "BR"),
        ("MEX", "MX"),
        ("IND", "IN"),
        ("JPN", "JP"),
        ("POL", "PL"),
        ("PRT", "PT"),
    ];
    MAP.iter()
        .find(|(a3, _)| a3.eq_ignore_ascii_case(code))
        .map_or_else(|| code.to_owned(), |(_, a2)| (*a2).to_owned())
}

/// Checks consistent with the recommendation: all pass for ALLOW; one check carries the
/// outcome otherwise. Risk is `N/A`: the sandbox has no Fraud Prevention signals.
fn checks(r: Recommendation) -> SessionChecksDto {
    let pass = || {
        Some(CheckDto {
            recommendation: CheckRecommendation::Allow,
            reasons: Vec::new(),
        })
    };
    let mut checks = SessionChecksDto {
        document_validation: pass(),
        document_authentication: pass(),
        document_liveness: pass(),
        biometric_matching: pass(),
        biometric_liveness: pass(),
        flagged_identity: pass(),
        risk_recommendation: Some(CheckDto {
            recommendation: CheckRecommendation::NotApplicable,
            reasons: Vec::new(),
        }),
    };
    match r {
        Recommendation::Allow => {}
        Recommendation::Challenge => {
            checks.document_validation = Some(CheckDto {
                recommendation: CheckRecommendation::Challenge,
                reasons: vec!["data_validation_failed".into()],
            });
        }
        Recommendation::Deny => {
            checks.document_authentication = Some(CheckDto {
                recommendation: CheckRecommendation::Deny,
                reasons: vec!["document_tampering".into()],
            });
        }
    }
    checks
}

fn rejection_text(r: Recommendation) -> &'static str {
    match r {
        Recommendation::Allow => "",
        Recommendation::Challenge => "The document data could not be fully validated",
        Recommendation::Deny => "The document shows signs of tampering",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_and_genders_convert() {
        assert_eq!(alpha2("USA"), "US");
        assert_eq!(alpha2("fra"), "FR");
        assert_eq!(alpha2("XK"), "XK");
        let p = DeprecatedPersonDto {
            gender: Some("M".into()),
            date_of_birth: Some("2000-01-01T00:00:00.000Z".into()),
            ..Default::default()
        };
        let d = default_document(&p, SystemTime::now());
        let person = to_person(&p, &d, SystemTime::now());
        assert_eq!(person.gender, Some(Gender::Male));
        assert!(person.age.unwrap() >= 25.0);
        assert_eq!(person.national_id.as_deref(), Some("D1234567"));
    }
}
