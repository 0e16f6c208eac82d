//! The `precheck` CLI over real files: JPEG and PNG scenes from the generator, a corrupt JPEG and
//! a text file. One JSON line per file, errors reported and processing continued, exit status 1.

use std::process::Command;

use idv_fixtures::dataset;
use idv_fixtures::labels::Label;

fn write_scene(dir: &std::path::Path, name: &str, index: usize) -> Label {
    let scene = dataset::scene(7, index);
    let img = image::RgbaImage::from_raw(
        scene.image.width,
        scene.image.height,
        scene.image.data.clone(),
    )
    .unwrap();
    let path = dir.join(name);
    if name.ends_with(".jpg") {
        image::DynamicImage::ImageRgba8(img)
            .to_rgb8()
            .save(&path)
            .unwrap();
    } else {
        img.save(&path).unwrap();
    }
    scene.truth.label
}

#[test]
fn prints_a_json_line_per_file_and_fails_at_the_end_on_bad_files() {
    let dir = std::env::temp_dir().join(format!("precheck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    write_scene(&dir, "a.jpg", 0);
    write_scene(&dir, "b.png", 1);
    std::fs::write(
        dir.join("corrupt.jpg"),
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1],
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not an image").unwrap();

    let files = ["a.jpg", "corrupt.jpg", "b.png", "notes.txt"];
    let out = Command::new(env!("CARGO_BIN_EXE_precheck"))
        .args(["--type", "document_front"])
        .args(files.iter().map(|f| dir.join(f)))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "bad files must make the exit status non-zero"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        4,
        "one line per file, in order, even after an error"
    );
    for (line, name) in lines.iter().zip(files) {
        assert!(line["file"].as_str().unwrap().ends_with(name));
    }
    for good in [&lines[0], &lines[2]] {
        assert!(good.get("error").is_none(), "{good}");
        let fb = good["feedback"].as_str().unwrap();
        assert!(
            idv_capture::protocol::Feedback::parse(fb).as_str() == fb,
            "{fb} is a server code"
        );
        assert!(good["hints"].is_array());
        let s = &good["scores"];
        for k in ["sharpness", "glare", "brightness", "coverage"] {
            assert!(s[k].is_number(), "scores.{k} missing in {s}");
        }
    }
    assert!(
        lines[1]["error"].as_str().unwrap().contains("decode"),
        "{}",
        lines[1]
    );
    assert!(
        lines[3]["error"].as_str().unwrap().contains("JPEG or PNG"),
        "{}",
        lines[3]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn refuses_an_unknown_type_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_precheck"))
        .args(["--type", "passport", "x.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown image type"));
}
