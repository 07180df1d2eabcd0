//! Integration tests: build small sites in temporary folders through the library (and a few
//! through the real binary) and look at what users would see.

mod bad_input;
mod binary;
mod pages;
mod safety;
mod search;
mod search_browser;
mod search_js;
mod support;
mod webdriver;
