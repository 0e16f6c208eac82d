use super::*;
use crate::protocol::ImageType::{DocumentBack as Back, DocumentFront as Front, Selfie};

fn status(s: SessionStatus, missing: Vec<ImageType>) -> Input {
    Input::Status(Ok(SessionStatusResponse {
        status: s,
        recapture_reason: (s == SessionStatus::Recapture).then(|| "poor_image_quality".into()),
        missing_images: missing,
        callback_url: None,
        state: None,
    }))
}

fn uploaded(id: &str, fb: Feedback, complete: bool, missing: Vec<ImageType>) -> Input {
    Input::UploadResult {
        image_id: id.into(),
        result: Ok(AddImagesResponse::new(fb, complete, missing)),
    }
}

fn started(m: &mut Machine) -> Vec<Command> {
    m.handle(Input::Started {
        session_id: "sid".into(),
        required_images: vec![Front, Back, Selfie],
    })
}

fn capture_of(cmds: &[Command]) -> Option<(ImageType, Option<Feedback>)> {
    cmds.iter().find_map(|c| match c {
        Command::Capture {
            image_type,
            guidance,
        } => Some((*image_type, *guidance)),
        _ => None,
    })
}

fn finish_of(cmds: &[Command]) -> Option<Outcome> {
    cmds.iter().find_map(|c| match c {
        Command::Finish(o) => Some(*o),
        _ => None,
    })
}

#[test]
fn a_full_session_follows_missing_images_to_complete() {
    let (mut m, _) = Machine::new(Config::default());
    let c = started(&mut m);
    assert_eq!(capture_of(&c), Some((Front, None)));
    let c = m.handle(Input::Captured {
        image_type: Front,
        image_id: "f1".into(),
    });
    assert_eq!(
        c,
        vec![Command::Upload {
            image_type: Front,
            image_id: "f1".into()
        }]
    );
    let c = m.handle(uploaded("f1", Feedback::Ok, false, vec![Back, Selfie]));
    assert!(c.contains(&Command::Release {
        image_id: "f1".into()
    }));
    assert_eq!(capture_of(&c), Some((Back, None)));
    m.handle(Input::Captured {
        image_type: Back,
        image_id: "b1".into(),
    });
    let c = m.handle(uploaded("b1", Feedback::Ok, false, vec![Selfie]));
    assert_eq!(capture_of(&c), Some((Selfie, None)));
    m.handle(Input::Captured {
        image_type: Selfie,
        image_id: "s1".into(),
    });
    let c = m.handle(uploaded("s1", Feedback::Ok, true, vec![]));
    assert!(c.contains(&Command::PollStatus) && c.contains(&Command::Emit(Event::Processing)));
    let c = m.handle(status(SessionStatus::Processing, vec![]));
    assert!(matches!(c[..], [Command::Wait { .. }]));
    assert_eq!(m.handle(Input::TimerFired), vec![Command::PollStatus]);
    let c = m.handle(status(SessionStatus::Complete, vec![]));
    assert_eq!(finish_of(&c), Some(Outcome::Complete));
    assert!(m.is_done());
}

#[test]
fn a_server_blur_recaptures_that_type_with_the_code_as_guidance() {
    let (mut m, _) = Machine::new(Config::default());
    started(&mut m);
    m.handle(Input::Captured {
        image_type: Front,
        image_id: "f1".into(),
    });
    let c = m.handle(uploaded(
        "f1",
        Feedback::Blur,
        false,
        vec![Front, Back, Selfie],
    ));
    assert_eq!(capture_of(&c), Some((Front, Some(Feedback::Blur))));
}

#[test]
fn transient_failures_retry_the_same_image_id_with_growing_waits() {
    let (mut m, _) = Machine::new(Config::default());
    started(&mut m);
    m.handle(Input::Captured {
        image_type: Front,
        image_id: "f1".into(),
    });
    let mut waits = Vec::new();
    for err in [ApiError::Http { status: 503 }, ApiError::Network] {
        let c = m.handle(Input::UploadResult {
            image_id: "f1".into(),
            result: Err(err),
        });
        match c[..] {
            [Command::Wait { ms }] => waits.push(ms),
            _ => panic!("expected a wait, got {c:?}"),
        }
        let c = m.handle(Input::TimerFired);
        assert_eq!(
            c,
            vec![Command::Upload {
                image_type: Front,
                image_id: "f1".into()
            }]
        );
    }
    assert!(
        waits[0] >= 250 && waits[0] <= 500 && waits[1] >= 500 && waits[1] <= 1000,
        "{waits:?}"
    );
    let c = m.handle(uploaded("f1", Feedback::Ok, false, vec![Back, Selfie]));
    assert_eq!(capture_of(&c), Some((Back, None)));
}

#[test]
fn retries_resend_the_same_image_and_are_bounded() {
    // A lost answer, and a garbled one (not the documented JSON): neither says whether the image
    // was stored, so both re-send it under its id until the budget runs out.
    for (err, code) in [
        (ApiError::Network, ErrorCode::Network),
        (ApiError::Decode, ErrorCode::InvalidResponse),
    ] {
        let (mut m, _) = Machine::new(Config::default());
        started(&mut m);
        m.handle(Input::Captured {
            image_type: Front,
            image_id: "f1".into(),
        });
        let mut out = Vec::new();
        let mut sends = 1;
        for _ in 0..10 {
            out = m.handle(Input::UploadResult {
                image_id: "f1".into(),
                result: Err(err.clone()),
            });
            // Kept until the end: a failed answer is no acknowledgement.
            assert!(
                !out.iter().any(|c| matches!(c, Command::Release { .. })),
                "{out:?}"
            );
            if m.is_done() {
                break;
            }
            let c = m.handle(Input::TimerFired);
            assert_eq!(
                c,
                vec![Command::Upload {
                    image_type: Front,
                    image_id: "f1".into()
                }]
            );
            sends += 1;
        }
        assert_eq!(sends, Config::default().max_upload_attempts, "{err:?}");
        assert_eq!(finish_of(&out), Some(Outcome::Failed(code)));
    }
}

#[test]
fn a_start_lost_to_the_network_is_sent_again_and_bounded() {
    let (mut m, first) = Machine::new(Config::default());
    assert_eq!(first, vec![Command::Start]);
    // Network, 503, 429: each a wait, then the same start again.
    for e in [
        ApiError::Network,
        ApiError::Http { status: 503 },
        ApiError::Http { status: 429 },
    ] {
        let c = m.handle(Input::StartFailed(e));
        assert!(matches!(c.as_slice(), [Command::Wait { .. }]), "{c:?}");
        assert_eq!(m.handle(Input::TimerFired), vec![Command::Start]);
    }
    // The budget is the upload's: the fourth failure ends the session as a network failure.
    let c = m.handle(Input::StartFailed(ApiError::Network));
    assert_eq!(finish_of(&c), Some(Outcome::Failed(ErrorCode::Network)));

    // A retry that succeeds carries on as if the first had.
    let (mut m, _) = Machine::new(Config::default());
    m.handle(Input::StartFailed(ApiError::Network));
    m.handle(Input::TimerFired);
    let c = started(&mut m);
    assert_eq!(capture_of(&c), Some((Front, None)));
}

#[test]
fn errors_map_to_typed_codes() {
    let (mut m, _) = Machine::new(Config::default());
    let c = m.handle(Input::StartFailed(ApiError::Http { status: 401 }));
    assert_eq!(
        finish_of(&c),
        Some(Outcome::Failed(ErrorCode::TokenInvalid))
    );
    let (mut m, _) = Machine::new(Config::default());
    started(&mut m);
    m.handle(Input::Captured {
        image_type: Front,
        image_id: "f1".into(),
    });
    let c = m.handle(Input::UploadResult {
        image_id: "f1".into(),
        result: Err(ApiError::Http { status: 404 }),
    });
    assert_eq!(
        finish_of(&c),
        Some(Outcome::Failed(ErrorCode::SessionNotFound))
    );
}

#[test]
fn recapture_rounds_capture_the_listed_types_again_and_are_bounded() {
    let config = Config {
        max_recapture_rounds: 1,
        ..Config::default()
    };
    let (mut m, _) = Machine::new(config);
    started(&mut m);
    m.handle(Input::Captured {
        image_type: Front,
        image_id: "f1".into(),
    });
    m.handle(uploaded("f1", Feedback::Ok, true, vec![]));
    let c = m.handle(status(SessionStatus::Recapture, vec![Selfie]));
    assert_eq!(capture_of(&c), Some((Selfie, None)));
    m.handle(Input::Captured {
        image_type: Selfie,
        image_id: "s2".into(),
    });
    m.handle(uploaded("s2", Feedback::Ok, true, vec![]));
    let c = m.handle(status(SessionStatus::Recapture, vec![Selfie]));
    assert_eq!(finish_of(&c), Some(Outcome::RecaptureLimit));
}

#[test]
fn inputs_that_do_not_fit_are_ignored() {
    let (mut m, _) = Machine::new(Config::default());
    started(&mut m);
    // A capture of a type that is not the one asked for never turns into an upload.
    assert!(m
        .handle(Input::Captured {
            image_type: Selfie,
            image_id: "x".into()
        })
        .is_empty());
    m.handle(Input::Captured {
        image_type: Front,
        image_id: "f1".into(),
    });
    // A late answer for another image id is not taken for this one.
    assert!(m
        .handle(uploaded("old", Feedback::Ok, true, vec![]))
        .is_empty());
    assert!(!m.is_done());
}

/// A seeded fake server and shell: random feedback, transient faults and statuses. Whatever
/// the schedule, the machine only uploads missing types, never sends two images under one id,
/// and always finishes.
#[test]
fn any_schedule_ends_and_keeps_the_upload_rules() {
    for seed in 0..300u64 {
        let mut rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let (mut m, mut cmds) = Machine::new(Config {
            jitter_seed: seed,
            ..Config::default()
        });
        let mut server_missing = vec![Front, Back, Selfie];
        let mut ids: std::collections::HashMap<String, ImageType> = Default::default();
        let mut counter = 0;
        let mut steps = 0;
        while !m.is_done() {
            steps += 1;
            assert!(steps < 10_000, "seed {seed}: no end");
            let mut inputs = Vec::new();
            for c in cmds.drain(..) {
                match c {
                    Command::Start => inputs.push(Input::Started {
                        session_id: "s".into(),
                        required_images: server_missing.clone(),
                    }),
                    Command::Capture { image_type, .. } => {
                        counter += 1;
                        let id = format!("img{counter}");
                        ids.insert(id.clone(), image_type);
                        inputs.push(Input::Captured {
                            image_type,
                            image_id: id,
                        });
                    }
                    Command::Upload {
                        image_type,
                        image_id,
                    } => {
                        assert_eq!(
                            ids.get(&image_id),
                            Some(&image_type),
                            "seed {seed}: one id, one image"
                        );
                        assert!(
                            server_missing.contains(&image_type),
                            "seed {seed}: uploaded {image_type} not missing"
                        );
                        let result = match next(10) {
                            0 => Err(ApiError::Network),
                            1 => Err(ApiError::Http { status: 503 }),
                            2 => Ok(AddImagesResponse::new(
                                Feedback::Blur,
                                false,
                                server_missing.clone(),
                            )),
                            _ => {
                                server_missing.retain(|t| *t != image_type);
                                Ok(AddImagesResponse::new(
                                    Feedback::Ok,
                                    server_missing.is_empty(),
                                    server_missing.clone(),
                                ))
                            }
                        };
                        inputs.push(Input::UploadResult { image_id, result });
                    }
                    Command::PollStatus => {
                        let s = match next(8) {
                            0 => Err(ApiError::Network),
                            1 if server_missing.is_empty() => {
                                server_missing = vec![Selfie];
                                Ok(SessionStatus::Recapture)
                            }
                            2 | 3 => Ok(SessionStatus::Processing),
                            _ => Ok(SessionStatus::Complete),
                        };
                        inputs.push(match s {
                            Ok(st) => status(st, server_missing.clone()),
                            Err(e) => Input::Status(Err(e)),
                        });
                    }
                    Command::Wait { ms } => {
                        assert!(ms <= 8000, "seed {seed}: wait {ms} ms");
                        inputs.push(Input::TimerFired);
                    }
                    Command::Release { .. } | Command::Emit(_) | Command::Finish(_) => {}
                }
            }
            for i in inputs {
                cmds.extend(m.handle(i));
            }
        }
    }
}

/// Found by `properties::prop_ends_once_within_the_bound` (shrunk: required `[document_front]`,
/// every upload answered `{feedback: ok, complete: false, missing_images: [document_front]}`):
/// a server that keeps listing the type just uploaded kept the machine capturing and uploading
/// it forever. A retake on feedback, or after a 400, looped the same way. Each type is now
/// captured at most `max_captures_per_image` times in a round, then the session ends.
#[test]
fn a_server_that_keeps_asking_for_one_type_ends_at_the_capture_bound() {
    let answers = [
        Ok(AddImagesResponse::new(Feedback::Ok, false, vec![Front])),
        Ok(AddImagesResponse::new(Feedback::Blur, false, vec![Front])),
        Err(ApiError::Http { status: 400 }),
    ];
    for answer in answers {
        let config = Config::default();
        let (mut m, _) = Machine::new(config);
        let mut cmds = m.handle(Input::Started {
            session_id: "sid".into(),
            required_images: vec![Front],
        });
        let mut captures = 0;
        for n in 0.. {
            assert!(n < 100, "{answer:?}: no end");
            if let Some(outcome) = finish_of(&cmds) {
                assert_eq!(outcome, Outcome::RecaptureLimit, "{answer:?}");
                // No `error {recoverable: true}` (as after a 400) just before the end.
                assert!(
                    !cmds
                        .iter()
                        .any(|c| matches!(c, Command::Emit(Event::Error { .. }))),
                    "{answer:?}: {cmds:?}"
                );
                break;
            }
            assert_eq!(capture_of(&cmds).map(|(t, _)| t), Some(Front), "{cmds:?}");
            captures += 1;
            let id = format!("f{n}");
            m.handle(Input::Captured {
                image_type: Front,
                image_id: id.clone(),
            });
            cmds = m.handle(Input::UploadResult {
                image_id: id,
                result: answer.clone(),
            });
        }
        assert_eq!(captures, config.max_captures_per_image, "{answer:?}");
        assert!(m.is_done());
    }
}
