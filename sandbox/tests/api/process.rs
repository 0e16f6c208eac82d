//! The real binary: flags and environment, the `listening on` line, and a request log with one
//! line per request and no token in it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn binary_takes_env_and_flags_and_logs_without_tokens() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idv-sandbox"))
        .args([
            "--port",
            "0",
            "--www",
            "/nonexistent",
            "--pkg",
            "/nonexistent",
        ])
        .args(["--session-ttl", "1s"])
        .env("SANDBOX_CLIENT_ID", "acme")
        .env("SANDBOX_CLIENT_SECRET", "acme-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    let http = reqwest::Client::new();

    let token_for = |id: &'static str, secret: &'static str| {
        http.post(format!("{url}/oidc/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ])
            .send()
    };
    assert_eq!(
        token_for("sandbox", "sandbox-secret")
            .await
            .unwrap()
            .status(),
        401
    );
    let r = token_for("acme", "acme-secret").await.unwrap();
    let token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let created: Value = http
        .post(format!("{url}{SID_PATH}"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = created["session_id"].as_str().unwrap();
    let start_token = created["start_token"].as_str().unwrap();
    let started: Value = http
        .post(format!("{url}{SID_PATH}/start?x=secret-query"))
        .json(&json!({"start_token": start_token}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = started["user_token"].as_str().unwrap();
    http.post(format!("{url}{SID_PATH}/{start_token}/events"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let upload = http
        .post(format!("{url}{SID_PATH}/{sid}/images"))
        .bearer_auth(user)
        .json(&image_body("selfie", &b64(card_jpeg()), None))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 200);
    // --session-ttl applies.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let status: Value = http
        .get(format!("{url}{SID_PATH}/{sid}/status"))
        .bearer_auth(user)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "expired");

    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 7, "{log}");
    for l in &lines {
        let parts: Vec<&str> = l.split(' ').collect();
        assert_eq!(parts.len(), 4, "{l}");
        assert!(["GET", "POST"].contains(&parts[0]), "{l}");
        assert!(parts[1].starts_with('/') && !parts[1].contains('?'), "{l}");
        assert!(parts[2].parse::<u16>().is_ok(), "{l}");
        assert!(
            parts[3].ends_with("ms") && parts[3].trim_end_matches("ms").parse::<u64>().is_ok(),
            "{l}"
        );
    }
    // The start token the SDK puts in the events path is hidden.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST /verify/api/v1/verification/{token}/events 200 ")),
        "{log}"
    );
    for secret in [
        token.as_str(),
        start_token,
        user,
        "acme-secret",
        "secret-query",
    ] {
        let tail = &secret[secret.len().saturating_sub(16)..];
        assert!(!log.contains(tail), "log leaks a secret: {log}");
    }
    assert!(!log.contains(&b64(card_jpeg())[..40]));
}
