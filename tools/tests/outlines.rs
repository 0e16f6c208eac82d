//! Outlines on generated scenes whose true corners are known: a card-like rectangle inside a card
//! (its photo box, a block of print) is not taken for the card.

use idv_capture::precheck::{Analyzer, Frame, ImageType, Thresholds};
use idv_fixtures::dataset;

/// The largest distance from a true corner to the found one, over the card's long side.
fn corner_error(seed: u64, index: usize) -> f64 {
    let s = dataset::scene(seed, index);
    let img = &s.image;
    let frame = Frame::packed(&img.data, img.width, img.height).unwrap();
    let v = Analyzer::new(Thresholds::default()).analyze(frame, ImageType::DocumentFront);
    let (truth, found) = (s.truth.corners.unwrap(), v.scores.quad.unwrap());
    truth
        .iter()
        .zip(found.0.iter())
        .map(|(t, f)| (t[0] - f.x as f64).hypot(t[1] - f.y as f64))
        .fold(0.0, f64::max)
        / s.truth.long_side
}

#[test]
fn a_photo_box_is_not_taken_for_the_card() {
    // Cards whose photo box is a clear card-shaped rectangle on the half plane, where a faint side
    // of the card itself does not show: the box's outline used to win (corner errors 0.6-0.8).
    // The card is found on the quarter plane instead, located to about a tenth of its length.
    for (seed, index) in [(3, 13), (3, 497)] {
        let e = corner_error(seed, index);
        assert!(e < 0.2, "seed {seed} scene {index}: corner error {e:.3}");
    }
}

#[test]
fn a_part_of_a_cut_card_is_refused_once_its_sides_are_refined() {
    // Cards the frame cuts by about a fifth of their length (`make calibrate`'s default set,
    // scene 452; seed 41, scene 378). The best candidate is a part of the card bounded by its
    // photo box and print; its Hough lines pass as a whole outline, but refined onto their edge
    // points, a side goes on past a corner as the card's own edge, up to the frame's border,
    // with card on one side and table on the other all the way.
    for (seed, index) in [(1, 452), (41, 378)] {
        let s = dataset::scene(seed, index);
        assert_eq!(s.truth.label.as_str(), "document_not_found");
        let img = &s.image;
        let frame = Frame::packed(&img.data, img.width, img.height).unwrap();
        let v = Analyzer::new(Thresholds::default()).analyze(frame, ImageType::DocumentFront);
        assert_eq!(
            v.feedback.as_str(),
            "document_not_found",
            "seed {seed} scene {index} ({}): outline {:?}",
            s.truth.reasons.join("; "),
            v.scores.quad
        );
    }
}
