//! `precheck --type document_front|document_back|selfie IMAGE...`
//!
//! Runs the on-device pre-check on image files and prints one JSON object per line:
//! `{"file", "feedback", "hints", "scores"}`, or `{"file", "error"}` for a file it cannot read.
//! Every file is processed; the exit status is 1 if any failed, 2 for bad arguments.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use idv_capture::precheck::{Analyzer, Frame, ImageType};
use serde_json::json;

fn usage(msg: &str) -> ExitCode {
    eprintln!(
        "precheck: {msg}\nusage: precheck --type document_front|document_back|selfie IMAGE..."
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut kind = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--type" => match args.next().map(|t| t.parse::<ImageType>()) {
                Some(Ok(t)) => kind = Some(t),
                Some(Err(e)) => return usage(&e.to_string()),
                None => return usage("--type needs a value"),
            },
            "-h" | "--help" => return usage("help"),
            _ => files.push(PathBuf::from(a)),
        }
    }
    let Some(kind) = kind else {
        return usage("--type is required");
    };
    if files.is_empty() {
        return usage("no images given");
    }
    let mut analyzer = Analyzer::default();
    let mut failed = false;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in files {
        let name = file.display().to_string();
        let line = match idv_tools::load_rgba(&file) {
            Ok(img) => match Frame::packed(img.as_raw(), img.width(), img.height()) {
                Ok(frame) => {
                    // Each file is a new scene: motion from the previous file means nothing.
                    analyzer.reset_motion();
                    let v = analyzer.analyze(frame, kind);
                    json!({"file": name, "feedback": v.feedback, "hints": v.hints, "scores": v.scores})
                }
                Err(e) => {
                    failed = true;
                    json!({"file": name, "error": e.to_string()})
                }
            },
            Err(e) => {
                failed = true;
                json!({"file": name, "error": e.to_string()})
            }
        };
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
