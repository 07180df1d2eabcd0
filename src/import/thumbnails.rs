//! Paper images found by an importer (Hugging Face's daily papers give one per paper),
//! downloaded at import time into `static/thumbnails/<id>.<ext>`, so that pages never load images
//! from other hosts. A downloaded image is untrusted input: its size is capped, only PNG, JPEG,
//! WebP and GIF are kept (recognised by their first bytes, whatever the server says; SVG, which
//! can hold script, never), and it is written through a temporary file.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

/// The largest image kept.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;

/// The extension of an image format kept, from the file's first bytes.
pub fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("jpg"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("webp"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("gif"),
        _ => None,
    }
}

/// Downloads `url` into `static_dir/thumbnails/<name>.<ext>`; returns the path under `static/`,
/// or why it was not kept.
pub fn download(
    url: &str,
    static_dir: &Path,
    name: &str,
    timeout: Duration,
) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(3)
        .user_agent(concat!(
            "digestif/",
            env!("CARGO_PKG_VERSION"),
            " (paper digest importer)"
        ))
        .build()
        .into();
    let response = agent.get(url).call().map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(format!("{url}: the server answered {status}"));
    }
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{url}: {e}"))?;
    save(&bytes, url, static_dir, name)
}

/// Keeps `bytes` (downloaded from `url`) as the image `name`, when they are one worth keeping.
pub fn save(bytes: &[u8], url: &str, static_dir: &Path, name: &str) -> Result<String, String> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!(
            "{url}: more than {} MB, not kept",
            MAX_BYTES / (1024 * 1024)
        ));
    }
    let extension = image_extension(bytes)
        .ok_or_else(|| format!("{url}: not a PNG, JPEG, WebP or GIF image, not kept"))?;
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let relative = format!("thumbnails/{safe_name}.{extension}");
    let folder = static_dir.join("thumbnails");
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let mut file = tempfile::NamedTempFile::new_in(&folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| format!("{relative}: {e}"))?;
    file.persist(static_dir.join(&relative))
        .map_err(|e| format!("{relative}: {}", e.error))?;
    Ok(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_raster_images_within_the_cap_are_kept() {
        let site = tempfile::tempdir().unwrap();
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(
            save(&png, "u", site.path(), "2403.00001").unwrap(),
            "thumbnails/2403.00001.png"
        );
        assert!(site.path().join("thumbnails/2403.00001.png").is_file());
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
        assert!(
            save(svg, "u", site.path(), "x")
                .unwrap_err()
                .contains("not a PNG")
        );
        let mut huge = png.to_vec();
        huge.resize(MAX_BYTES as usize + 1, 0);
        assert!(
            save(&huge, "u", site.path(), "y")
                .unwrap_err()
                .contains("more than 2 MB")
        );
        assert_eq!(
            save(&png, "u", site.path(), "../../etc").unwrap(),
            "thumbnails/..-..-etc.png"
        );
    }
}
