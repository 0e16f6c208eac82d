//! Parallel uploads: no image lost or duplicated.

use std::collections::BTreeSet;

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

/// 50 sessions, each getting its three images at once: 150 uploads in flight together. Every
/// image must be stored exactly once, in the right session, and every session must complete
/// exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_sessions_upload_in_parallel() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let sessions = join_all((0..50).map(|_| sb.session(&token, json!({})))).await;
    let card = b64(card_jpeg());
    let types = ["document_front", "document_back", "selfie"];

    let uploads = sessions.iter().flat_map(|(sid, user)| {
        let card = &card;
        let sb = &sb;
        types.iter().map(move |t| async move {
            let id = format!("{sid}-{t}");
            let r = sb.upload(sid, user, &image_body(t, card, Some(&id))).await;
            assert_eq!(r.status(), 200);
            (sid.clone(), r.json::<Value>().await.unwrap())
        })
    });
    let replies = join_all(uploads).await;
    assert_eq!(replies.len(), 150);

    for (sid, user) in &sessions {
        let mine: Vec<&Value> = replies
            .iter()
            .filter(|(s, _)| s == sid)
            .map(|(_, r)| r)
            .collect();
        assert_eq!(mine.len(), 3);
        // Exactly the last commit completed the session.
        assert_eq!(
            mine.iter().filter(|r| r["complete"] == true).count(),
            1,
            "{sid}"
        );
        assert!(mine.iter().all(|r| r["feedback"] == "ok"));

        let images: Value = sb
            .get_json(&format!("{SID_PATH}/{sid}/images"), &token)
            .await;
        let list = images["session_images"].as_array().unwrap();
        assert_eq!(list.len(), 3, "{sid}: {list:?}");
        let ids: BTreeSet<&str> = list.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 3);
        let kinds: BTreeSet<&str> = list.iter().map(|i| i["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, types.into_iter().collect());
        let status = sb.status(sid, user).await["status"].clone();
        assert!(status == "processing" || status == "complete", "{status}");
    }
}
