//! Reading request bodies and queries into typed values, with errors that name the field.

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::images::truncate;

/// After an over-limit body, read and discard up to this much more before answering 413.
/// An HTTP/1 client that is still sending when the server answers and closes often sees a
/// connection reset instead of the 413; draining lets it read the answer.
const DRAIN_MAX: usize = 64 * 1024 * 1024;

/// Reads the whole body, refusing (413) one longer than `limit` bytes.
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut over = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::Malformed {
            kind: "HTTP body",
            field: None,
            detail: e.to_string(),
        })?;
        if over > 0 || buf.len() + chunk.len() > limit {
            over += chunk.len();
            if over > DRAIN_MAX {
                break;
            }
            continue;
        }
        buf.extend_from_slice(&chunk);
    }
    if over > 0 {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(Bytes::from(buf))
}

/// Parses JSON into `T`. A type or value error names the field by its path (`image.image_type`);
/// text that is not JSON is `malformed_body`.
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = truncate(&inner.to_string(), 300);
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = field_path(&path, &message);
                ApiError::Invalid { field, message }
            }
            _ => ApiError::Malformed {
                kind: "JSON",
                field: None,
                detail: message,
            },
        }
    })
}

/// Like [`json`], but an empty body means `{}` (some backends POST create with no body).
pub fn json_or_empty<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        json(b"{}")
    } else {
        json(bytes)
    }
}

/// serde puts a missing field's error at its parent; append the field's own name.
fn field_path(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let parent = if path == "." { "" } else { path };
    match missing {
        Some(name) if parent.is_empty() => name.to_owned(),
        Some(name) => format!("{parent}.{name}"),
        None if parent.is_empty() => "body".to_owned(),
        None => parent.to_owned(),
    }
}

/// Parses a query string into `T`; errors name the parameter when serde says which.
pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
        let message = truncate(&e.to_string(), 300);
        let field = message.split('`').nth(1).unwrap_or("query").to_owned();
        ApiError::Invalid { field, message }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use idv_capture::protocol::AddImageRequest;

    fn field_of(body: &str) -> (String, String) {
        let e = json::<AddImageRequest>(body.as_bytes()).unwrap_err();
        (
            e.code().to_owned(),
            e.field().unwrap_or_default().to_owned(),
        )
    }

    #[test]
    fn json_errors_name_the_field() {
        assert_eq!(
            field_of(r#"{"image": {"format": "jpg", "image_type": "passport", "content": ""}}"#),
            ("invalid_request".into(), "image.image_type".into())
        );
        assert_eq!(
            field_of(r#"{"image": {"format": "jpg", "image_type": "selfie"}}"#),
            ("invalid_request".into(), "image.content".into())
        );
        assert_eq!(
            field_of(r#"{}"#),
            ("invalid_request".into(), "image".into())
        );
        assert_eq!(field_of(r#"{"image": "#).0, "malformed_body");
        assert_eq!(field_of("[]").1, "body");
    }

    #[test]
    fn bodies_over_the_limit_are_413() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            assert_eq!(read_body(Body::from("12345"), 5).await.unwrap().len(), 5);
            assert!(matches!(
                read_body(Body::from("123456"), 5).await,
                Err(ApiError::PayloadTooLarge { limit: 5 })
            ));
        });
    }
}
