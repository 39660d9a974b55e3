//! Randomness from the browser's cryptographic generator: ids and signing secrets.

/// `N` random bytes from `crypto.getRandomValues`.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let crypto = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .expect("the browser has Web Crypto");
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .expect("getRandomValues fills up to 65536 bytes");
    bytes
}

/// A new unique id such as `wh_3f9c…`: 96 random bits, never reused.
pub fn new_id(prefix: &str) -> String {
    let hex: String = random_bytes::<12>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("{prefix}_{hex}")
}
