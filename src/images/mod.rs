//! Card-sized versions of paper thumbnails and people photos (issue 18).
//!
//! Between planning and rendering, the engine asks for every image a page shows: each paper's
//! `thumbnail` as a card image, each person's `photo` as a list and a page photo. [`make`] reads
//! each source once (a static file of the site or theme, at most 2 MB), and makes its JPEG
//! versions at 1× and 2× ([`scale`]), in parallel; the result tells the renderer the URL and size
//! of every version, and the engine writes the files beside the static files.
//!
//! Every version is written under `thumbnails/` in the output, named after its source and box
//! ([`output_path`]): `static/thumbnails/2403.10005.png` gives `thumbnails/2403.10005-160x90.jpg`
//! and `thumbnails/2403.10005-320x180.jpg`. The site's `static/thumbnails/` folder (where
//! importers download images) holds sources only and is not copied ([`is_source_only`]), so an
//! image is not published twice; other static files, people photos among them, are copied as
//! they are.
//!
//! A missing, oversized or undecodable image is a warning at the line that names it, and the page
//! shows no image. What was made is kept in an [`ImageCache`] keyed by the source's bytes and the
//! shape, so `serve` does not resize an image again until its bytes change.

pub mod scale;

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Diagnostic, Location};
use crate::fingerprint::hash_of;
use crate::model::Site;
use crate::model::people::{PEOPLE_FILE, People};
use crate::render::templates::StaticSource;
pub use scale::Shape;

/// The output folder of every derived image, and the static folder of sources only.
pub const FOLDER: &str = "thumbnails";

/// Whether the static file `name` is a source for derived images only, not copied to the output.
pub fn is_source_only(name: &str) -> bool {
    name == FOLDER
        || name
            .strip_prefix(FOLDER)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Where the version of `source` (a path under `static/`) drawn as `shape` at `scale` (1 or 2)
/// is written: under `thumbnails/`, its name without extension, then the box at that scale.
pub fn output_path(source: &str, shape: Shape, scale: u32) -> String {
    let (width, height) = shape.size();
    format!("{}-{}x{}.jpg", stem(source), width * scale, height * scale)
}

/// `thumbnails/<source without its extension and without a leading thumbnails/>`.
fn stem(source: &str) -> String {
    let inside = source
        .strip_prefix(FOLDER)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(source);
    let name_start = inside.rfind('/').map_or(0, |slash| slash + 1);
    let without_extension = match inside[name_start..].rfind('.') {
        Some(dot) if dot > 0 => &inside[..name_start + dot],
        _ => inside,
    };
    format!("{FOLDER}/{without_extension}")
}

/// An image a page shows, and where its path is written.
#[derive(Debug, Clone)]
pub struct Request {
    /// A path under `static/`.
    pub path: String,
    pub shape: Shape,
    /// The digest or people file line that names the image.
    pub location: Location,
    /// What names it, for warnings: "thumbnail … of paper 2403.10005", "photo … of Yang Song".
    pub key: &'static str,
    pub owner: String,
}

/// Every image the site's pages show: paper thumbnails, and people photos when the theme shows
/// people.
pub fn requests(site: &Site, people: Option<&People>) -> Vec<Request> {
    let mut requests = Vec::new();
    for paper in &site.papers {
        if let Some(thumbnail) = &paper.thumbnail {
            requests.push(Request {
                path: thumbnail.path.clone(),
                shape: Shape::Card,
                location: Location::at(&thumbnail.source, thumbnail.line, None),
                key: "thumbnail",
                owner: format!("paper {}", paper.id),
            });
        }
    }
    for person in people.map_or(&[][..], |people| &people.persons) {
        let Some(photo) = person.photo.as_ref().filter(|_| person.has_page()) else {
            continue;
        };
        for shape in [Shape::PhotoSmall, Shape::Photo] {
            requests.push(Request {
                path: photo.clone(),
                shape,
                location: Location::at(PEOPLE_FILE, person.photo_line, None),
                key: "photo",
                owner: person.name.clone(),
            });
        }
    }
    requests
}

/// One version as pages link it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shown {
    /// Output path of the 1× version.
    pub path: String,
    /// Output path of the 2× version, when the source has the pixels for one.
    pub path_2x: Option<String>,
    /// Size of the 1× version: the size to draw it at, in CSS pixels.
    pub width: u32,
    pub height: u32,
}

/// What the images stage made: how each source is shown, and the files to write.
#[derive(Debug, Default)]
pub struct Images {
    shown: HashMap<String, [Option<Shown>; 3], ahash::RandomState>,
    /// Output path → bytes, sorted by path.
    pub files: Vec<(String, Arc<[u8]>)>,
    /// How many sources were made into a shape this build, rather than taken from the cache.
    pub made: usize,
}

impl Images {
    /// How the static file `path` is shown as `shape`; none when it could not be made.
    pub fn get(&self, path: &str, shape: Shape) -> Option<&Shown> {
        self.shown.get(path)?[shape as usize].as_ref()
    }
}

/// What one source made for one shape: the versions' bytes, or why there are none.
type Made = Arc<Result<scale::Versions, String>>;

/// Versions made by earlier builds, by the hash of their source's bytes and their shape.
#[derive(Default)]
pub struct ImageCache {
    made: HashMap<(u64, Shape), Made>,
}

/// Makes every requested image that is not in `cache`, in parallel. With `remember`, the cache
/// keeps what this build used (and nothing else) for the next one.
pub fn make(
    requests: &[Request],
    statics: &BTreeMap<String, StaticSource>,
    cache: &mut ImageCache,
    remember: bool,
) -> (Images, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    if requests.is_empty() {
        cache.made.clear();
        return (Images::default(), diagnostics);
    }
    let mut sources: BTreeMap<&str, Vec<Shape>> = BTreeMap::new();
    for request in requests {
        let shapes = sources.entry(&request.path).or_default();
        if !shapes.contains(&request.shape) {
            shapes.push(request.shape);
        }
    }
    let refused = refuse_collisions(&sources, requests, &mut diagnostics);
    sources.retain(|path, _| !refused.contains(path));
    let previous = &cache.made;
    let results: Vec<(&str, Result<Vec<ShapeMade>, Problem>)> = sources
        .into_par_iter()
        .map(|(path, shapes)| {
            let made = make_source(path, &shapes, statics, previous, remember);
            (path, made)
        })
        .collect();
    let mut images = Images::default();
    let mut kept = HashMap::new();
    let mut problems: HashMap<&str, Problem> = HashMap::new();
    for (path, result) in results {
        let made = result.unwrap_or_else(|problem| {
            problems.insert(path, problem);
            Vec::new()
        });
        for ShapeMade { shape, key, made } in made {
            let is_cached = (cache.made.get(&(key, shape)))
                .is_some_and(|known| remember && Arc::ptr_eq(known, &made));
            images.made += usize::from(!is_cached);
            match made.as_ref() {
                Ok(versions) => images.add(path, shape, versions),
                Err(problem) => {
                    problems.insert(path, Problem::Unusable(problem.clone()));
                }
            }
            if remember {
                kept.insert((key, shape), made);
            }
        }
    }
    images.files.sort_by(|a, b| a.0.cmp(&b.0));
    cache.made = kept;
    for request in requests {
        if let Some(problem) = problems.get(request.path.as_str()) {
            diagnostics.push(problem_of(request, problem));
        }
    }
    diagnostics.dedup();
    (images, diagnostics)
}

impl Images {
    /// Adds `versions` of `path` as `shape`: their files, and how pages show them.
    fn add(&mut self, path: &str, shape: Shape, versions: &scale::Versions) {
        let one = output_path(path, shape, 1);
        self.files
            .push((one.clone(), Arc::clone(&versions.one.bytes)));
        let two = versions.two.as_ref().map(|two| {
            let name = output_path(path, shape, 2);
            self.files.push((name.clone(), Arc::clone(&two.bytes)));
            name
        });
        let shown = Shown {
            path: one,
            path_2x: two,
            width: versions.one.width,
            height: versions.one.height,
        };
        self.shown.entry(path.to_string()).or_default()[shape as usize] = Some(shown);
    }
}

/// Sources whose versions would be written over another's (`a.png` and `a.jpg`; `thumbnails/x`
/// and `x`; names that differ by case, one file on macOS and Windows disks): each is a warning,
/// and the later source is left out.
fn refuse_collisions<'a>(
    sources: &BTreeMap<&'a str, Vec<Shape>>,
    requests: &[Request],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<&'a str> {
    let mut stems: HashMap<String, &str> = HashMap::new();
    let mut refused = Vec::new();
    for path in sources.keys() {
        if let Some(first) = stems.insert(stem(path).to_lowercase(), path) {
            refused.push(*path);
            stems.insert(stem(path).to_lowercase(), first);
            for request in requests.iter().filter(|r| r.path == *path) {
                diagnostics.push(
                    Diagnostic::warning(
                        request.location.clone(),
                        format!(
                            "{} `{path}` of {} is not shown: its card-sized versions would be written over those of `{first}`",
                            request.key, request.owner
                        ),
                    )
                    .with_hint("rename one of the two images"),
                );
            }
        }
    }
    refused
}

/// One source made into one shape (or taken from the cache), with its cache key.
struct ShapeMade {
    shape: Shape,
    key: u64,
    made: Made,
}

/// Why a source gave no image.
#[derive(Debug, Clone)]
enum Problem {
    /// No static file has its path.
    Missing,
    /// Too large, unreadable or undecodable: why, in words.
    Unusable(String),
}

/// Reads one source and makes its versions for `shapes`, taking those already made from
/// `previous`; each with its cache key.
fn make_source(
    path: &str,
    shapes: &[Shape],
    statics: &BTreeMap<String, StaticSource>,
    previous: &HashMap<(u64, Shape), Made>,
    remember: bool,
) -> Result<Vec<ShapeMade>, Problem> {
    let source = statics.get(path).ok_or(Problem::Missing)?;
    let bytes = read_capped(source).map_err(Problem::Unusable)?;
    // A one-off build looks nothing up: it needs no key.
    let key = if remember {
        hash_of((bytes.len(), &bytes[..]))
    } else {
        0
    };
    let mut picture = None;
    let mut all = Vec::with_capacity(shapes.len());
    for &shape in shapes {
        let made = match previous.get(&(key, shape)).filter(|_| remember) {
            Some(known) => Arc::clone(known),
            // Decoded once for all the shapes it is made into.
            None => Arc::new(match picture.get_or_insert_with(|| scale::decode(&bytes)) {
                Ok(picture) => scale::versions(picture, shape),
                Err(problem) => Err(problem.clone()),
            }),
        };
        all.push(ShapeMade { shape, key, made });
    }
    Ok(all)
}

/// A static file's bytes, refusing one larger than [`scale::MAX_BYTES`] without reading it all.
fn read_capped(source: &StaticSource) -> Result<Vec<u8>, String> {
    let too_large = || format!("it is larger than {} MB", scale::MAX_BYTES / (1024 * 1024));
    match source {
        StaticSource::Embedded(bytes) if bytes.len() as u64 > scale::MAX_BYTES => Err(too_large()),
        StaticSource::Embedded(bytes) => Ok(bytes.to_vec()),
        StaticSource::File(path) => {
            let file = std::fs::File::open(path).map_err(|e| format!("it cannot be read: {e}"))?;
            let mut bytes = Vec::new();
            file.take(scale::MAX_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("it cannot be read: {e}"))?;
            if bytes.len() as u64 > scale::MAX_BYTES {
                return Err(too_large());
            }
            Ok(bytes)
        }
    }
}

/// The warning for a request whose image was not made.
fn problem_of(request: &Request, problem: &Problem) -> Diagnostic {
    let Request {
        path, key, owner, ..
    } = request;
    let location = request.location.clone();
    let Problem::Unusable(why) = problem else {
        let what = if *key == "photo" { "picture" } else { "image" };
        return Diagnostic::warning(
            location,
            format!("{key} `{path}` of {owner} is not a static file"),
        )
        .with_hint(format!("put the {what} at static/{path}"));
    };
    Diagnostic::warning(
        location,
        format!("{key} static/{path} of {owner} is not shown: {why}"),
    )
    .with_hint(format!(
        "use a PNG, JPEG, WebP or GIF image of at most {} MB and {side}×{side} pixels",
        scale::MAX_BYTES / (1024 * 1024),
        side = scale::MAX_SIDE
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_named_after_their_source_and_box() {
        let named = |source, shape, scale| output_path(source, shape, scale);
        assert_eq!(
            named("thumbnails/2403.10005.png", Shape::Card, 1),
            "thumbnails/2403.10005-160x90.jpg"
        );
        assert_eq!(
            named("thumbnails/2403.10005.png", Shape::Card, 2),
            "thumbnails/2403.10005-320x180.jpg"
        );
        assert_eq!(
            named("people/yang.jpg", Shape::PhotoSmall, 2),
            "thumbnails/people/yang-192x192.jpg"
        );
        assert_eq!(
            named("people.v2/yang", Shape::Photo, 1),
            "thumbnails/people.v2/yang-128x128.jpg"
        );
        assert_eq!(
            named("thumbnails/.hidden", Shape::Card, 1),
            "thumbnails/.hidden-160x90.jpg"
        );
    }

    #[test]
    fn only_the_thumbnails_folder_is_kept_out_of_the_output() {
        assert!(is_source_only("thumbnails/2403.10005.png"));
        assert!(is_source_only("thumbnails/a/b.jpg"));
        assert!(is_source_only("thumbnails"));
        assert!(!is_source_only("thumbnails.css"));
        assert!(!is_source_only("people/yang.jpg"));
        assert!(!is_source_only("img/thumbnails/x.png"));
    }

    fn png(width: u32, height: u32) -> &'static [u8] {
        let mut bytes = Vec::new();
        image::RgbImage::from_pixel(width, height, image::Rgb([10, 20, 30]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes.leak()
    }

    fn request(path: &str, shape: Shape, line: usize) -> Request {
        Request {
            path: path.into(),
            shape,
            location: Location::at("content/2024-03-11.md", line, None),
            key: "thumbnail",
            owner: format!("paper {line}"),
        }
    }

    #[test]
    fn a_cache_makes_each_source_once_until_its_bytes_change() {
        let mut statics = BTreeMap::new();
        statics.insert(
            "thumbnails/a.png".into(),
            StaticSource::Embedded(png(640, 360)),
        );
        statics.insert("people/b.png".into(), StaticSource::Embedded(png(300, 300)));
        let requests = [
            request("thumbnails/a.png", Shape::Card, 3),
            request("people/b.png", Shape::Photo, 4),
            request("people/b.png", Shape::PhotoSmall, 4),
        ];
        let mut cache = ImageCache::default();
        let (first, problems) = make(&requests, &statics, &mut cache, true);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(first.made, 3);
        let names: Vec<&str> = first.files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "thumbnails/a-160x90.jpg",
                "thumbnails/a-320x180.jpg",
                "thumbnails/people/b-128x128.jpg",
                "thumbnails/people/b-192x192.jpg",
                "thumbnails/people/b-256x256.jpg",
                "thumbnails/people/b-96x96.jpg",
            ]
        );
        let shown = first.get("people/b.png", Shape::PhotoSmall).unwrap();
        assert_eq!((shown.width, shown.height), (96, 96));
        assert_eq!(
            shown.path_2x.as_deref(),
            Some("thumbnails/people/b-192x192.jpg")
        );

        let (second, _) = make(&requests, &statics, &mut cache, true);
        assert_eq!(second.made, 0, "nothing changed: nothing is resized");
        assert_eq!(second.files, first.files);

        statics.insert(
            "thumbnails/a.png".into(),
            StaticSource::Embedded(png(320, 320)),
        );
        let (third, _) = make(&requests, &statics, &mut cache, true);
        assert_eq!(third.made, 1, "only the changed source is made again");
        let shown = third.get("thumbnails/a.png", Shape::Card).unwrap();
        assert_eq!((shown.width, shown.height), (90, 90));

        // What the build no longer asks for leaves the cache.
        make(&requests[..1], &statics, &mut cache, true);
        assert_eq!(cache.made.len(), 1);
    }

    #[test]
    fn missing_and_colliding_sources_are_warnings_naming_their_line() {
        let mut statics = BTreeMap::new();
        statics.insert(
            "thumbnails/a.png".into(),
            StaticSource::Embedded(png(64, 64)),
        );
        statics.insert(
            "thumbnails/A.jpg".into(),
            StaticSource::Embedded(png(64, 64)),
        );
        let requests = [
            request("thumbnails/a.png", Shape::Card, 3),
            request("thumbnails/A.jpg", Shape::Card, 7),
            request("thumbnails/gone.png", Shape::Card, 9),
        ];
        let (images, problems) = make(&requests, &statics, &mut ImageCache::default(), false);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("content/2024-03-11.md:3: warning: thumbnail `thumbnails/a.png` of paper 3 is not shown: its card-sized versions would be written over those of `thumbnails/A.jpg`"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("content/2024-03-11.md:9: warning: thumbnail `thumbnails/gone.png` of paper 9 is not a static file"),
            "{shown:?}"
        );
        assert!(images.get("thumbnails/A.jpg", Shape::Card).is_some());
        assert!(images.get("thumbnails/a.png", Shape::Card).is_none());
    }
}
