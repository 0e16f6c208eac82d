//! Which camera to open and at what resolution. Pure: the browser shell lists the devices and
//! applies the constraints (`src/web/camera.rs`).

use crate::protocol::ImageType;
use crate::text::contains;

/// Resolution asked for: `ideal`, never `exact`, so a device that cannot give it still opens.
pub const IDEAL_WIDTH: u32 = 1920;
pub const IDEAL_HEIGHT: u32 = 1080;
/// The smallest stream worth using: below it no capture can reach the API's 640x480 minimum.
pub const MIN_WIDTH: u32 = 640;
pub const MIN_HEIGHT: u32 = 480;
/// Width of the frames the pre-check analyses, whatever the camera gives.
pub const ANALYSIS_WIDTH: u32 = 640;

/// Which way the camera looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facing {
    /// The rear camera, for documents.
    Environment,
    /// The front camera, for the selfie.
    User,
}

impl Facing {
    pub fn for_image(t: ImageType) -> Facing {
        if t.is_document() {
            Facing::Environment
        } else {
            Facing::User
        }
    }

    /// The `facingMode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Facing::Environment => "environment",
            Facing::User => "user",
        }
    }
}

/// A video input as `enumerateDevices()` and `getCapabilities()` describe it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CameraInfo {
    pub device_id: String,
    pub label: String,
    /// `facingMode` from the track's capabilities, when known.
    pub facing: Option<String>,
    /// Whether the camera has a torch, when known.
    pub torch: Option<bool>,
}

/// The camera a user would expect for `facing`, or `None` to let the browser choose by
/// `facingMode`. Phones list several rear cameras; the ultra-wide and telephoto ones distort or
/// cannot focus at card distance, and the main one is usually the one with the torch.
///
/// ```
/// use idv_capture::camera::{choose, CameraInfo, Facing};
/// let cams: Vec<CameraInfo> = ["Front Camera", "Back Ultra Wide Camera", "Back Camera", "Back Telephoto Camera"]
///     .iter().map(|l| CameraInfo { label: l.to_string(), ..Default::default() }).collect();
/// assert_eq!(choose(&cams, Facing::Environment), Some(2));
/// ```
pub fn choose(cams: &[CameraInfo], facing: Facing) -> Option<usize> {
    let score = |c: &CameraInfo| -> Option<i32> {
        let l = c.label.to_ascii_lowercase();
        let rear_label = ["back", "rear", "environment", "world"]
            .iter()
            .any(|w| contains(&l, w));
        let front_label = ["front", "user", "facetime", "selfie"]
            .iter()
            .any(|w| contains(&l, w));
        let looks = match c.facing.as_deref() {
            Some("environment") => Facing::Environment,
            Some("user") => Facing::User,
            _ if rear_label => Facing::Environment,
            _ if front_label => Facing::User,
            _ => return None,
        };
        if looks != facing {
            return None;
        }
        let mut s = 10;
        if [
            "ultra",
            "wide",
            "tele",
            "macro",
            "depth",
            "infrared",
            "ir camera",
        ]
        .iter()
        .any(|w| contains(&l, w))
        {
            s -= 8;
        }
        if c.torch == Some(true) {
            s += 3;
        }
        // Android names its main cameras "camera2 0" (rear) and "camera2 1" (front).
        if contains(&l, "camera2 0") || contains(&l, "camera 0") {
            s += 2;
        }
        Some(s)
    };
    cams.iter()
        .enumerate()
        .filter_map(|(i, c)| score(c).map(|s| (i, s)))
        .max_by_key(|&(i, s)| (s, std::cmp::Reverse(i)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam(label: &str, facing: Option<&str>, torch: Option<bool>) -> CameraInfo {
        CameraInfo {
            device_id: label.into(),
            label: label.into(),
            facing: facing.map(str::to_string),
            torch,
        }
    }

    #[test]
    fn android_main_rear_camera_wins_over_the_others() {
        let cams = [
            cam("camera2 1, facing front", None, None),
            cam("camera2 2, facing back", None, None),
            cam("camera2 0, facing back", None, Some(true)),
        ];
        assert_eq!(choose(&cams, Facing::Environment), Some(2));
        assert_eq!(choose(&cams, Facing::User), Some(0));
    }

    #[test]
    fn unknown_labels_leave_the_choice_to_facing_mode() {
        let cams = [
            cam("", None, None),
            cam("USB Camera (046d:0825)", None, None),
        ];
        assert_eq!(choose(&cams, Facing::Environment), None);
        assert_eq!(choose(&[], Facing::User), None);
    }
}
