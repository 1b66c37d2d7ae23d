//! The terminal UI (DESIGN §9). Not built yet; until it is, `kubedojo` with no arguments
//! plays a demo transcript. This is the only module that may use ratatui and crossterm.
