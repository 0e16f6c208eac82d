//! `device_info` from what the browser tells about itself, without fingerprinting beyond what
//! the API asks for: browser, OS, and camera labels.

use crate::protocol::{DeviceCameraInfoDto, DeviceInfoDto};
use crate::text::{contains, find};

/// What the shell reads from `navigator` (`userAgentData` when the browser has it, else the
/// user-agent string) and `enumerateDevices()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceFacts {
    pub user_agent: String,
    /// `navigator.userAgentData.platform`, when available.
    pub platform: Option<String>,
    /// `navigator.userAgentData.mobile`, when available.
    pub mobile: Option<bool>,
    pub used_camera: Option<String>,
    pub cameras: Vec<String>,
}

/// Builds the API's `device_info`.
///
/// ```
/// use idv_capture::upload::{device_info, DeviceFacts};
/// let ua = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
/// let d = device_info(&DeviceFacts { user_agent: ua.into(), ..Default::default() });
/// assert_eq!(d.browser.as_deref(), Some("Chrome"));
/// assert_eq!(d.browser_version.as_deref(), Some("131.0.0.0"));
/// assert_eq!(d.os.as_deref(), Some("Android"));
/// assert_eq!(d.os_version.as_deref(), Some("14"));
/// assert_eq!(d.device_type.as_deref(), Some("mobile"));
/// ```
pub fn device_info(f: &DeviceFacts) -> DeviceInfoDto {
    let ua = f.user_agent.as_str();
    let (browser, browser_version) = browser_of(ua);
    let (os, os_version) = os_of(ua);
    let os = f.platform.clone().filter(|p| !p.is_empty()).or(os);
    let mobile = f.mobile.unwrap_or_else(|| {
        contains(ua, "Mobile") || contains(ua, "Android") || contains(ua, "iPhone")
    });
    let label = |l: &String| DeviceCameraInfoDto {
        label: (!l.is_empty()).then(|| l.clone()),
    };
    DeviceInfoDto {
        device_type: Some(if mobile { "mobile" } else { "desktop" }.to_string()),
        os,
        os_version,
        browser,
        browser_version,
        used_camera: f.used_camera.as_ref().map(label),
        cameras: (!f.cameras.is_empty()).then(|| f.cameras.iter().map(label).collect()),
        ..DeviceInfoDto::default()
    }
}

/// The version that follows `token/` in `ua`.
fn version_after(ua: &str, token: &str) -> Option<String> {
    let start = find(ua, token)? + token.len();
    let v: String = ua[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_')
        .collect();
    (!v.is_empty()).then(|| v.replace('_', "."))
}

fn browser_of(ua: &str) -> (Option<String>, Option<String>) {
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    for (token, name) in [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ] {
        if let Some(v) = version_after(ua, token) {
            return (Some(name.to_string()), Some(v));
        }
    }
    (None, None)
}

fn os_of(ua: &str) -> (Option<String>, Option<String>) {
    if contains(ua, "Android") {
        return (Some("Android".into()), version_after(ua, "Android "));
    }
    if contains(ua, "iPhone") || contains(ua, "iPad") {
        return (Some("iOS".into()), version_after(ua, "OS "));
    }
    if contains(ua, "Windows") {
        return (Some("Windows".into()), version_after(ua, "Windows NT "));
    }
    if contains(ua, "Mac OS X") {
        return (Some("macOS".into()), version_after(ua, "Mac OS X "));
    }
    if contains(ua, "CrOS") {
        return (Some("ChromeOS".into()), None);
    }
    if contains(ua, "Linux") {
        return (Some("Linux".into()), None);
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_and_ios_user_agents() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
        let d = device_info(&DeviceFacts {
            user_agent: ua.into(),
            used_camera: Some("fake_device_0".into()),
            cameras: vec!["fake_device_0".into(), String::new()],
            ..Default::default()
        });
        assert_eq!(d.browser.as_deref(), Some("Chrome"));
        assert_eq!(d.os.as_deref(), Some("Linux"));
        assert_eq!(d.device_type.as_deref(), Some("desktop"));
        assert_eq!(d.cameras.as_ref().map(Vec::len), Some(2));
        assert_eq!(d.cameras.unwrap()[1].label, None);
        let ios = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        let d = device_info(&DeviceFacts {
            user_agent: ios.into(),
            ..Default::default()
        });
        assert_eq!(
            (d.os.as_deref(), d.os_version.as_deref()),
            (Some("iOS"), Some("17.4"))
        );
        assert_eq!(d.browser.as_deref(), Some("Safari"));
    }

    #[test]
    fn garbage_gives_nothing_rather_than_guesses() {
        let d = device_info(&DeviceFacts {
            user_agent: "\u{0}??".into(),
            ..Default::default()
        });
        assert_eq!((d.browser, d.os), (None, None));
    }
}
