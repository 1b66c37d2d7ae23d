//! Unit tests of the describers on hand-built objects, each expected text checked against
//! kubectl v1.32 (describe.go, and the real binary run against a fake API server).

use super::*;
