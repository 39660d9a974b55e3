//! Moving a file in or out of the page: downloading an export, reading a chosen file.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Offers `text` as a download named `file_name`.
pub fn download(file_name: &str, text: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("no document")?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot build the file")?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot offer the file")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "cannot offer the file")?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The click has started the download; the object URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The text of the first file chosen in a file input, as UTF-8.
pub async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<Result<String, String>> {
    let file = input.files()?.get(0)?;
    let text = match JsFuture::from(file.text()).await {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| "the file is not text".to_string()),
        Err(_) => Err("the file could not be read".to_string()),
    };
    Some(text)
}

/// Today's date as `YYYY-MM-DD`, for file names.
pub fn today() -> String {
    let date = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}
