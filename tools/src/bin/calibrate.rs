//! `calibrate [--seed S] [--count N] [--selfies N] [--min-accuracy A]`
//!
//! Runs the pre-check over the generated, labelled fixture set and prints:
//! - for each measure, its ROC AUC and the threshold that maximises balanced accuracy;
//! - the confusion matrix per feedback code, with the thresholds in force and with the chosen ones
//!   (selfies: `face_not_found` and the face-placement codes come from the face detector, which
//!   thresholds do not change; blur and glare are judged where a face was found and placed well);
//! - how well the found outlines match the true card corners.
//!
//! Ambiguous scenes (borderline degradations) are left out, as their label is a matter of taste.
//! With `--min-accuracy`, exits 1 if any code's accuracy with the thresholds in force is lower.

use std::collections::BTreeMap;
use std::process::ExitCode;

use idv_capture::precheck::{Analyzer, Feedback, Frame, ImageType, Scores, Thresholds};
use idv_fixtures::dataset;
use idv_fixtures::labels::Label;
use idv_tools::calibration::{roc, Roc};

struct Record {
    label: Label,
    predicted: Feedback,
    scores: Scores,
    selfie: bool,
    corner_error: Option<f64>,
}

fn main() -> ExitCode {
    let mut seed = 1u64;
    let mut count = 1200usize;
    let mut selfies = 400usize;
    let mut min_accuracy: Option<f64> = None;
    let mut dump: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next();
        if a == "--dump" {
            dump = v.map(Into::into);
            continue;
        }
        let ok = match (a.as_str(), v.as_deref().map(str::parse::<f64>)) {
            ("--seed", Some(Ok(x))) => {
                seed = x as u64;
                true
            }
            ("--count", Some(Ok(x))) => {
                count = x as usize;
                true
            }
            ("--selfies", Some(Ok(x))) => {
                selfies = x as usize;
                true
            }
            ("--min-accuracy", Some(Ok(x))) => {
                min_accuracy = Some(x);
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("usage: calibrate [--seed S] [--count N] [--selfies N] [--min-accuracy 0.97] [--dump DIR]");
            return ExitCode::from(2);
        }
    }

    let thresholds = Thresholds::default();
    let mut analyzer = Analyzer::new(thresholds);
    let mut records = Vec::new();
    let docs = dataset::dataset(seed, count).map(|s| (s, false));
    let faces = dataset::selfie_dataset(seed, selfies).map(|s| (s, true));
    for (i, (scene, selfie)) in docs.chain(faces).enumerate() {
        let img = &scene.image;
        let Ok(frame) = Frame::packed(&img.data, img.width, img.height) else {
            continue;
        };
        analyzer.reset_motion();
        let kind = if selfie {
            ImageType::Selfie
        } else if i % 2 == 0 {
            ImageType::DocumentFront
        } else {
            ImageType::DocumentBack
        };
        let v = analyzer.analyze(frame, kind);
        let corner_error = match (scene.truth.corners, v.scores.quad) {
            (Some(t), Some(q)) => {
                let err = t
                    .iter()
                    .zip(q.0.iter())
                    .map(|(a, b)| {
                        ((a[0] - b.x as f64).powi(2) + (a[1] - b.y as f64).powi(2)).sqrt()
                    })
                    .fold(0.0, f64::max);
                Some(err / scene.truth.long_side.max(1.0))
            }
            _ => None,
        };
        if let Some(dir) = &dump {
            let wrong = scene.truth.label != Label::Ambiguous
                && scene.truth.label.as_str() != v.feedback.as_str();
            if wrong {
                let _ = idv_tools::debug_overlay(dir, i, &scene, &v);
            }
        }
        records.push(Record {
            label: scene.truth.label,
            predicted: v.feedback,
            scores: v.scores,
            selfie,
            corner_error,
        });
    }

    let labelled: Vec<&Record> = records
        .iter()
        .filter(|r| r.label != Label::Ambiguous)
        .collect();
    println!(
        "scenes: {} documents + {} selfies (seed {seed}); {} ambiguous left out",
        count,
        selfies,
        records.len() - labelled.len()
    );

    // ROC per measure, on the scenes where the measure decides.
    let found = |r: &&&Record| !r.selfie && r.predicted != Feedback::DocumentNotFound;
    let face_judged = |r: &&&Record| r.selfie && judged_selfie(r.predicted);
    let blur = roc(labelled
        .iter()
        .filter(found)
        .filter(|r| matches!(r.label, Label::Ok | Label::Blur))
        .map(|r| (-r.scores.sharpness, r.label == Label::Blur)));
    let glare = roc(labelled
        .iter()
        .filter(found)
        .filter(|r| matches!(r.label, Label::Ok | Label::Glare))
        .map(|r| (r.scores.glare, r.label == Label::Glare)));
    let s_blur = roc(labelled
        .iter()
        .filter(face_judged)
        .filter(|r| matches!(r.label, Label::Ok | Label::BlurSelfie))
        .map(|r| (-r.scores.sharpness, r.label == Label::BlurSelfie)));
    let s_glare = roc(labelled
        .iter()
        .filter(face_judged)
        .filter(|r| matches!(r.label, Label::Ok | Label::GlareSelfie))
        .map(|r| (r.scores.glare, r.label == Label::GlareSelfie)));
    println!("\nmeasure                  AUC    best threshold   balanced acc   n");
    let show = |name: &str, r: &Option<Roc>, neg: bool| match r {
        Some(r) => println!(
            "{name:<24} {:.4} {:>12.4}      {:>8.2} %   {}",
            r.auc,
            if neg { -r.threshold } else { r.threshold },
            100.0 * r.balanced_accuracy,
            r.n
        ),
        None => println!("{name:<24} (not enough samples)"),
    };
    show("sharpness (document)", &blur, true);
    show("glare (document)", &glare, false);
    show("sharpness (selfie)", &s_blur, true);
    show("glare (selfie)", &s_glare, false);

    println!("\nmeasure quantiles per label (p5 / p50 / p95), on scenes where it decides:");
    for (name, selfie, get) in [
        (
            "sharpness",
            false,
            (|r: &Record| r.scores.sharpness) as fn(&Record) -> f32,
        ),
        ("glare", false, |r: &Record| r.scores.glare),
        ("sharpness", true, |r: &Record| r.scores.sharpness),
        ("glare", true, |r: &Record| r.scores.glare),
    ] {
        let mut by: BTreeMap<Label, Vec<f32>> = BTreeMap::new();
        for r in labelled.iter().filter(|r| {
            r.selfie == selfie
                && if selfie {
                    judged_selfie(r.predicted)
                } else {
                    r.predicted != Feedback::DocumentNotFound
                }
        }) {
            by.entry(r.label).or_default().push(get(r));
        }
        for (label, mut xs) in by {
            xs.sort_by(f32::total_cmp);
            let q = |p: f64| xs[((xs.len() as f64 * p) as usize).min(xs.len() - 1)];
            let what = if selfie { "selfie" } else { "document" };
            println!(
                "  {name:<10} {what:<9} {:<20} {:.4} / {:.4} / {:.4}  (n={})",
                label.as_str(),
                q(0.05),
                q(0.5),
                q(0.95),
                xs.len()
            );
        }
    }

    let chosen = Thresholds {
        min_sharpness: blur
            .as_ref()
            .map_or(thresholds.min_sharpness, |r| -r.threshold),
        max_glare: glare.as_ref().map_or(thresholds.max_glare, |r| r.threshold),
        min_selfie_sharpness: s_blur
            .as_ref()
            .map_or(thresholds.min_selfie_sharpness, |r| -r.threshold),
        max_selfie_glare: s_glare
            .as_ref()
            .map_or(thresholds.max_selfie_glare, |r| r.threshold),
    };
    println!("\nthresholds in force: {thresholds:?}");
    let worst = confusion(&labelled, |r| r.predicted);
    println!("\nwith the chosen thresholds: {chosen:?}");
    confusion(&labelled, |r| redecide(r, &chosen));

    let mut errs: Vec<f64> = labelled.iter().filter_map(|r| r.corner_error).collect();
    errs.sort_by(f64::total_cmp);
    if !errs.is_empty() {
        let q = |p: f64| errs[((errs.len() as f64 * p) as usize).min(errs.len() - 1)];
        println!(
            "\noutline accuracy (largest corner error / card long side) over {} found cards: median {:.4}, p95 {:.4}",
            errs.len(),
            q(0.5),
            q(0.95)
        );
    }
    match min_accuracy {
        Some(min) if worst < min => {
            println!(
                "\nFAIL: lowest per-code accuracy {:.2} % < {:.2} %",
                100.0 * worst,
                100.0 * min
            );
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

/// A selfie verdict that blur and glare decided: a face was found and placed well.
fn judged_selfie(f: Feedback) -> bool {
    matches!(
        f,
        Feedback::Ok | Feedback::BlurSelfie | Feedback::GlareSelfie
    )
}

/// The decision the analyzer would take with other thresholds, from the recorded scores.
fn redecide(r: &Record, t: &Thresholds) -> Feedback {
    if r.selfie {
        if judged_selfie(r.predicted) {
            t.judge(ImageType::Selfie, &r.scores)
        } else {
            r.predicted
        }
    } else if r.predicted == Feedback::DocumentNotFound {
        Feedback::DocumentNotFound
    } else {
        t.judge(ImageType::DocumentFront, &r.scores)
    }
}

/// Prints the confusion matrix (rows: label, columns: prediction) and per-code accuracy;
/// returns the lowest per-code accuracy.
fn confusion(records: &[&Record], predict: impl Fn(&Record) -> Feedback) -> f64 {
    let mut m: BTreeMap<Label, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for r in records {
        *m.entry(r.label)
            .or_default()
            .entry(predict(r).as_str())
            .or_default() += 1;
    }
    // The usual codes, then any other predicted (face placement codes).
    let mut cols = vec![
        "ok",
        "blur",
        "glare",
        "document_not_found",
        "blur_selfie",
        "glare_selfie",
        "face_not_found",
        "multi_face",
    ];
    for r in records {
        let p = predict(r).as_str();
        if !cols.contains(&p) {
            cols.push(p);
        }
    }
    print!("{:<20}", "label \\ predicted");
    for c in &cols {
        print!("{c:>21}");
    }
    println!("{:>10}", "accuracy");
    let mut worst = 1.0f64;
    for (label, row) in &m {
        let total: usize = row.values().sum();
        let right = row.get(label.as_str()).copied().unwrap_or(0);
        let acc = right as f64 / total.max(1) as f64;
        worst = worst.min(acc);
        print!("{:<20}", label.as_str());
        for c in &cols {
            print!("{:>21}", row.get(c).copied().unwrap_or(0));
        }
        println!("{:>9.2}%", 100.0 * acc);
    }
    worst
}
