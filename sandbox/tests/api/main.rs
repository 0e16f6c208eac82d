//! Integration tests over real HTTP: each test serves the sandbox in-process on 127.0.0.1:0 and
//! talks to it with reqwest, as a backend or a browser would.

mod common;

mod auth;
mod concurrency;
mod demo;
mod faults;
mod images;
mod process;
mod sessions;
mod surface;
