//! kbrowse: a fast, safe terminal browser for Apache Kafka topics.

pub mod app;
pub mod cli;
pub mod config;
pub mod kafka;
pub mod render;
pub mod schema;
pub mod search;
pub mod spread;
pub mod tui;
pub mod ui;
