//! Card-sized versions of paper thumbnails and people photos (issue 18). [`scale`] turns one
//! image's bytes into JPEG versions at 1× and 2× of the size a page draws it at.

pub mod scale;
