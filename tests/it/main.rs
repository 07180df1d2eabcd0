//! Integration tests: build small sites in temporary folders through the library (and a few
//! through the real binary) and look at what users would see.

mod bad_input;
mod binary;
mod check;
mod citations;
mod contexts;
mod docs;
mod edit_sequences;
mod email;
mod feeds;
mod fuzz_regressions;
mod hardening;
mod hostile;
mod http_client;
mod import;
mod incremental;
mod interrupted;
mod lab;
mod page_weight;
mod pages;
mod related;
mod safety;
mod search;
mod serve;
mod serve_process;
mod site_size;
mod support;
mod thumbnails;
mod trends;
mod trust;
