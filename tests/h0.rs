#[path = "suite/common/mod.rs"]
mod common;
#[path = "suite/sync_primitives.rs"]
mod sync_primitives;
