//! Substring search for the few short strings the package looks into (user agents, camera
//! labels). A plain scan over byte windows: `str::find` and `str::contains` with a `&str`
//! pattern bring core's two-way searcher into the wasm, which is far larger than this and buys
//! nothing on strings of a few hundred bytes.

/// The byte offset of the first `needle` in `hay`.
///
/// ```
/// use idv_capture::text::find;
/// assert_eq!(find("Mozilla/5.0 (Linux; Android 14)", "Android"), Some(20));
/// assert_eq!(find("iPhone", "Android"), None);
/// assert_eq!(find("And", "Android"), None);
/// ```
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len().max(1))
        .position(|w| w == needle.as_bytes())
}

/// Whether `hay` holds `needle`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}
