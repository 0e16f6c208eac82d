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
