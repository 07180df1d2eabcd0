//! One image's bytes to its card-sized JPEG versions: pure functions, no files.
//!
//! The bytes are untrusted (an importer downloaded them, issue 18): only PNG, JPEG, WebP and GIF
//! are decoded, recognised by their first bytes; the decoder refuses a picture wider or taller
//! than [`MAX_SIDE`] from its header, before it allocates anything for the pixels, and holds at
//! most [`MAX_ALLOC`] bytes. A decoded picture is turned as its EXIF orientation says (phone
//! photos are stored sideways), laid over white where it is transparent (JPEG has no alpha, and
//! resizing unmultiplied alpha would darken the edges), cropped to a square for photos, and
//! resized for each [`Shape`]: once at the 1× size, and at twice that when the source has the
//! pixels for it (never enlarged).

use std::io::Cursor;
use std::sync::Arc;

use fast_image_resize as fir;
use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, Limits, RgbImage};

use crate::import::thumbnails::image_extension;

/// The largest input read, the importer's cap.
pub const MAX_BYTES: u64 = crate::import::thumbnails::MAX_BYTES;
/// The widest and tallest picture decoded, in pixels.
pub const MAX_SIDE: u32 = 4096;
/// What the decoder may hold at once: a [`MAX_SIDE`]² picture of 8-bit RGBA (64 MiB) and its
/// working buffers.
pub const MAX_ALLOC: u64 = 128 * 1024 * 1024;
/// JPEG quality of every version: small files for photos and figures alike at card size.
const QUALITY: u8 = 82;

/// How a page shows an image: the box it is drawn in, in CSS pixels, and whether it is cropped to
/// fill the box or shrunk to fit inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// A paper's thumbnail on its card: fits in 160×90, uncropped (figures must stay whole).
    Card,
    /// A person's photo in a list: a 96×96 square.
    PhotoSmall,
    /// A person's photo on their page: a 128×128 square.
    Photo,
}

impl Shape {
    /// The box, at 1×.
    pub fn size(self) -> (u32, u32) {
        match self {
            Shape::Card => (160, 90),
            Shape::PhotoSmall => (96, 96),
            Shape::Photo => (128, 128),
        }
    }

    fn is_square(self) -> bool {
        !matches!(self, Shape::Card)
    }
}

/// One encoded version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    /// Shared with the files to write, which are made from the cache on every build.
    pub bytes: Arc<[u8]>,
}

/// An image made for one shape: its 1× version and, when the source is large enough, its 2×.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    pub one: Encoded,
    pub two: Option<Encoded>,
}

/// Decodes `bytes` within the limits, turned upright and laid over white.
pub fn decode(bytes: &[u8]) -> Result<RgbImage, String> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!(
            "it is larger than {} MB",
            MAX_BYTES / (1024 * 1024)
        ));
    }
    let format = match image_extension(bytes) {
        Some("png") => ImageFormat::Png,
        Some("jpg") => ImageFormat::Jpeg,
        Some("webp") => ImageFormat::WebP,
        Some("gif") => ImageFormat::Gif,
        _ if looks_like_svg(bytes) => {
            return Err("it is an SVG image, which can hold script: only PNG, JPEG, WebP and GIF images are used".into());
        }
        _ => return Err("it is not a PNG, JPEG, WebP or GIF image".into()),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| why(&e))?;
    // `ImageReader::decode` counts the picture against the allocation limit; going through the
    // decoder (for the orientation) means counting it here.
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(format!(
            "it would take more than {} MB to decode",
            MAX_ALLOC / (1024 * 1024)
        ));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| why(&e))?;
    picture.apply_orientation(orientation);
    Ok(over_white(picture))
}

/// The decoder's error in words, with the limit named when that was it.
fn why(error: &image::ImageError) -> String {
    use image::error::LimitErrorKind;
    match error {
        image::ImageError::Limits(limit) => match limit.kind() {
            LimitErrorKind::DimensionError => {
                format!("it is larger than {MAX_SIDE}×{MAX_SIDE} pixels")
            }
            _ => format!(
                "it would take more than {} MB to decode",
                MAX_ALLOC / (1024 * 1024)
            ),
        },
        other => format!("it could not be decoded: {other}"),
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let start = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(start).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('<') && text.contains("<svg")
}

/// The picture as RGB, transparent parts laid over white.
fn over_white(picture: DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    let (width, height) = rgba.dimensions();
    let mut rgb = RgbImage::new(width, height);
    for (out, pixel) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = pixel.0;
        let a = u32::from(a);
        let blend = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        out.0 = [blend(r), blend(g), blend(b)];
    }
    rgb
}

/// The 1× size of a `width`×`height` source drawn as `shape`: the box, or less when the source
/// (or its square) is smaller.
pub fn size_at_1x(width: u32, height: u32, shape: Shape) -> (u32, u32) {
    let (box_w, box_h) = shape.size();
    if shape.is_square() {
        let side = width.min(height).min(box_w);
        return (side, side);
    }
    if width <= box_w && height <= box_h {
        return (width.max(1), height.max(1));
    }
    // Fit inside the box: the tighter of the two ratios, in integers so every platform agrees.
    let (w, h) = (u64::from(width), u64::from(height));
    let (bw, bh) = (u64::from(box_w), u64::from(box_h));
    if w * bh >= h * bw {
        let fitted = ((h * bw + w / 2) / w).max(1);
        (box_w, fitted as u32)
    } else {
        let fitted = ((w * bh + h / 2) / h).max(1);
        (fitted as u32, box_h)
    }
}

/// Both versions of `picture` for `shape`.
pub fn versions(picture: &RgbImage, shape: Shape) -> Result<Versions, String> {
    let source = if shape.is_square() {
        square(picture)
    } else {
        None
    };
    let source = source.as_ref().unwrap_or(picture);
    let (width, height) = source.dimensions();
    if width == 0 || height == 0 {
        return Err("it has no pixels".into());
    }
    let (w1, h1) = size_at_1x(width, height, shape);
    let has_2x = width >= 2 * w1 && height >= 2 * h1;
    let two = has_2x.then(|| resize(source, 2 * w1, 2 * h1)).transpose()?;
    // The 1× version from the 2× one: an exact halving, cheaper than from the source and as good.
    let one = resize(two.as_ref().unwrap_or(source), w1, h1)?;
    Ok(Versions {
        one: encode(&one)?,
        two: two.as_ref().map(encode).transpose()?,
    })
}

/// The centred square of a picture that is not one.
fn square(picture: &RgbImage) -> Option<RgbImage> {
    let (width, height) = picture.dimensions();
    let side = width.min(height);
    (width != height).then(|| {
        image::imageops::crop_imm(picture, (width - side) / 2, (height - side) / 2, side, side)
            .to_image()
    })
}

/// `picture` at `width`×`height`, with a bilinear filter as wide as the scale needs.
fn resize(picture: &RgbImage, width: u32, height: u32) -> Result<RgbImage, String> {
    thread_local! {
        // Keeps its buffers between the images one thread resizes.
        static RESIZER: std::cell::RefCell<fir::Resizer> = std::cell::RefCell::new(fir::Resizer::new());
    }
    if picture.dimensions() == (width, height) {
        return Ok(picture.clone());
    }
    let mut resized = RgbImage::new(width, height);
    let options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Bilinear));
    RESIZER
        .with_borrow_mut(|resizer| resizer.resize(picture, &mut resized, &options))
        .map_err(|e| format!("it could not be resized: {e}"))?;
    Ok(resized)
}

fn encode(picture: &RgbImage) -> Result<Encoded, String> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, QUALITY)
        .encode_image(picture)
        .map_err(|e| format!("it could not be encoded: {e}"))?;
    Ok(Encoded {
        width: picture.width(),
        height: picture.height(),
        bytes: bytes.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> Rgba<u8>) -> Vec<u8> {
        let mut bytes = Vec::new();
        RgbaImage::from_fn(width, height, pixel)
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    /// A PNG signature and a header chunk claiming `width`×`height` RGBA pixels, then a little
    /// data: what a decompression bomb starts with.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend(kind);
            out.extend(data);
            out.extend(crc32(&out[start..]).to_be_bytes());
        }
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut header = Vec::new();
        header.extend(width.to_be_bytes());
        header.extend(height.to_be_bytes());
        header.extend([8, 6, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &header);
        chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn decoded(encoded: &Encoded) -> RgbImage {
        let picture = image::load_from_memory(&encoded.bytes).unwrap().into_rgb8();
        assert_eq!(picture.dimensions(), (encoded.width, encoded.height));
        picture
    }

    #[test]
    fn card_sizes_fit_the_box_and_never_enlarge() {
        assert_eq!(size_at_1x(1280, 720, Shape::Card), (160, 90));
        assert_eq!(size_at_1x(1200, 400, Shape::Card), (160, 53));
        assert_eq!(size_at_1x(400, 1200, Shape::Card), (30, 90));
        assert_eq!(size_at_1x(200, 200, Shape::Card), (90, 90));
        assert_eq!(size_at_1x(100, 60, Shape::Card), (100, 60));
        assert_eq!(size_at_1x(4096, 1, Shape::Card), (160, 1));
        assert_eq!(size_at_1x(1000, 2000, Shape::Photo), (128, 128));
        assert_eq!(size_at_1x(50, 80, Shape::PhotoSmall), (50, 50));
    }

    #[test]
    fn a_png_gets_a_1x_and_a_2x_jpeg_of_the_right_size() {
        let bytes = png(640, 360, |x, _| Rgba([(x / 3) as u8, 80, 160, 255]));
        let versions = versions(&decode(&bytes).unwrap(), Shape::Card).unwrap();
        assert_eq!((versions.one.width, versions.one.height), (160, 90));
        decoded(&versions.one);
        let two = versions
            .two
            .as_ref()
            .expect("640×360 has the pixels for 320×180");
        assert_eq!((two.width, two.height), (320, 180));
        assert!(two.bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
        decoded(two);
    }

    #[test]
    fn a_source_smaller_than_twice_the_box_gets_no_2x() {
        let bytes = png(200, 100, |_, _| Rgba([1, 2, 3, 255]));
        let versions = versions(&decode(&bytes).unwrap(), Shape::Card).unwrap();
        assert_eq!((versions.one.width, versions.one.height), (160, 80));
        assert!(versions.two.is_none());
    }

    #[test]
    fn photos_are_cropped_to_a_centred_square() {
        // Red left and right thirds, green middle: the square keeps the green.
        let bytes = png(900, 300, |x, _| {
            if (300..600).contains(&x) {
                Rgba([0, 200, 0, 255])
            } else {
                Rgba([200, 0, 0, 255])
            }
        });
        let versions = versions(&decode(&bytes).unwrap(), Shape::Photo).unwrap();
        let two = versions.two.as_ref().unwrap();
        assert_eq!((two.width, two.height), (256, 256));
        let picture = decoded(&versions.one);
        assert_eq!(picture.dimensions(), (128, 128));
        for (x, y) in [(2, 2), (125, 125), (64, 64)] {
            let [r, g, _] = picture.get_pixel(x, y).0;
            assert!(g > 150 && r < 50, "({x}, {y}) is {r}, {g}");
        }
    }

    /// Every machine must write the same bytes for the same site: the SIMD resizer must give
    /// what its plain code gives, with every extension this CPU has.
    #[test]
    fn resizing_gives_the_same_pixels_with_every_cpu_extension() {
        let picture = RgbImage::from_fn(1201, 677, |x, y| {
            image::Rgb([
                (x * 7 % 251) as u8,
                (y * 13 % 253) as u8,
                ((x ^ y) % 256) as u8,
            ])
        });
        let options = fir::ResizeOptions::new()
            .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Bilinear));
        let resized = |extensions: fir::CpuExtensions| {
            let mut resizer = fir::Resizer::new();
            // SAFETY: only extensions this CPU reports are set.
            unsafe { resizer.set_cpu_extensions(extensions) };
            let mut out = RgbImage::new(321, 181);
            resizer.resize(&picture, &mut out, &options).unwrap();
            out
        };
        let plain = resized(fir::CpuExtensions::None);
        #[cfg(target_arch = "x86_64")]
        let others = [fir::CpuExtensions::Sse4_1, fir::CpuExtensions::Avx2];
        #[cfg(target_arch = "aarch64")]
        let others = [fir::CpuExtensions::Neon];
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        let others: [fir::CpuExtensions; 0] = [];
        for extensions in others.into_iter().filter(|e| e.is_supported()) {
            assert!(resized(extensions) == plain, "{extensions:?}");
        }
        assert!(resize(&picture, 321, 181).unwrap() == plain);
    }

    #[test]
    fn transparency_is_laid_over_white() {
        let bytes = png(400, 400, |x, _| {
            if x < 200 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([0, 0, 0, 255])
            }
        });
        let picture = decoded(&versions(&decode(&bytes).unwrap(), Shape::Card).unwrap().one);
        let [r, g, b] = picture.get_pixel(5, 45).0;
        assert!(r > 240 && g > 240 && b > 240, "{r} {g} {b}");
        let [r, _, _] = picture.get_pixel(85, 45).0;
        assert!(r < 15, "{r}");
    }

    #[test]
    fn a_header_claiming_a_huge_picture_is_refused_before_decoding() {
        let started = std::time::Instant::now();
        let problem = decode(&png_header(100_000, 100_000)).unwrap_err();
        assert_eq!(problem, "it is larger than 4096×4096 pixels");
        // Refused from the header alone: allocating 40 GB would fail or take far longer.
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(
            decode(&png_header(4097, 16))
                .unwrap_err()
                .contains("larger than 4096×4096")
        );
        // A GIF's screen of 65535×65535.
        let mut gif = b"GIF89a".to_vec();
        gif.extend([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]);
        gif.extend([
            0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 2, 0x4C, 0x01, 0, 0x3B,
        ]);
        assert!(decode(&gif).is_err());
    }

    #[test]
    fn only_png_jpeg_webp_and_gif_within_2_mb_are_decoded() {
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert!(decode(svg).unwrap_err().contains("SVG"));
        assert!(
            decode(b"BM6\0\0\0")
                .unwrap_err()
                .contains("not a PNG, JPEG, WebP or GIF")
        );
        let mut corrupt = png(64, 64, |_, _| Rgba([9, 9, 9, 255]));
        corrupt.truncate(40);
        assert!(
            decode(&corrupt)
                .unwrap_err()
                .starts_with("it could not be decoded")
        );
        let mut large = png(8, 8, |_, _| Rgba([9, 9, 9, 255]));
        large.resize(MAX_BYTES as usize + 1, 0);
        assert_eq!(decode(&large).unwrap_err(), "it is larger than 2 MB");
    }
}
