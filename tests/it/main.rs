//! Integration tests: build small sites in temporary folders through the library (and a few
//! through the real binary) and look at what users would see.

mod bad_input;
mod binary;
mod citations;
mod email;
mod feeds;
mod pages;
mod safety;
mod support;
